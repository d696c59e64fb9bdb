//! The example chips and the text area that the Headers lab and the Decoder share.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The examples and the text area (a plain function: see `diagram`).
pub struct Props {
    pub label: &'static str,
    pub test: &'static str,
    pub rows: u32,
    /// (chip label, the text it loads).
    pub samples: Vec<(&'static str, String)>,
    pub text: UseStateHandle<String>,
}

pub fn paste_box(p: &Props) -> Html {
    let oninput = {
        let text = p.text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
            {
                text.set(t.value());
            }
        })
    };
    let chips: Html = p
        .samples
        .iter()
        .map(|(label, t)| {
            let (text, t) = (p.text.clone(), t.clone());
            let onclick = Callback::from(move |_| text.set(t.clone()));
            html! { <button type="button" class="chip" {onclick}>{ *label }</button> }
        })
        .collect();
    html! {
        <>
        <div class="samples" aria-label="Examples">{ chips }</div>
        <label class="paste">
            <span>{ p.label }</span>
            <textarea data-test={p.test} rows={p.rows.to_string()} spellcheck="false" value={(*p.text).clone()} {oninput} />
        </label>
        </>
    }
}
