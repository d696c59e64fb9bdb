//! HAR import (har.html#/har): a HAR file exported from the browsers' developer tools is read in
//! this page, never uploaded; `proto::har` finds its authentication exchanges, and each plays as
//! a walkthrough with its tokens decoded and its problems flagged.
//!
//! A HAR of tens of MB must not freeze the page: the file is read in slices (the progress bar
//! shows the bytes read), then `proto::har::Reader` reads its entries in batches, and the page
//! yields to the browser between batches (the bar shows how far the reader is).

use crate::components::player::{stage, use_player};
use crate::components::step_detail::step_detail;
use gloo_timers::future::TimeoutFuture;
use proto::har::{connection_ids, exchanges, Exchange, Reader};
use proto::seq::{Lane, Step};
use std::rc::Rc;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

/// Bytes read from the file at a time.
const SLICE: f64 = 4.0 * 1024.0 * 1024.0;
/// Bytes of HAR read between two yields to the browser.
const BATCH: usize = 1024 * 1024;

/// Where the import is.
///
/// ```text
/// Idle ──file chosen or dropped──► Reading(done, total) ──all slices──► Parsing(pos, len, n)
///   ▲                                   │                                  │ log.entries read
///   └── another file (any state) ───────┴──────── error ──► Failed ◄───────┤
///                                                                          ▼
///                                                                   Ready(exchanges)
/// ```
#[derive(Clone, PartialEq)]
enum Load {
    Idle,
    /// `(done, total)` bytes of the file read.
    Reading(f64, f64),
    /// `(position, total)` bytes of HAR parsed, entries so far.
    Parsing(usize, usize, usize),
    Ready(Rc<Found>),
    Failed(String),
}

#[derive(PartialEq)]
struct Found {
    name: String,
    entries: usize,
    ids: bool,
    exchanges: Vec<Exchange>,
}

async fn read(file: web_sys::File, load: UseStateHandle<Load>) -> Result<Found, String> {
    let total = file.size();
    let mut bytes: Vec<u8> = Vec::new();
    let mut done = 0.0;
    load.set(Load::Reading(0.0, total));
    while done < total {
        let end = (done + SLICE).min(total);
        let part = file
            .slice_with_f64_and_f64(done, end)
            .map_err(|_| "the file could not be read".to_string())?;
        let buf = JsFuture::from(part.array_buffer())
            .await
            .map_err(|_| "the file could not be read".to_string())?;
        bytes.extend(js_sys::Uint8Array::new(&buf).to_vec());
        done = end;
        load.set(Load::Reading(done, total));
        TimeoutFuture::new(0).await;
    }
    let len = bytes.len();
    if let Some(what) = proto::har::not_a_har(&bytes) {
        return Err(format!("This is not a HAR file: it is {what}."));
    }
    let mut reader = Reader::new(&bytes)
        .map_err(|e| format!("This is not a HAR file that can be read: {e}."))?;
    let mut all = Vec::new();
    let mut mark = 0;
    while let Some(e) = reader.next_entry() {
        all.push(e.map_err(|e| format!("This is not a HAR file that can be read: {e}."))?);
        if reader.position() - mark >= BATCH {
            mark = reader.position();
            load.set(Load::Parsing(mark, len, all.len()));
            TimeoutFuture::new(0).await;
        }
    }
    load.set(Load::Parsing(len, len, all.len()));
    TimeoutFuture::new(0).await;
    Ok(Found {
        name: file.name(),
        entries: all.len(),
        ids: connection_ids(&all),
        exchanges: exchanges(&all),
    })
}

fn start(file: web_sys::File, load: UseStateHandle<Load>) {
    wasm_bindgen_futures::spawn_local(async move {
        let result = read(file, load.clone()).await;
        load.set(match result {
            Ok(f) => Load::Ready(Rc::new(f)),
            Err(e) => Load::Failed(e),
        });
    });
}

fn mb(n: f64) -> String {
    format!("{:.1} MB", n / 1_000_000.0)
}

