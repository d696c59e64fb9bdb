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
            _ => Route::Headers,
        }
    }
    /// The page (bundle) that shows the route. The app is several pages with a bundle each, so
    /// that each stays under the size budget: `index.html` (learning: the headers, the Basic and
    /// NTLM walkthroughs, About), `decode.html` (the Decoder: every token, Kerberos decryption),
    /// `kerberos.html` (the Kerberos walkthrough), `lab.html` (the IIS lab and the isolation
    /// assistant) and `debug.html` (HAR import, real servers and Live mode, the benchmark).
    pub fn page(self) -> &'static str {
        match self {
            Route::Decoder => "decode.html",
            Route::Kerberos => "kerberos.html",
            Route::Lab | Route::Isolate => "lab.html",
            Route::Har | Route::Relay | Route::Bench => "debug.html",
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

/// The current route, updated on `hashchange`.
#[hook]
pub fn use_route() -> Route {
    let route = use_state(current);
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window()
                .map(|w| EventListener::new(&w, "hashchange", move |_| route.set(current())));
            move || drop(listener)
        });
    }
    *route
}
