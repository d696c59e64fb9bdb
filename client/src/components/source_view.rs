//! The pasted text with each challenge's characters marked, and the selected span outlined.

use proto::Span;
use std::rc::Rc;
use yew::prelude::*;

/// What the source view marks (a plain function: see `diagram`).
pub struct Props {
    pub text: Rc<String>,
    /// Challenge spans; the colour follows the index.
    pub challenges: Rc<Vec<Span>>,
    /// Indices of challenges the strict reading refuses.
    pub broken: Rc<Vec<usize>>,
    pub selected: Option<Span>,
    pub on_select: Callback<Option<usize>>,
}

pub fn source_view(p: &Props) -> Html {
    let text = p.text.as_str();
    // Sorted and without duplicates, kept so as each cut goes in (no sort routine in the bundle).
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for s in p.challenges.iter().chain(p.selected.iter()) {
        for c in [s.start(), s.end()] {
            let c = c.min(text.len());
            if let (true, Err(i)) = (text.is_char_boundary(c), cuts.binary_search(&c)) {
                cuts.insert(i, c);
            }
        }
    }
    let segments = cuts.windows(2).filter_map(|w| match w {
        [a, b] if a < b => Some((*a, *b)),
        _ => None,
    });
    let pieces: Html = segments
        .map(|(a, b)| {
            let piece = text.get(a..b).unwrap_or("").to_string();
            let ch = p.challenges.iter().position(|s| s.start() <= a && b <= s.end());
            let sel = p.selected.is_some_and(|s| s.start() <= a && b <= s.end() && !s.is_empty());
            let class = classes!(
                ch.map(|i| format!("ch ch{}", i % 6)),
                ch.filter(|i| p.broken.contains(i)).map(|_| "broken"),
                sel.then_some("sel")
            );
            match ch {
                Some(i) => {
                    let on_select = p.on_select.clone();
                    let enter = Callback::from(move |_: MouseEvent| on_select.emit(Some(i)));
                    let on_select = p.on_select.clone();
                    let leave = Callback::from(move |_: MouseEvent| on_select.emit(None));
                    html! { <span class={class} data-challenge={i.to_string()} onmouseenter={enter} onmouseleave={leave}>{ piece }</span> }
                }
                None => html! { <span class={class}>{ piece }</span> },
            }
        })
        .collect();
    html! { <pre class="source" aria-label="The header text, with each challenge marked">{ pieces }</pre> }
}
