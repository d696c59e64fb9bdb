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
    /// Milliseconds between steps when playing (`SPEEDS`).
    pub step_ms: u32,
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
    /// Another autoplay speed (milliseconds a step).
    Speed(u32),
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
                    step_ms: p.step_ms,
                }
            }
            Action::Tick => {
                if p.index < last {
                    p.index += 1;
                }
                p.playing = p.playing && p.index < last;
            }
            Action::Speed(ms) => p.step_ms = ms,
        }
        Rc::new(p)
    }
}

/// Autoplay's speeds: the link's `speed` value, its label, milliseconds a step.
const SPEEDS: [(&str, &str, u32); 4] = [
    ("slow", "Slow", 3200),
    ("normal", "Normal", 1600),
    ("fast", "Fast", 800),
    ("fastest", "Fastest", 400),
];

fn speed_ms(id: &str) -> u32 {
    SPEEDS.iter().find(|s| s.0 == id).map_or(1600, |s| s.2)
}

fn speed_id(ms: u32) -> &'static str {
    SPEEDS.iter().find(|s| s.2 == ms).map_or("normal", |s| s.0)
}

/// Whether the reader asked for less motion (`prefers-reduced-motion`): a link's `autoplay` does
/// not start playing by itself then (Play still does).
fn reduced_motion() -> bool {
    crate::components::chrome::media_matches("(prefers-reduced-motion: reduce)")
}

/// Autoplay and the keyboard: ←/→ step, Space plays or pauses, Home/End jump. The page's
/// `params` and the step (1-based) are kept in the link; the first step shown is the link's.
#[hook]
pub fn use_player(len: usize, params: Vec<(&'static str, String)>) -> UseReducerHandle<Player> {
    let player = use_reducer(|| Player {
        len,
        index: crate::link::current()
            .number("step")
            .map_or(0, |n| n.saturating_sub(1).min(len.saturating_sub(1))),
        playing: len > 1 && crate::link::current().get("autoplay").is_some() && !reduced_motion(),
        step_ms: speed_ms(crate::link::current().get("speed").unwrap_or("normal")),
    });
    let mut params = params;
    params.push(("step", (player.index + 1).to_string()));
    params.push((
        "speed",
        match speed_id(player.step_ms) {
            "normal" => String::new(),
            s => s.to_string(),
        },
    ));
    crate::link::use_permalink(params);
    {
        let player = player.clone();
        use_effect_with(len, move |len| player.dispatch(Action::Reset(*len)));
    }
    {
        let dispatcher = player.dispatcher();
        use_effect_with(
            (player.playing, player.index, player.step_ms),
            move |(playing, _, ms)| {
                let timer =
                    playing.then(|| Timeout::new(*ms, move || dispatcher.dispatch(Action::Tick)));
                move || drop(timer)
            },
        );
    }
    {
        let dispatcher = player.dispatcher();
        use_effect_with((), move |_| {
            // Not passive: the keys the player owns must not scroll the page.
            let options = gloo_events::EventListenerOptions::enable_prevent_default();
            let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
                EventListener::new_with_options(&doc, "keydown", options, move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if e.ctrl_key() || e.alt_key() || e.meta_key() || e.shift_key() {
                        return;
                    }
                    let target = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                    if !owns_keys(target.as_ref()) {
                        return;
                    }
                    let action = match e.key().as_str() {
                        "ArrowRight" => Action::Next,
                        "ArrowLeft" => Action::Back,
                        " " => Action::Toggle,
                        "Home" => Action::Home,
                        "End" => Action::End,
                        _ => return,
                    };
                    e.prevent_default();
                    dispatcher.dispatch(action);
                })
            });
            let fullscreen = presenter_follows_fullscreen();
            move || {
                drop(listener);
                drop(fullscreen);
            }
        });
    }
    player
}

/// Presenter mode: the page full screen, large type, the narration first, no menus or forms;
/// the keyboard drives it (←/→, Space, Home/End; Escape leaves full screen, and the mode with it).
fn toggle_presenter() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(root) = doc.document_element() else {
        return;
    };
    let on = root.class_list().toggle("presenter").unwrap_or(false);
    if on {
        // Full screen when the browser allows it (the mode works without it too).
        let _ = root.request_fullscreen();
    } else if doc.fullscreen_element().is_some() {
        doc.exit_fullscreen();
    }
}

