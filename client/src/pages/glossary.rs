//! The glossary (index.html#/glossary): the terms the narrations use, each with its meaning and
//! its source (`proto::glossary`). A narration links a term's first use here (`term_links`); the
//! link's `term` is the entry shown first and highlighted.

use proto::glossary::{link_terms, meaning, TERMS};
use yew::prelude::*;

/// The page; the link's term is scrolled into view.
#[function_component(Glossary)]
pub fn glossary() -> Html {
    let wanted = crate::link::param("term");
    {
        let wanted = wanted.clone();
        use_effect_with((), move |_| {
            if let Some(el) = wanted.and_then(|w| {
                web_sys::window()?
                    .document()?
                    .get_element_by_id(&format!("term-{w}"))
            }) {
                el.scroll_into_view();
            }
        });
    }
    let entries: Html = TERMS
        .iter()
        .map(|t| {
            let (what, source) = meaning(t.id).unwrap_or_default();
            html! {
                <div id={format!("term-{}", t.id)} class={classes!("term-entry", (wanted.as_deref() == Some(t.id)).then_some("wanted"))} data-test={format!("term-{}", t.id)}>
                    <dt>{ t.term }</dt>
                    <dd>{ what }<br /><span class="cite">{ format!("Source: {source}") }</span></dd>
                </div>
            }
        })
        .collect();
    html! {
        <div class="page glossary">
            <h1>{ "Glossary" }</h1>
            <p class="lede">{ "The words of the walkthroughs, each with where it is defined." }</p>
            <dl class="terms">{ entries }</dl>
        </div>
    }
}

/// A narration with its terms linked to the glossary (in a new tab: the walkthrough stays).
pub fn term_links(text: &str) -> Html {
    link_terms(text)
        .into_iter()
        .map(|(piece, term)| match term {
            Some(t) => html! {
                <a class="term" href={format!("{}?term={}", crate::route::Route::Glossary.href(), t.id)} target="_blank" rel="noopener">{ piece }</a>
            },
            None => html! { { piece } },
        })
        .collect()
}
