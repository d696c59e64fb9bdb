//! "Open in the Decoder": the Decoder is its own page (`decode.html`), opened in a new tab beside
//! the walkthrough, HAR file or embed that asked for it, so that nothing there is lost. The token,
//! and the Kerberos keys that open it, go to that tab by `postMessage`, in memory only: never in a
//! URL, never in storage (an NTLM AUTHENTICATE message can be cracked offline; a service key
//! decrypts every ticket for its service).
//!
//! The exchange: the opener keeps what it will send beside the window it opened; the Decoder, when
//! it starts in a tab that has an opener, posts `READY` to it; the opener answers that window
//! (compared by identity) with `[KIND, text, key…]`; the Decoder takes a message only from its
//! opener. Messages go to this origin only (`*` only where the origin is opaque, as for pages
//! opened from `file://`, where the window identity is the check).

use std::cell::{Cell, RefCell};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The first element of a hand-over message.
const KIND: &str = "authscope-decode";
/// What the Decoder tab posts to its opener when it is ready to receive.
const READY: &str = "authscope-decoder-ready";
/// At most this many tabs wait for their token (a bounded queue; the oldest goes first).
const PENDING_MAX: usize = 8;

type Pending = Vec<(js_sys::Object, js_sys::Array)>;

thread_local! {
    static PENDING: RefCell<Pending> = const { RefCell::new(Vec::new()) };
    static LISTENING: Cell<bool> = const { Cell::new(false) };
}

/// What a hand-over carries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Handover {
    pub text: String,
    /// Kerberos keys as the Decoder's key field takes them, `ETYPE:HEX`.
    pub keys: Vec<String>,
}

fn target_origin(w: &web_sys::Window) -> String {
    match w.location().origin() {
        Ok(o) if o != "null" => o,
        _ => "*".to_string(),
    }
}

/// Opens the Decoder in a new tab with `text` and `keys`. False when the browser refused to open a
/// tab (a pop-up blocker): the caller says so.
pub fn open(text: &str, keys: &[String]) -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    let Ok(Some(child)) = w.open_with_url_and_target("decode.html#/decode", "_blank") else {
        return false;
    };
    let msg = js_sys::Array::new();
    msg.push(&KIND.into());
    msg.push(&text.into());
    for k in keys {
        msg.push(&k.into());
    }
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= PENDING_MAX {
            p.remove(0);
        }
        p.push((child.into(), msg));
    });
    if !LISTENING.with(|l| l.replace(true)) {
        let origin = target_origin(&w);
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if e.data().as_string().as_deref() != Some(READY) {
                    return;
                }
                let Some(source) = e.source() else { return };
                let found = PENDING.with(|p| {
                    let mut p = p.borrow_mut();
                    let i = p.iter().position(|(c, _)| js_sys::Object::is(c, &source))?;
                    Some(p.remove(i))
                });
                if let Some((child, msg)) = found {
                    // A window of another realm: `instanceof Window` is false there, so no dyn_into.
                    let _ = child
                        .unchecked_into::<web_sys::Window>()
                        .post_message(&msg, &origin);
                }
            });
        let _ = w.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
        // One listener for the page's life.
        on_message.forget();
    }
    true
}

/// In the Decoder: asks the tab that opened this one for its token; `got` receives it once.
pub fn receive(got: impl Fn(Handover) + 'static) {
    let Some(w) = web_sys::window() else { return };
    let Ok(opener) = w.opener() else { return };
    if opener.is_null() || opener.is_undefined() {
        return;
    }
    // The opener's window is of another realm: `instanceof Window` is false, so no dyn_into.
    let opener = opener.unchecked_into::<web_sys::Window>();
    let origin = target_origin(&w);
    let from: JsValue = opener.clone().into();
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let Some(source) = e.source() else { return };
            if !js_sys::Object::is(&source, &from) {
                return;
            }
            let data = e.data();
            if !js_sys::Array::is_array(&data) {
                return;
            }
            let msg = js_sys::Array::from(&data);
            let mut parts = msg.iter().filter_map(|v| v.as_string());
            if parts.next().as_deref() != Some(KIND) {
                return;
            }
            let Some(text) = parts.next() else { return };
            got(Handover {
                text,
                keys: parts.collect(),
            });
        });
    let _ = w.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    on_message.forget();
    let _ = opener.post_message(&READY.into(), &origin);
}
