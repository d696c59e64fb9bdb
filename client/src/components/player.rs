//! Step controls shared by the walkthroughs: one reducer, buttons, keyboard and autoplay.

use crate::components::diagram::{diagram, Props as DiagramProps};
use crate::components::icons::{icon, Icon};
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use proto::seq::{Lane, Step};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Where the walkthrough is. Back is indexing, not undo: the steps are computed up front.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Player {
    pub len: usize,
    pub index: usize,
    pub playing: bool,
}

pub enum Action {
    Home,
    Back,
    Next,
    End,
    Toggle,
    Goto(usize),
    /// New steps: back to the start.
    Reset(usize),
    /// Autoplay moves on.
    Tick,
}

impl Reducible for Player {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let last = self.len.saturating_sub(1);
        let mut p = (*self).clone();
        match action {
            Action::Home => {
                p.index = 0;
                p.playing = false;
            }
            Action::Back => {
                p.index = p.index.saturating_sub(1);
                p.playing = false;
            }
            Action::Next => {
                p.index = (p.index + 1).min(last);
                p.playing = false;
            }
            Action::End => {
                p.index = last;
                p.playing = false;
            }
            Action::Toggle => {
                if !p.playing && p.index >= last {
                    p.index = 0;
                }
                p.playing = !p.playing && p.len > 1;
            }
            Action::Goto(i) => {
                p.index = i.min(last);
                p.playing = false;
            }
            // Same length: the same walkthrough (the first render, or a step read from the link).
            Action::Reset(len) if len == p.len => {}
            Action::Reset(len) => {
                p = Player {
                    len,
                    index: 0,
                    playing: false,
                }
            }
            Action::Tick => {
                if p.index < last {
                    p.index += 1;
                }
                p.playing = p.playing && p.index < last;
            }
        }
        Rc::new(p)
    }
}

/// Milliseconds between steps when playing.
const STEP_MS: u32 = 1600;

/// Autoplay and the keyboard: ←/→ step, Space plays or pauses, Home/End jump. The page's
/// `params` and the step (1-based) are kept in the link; the first step shown is the link's.
#[hook]
pub fn use_player(len: usize, params: Vec<(&'static str, String)>) -> UseReducerHandle<Player> {
    let player = use_reducer(|| Player {
        len,
        index: crate::link::current()
            .number("step")
            .map_or(0, |n| n.saturating_sub(1).min(len.saturating_sub(1))),
        playing: len > 1 && crate::link::current().get("autoplay").is_some(),
    });
    let mut params = params;
    params.push(("step", (player.index + 1).to_string()));
    crate::link::use_permalink(params);
    {
        let player = player.clone();
        use_effect_with(len, move |len| player.dispatch(Action::Reset(*len)));
    }
    {
        let dispatcher = player.dispatcher();
        use_effect_with((player.playing, player.index), move |(playing, _)| {
            let timer =
                playing.then(|| Timeout::new(STEP_MS, move || dispatcher.dispatch(Action::Tick)));
            move || drop(timer)
        });
    }
    {
        let dispatcher = player.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
                EventListener::new(&doc, "keydown", move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if e.ctrl_key() || e.alt_key() || e.meta_key() {
                        return;
                    }
                    let typing = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .map(|el| {
                            matches!(
                                el.tag_name().as_str(),
                                "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON" | "SUMMARY"
                            )
                        })
                        .unwrap_or(false);
                    let action = match e.key().as_str() {
                        "ArrowRight" if !typing => Action::Next,
                        "ArrowLeft" if !typing => Action::Back,
                        " " if !typing => Action::Toggle,
                        "Home" if !typing => Action::Home,
                        "End" if !typing => Action::End,
                        _ => return,
                    };
                    e.prevent_default();
                    dispatcher.dispatch(action);
                })
            });
            move || drop(listener)
        });
    }
    player
}

