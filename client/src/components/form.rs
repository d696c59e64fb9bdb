//! Reading form controls from their events.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The value of the input, select or text area an event came from.
pub fn value_of(e: &Event) -> String {
    let Some(t) = e.target() else {
        return String::new();
    };
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        return i.value();
    }
    if let Some(s) = t.dyn_ref::<web_sys::HtmlSelectElement>() {
        return s.value();
    }
    t.dyn_ref::<web_sys::HtmlTextAreaElement>()
        .map(|a| a.value())
        .unwrap_or_default()
}

/// The file chosen in the file input an event came from.
pub fn file_of(e: &Event) -> Option<web_sys::File> {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|i| i.files())
        .and_then(|f| f.get(0))
}

/// Whether the checkbox an event came from is checked.
pub fn checked_of(e: &Event) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// A labelled checkbox. A plain function rather than inline `html!`: each inline copy costs
/// bundle size, and forms have many.
pub fn check(label: &str, test: &'static str, checked: bool, onchange: Callback<Event>) -> Html {
    html! { <label class="check"><input type="checkbox" data-test={test} {checked} {onchange} />{ label }</label> }
}

/// A labelled text field that reports every keystroke. `secret` turns off autocomplete (the
/// lab's passwords are shown in clear on purpose: they are made-up accounts).
pub fn text(
    label: &str,
    test: &'static str,
    value: String,
    secret: bool,
    oninput: Callback<Event>,
) -> Html {
    let oninput = Callback::from(move |e: InputEvent| oninput.emit(e.into()));
    html! { <label>{ label }<input type="text" data-test={test} autocomplete={secret.then_some("off")} {value} {oninput} /></label> }
}
