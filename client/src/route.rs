//! The page is chosen by the URL fragment (`#/headers`, `#/basic`), so the built app works from
//! any static host and a link opens the same page.

use gloo_events::EventListener;
use yew::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Headers,
    Basic,
    Decoder,
    Ntlm,
    Bench,
    Lab,
    Isolate,
    Kerberos,
    Relay,
    Har,
    About,
    Glossary,
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let path = path.split(['?', '&']).next().unwrap_or("");
        match path {
            "basic" => Route::Basic,
            "decode" => Route::Decoder,
            "ntlm" => Route::Ntlm,
            "bench" => Route::Bench,
            "lab" => Route::Lab,
            "isolate" => Route::Isolate,
            "kerberos" => Route::Kerberos,
            "relay" => Route::Relay,
            "har" => Route::Har,
            "about" => Route::About,
            "glossary" => Route::Glossary,
            _ => Route::Headers,
        }
    }
    /// The page (bundle) that shows the route. The app is several pages with a bundle each, so
    /// that each stays under the size budget: `index.html` (learning: the headers, the Basic and
    /// NTLM walkthroughs, About), `decode.html` (the Decoder for every token, with
    /// Kerberos decryption, and the decoding benchmark), `har.html` (HAR import),
    /// `kerberos.html` (the Kerberos walkthrough), `lab.html` (the IIS lab and the isolation
    /// assistant, the glossary) and `debug.html` (real servers: Live mode and the relay).
    pub fn page(self) -> &'static str {
        match self {
            Route::Decoder => "decode.html",
            Route::Kerberos => "kerberos.html",
            Route::Lab | Route::Isolate => "lab.html",
            Route::Bench => "decode.html",
            Route::Har => "har.html",
            Route::Glossary => "lab.html",
            Route::Relay => "debug.html",
            _ => "index.html",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Route::Headers => "#/headers",
            Route::Basic => "#/basic",
            Route::Decoder => "#/decode",
            Route::Ntlm => "#/ntlm",
            Route::Bench => "#/bench",
            Route::Lab => "#/lab",
            Route::Isolate => "#/isolate",
            Route::Kerberos => "#/kerberos",
            Route::Relay => "#/relay",
            Route::Har => "#/har",
            Route::About => "#/about",
            Route::Glossary => "#/glossary",
        }
    }

    /// The link to the route: its fragment on this page, else the other page's file and fragment.
    pub fn href(self) -> String {
        if self.here() {
            self.path().to_string()
        } else {
            format!("{}{}", self.page(), self.path())
        }
    }

    /// Whether this page's bundle shows the route (otherwise the app goes to the other page).
    /// About is the main page's: its text is not in every bundle.
    pub fn here(self) -> bool {
        self.page() == PAGE
    }
}

/// This bundle's page.
#[cfg(feature = "kerberos")]
pub const PAGE: &str = "kerberos.html";
#[cfg(feature = "decode")]
pub const PAGE: &str = "decode.html";
#[cfg(feature = "har")]
pub const PAGE: &str = "har.html";
#[cfg(feature = "debug")]
pub const PAGE: &str = "debug.html";
#[cfg(feature = "embed")]
pub const PAGE: &str = "embed.html";
#[cfg(feature = "embed-kerberos")]
pub const PAGE: &str = "embed-kerberos.html";
#[cfg(feature = "lab")]
pub const PAGE: &str = "lab.html";
#[cfg(not(any(
    feature = "decode",
    feature = "har",
    feature = "kerberos",
    feature = "debug",
    feature = "embed",
    feature = "embed-kerberos",
    feature = "lab"
)))]
pub const PAGE: &str = "index.html";

fn current() -> Route {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Route::from_hash(&hash)
}

/// The current route, and how many times the fragment changed under the page (`hashchange`: a
/// link followed, the address edited, back or forward). The app keys the page by that count, so
/// that a changed fragment remounts the page, which reads its whole state from the link again:
/// every view is a live link. (`replaceState`, with which pages keep their state in the link,
/// fires no `hashchange`.)
#[hook]
pub fn use_route() -> (Route, u32) {
    let route = use_state(|| (current(), 0u32));
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let count = std::cell::Cell::new(0u32);
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    count.set(count.get().wrapping_add(1));
                    route.set((current(), count.get()));
                })
            });
            move || drop(listener)
        });
    }
    *route
}
