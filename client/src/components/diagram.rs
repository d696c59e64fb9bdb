//! The sequence diagram: one lane per participant, one row per step; rows up to the current step
//! are drawn, the current one is highlighted (and drawn in, unless the user prefers reduced motion).

use proto::seq::{Lane, Step, StepKind};
use std::rc::Rc;
use yew::prelude::*;

/// What the diagram draws. (A plain function, not a component: fewer Yew component
/// instantiations keep the wasm bundle small.)
pub struct Props {
    pub steps: Rc<Vec<Step>>,
    pub index: usize,
    pub lanes: Vec<Lane>,
    pub on_select: Callback<usize>,
}

use proto::export::{is_reply, lane_x, ROW, TOP, WIDTH};

/// The CSS class of a step's kind.
fn kind_class(k: StepKind) -> &'static str {
    match k {
        StepKind::Request => "k-request",
        StepKind::Response => "k-response",
        StepKind::Choose => "k-choose",
        StepKind::Dialog => "k-dialog",
        StepKind::Page => "k-page",
        StepKind::Connection => "k-connection",
        StepKind::Backend => "k-backend",
    }
}

/// A 2xx is drawn as success, a refusal as an error; a 401 that carries a token (NTLM's
/// CHALLENGE, a Negotiate continuation) is the handshake's normal middle, drawn plain.
fn status_class(step: &Step) -> &'static str {
    match step.status.as_deref() {
        Some(s) if s.starts_with('2') => "ok",
        Some(s) if s.starts_with("401") && step.token.is_some() => "",
        Some(s) if s.starts_with('4') || s.starts_with('5') => "bad",
        _ => "",
    }
}

/// The most characters of a label drawn on an arrow; the whole label is the row's tooltip, its
/// accessible name and the step's title (a label may hold a whole token).
const LABEL_MAX: usize = 56;

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_MAX {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(LABEL_MAX - 1).collect();
        s.push('…');
        s
    }
}

pub fn diagram(p: &Props) -> Html {
    // The drawing grows with the steps shown: no room is kept for the rows still to come.
    let shown = i32::try_from(p.index.min(p.steps.len().saturating_sub(1)) + 1).unwrap_or(0);
    let height = TOP + shown * ROW + 16;
    let lanes: Html = p
        .lanes
        .iter()
        .map(|l| {
            let x = lane_x(&p.lanes, *l);
            html! {
                <g class="lane">
                    <rect x={(x - 70).to_string()} y="8" width="140" height="32" rx="6" />
                    <text x={x.to_string()} y="29" text-anchor="middle">{ l.name() }</text>
                    <line class="life" x1={x.to_string()} y1="40" x2={x.to_string()} y2={height.to_string()} />
                </g>
            }
        })
        .collect();
    let rows: Html = p
        .steps
        .iter()
        .enumerate()
        .filter(|(i, _)| *i <= p.index)
        .map(|(i, s)| {
            let y = TOP + i32::try_from(i).unwrap_or(0) * ROW;
            let current = i == p.index;
            let select = {
                let cb = p.on_select.clone();
                Callback::from(move |_: MouseEvent| cb.emit(i))
            };
            let key = {
                let cb = p.on_select.clone();
                Callback::from(move |e: KeyboardEvent| {
                    if e.key() == "Enter" {
                        cb.emit(i)
                    }
                })
            };
            let class = classes!("row", current.then_some("current"), status_class(s), kind_class(s.kind));
            let label = format!("Step {}: {}", i + 1, s.label);
            let drawn = short(&s.label);
            let reply = is_reply(s);
            let body = if s.from != s.to {
                let x1 = lane_x(&p.lanes, s.from);
                let x2 = lane_x(&p.lanes, s.to);
                let mid = (x1 + x2) / 2;
                let dir = if x2 > x1 { -8 } else { 8 };
                html! {
                    <>
                    <line class={classes!("arrow", reply.then_some("reply"))}
                          x1={x1.to_string()} y1={(y + 18).to_string()} x2={x2.to_string()} y2={(y + 18).to_string()} />
                    <polyline class="head" points={format!("{},{} {},{} {},{}", x2 + dir, y + 13, x2, y + 18, x2 + dir, y + 23)} />
                    <text class="label" x={mid.to_string()} y={(y + 11).to_string()} text-anchor="middle">{ drawn }</text>
                    </>
                }
            } else {
                let x = lane_x(&p.lanes, s.from);
                html! {
                    <>
                    <rect class={classes!("note", (s.kind == StepKind::Connection).then_some("conn"))} x={(x + 12).to_string()} y={(y + 4).to_string()} width="300" height="28" rx="5" />
                    <text class="label" x={(x + 22).to_string()} y={(y + 23).to_string()}>{ drawn }</text>
                    </>
                }
            };
            html! {
                <g class={class} key={format!("{i}")} tabindex={if current { "0" } else { "-1" }} role="button"
                   aria-current={current.then_some("step")} onclick={select} onkeydown={key}>
                    <title>{ label }</title>
                    <rect class="hit" x="0" y={y.to_string()} width={WIDTH.to_string()} height={ROW.to_string()} />
                    <text class="num" x="8" y={(y + 23).to_string()} aria-hidden="true">{ (i + 1).to_string() }</text>
                    { body }
                </g>
            }
        })
        .collect();
    // The text alternative: the whole sequence as a list, read in order (and printed).
    let text: Html = p
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let arrow = if s.from == s.to {
                format!("{}: ", s.from.name())
            } else {
                format!("{} → {}: ", s.from.name(), s.to.name())
            };
            html! { <li class={classes!((i == p.index).then_some("current"))}>{ arrow }{ s.label.clone() }{ s.status.as_ref().map(|st| format!(" ({st})")).unwrap_or_default() }</li> }
        })
        .collect();
    html! {
        <div class="diagram-box">
            <div class="diagram-scroll">
                <svg class="diagram" viewBox={format!("0 0 {WIDTH} {height}")} width={WIDTH.to_string()} role="group" aria-label="Sequence diagram: the steps so far; each row opens its step" data-test="diagram">
                    { lanes }
                    { rows }
                </svg>
            </div>
            <details class="diagram-text" data-test="diagram-text">
                <summary>{ format!("The sequence as text ({} steps)", p.steps.len()) }</summary>
                <ol>{ text }</ol>
            </details>
        </div>
    }
}
