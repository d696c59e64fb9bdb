//! The isolation assistant: the IIS 6 guide's "Initial Isolation" as questions, leading to the
//! likely causes, each with its check, its fix, and the lab scenario that reproduces it.

use crate::components::form::{checked_of, value_of};
use proto::iis::isolate::{self, Answers, Credentials};
use proto::iis::AuthFlags;
use yew::prelude::*;

#[function_component(Isolate)]
pub fn isolate() -> Html {
    let status = use_state(|| "401.1".to_string());
    let flags = use_state(|| AuthFlags::ANONYMOUS);
    let creds = use_state(|| Credentials::Anonymous);
    let lab = use_context::<crate::LabInbox>();
    let causes = isolate::causes(&Answers {
        status: (*status).clone(),
        flags: AuthFlags(*flags),
        credentials: *creds,
    });
    let on_status = {
        let status = status.clone();
        Callback::from(move |e: Event| status.set(value_of(&e)))
    };
    let on_creds = {
        let creds = creds.clone();
        Callback::from(move |e: Event| {
            creds.set(match value_of(&e).as_str() {
                "basic" => Credentials::Basic,
                "integrated" => Credentials::Integrated,
                "unknown" => Credentials::Unknown,
                _ => Credentials::Anonymous,
            })
        })
    };
    let on_flags = {
        let flags = flags.clone();
        Callback::from(move |e: InputEvent| {
            let e: Event = e.into();
            flags.set(value_of(&e).trim().parse().unwrap_or(0));
        })
    };
    let bit = |b: u32, label: &'static str| {
        let checked = *flags & b != 0;
        let flags = flags.clone();
        let onchange = Callback::from(move |e: Event| {
            let on = checked_of(&e);
            flags.set(if on { *flags | b } else { *flags & !b });
        });
        html! { <label class="check"><input type="checkbox" {checked} {onchange} data-test={format!("flag-{b}")} />{ label }</label> }
    };
    let list: Html = causes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let open = {
                let (lab, id) = (lab.clone(), c.scenario);
                Callback::from(move |_| {
                    if let Some(l) = &lab {
                        l.open(id);
                    }
                })
            };
            html! {
                <li class="cause" data-test="cause">
                    <h4>{ format!("{}. {}", i + 1, c.title) }</h4>
                    <p>{ c.why }</p>
                    <p><b>{ "Check: " }</b>{ c.check }</p>
                    <p><b>{ "Fix: " }</b>{ c.fix }</p>
                    <button type="button" class="chip" onclick={open} data-test={format!("open-{}", c.scenario)}>{ "Reproduce it in the lab" }</button>
                </li>
            }
        })
        .collect();
    html! {
        <div class="page isolate">
            <h2>{ "Isolate a 401" }</h2>
            <p class="lede">{ "The IIS 6 guide starts with two facts: the URL requested and the authentication methods configured for its node. Answer three questions; the likely causes follow, most likely first." }</p>
            <div class="iis-dialog">
                <label>{ "1. What did IIS answer? (the sub-status is in the W3C log's sc-substatus, or in IIS's error page)" }
                    <select data-test="iso-status" onchange={on_status}>
                        { for ["401.1", "401.2", "401.3", "500"].into_iter().map(|s| html! { <option value={s} selected={*status == s}>{ s }</option> }) }
                    </select>
                </label>
                <p>{ "2. Which methods are enabled for the URL's node? Read them with:" }</p>
                <pre>{ isolate::READ_AUTHFLAGS }</pre>
                <label>{ "AuthFlags" }<input type="text" data-test="iso-flags" value={flags.to_string()} oninput={on_flags} /></label>
                <div class="row">{ bit(AuthFlags::ANONYMOUS, "Anonymous (1)") }{ bit(AuthFlags::BASIC, "Basic (2)") }{ bit(AuthFlags::NTLM, "Integrated Windows (4)") }</div>
                <label>{ "3. How was the failing request authenticated?" }
                    <select data-test="iso-creds" onchange={on_creds}>
                        <option value="anonymous" selected={*creds == Credentials::Anonymous}>{ "It was not: no prompt, no credentials (anonymous)" }</option>
                        <option value="basic" selected={*creds == Credentials::Basic}>{ "Basic (a user name and password were typed)" }</option>
                        <option value="integrated" selected={*creds == Credentials::Integrated}>{ "Integrated Windows (NTLM or Kerberos)" }</option>
                        <option value="unknown" selected={*creds == Credentials::Unknown}>{ "I do not know" }</option>
                    </select>
                </label>
            </div>
            <h3>{ "Likely causes" }</h3>
            { if causes.is_empty() { html! { <p class="empty">{ "Nothing in the guide matches these answers." }</p> } } else { html! { <ol class="causes">{ list }</ol> } } }
        </div>
    }
}