/// The step buttons and the counter (a plain function: see `diagram`).
fn controls(pl: &UseReducerHandle<Player>) -> Html {
    let button = |label: Icon,
                  title: &'static str,
                  test: &'static str,
                  make: fn() -> Action,
                  disabled: bool| {
        let d = pl.dispatcher();
        let onclick = Callback::from(move |_| d.dispatch(make()));
        html! { <button type="button" class="ctl" title={title} aria-label={title} data-test={test} {onclick} {disabled}>{ icon(label) }</button> }
    };
    let at_start = pl.index == 0;
    let at_end = pl.index + 1 >= pl.len;
    let (play_label, play_title) = if pl.playing {
        (Icon::Pause, "Pause (Space)")
    } else {
        (Icon::Play, "Play (Space)")
    };
    html! {
        <div class="controls" role="group" aria-label="Step controls">
            { button(Icon::First, "First step (Home)", "home", || Action::Home, at_start) }
            { button(Icon::Back, "Previous step (←)", "back", || Action::Back, at_start) }
            { button(play_label, play_title, "play", || Action::Toggle, pl.len < 2) }
            { button(Icon::Next, "Next step (→)", "next", || Action::Next, at_end) }
            { button(Icon::Last, "Last step (End)", "end", || Action::End, at_end) }
            <span class="counter" data-test="counter">{ format!("Step {} of {}", (pl.index + 1).min(pl.len), pl.len) }</span>
        </div>
    }
}

/// The step the player is on (clamped to `steps`), and a callback that jumps to a step (for the
/// diagram's rows).
fn selection<T: Clone>(
    player: &UseReducerHandle<Player>,
    steps: &[T],
) -> (usize, Option<T>, Callback<usize>) {
    let index = player.index.min(steps.len().saturating_sub(1));
    let d = player.dispatcher();
    (
        index,
        steps.get(index).cloned(),
        Callback::from(move |i: usize| d.dispatch(Action::Goto(i))),
    )
}

/// The lower half of every walkthrough page: the step controls, the current step's narration,
/// the sequence diagram (its rows jump to their step) and `detail` of the current step. (`dyn`:
/// one copy in the wasm, not one a page.)
pub fn stage(
    name: &'static str,
    player: &UseReducerHandle<Player>,
    steps: &Rc<Vec<Step>>,
    lanes: Vec<Lane>,
    detail: &dyn Fn(&Step) -> Html,
) -> Html {
    let (index, step, on_select) = selection(player, steps);
    let export = if cfg!(any(feature = "embed", feature = "embed-kerberos")) {
        // Embedded walkthroughs play; the full app exports.
        Html::default()
    } else {
        export(name, steps, &lanes)
    };
    html! {
        <>
            { controls(player) }
            { export }
            <p class="narration" aria-live="polite" data-test="narration">{ step.as_ref().map(|s| s.narration.clone()).unwrap_or_default() }</p>
            <div class="stage">
                { diagram(&DiagramProps { steps: steps.clone(), index, lanes, on_select }) }
                <div class="detail" data-test="detail">
                    { step.as_ref().map(detail).unwrap_or_default() }
                </div>
            </div>
        </>
    }
}

/// The diagram's exports: an SVG file, a Mermaid file and the Mermaid text.
pub fn export(name: &'static str, steps: &Rc<Vec<Step>>, lanes: &[Lane]) -> Html {
    let svg = {
        let (steps, lanes) = (steps.clone(), lanes.to_vec());
        Callback::from(move |_| {
            let text = proto::export::svg(&format!("authscope: {name}"), &steps, &lanes);
            download(&format!("authscope-{name}.svg"), "image/svg+xml", &text);
        })
    };
    let mermaid = proto::export::mermaid(steps, lanes);
    let mmd = {
        let text = mermaid.clone();
        Callback::from(move |_| download(&format!("authscope-{name}.mmd"), "text/plain", &text))
    };
    html! {
        <details class="export" data-test="export">
            <summary>{ "Export the diagram" }</summary>
            <button type="button" class="chip" data-test="export-svg" onclick={svg}>{ "SVG file" }</button>
            <button type="button" class="chip" data-test="export-mermaid" onclick={mmd}>{ "Mermaid file" }</button>
            <pre class="mermaid-text" data-test="mermaid">{ mermaid }</pre>
        </details>
    }
}

/// Saves `text` as a file the browser downloads (made in the page: nothing is uploaded).
pub fn download(file: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let a = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(a) = a {
        a.set_href(&url);
        a.set_download(file);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