/// Leaving full screen (Escape) leaves presenter mode.
fn presenter_follows_fullscreen() -> Option<EventListener> {
    let doc = web_sys::window()?.document()?;
    Some(EventListener::new(
        &doc.clone(),
        "fullscreenchange",
        move |_| {
            if doc.fullscreen_element().is_none() {
                if let Some(root) = doc.document_element() {
                    let _ = root.class_list().remove_1("presenter");
                }
            }
        },
    ))
}

/// Whether the player takes a key pressed with focus on `target`: nothing focused (the page), or
/// anything in the walkthrough (`.walkthrough`: its buttons, diagram rows and summaries too), but
/// not a field one types in and not a field tree (`role=tree`), whose arrows move in the tree.
fn owns_keys(target: Option<&web_sys::Element>) -> bool {
    let Some(el) = target else { return true };
    let tag = el.tag_name();
    if matches!(tag.as_str(), "BODY" | "HTML") {
        return true;
    }
    if matches!(tag.as_str(), "INPUT" | "TEXTAREA" | "SELECT") {
        return false;
    }
    let inside = |sel: &str| el.closest(sel).ok().flatten().is_some();
    inside(".walkthrough") && !inside("[role=tree]")
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
    let speed = {
        let d = pl.dispatcher();
        Callback::from(move |e: Event| {
            d.dispatch(Action::Speed(speed_ms(&crate::components::form::value_of(
                &e,
            ))))
        })
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
            { if cfg!(any(feature = "embed", feature = "embed-kerberos")) { Html::default() } else { html! {
                <button type="button" class="chip presenter-toggle" data-test="presenter" onclick={Callback::from(|_| toggle_presenter())}
                        title="Presenter mode: full screen, large type (Escape leaves it)">{ "Presenter mode" }</button>
            } } }
            <label class="speed">{ "Speed " }
                <select data-test="speed" onchange={speed}>
                    { for SPEEDS.iter().map(|(id, label, ms)| html! { <option value={*id} selected={pl.step_ms == *ms}>{ *label }</option> }) }
                </select>
            </label>
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
    let lanes_all = lanes.clone();
    let export = if cfg!(any(feature = "embed", feature = "embed-kerberos")) {
        // Embedded walkthroughs play; the full app exports.
        Html::default()
    } else {
        export(name, steps, &lanes)
    };
    html! {
        <section class="walkthrough" aria-label="Walkthrough (keys: ← → step, Space plays or pauses, Home and End jump)">
            { controls(player) }
            { export }
            <p class="narration" aria-live="polite" data-test="narration">{ step.as_ref().map(|s| crate::pages::glossary::term_links(&s.narration)).unwrap_or_default() }</p>
            <div class="stage">
                { diagram(&DiagramProps { steps: steps.clone(), index, lanes, on_select }) }
                <div class="detail" data-test="detail">
                    { step.as_ref().map(detail).unwrap_or_default() }
                </div>
            </div>
            <Handout steps={steps.clone()} lanes={lanes_all} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct HandoutProps {
    steps: Rc<Vec<Step>>,
    lanes: Vec<Lane>,
}

/// The printed handout (shown by the print style sheet only): the whole diagram (the exported
/// SVG, a drawing with nothing to click), then every step with its narration, its explanation and
/// its key bytes (the header it sends or answers). A component: it is made again only when the
/// steps change, not at every step.
#[function_component(Handout)]
fn handout(p: &HandoutProps) -> Html {
    // The page's style sheet draws it (`.handout-diagram`): the file's own <style> would be
    // inline style, which the page's Content-Security-Policy refuses.
    let svg = proto::export::svg_unstyled("The whole sequence", &p.steps, &p.lanes);
    html! {
        <div class="handout" data-test="handout">
            <div class="handout-diagram">{ Html::from_html_unchecked(AttrValue::from(svg)) }</div>
            <ol class="handout-steps">{ for p.steps.iter().map(|s| html! {
                <li>
                    <h3>{ s.title.clone() }{ s.status.as_ref().map(|st| format!(" ({st})")).unwrap_or_default() }</h3>
                    <p><b>{ s.narration.clone() }</b></p>
                    { for s.explanation.iter().map(|e| html! { <p>{ e.clone() }</p> }) }
                    { s.token.as_ref().map(|t| html! { <p class="key-bytes"><code>{ t.clone() }</code></p> }).unwrap_or_default() }
                </li>
            }) }</ol>
        </div>
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
            <pre class="mermaid-text" data-test="mermaid" tabindex="0">{ mermaid }</pre>
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
