//! Permalinks: each page keeps its state (scenario, step, selected field, profile) in the URL
//! fragment with `history.replaceState`, so a reload or a shared link opens the same view. What
//! may go in is `proto::link`'s rule: never a password, a token only when the user opts in.

use proto::link::Link;
use yew::prelude::*;

/// The current fragment, parsed.
pub fn current() -> Link {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Link::parse(&hash)
}

/// A parameter of the current fragment.
pub fn param(name: &str) -> Option<String> {
    current().get(name).map(str::to_string)
}

/// Rewrites the fragment in place: no history entry, no `hashchange`.
pub fn replace(link: &Link) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&link.fragment()));
    }
}

/// Keeps `params` in the fragment whenever they change (other parameters, such as an opted-in
/// token, are kept). Writes wait for a pause of 200 ms: typing does not call `replaceState`
/// on every key (browsers throttle it), and a page left sooner writes nothing into the next.
#[hook]
pub fn use_permalink(params: Vec<(&'static str, String)>) {
    use_effect_with(params, |params| {
        let params = params.clone();
        let write = gloo_timers::callback::Timeout::new(200, move || {
            let mut l = current();
            for (k, v) in &params {
                l.set(k, v);
            }
            replace(&l);
        });
        move || drop(write)
    });
}
