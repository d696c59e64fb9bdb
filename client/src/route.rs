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
            "about" => Route::About,
            _ => Route::Headers,
        }
    }
    /// The link to the route. The app is two pages with a bundle each: `index.html` and
    /// `kerberos.html` (Negotiate decoding, decryption, the Kerberos walkthrough); a route of the
    /// other page links there.
    pub fn href(self) -> &'static str {
        #[cfg(not(feature = "kerberos"))]
        let href = match self {
            Route::Headers => "#/headers",
            Route::Basic => "#/basic",
            Route::Decoder => "#/decode",
            Route::Ntlm => "#/ntlm",
            Route::Bench => "kerberos.html#/bench",
            Route::Lab => "#/lab",
            Route::Isolate => "#/isolate",
            Route::Kerberos => "kerberos.html#/kerberos",
            Route::Relay => "kerberos.html#/relay",
            Route::About => "#/about",
        };
        #[cfg(feature = "kerberos")]
        let href = match self {
            Route::Headers => "index.html#/headers",
            Route::Basic => "index.html#/basic",
            Route::Decoder => "#/decode",
            Route::Ntlm => "index.html#/ntlm",
            Route::Bench => "#/bench",
            Route::Lab => "index.html#/lab",
            Route::Isolate => "index.html#/isolate",
            Route::Kerberos => "#/kerberos",
            Route::Relay => "#/relay",
            Route::About => "#/about",
        };
        href
    }

    /// Whether this page's bundle shows the route (otherwise the app goes to the other page).
    pub fn here(self) -> bool {
        !self.href().contains(".html")
    }
}

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
