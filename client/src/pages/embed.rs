//! The embeddable walkthrough (embed.html, and embed-kerberos.html for the Kerberos one, so that
//! an embedded NTLM or Basic walkthrough does not load Kerberos): one scenario, no navigation,
//! for documentation pages. A page asked for the other's scenario goes there.
//!
//! ```text
//! <iframe src="authscope/embed.html#scenario=ntlm&variant=dc-down&step=4&autoplay&theme=dark">
//! <script src="authscope/embed.js" data-scenario="ntlm" data-step="4" data-autoplay></script>
//! ```
//!
//! `scenario` is `basic`, `ntlm` or `kerberos`; the other parameters are the walkthrough pages'
//! own (`variant`, `profile`, `header`, `site`, `user`, `on`), and `step`, `autoplay`, `theme`
//! (`light` or `dark`; the system's otherwise). The page tells its parent its height
//! (`postMessage({type: "authscope:size", height})`) whenever it changes, so the frame is sized
//! to its content; it works offline from the same static files.

#[cfg(feature = "embed-kerberos")]
use crate::pages::kerberos_walk::KerberosWalk;
#[cfg(feature = "embed")]
use crate::pages::{basic_walk::BasicWalk, ntlm_walk::NtlmWalk};
use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// The full app's link for the same view.
fn full_app(scenario: &str) -> String {
    let mut link = crate::link::current();
    link.params
        .retain(|(k, _)| !matches!(k.as_str(), "scenario" | "autoplay" | "theme"));
    link.route = scenario.to_string();
    let page = if scenario == "kerberos" {
        "kerberos.html"
    } else {
        "index.html"
    };
    format!("{page}{}", link.fragment())
}

/// Posts the document's height to the parent whenever it changes.
fn report_height() -> Option<()> {
    let window = web_sys::window()?;
    let doc = window.document()?;
    let body = doc.body()?;
    let post = Closure::<dyn FnMut()>::new(move || {
        let Some(w) = web_sys::window() else { return };
        let Some(el) = w.document().and_then(|d| d.document_element()) else {
            return;
        };
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"type".into(), &"authscope:size".into());
        let _ = js_sys::Reflect::set(&msg, &"height".into(), &el.scroll_height().into());
        if let Ok(Some(parent)) = w.parent() {
            let _ = parent.post_message(&msg, "*");
        }
    });
    let observer = web_sys::ResizeObserver::new(post.as_ref().unchecked_ref()).ok()?;
    observer.observe(&body);
    // Both live as long as the page.
    post.forget();
    std::mem::forget(observer);
    Some(())
}

/// The embed, remounted when its fragment changes under it (as the app's pages are: see
/// `route::use_route`), so that a writer's or reader's edited link is followed.
#[function_component(EmbedHost)]
pub fn embed_host() -> Html {
    let (_, generation) = crate::route::use_route();
    // One observer of the height for the page's life, whatever the remounts.
    use_effect_with((), |_| {
        report_height();
    });
    html! { <><Embed key={generation.to_string()} /></> }
}

#[function_component(Embed)]
pub fn embed() -> Html {
    let link = crate::link::current();
    let scenario = link.get("scenario").unwrap_or("ntlm").to_string();
    {
        let theme = link.get("theme").map(str::to_string);
        use_effect_with((), move |_| {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                if let Some(t) = theme.filter(|t| t == "light" || t == "dark") {
                    let _ = el.set_attribute("data-theme", &t);
                }
                let _ = el.set_attribute("class", "embed");
            }
        });
    }
    // The page that has this scenario's walkthrough; the other page goes there, hash and all.
    let page = if scenario == "kerberos" {
        "embed-kerberos.html"
    } else {
        "embed.html"
    };
    if page != crate::route::PAGE {
        if let Some(w) = web_sys::window() {
            let hash = w.location().hash().unwrap_or_default();
            let _ = w.location().replace(&format!("{page}{hash}"));
        }
        return Html::default();
    }
    #[cfg(feature = "embed")]
    let walk = match scenario.as_str() {
        "basic" => html! { <BasicWalk /> },
        _ => html! { <NtlmWalk /> },
    };
    #[cfg(feature = "embed-kerberos")]
    let walk = html! { <KerberosWalk /> };
    html! {
        <main id="main" class="embedded">
            { walk }
            <p class="embed-foot"><a href={full_app(&scenario)} target="_blank" rel="noopener" data-test="embed-open">{ "Open in authscope ↗" }</a></p>
        </main>
    }
}
