//! Inline SVG icons: no icon font, no emoji font needed, nothing fetched.

use yew::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    First,
    Back,
    Play,
    Pause,
    Next,
    Last,
    Lock,
}

pub fn icon(i: Icon) -> Html {
    let path = match i {
        Icon::First => "M5 4h2v16H5zM20 4v16L9 12z",
        Icon::Back => "M17 4v16L6 12z",
        Icon::Play => "M7 4v16l13-8z",
        Icon::Pause => "M6 4h4v16H6zM14 4h4v16h-4z",
        Icon::Next => "M7 4v16l11-8z",
        Icon::Last => "M17 4h2v16h-2zM4 4v16l11-8z",
        Icon::Lock => "M7 10V7a5 5 0 0 1 10 0v3h1a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V11a1 1 0 0 1 1-1zm2 0h6V7a3 3 0 0 0-6 0z",
    };
    html! { <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false"><path d={path} /></svg> }
}
