//! The authscope web app. It renders what `proto` computes and never parses bytes itself.
//!
//! `App` lives in the library so that tests can mount it; `main.rs` only starts it.

pub mod components;
pub mod handover;
pub mod link;
pub mod pages;
pub mod route;

use route::Route;
use yew::prelude::*;

/// A scenario handed to the IIS lab page (from the isolation assistant).
#[derive(Clone, PartialEq)]
pub struct LabInbox(pub UseStateHandle<Option<String>>);

impl LabInbox {
    pub fn open(&self, scenario: &str) {
        self.0.set(Some(scenario.to_string()));
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(&Route::Lab.href());
        }
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let (route, generation) = route::use_route();
    let lab_inbox = LabInbox(use_state(|| None));
    let menu_open = use_state(|| false);
    if !route.here() {
        // A route of another page: go there, with the link's parameters (nothing is drawn).
        if let Some(w) = web_sys::window() {
            let hash = w.location().hash().unwrap_or_default();
            let _ = w.location().replace(&format!("{}{hash}", route.page()));
        }
        return Html::default();
    }
    #[cfg(not(any(
        feature = "kerberos",
        feature = "debug",
        feature = "lab",
        feature = "decode",
        feature = "har"
    )))]
    let page = match route {
        Route::Headers => html! { <pages::headers_lab::HeadersLab /> },
        Route::Basic => html! { <pages::basic_walk::BasicWalk /> },
        Route::Ntlm => html! { <pages::ntlm_walk::NtlmWalk /> },
        _ => pages::about::about(),
    };
    #[cfg(feature = "decode")]
    let page = match route {
        Route::Decoder => html! { <pages::decoder::Decoder /> },
        Route::Bench => html! { <pages::bench::Bench /> },
        // Every other route is another page's (`here` sent the app there).
        _ => Html::default(),
    };
    #[cfg(feature = "har")]
    let page = match route {
        Route::Har => html! { <pages::har::HarImport /> },
        // Every other route is another page's (`here` sent the app there).
        _ => Html::default(),
    };
    #[cfg(feature = "debug")]
    let page = match route {
        Route::Relay => pages::relay::relay(),
        // Every other route is another page's (`here` sent the app there).
        _ => Html::default(),
    };
    #[cfg(feature = "lab")]
    let page = match route {
        Route::Lab => html! { <pages::lab::Lab /> },
        Route::Isolate => html! { <pages::isolate::Isolate /> },
        Route::Glossary => html! { <pages::glossary::Glossary /> },
        // Every other route is another page's (`here` sent the app there).
        _ => Html::default(),
    };
    #[cfg(feature = "kerberos")]
    let page = match route {
        Route::Kerberos => html! { <pages::kerberos_walk::KerberosWalk /> },
        // Every other route is another page's (`here` sent the app there).
        _ => Html::default(),
    };
    let tab = |r: Route, label: &str| {
        let current = (r == route).then_some("page");
        html! { <a href={r.href()} class={classes!("tab", (r == route).then_some("active"))} aria-current={current}>{ label.to_string() }</a> }
    };
    let toggle = {
        let m = menu_open.clone();
        Callback::from(move |_| m.set(!*m))
    };
    html! {
        <>
        <header class="top" key="header">
            { components::chrome::skip_link() }
            <a class="brand" href={Route::Headers.href()}>{ components::icons::icon(components::icons::Icon::Lock) }{ "authscope" }</a>
            <button type="button" class="menu-toggle" aria-expanded={if *menu_open { "true" } else { "false" }} aria-controls="pages-menu" onclick={toggle} data-test="menu">{ "Menu" }</button>
            <components::chrome::ThemeSwitch />
            <nav aria-label="Pages" id="pages-menu" class={classes!((*menu_open).then_some("open"))}>
                { tab(Route::Headers, "Headers lab") }
                { tab(Route::Basic, "Basic walkthrough") }
                { tab(Route::Ntlm, "NTLM walkthrough") }
                { tab(Route::Decoder, "Decoder") }
                { tab(Route::Lab, "IIS lab") }
                { tab(Route::Isolate, "Isolate a 401") }
                { tab(Route::Kerberos, "Kerberos walkthrough") }
                { tab(Route::Relay, "Real servers") }
                { tab(Route::Har, "HAR import") }
                { tab(Route::Glossary, "Glossary") }
                { tab(Route::About, "About") }
            </nav>
        </header>
        // Keyed by the fragment's changes: a changed fragment remounts the page (see `use_route`).
        <ContextProvider<LabInbox> context={lab_inbox} key={format!("page-{generation}")}>
            <main id="main" tabindex="-1">{ page }</main>
        </ContextProvider<LabInbox>>
        <footer class="foot" key="footer">
            { "authscope runs entirely in this page: nothing you type leaves your browser. " }
            <a href={Route::About.href()}>{ "About" }</a>
        </footer>
        </>
    }
}
