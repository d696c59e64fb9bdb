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
            "about" => Route::About,
            _ => Route::Headers,
        }
    }
    pub fn href(self) -> &'static str {
        match self {
            Route::Headers => "#/headers",
            Route::Basic => "#/basic",
            Route::Decoder => "#/decode",
            Route::Ntlm => "#/ntlm",
            Route::Bench => "#/bench",
            Route::Lab => "#/lab",
            Route::Isolate => "#/isolate",
            Route::About => "#/about",
        }
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
