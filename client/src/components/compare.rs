//! Two walkthroughs side by side (say healthy against keep-alives off), lined up by
//! `proto::seq::compare`: the steps both have on one row, a step of one only highlighted on its
//! side, so that the difference is what stands out.

use proto::seq::{compare, Pair, Step};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub left: Rc<Vec<Step>>,
    pub right: Rc<Vec<Step>>,
    pub left_title: AttrValue,
    pub right_title: AttrValue,
}

fn cell(s: Option<&Step>, n: usize) -> Html {
    match s {
        Some(s) => html! {
            <td>
                <span class="num">{ format!("{n}. ") }</span>{ format!("{} → {}: {}", s.from.name(), s.to.name(), s.label) }
                { s.status.as_ref().map(|st| html! { <span class="badge">{ st.clone() }</span> }).unwrap_or_default() }
            </td>
        },
        None => html! { <td class="gap">{ "—" }</td> },
    }
}

#[function_component(Compare)]
pub fn compare_view(p: &Props) -> Html {
    let rows = use_memo((p.left.clone(), p.right.clone()), |(a, b)| compare(a, b));
    let differ = rows.iter().filter(|r| !matches!(r, Pair::Both(..))).count();
    html! {
        <section class="compare" data-test="compare" aria-labelledby="compare-h">
            <h2 id="compare-h">{ format!("Side by side: {} and {}", p.left_title, p.right_title) }</h2>
            <p role="status" data-test="compare-summary">{ format!("{} steps differ (highlighted); the others are the same in both.", differ) }</p>
            <div class="compare-scroll" tabindex="0" role="region" aria-label="The two sequences">
            <table class="compare-table">
                <thead><tr><th scope="col">{ p.left_title.clone() }</th><th scope="col">{ p.right_title.clone() }</th></tr></thead>
                <tbody>{ for rows.iter().map(|r| match *r {
                    Pair::Both(i, j) => html! { <tr class="same">{ cell(p.left.get(i), i + 1) }{ cell(p.right.get(j), j + 1) }</tr> },
                    Pair::Left(i) => html! { <tr class="only left" data-test="compare-diff">{ cell(p.left.get(i), i + 1) }{ cell(None, 0) }</tr> },
                    Pair::Right(j) => html! { <tr class="only right" data-test="compare-diff">{ cell(None, 0) }{ cell(p.right.get(j), j + 1) }</tr> },
                }) }</tbody>
            </table>
            </div>
        </section>
    }
}
