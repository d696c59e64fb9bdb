//! The IIS 6 troubleshooting lab: a shipped scenario of the IIS 6 guide (or a blank site), its
//! configuration edited in forms shaped like IIS Manager's and "Local Users and Groups", a request
//! sent as Internet Explorer 6, Chromium or Firefox would send it (or directly, like curl), and
//! IIS's answer with its decisions. Every change re-runs the engine at once.
//!
//! As the walkthroughs' player: the state is a reducer (`state`), the effects (the link, the
//! assistant's hand-over, the clock) are in one hook (`use_lab`), and each fieldset is a plain
//! function (`view`).

mod state;
mod view;

use proto::drive::visit::{visit_in, Env, Visit};
use state::{via_from_id, via_id, State};
use std::rc::Rc;
use yew::prelude::*;

/// The lab's state, and the engine's answer to its request.
#[hook]
fn use_lab() -> (UseReducerHandle<State>, Rc<Visit>) {
    let inbox = use_context::<crate::LabInbox>();
    let handed = inbox.as_ref().and_then(|i| (*i.0).clone());
    // The scenario and "Send as" come from the assistant, else the link; edits stay in the page.
    let state = use_reducer(|| {
        let l = crate::link::current();
        let mut s = State::load(handed.as_deref().or(l.get("scenario")).unwrap_or("anon-ok"));
        if let Some(v) = l.get("as") {
            s.via = via_from_id(v);
            if let proto::drive::visit::Via::Browser(p) = s.via {
                s.env = Env::defaults(p);
            }
        }
        if let Some(os) = l.get("os").and_then(proto::http::integrated::Os::from_id) {
            s.env.os = os;
        }
        s.env.by_fqdn = l.get("url") == Some("fqdn");
        // The site's edits, replayed (not with a scenario handed over by the assistant).
        match (handed.is_none(), l.get("edits")) {
            (true, Some(e)) => s.replay(e),
            _ => s,
        }
    });
    crate::link::use_permalink(vec![
        ("scenario", state.scenario.clone()),
        ("as", via_id(state.via).to_string()),
        ("os", state.env.os.id().to_string()),
        (
            "url",
            if state.env.by_fqdn { "fqdn" } else { "" }.to_string(),
        ),
        ("edits", state.edits_text()),
    ]);
    // The hand-over is read once.
    use_effect_with((), move |_| {
        if let Some(i) = inbox {
            i.0.set(None);
        }
    });
    // The clock of the log lines: the page's opening, so that edits do not move it.
    let now = *use_state(|| {
        #[allow(clippy::cast_possible_truncation)]
        let secs = (js_sys::Date::now() / 1000.0) as i64;
        secs
    });
    let visited = use_memo(((*state).clone(), now), |(s, t)| {
        visit_in(
            &mut proto::iis::host::Host::new(s.site.clone()),
            &s.path,
            &s.client,
            s.via,
            &s.env,
            *t,
        )
    });
    (state, visited)
}

#[function_component(Lab)]
pub fn lab() -> Html {
    let (state, visited) = use_lab();
    view::page(&state, &state.dispatcher(), &visited)
}
