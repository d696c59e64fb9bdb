//! The isolation assistant: the IIS 6 guide's "Initial Isolation" as questions, leading to the
//! likely causes, each with its check, its fix, and the lab scenario that reproduces it.

use crate::components::form::{checked_of, value_of};
use proto::iis::isolate::{self, Answers, Credentials};
use proto::iis::AuthFlags;
use yew::prelude::*;

/// AuthFlags as typed: decimal, or hexadecimal with `0x`; anything else is no number.
fn parse_flags(v: &str) -> Option<u32> {
    let v = v.trim();
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

/// The answer to "how was the failing request authenticated?" of a `creds_id`; anything else is
/// anonymous.
fn creds_from_id(id: &str) -> Credentials {
    match id {
        "basic" => Credentials::Basic,
        "integrated" => Credentials::Integrated,
        "unknown" => Credentials::Unknown,
        _ => Credentials::Anonymous,
    }
}

fn creds_id(c: Credentials) -> &'static str {
    match c {
        Credentials::Anonymous => "anonymous",
        Credentials::Basic => "basic",
        Credentials::Integrated => "integrated",
        Credentials::Unknown => "unknown",
    }
}

#[function_component(Isolate)]
pub fn isolate() -> Html {
    // The answers live in the link (`status`, `flags`, `creds`): a reload or a shared link opens
    // the same causes.
    let link = crate::link::current();
    let status = use_state(|| {
        link.get("status")
            .filter(|s| ["401.1", "401.2", "401.3", "500"].contains(s))
            .unwrap_or("401.1")
            .to_string()
    });
    let flags = use_state(|| {
        link.get("flags")
            .and_then(parse_flags)
            .unwrap_or(AuthFlags::ANONYMOUS)
    });
    let flags_text = use_state(|| flags.to_string());
    let creds = use_state(|| creds_from_id(link.get("creds").unwrap_or("")));
    crate::link::use_permalink(vec![
        ("status", (*status).clone()),
        ("flags", flags.to_string()),
        ("creds", creds_id(*creds).to_string()),
    ]);
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
        Callback::from(move |e: Event| creds.set(creds_from_id(&value_of(&e))))
    };
    let on_flags = {
        let (flags, flags_text) = (flags.clone(), flags_text.clone());
        Callback::from(move |e: InputEvent| {
            let e: Event = e.into();
            let v = value_of(&e);
            // Not a number: the answer stays as it was, and the field says why.
            if let Some(f) = parse_flags(&v) {
                flags.set(f);
            }
            flags_text.set(v);
        })
    };
    let flags_ok = parse_flags(&flags_text).is_some();
    let bit = |b: u32, label: &'static str| {
        let checked = *flags & b != 0;
        let (flags, flags_text) = (flags.clone(), flags_text.clone());
        let onchange = Callback::from(move |e: Event| {
            let on = checked_of(&e);
            let f = if on { *flags | b } else { *flags & !b };
            flags.set(f);
            flags_text.set(f.to_string());
        });
        html! { <label class="check"><input type="checkbox" {checked} {onchange} data-test={format!("flag-{b}")} />{ label }</label> }
    };
    let list: Html = causes
        .iter()
        .map(|c| {
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
                    <h3>{ c.title }</h3>
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
            <h1>{ "Isolate a 401" }</h1>
            <p class="lede">{ "The IIS 6 guide starts with two facts: the URL requested and the authentication methods configured for its node. Answer three questions; the likely causes follow, most likely first." }</p>
            <div class="iis-dialog">
                <label>{ "1. What did IIS answer? (the sub-status is in the W3C log's sc-substatus, or in IIS's error page)" }
                    <select data-test="iso-status" onchange={on_status}>
                        { for ["401.1", "401.2", "401.3", "500"].into_iter().map(|s| html! { <option value={s} selected={*status == s}>{ s }</option> }) }
                    </select>
                </label>
                <p>{ "2. Which methods are enabled for the URL's node? Read them with:" }</p>
                <pre>{ isolate::READ_AUTHFLAGS }</pre>
                <label>{ "AuthFlags (a number, decimal or 0x hex)" }<input type="text" inputmode="numeric" data-test="iso-flags" value={(*flags_text).clone()} oninput={on_flags} aria-invalid={(!flags_ok).then_some("true")} aria-describedby="iso-flags-error" /></label>
                <p id="iso-flags-error" class="error" data-test="iso-flags-error" hidden={flags_ok}>{ format!("\"{}\" is not a number: AuthFlags is a number such as 5 (Anonymous and Integrated) or 0x7; the causes below are for {}.", *flags_text, *flags) }</p>
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
            <h2>{ "Likely causes" }</h2>
            <p role="status" class="verdict" data-test="iso-summary">{ match causes.first() {
                None => "No cause in the guide matches these answers.".to_string(),
                Some(c) if causes.len() == 1 => format!("One likely cause: {}.", c.title),
                Some(c) => format!("{} likely causes; the most likely: {}.", causes.len(), c.title),
            } }</p>
            { if causes.is_empty() { html! { <p class="empty">{ "Nothing in the guide matches these answers." }</p> } } else { html! { <ol class="causes">{ list }</ol> } } }
        </div>
    }
}
