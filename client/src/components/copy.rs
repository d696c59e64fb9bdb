//! A copy button: puts a header, a token, a curl command or a hex block on the clipboard
//! (`navigator.clipboard.writeText`), and says so.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// What is copied.
    pub text: AttrValue,
    /// What it is, for the button's accessible name ("Copy the curl command").
    pub what: AttrValue,
}

#[function_component(CopyButton)]
pub fn copy_button(p: &Props) -> Html {
    let done = use_state(|| false);
    let onclick = {
        let (text, done) = (p.text.clone(), done.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(w) = web_sys::window() else { return };
            let promise = w.navigator().clipboard().write_text(&text);
            let done = done.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    done.set(true);
                }
            });
        })
    };
    html! {
        <button type="button" class="chip copy" data-test="copy" aria-label={format!("Copy {}", p.what)} {onclick}>
            { if *done { "Copied ✓" } else { "Copy" } }
        </button>
    }
}