#[function_component(HarImport)]
pub fn har_import() -> Html {
    let load = use_state(|| Load::Idle);
    let selected = use_state(|| crate::link::current().number("x").unwrap_or(0));
    let on_file = {
        let load = load.clone();
        Callback::from(move |e: Event| {
            if let Some(f) = crate::components::form::file_of(&e) {
                start(f, load.clone());
            }
        })
    };
    let on_drop = {
        let load = load.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                start(f, load.clone());
            }
        })
    };
    let on_over = Callback::from(|e: DragEvent| e.prevent_default());
    let progress = match &*load {
        Load::Reading(done, total) => html! {
            <p class="progress" data-test="har-progress-box">{ format!("Reading the file: {} of {}", mb(*done), mb(*total)) }
                <progress data-test="har-progress" max={total.to_string()} value={done.to_string()} /></p>
        },
        Load::Parsing(pos, len, n) => html! {
            <p class="progress" data-test="har-progress-box">{ format!("Reading entries: {n} so far") }
                <progress data-test="har-progress" max={len.to_string()} value={pos.to_string()} /></p>
        },
        Load::Failed(e) => {
            html! { <div class="error" role="alert" data-test="har-error"><p>{ e.clone() }</p><p>{ proto::har::HOW_TO_EXPORT }</p></div> }
        }
        _ => Html::default(),
    };
    let found = match &*load {
        Load::Ready(f) => Some(f.clone()),
        _ => None,
    };
    html! {
        <div class="page har">
            <h1>{ "HAR import" }</h1>
            <p class="lede">{ "Drop a HAR file exported from the Network panel of Chromium, Edge or Firefox (\"Save all as HAR\", \"Export HAR (with sensitive data)\"), or from Fiddler. Every authentication exchange in it becomes a walkthrough, with its tokens decoded and its problems flagged. The file is read here, in your browser: it is never uploaded." }</p>
            <p class="secret">{ "A HAR file holds cookies and Authorization headers. An NTLM AUTHENTICATE message in it can be cracked offline to recover the password: do not attach HAR files to tickets or chats." }</p>
            <label class="drop" data-test="har-drop" ondrop={on_drop} ondragover={on_over}>
                { "Drop a HAR file here, or choose one: " }
                <input type="file" accept=".har,application/json" data-test="har-file" onchange={on_file} />
            </label>
            { progress }
            { found.map(|f| html! { <Exchanges found={f} selected={selected.clone()} /> }).unwrap_or_default() }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ExchangesProps {
    found: Rc<Found>,
    selected: UseStateHandle<usize>,
}

#[function_component(Exchanges)]
fn exchanges_view(p: &ExchangesProps) -> Html {
    let f = &p.found;
    let index = (*p.selected).min(f.exchanges.len().saturating_sub(1));
    let x = f.exchanges.get(index);
    let steps: Rc<Vec<Step>> = Rc::new(x.map(|x| x.steps.clone()).unwrap_or_default());
    let player = use_player(steps.len(), vec![("x", index.to_string())]);
    // Another exchange starts at its first step (the first one shown keeps the link's step).
    let shown = use_mut_ref(|| index);
    if *shown.borrow() != index {
        *shown.borrow_mut() = index;
        player.dispatch(crate::components::player::Action::Home);
    }
    let summary = format!(
        "{}: {} entries, {} authentication exchange{}.",
        f.name,
        f.entries,
        f.exchanges.len(),
        if f.exchanges.len() == 1 { "" } else { "s" }
    );
    let list: Html = f
        .exchanges
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let sel = p.selected.clone();
            let onclick = Callback::from(move |_| sel.set(i));
            let status = x.substatus.clone().unwrap_or_else(|| x.status.to_string());
            html! {
                <li>
                    <button type="button" class={classes!("exchange", (i == index).then_some("current"))} data-test="har-exchange" {onclick} aria-pressed={(i == index).to_string()}>
                        <span class={classes!("badge", if x.status / 100 == 2 { "ok" } else { "bad" })}>{ status }</span>
                        <code>{ x.url.clone() }</code>
                        <span class="muted">{ format!(" offered {}; used {}", list_or(&x.offered, "nothing"), list_or(&x.used, "no credentials")) }</span>
                        { for x.problems.iter().map(|p| html! { <span class="badge bad" data-test="har-flag" data-problem={p.kind.id()}>{ p.kind.title() }</span> }) }
                    </button>
                </li>
            }
        })
        .collect();
    let problems = x
        .map(|x| {
            html! {
                <ul class="diagnostics" data-test="har-problems">
                    { for x.problems.iter().map(|p| {
                        // The entry's request in the walkthrough.
                        let at = format!("Entry {}: ", p.entry + 1);
                        let step = steps.iter().position(|s| s.kind == proto::seq::StepKind::Request && s.title.starts_with(&at));
                        let d = player.dispatcher();
                        let go = Callback::from(move |_| if let Some(i) = step { d.dispatch(crate::components::player::Action::Goto(i)) });
                        html! {
                            <li class="diag warning" data-problem={p.kind.id()}><span class="icon" aria-label="problem">{ "⚠" }</span>
                                <span class="msg"><b>{ format!("{}. ", p.kind.title()) }</b>{ p.message.clone() }<br /><b>{ "What to do: " }</b>{ p.kind.what_to_do() }</span>
                                <button type="button" class="chip" data-test="har-problem-entry" title="Show this request in the walkthrough" onclick={go}>{ format!("entry {}", p.entry + 1) }</button></li>
                        }
                    }) }
                </ul>
            }
        })
        .unwrap_or_default();
    html! {
        <section class="har-result" aria-label="Exchanges">
            <p data-test="har-summary" role="status">{ summary }</p>
            { if f.ids { Html::default() } else { html! {
                <p class="hint" data-test="har-no-ids">{ "This HAR records no connection ids (Firefox writes none, and Chromium's \"connection\" field is the server's port; its \"_connectionId\" is what identifies a connection): a connection that changes in the middle of an NTLM handshake cannot be seen here." }</p>
            } } }
            <p class="hint">{ "A browser that logs on by itself (a credential dialog, or integrated authentication) records one entry per page: the legs of its handshake are not in the HAR, only the last request and its answer. Requests a page sends with its own Authorization header (as authscope's Live mode does) show every leg." }</p>
            { if f.exchanges.is_empty() { html! { <p data-test="har-none">{ "No 401 response and no Authorization header in this file." }</p> } } else { html! {
                <>
                <ol class="exchanges">{ list }</ol>
                { problems }
                <AllTokens tokens={steps.iter().filter_map(|s| s.token.clone()).collect::<Vec<_>>()} />
                { stage("har", &player, &steps, vec![Lane::Browser, Lane::Server], &|s| step_detail(s, Html::default(), &[])) }
                </>
            } } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct AllTokensProps {
    tokens: Vec<String>,
}

/// Every token of the exchange, one per line, opened in the Decoder in a new tab (in memory):
/// there the session keys one message reveals open the next, with the keys the user gives.
#[function_component(AllTokens)]
fn all_tokens(p: &AllTokensProps) -> Html {
    let blocked = use_state(|| false);
    let n = p.tokens.len();
    let onclick = {
        let blocked = blocked.clone();
        let text = p.tokens.join("\n");
        Callback::from(move |_| blocked.set(!crate::handover::open(&text, &[])))
    };
    if n < 2 {
        return Html::default();
    }
    html! {
        <p>
            <button type="button" class="chip" data-test="har-all-tokens" {onclick}>{ format!("Open the exchange's {n} tokens in the Decoder") }</button>
            <span class="hint">{ " One message per token: a password, a keytab or a credential cache given there opens each encrypted part with the keys the others reveal." }</span>
            { if *blocked { html! { <span class="error" role="status">{ " The browser refused to open a tab: allow pop-ups for this page." }</span> } } else { Html::default() } }
        </p>
    }
}

fn list_or(v: &[String], none: &str) -> String {
    if v.is_empty() {
        none.to_string()
    } else {
        v.join(", ")
    }
}
