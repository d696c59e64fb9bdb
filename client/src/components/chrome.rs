//! What every page has around its content: the skip link, the theme switch (light, dark, or the
//! system's), and the menu button that shows the pages' menu on small screens.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The localStorage key of the chosen theme: a display preference, nothing secret.
const THEME: &str = "authscope-theme";

fn root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

/// The theme chosen before ("light", "dark"), or "auto" (the system's).
pub fn saved_theme() -> String {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(THEME).ok().flatten())
        .filter(|t| t == "light" || t == "dark")
        .unwrap_or_else(|| "auto".to_string())
}

/// Applies a theme to the page (`data-theme` on `<html>`; none: the system's).
pub fn apply_theme(theme: &str) {
    if let Some(el) = root() {
        let _ = match theme {
            "light" | "dark" => el.set_attribute("data-theme", theme),
            _ => el.remove_attribute("data-theme"),
        };
    }
}

/// "Skip to the content": focuses `<main>` (a link to `#main` would change the route).
pub fn skip_link() -> Html {
    let skip = Callback::from(|e: MouseEvent| {
        e.prevent_default();
        if let Some(main) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("main"))
            .and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = main.focus();
        }
    });
    html! { <a class="skip" href="#main" onclick={skip} data-test="skip">{ "Skip to the content" }</a> }
}

/// The theme switch: a select, kept across pages (localStorage).
#[function_component(ThemeSwitch)]
pub fn theme_switch() -> Html {
    let theme = use_state(saved_theme);
    {
        let t = (*theme).clone();
        use_effect_with(t, |t| apply_theme(t));
    }
    let onchange = {
        let theme = theme.clone();
        Callback::from(move |e: Event| {
            let v = crate::components::form::value_of(&e);
            if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
                let _ = if v == "auto" {
                    s.remove_item(THEME)
                } else {
                    s.set_item(THEME, &v)
                };
            }
            theme.set(v);
        })
    };
    html! {
        <label class="theme">
            <span class="visually-hidden">{ "Theme" }</span>
            <select data-test="theme" {onchange} title="Theme">
                { for [("auto", "◐ System"), ("light", "☀ Light"), ("dark", "☾ Dark")].into_iter().map(|(v, l)| html! {
                    <option value={v} selected={*theme == v}>{ l }</option>
                }) }
            </select>
        </label>
    }
}

/// Whether the screen is narrow (a phone): the page's menu folds, and so do the walkthroughs'
/// setup forms, so that the step's explanation is on the first screen.
pub fn narrow() -> bool {
    media_matches("(max-width: 760px)")
}

/// Whether a CSS media query holds now (`matchMedia`).
pub fn media_matches(query: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(query).ok().flatten())
        .is_some_and(|m| m.matches())
}

/// A walkthrough's setup form, folded on a phone (open on a wider screen).
pub fn setup_form(summary: &str, body: Html) -> Html {
    html! {
        <details class="setup-form" open={!narrow()} data-test="setup-form">
            <summary>{ summary.to_string() }</summary>
            { body }
        </details>
    }
}
