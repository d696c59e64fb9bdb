//! The Kerberos walkthrough (kerberos.html): the IIS 6 guide's "Kerberos protocol
//! authentication" with Browser, IIS and KDC lanes; every message is real DER with real
//! encryption from the simulated realm, decodes in place, and opens in the Decoder with the keys
//! listed. The guide's failure modes are toggles, each with its symptom and its fix.

use crate::components::browser_view::final_page;
use crate::components::form::check;
use crate::components::player::{stage, use_player};
use crate::components::step_detail::step_detail;
use proto::seq::{Step, StepKind};
use proto::walkthrough::kerberos::{run, Outcome, Scenario, TOGGLES};
use std::rc::Rc;
use yew::prelude::*;

#[function_component(KerberosWalk)]
pub fn kerberos_walk() -> Html {
    let scenario = use_state(|| {
        #[allow(clippy::cast_possible_truncation)]
        let now = (js_sys::Date::now() / 1000.0) as i64;
        let mut s = Scenario {
            now,
            ..Scenario::default()
        };
        // The link names the problems switched on: `on=spn-missing,clock-skew`.
        let on = crate::link::param("on").unwrap_or_default();
        for id in on.split(',') {
            if let Some((id, _)) = TOGGLES.iter().find(|(t, _)| *t == id) {
                s.set(id, true);
            }
        }
        s
    });
    let walk = use_memo(*scenario, |s| Rc::new(run(s)));
    let steps: Rc<Vec<Step>> = Rc::new(walk.steps.clone());
    let on: Vec<&str> = TOGGLES
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| scenario.get(id))
        .collect();
    let player = use_player(steps.len(), vec![("on", on.join(","))]);
    // The realm's keys go with a token opened in the Decoder (in memory: `handover`).
    let keys: Vec<String> = walk
        .keys
        .iter()
        .map(|k| format!("{}:{}", k.etype, k.hex))
        .collect();
    let toggles: Html = TOGGLES
        .iter()
        .map(|(id, label)| {
            let handle = scenario.clone();
            let cb = Callback::from(move |e: Event| {
                let mut s = *handle;
                s.set(id, crate::components::form::checked_of(&e));
                handle.set(s);
            });
            check(label, id, scenario.get(id), cb)
        })
        .collect();
    let (verdict, ok) = match &walk.outcome {
        Outcome::Authorized { user, protocol } => (format!("200: {user}, by {protocol}"), true),
        Outcome::Refused(st) => (format!("{st}: refused"), false),
    };
    let host = if scenario.spn_missing {
        "intranet.contoso.com"
    } else {
        "web01.contoso.com"
    };
    html! {
        <div class="page walk">
            <section class="setup" aria-labelledby="krb-h">
                <h1 id="krb-h">{ "Kerberos walkthrough" }</h1>
                <p class="lede">{ "The IIS 6 guide's Kerberos sequence: the TGT, the service ticket for HTTP/<host>, the AP-REQ in Authorization: Negotiate, and IIS's answer with the AP-REP. Every message is real DER, really encrypted; open any of them in the Decoder with the keys below. Switch on a problem of the guide and watch the symptom." }</p>
                { crate::components::chrome::setup_form("The setup: what is wrong", html! {
                    <fieldset class="iis-dialog toggles">
                        <legend>{ "What is wrong" }</legend>
                        { toggles }
                    </fieldset>
                }) }
                <p class="verdict" data-test="krb-outcome"><span class={classes!("badge", if ok { "ok" } else { "bad" })}>{ verdict }</span></p>
                { if walk.fixes.is_empty() { Html::default() } else { html! {
                    <div class="fixes" data-test="krb-fixes"><h4>{ "How to fix it" }</h4><ul>{ for walk.fixes.iter().map(|f| html! { <li>{ f.clone() }</li> }) }</ul></div>
                } } }
            </section>
            { stage("kerberos", &player, &steps, walk.lanes.clone(), &|s| {
                let view = if s.kind == StepKind::Page {
                    let user = match &walk.outcome { Outcome::Authorized { user, .. } => Some(user.as_str()), Outcome::Refused(_) => None };
                    let status = match &walk.outcome { Outcome::Authorized { .. } => Some("200".to_string()), Outcome::Refused(st) => Some(st.clone()) };
                    final_page(&format!("http://{host}/"), user, status.as_deref(), &s.narration)
                } else {
                    Html::default()
                };
                step_detail(s, view, &keys)
            }) }
            <details class="keys" data-test="krb-keys">
                <summary>{ "The realm's keys (to decrypt the messages in the Decoder)" }</summary>
                <p class="hint">{ "Made-up accounts of a simulated realm, shown on purpose. Real keys are secrets: a service key decrypts every ticket for that service." }</p>
                <table class="derivation">
                    <thead><tr><th>{ "Key" }</th><th>{ "etype" }</th><th>{ "Value" }</th><th>{ "From" }</th></tr></thead>
                    <tbody>{ for walk.keys.iter().map(|k| html! {
                        <tr><td>{ k.label.clone() }</td><td>{ k.etype }</td><td><code>{ k.hex.clone() }</code></td><td>{ k.from.clone() }</td></tr>
                    }) }</tbody>
                </table>
            </details>
        </div>
    }
}
