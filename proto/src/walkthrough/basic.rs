//! The Basic walkthrough: a browser that answers Basic challenges, with Internet Explorer's limit
//! of three attempts, driven against the IIS engine.

use crate::basic::{self, Charset};
pub use crate::browser::basic::Outcome;
use crate::browser::user_agent;
use crate::drive::{Answer, Browser, Exchange, Moment, Pair, Seed};
use crate::http::{self, Profile, Scheme};
use crate::iis::host::Host;
use crate::iis::{self, Response, Site};
use crate::seq::{BasicView, Lane, Step, StepKind};
use serde::Serialize;

/// What the user does in the walkthrough: who they are and the passwords they type, in order.
/// When the browser asks again after the last password, the user cancels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub site: Site,
    pub profile: Profile,
    pub user: String,
    pub passwords: Vec<String>,
    pub now: i64,
}

/// The recorded exchange.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Walkthrough {
    pub steps: Vec<Step>,
    pub outcome: Outcome,
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn request_step(x: &Exchange, attempt: Option<(u8, Option<u8>)>, charset: Option<Charset>) -> Step {
    let req = &x.request;
    let authz = req.header("Authorization");
    let label = match authz {
        Some(_) => format!("GET {} + Authorization: Basic", req.target),
        None => format!("GET {}", req.target),
    };
    let mut s = x.request_step(label, "");
    s.attempt = attempt;
    match authz
        .zip(charset)
        .and_then(|(a, cs)| basic::decode(a, cs).ok().map(|d| (a, cs, d)))
    {
        Some((a, cs, d)) => {
            s.title = "The browser sends the credentials".into();
            s.narration = format!(
                "The browser repeats the request with Authorization: Basic, user {} (attempt {}).",
                d.user,
                attempt.map_or(1, |a| a.0)
            );
            s.explanation = vec![
                "Basic sends the user name and password in the clear: the header is only base64 of `user:password` (RFC 7617 §2). Anyone who sees the request can decode it, so Basic belongs on HTTPS only.".into(),
                format!(
                    "The browser encoded the text as {}; IIS 6 reads it in the server's ANSI code page, so non-ASCII passwords sent as UTF-8 do not match.",
                    cs.name()
                ),
            ];
            s.basic = Some(BasicView {
                header_value: a.to_string(),
                token68: a.get(6..).unwrap_or("").trim().to_string(),
                charset: cs.name(),
                hex: hex(&d.bytes),
                text: match cs {
                    Charset::Utf8 => d.as_utf8.clone(),
                    Charset::Latin1 => d.as_latin1.clone(),
                },
                layers: basic::layers(a, &d),
                user: d.user,
                password: d.password,
            });
        }
        None => {
            s.title = "The first request is anonymous".into();
            s.narration = format!("The browser asks for {} without credentials.", req.target);
            s.explanation = vec![
                "A browser does not know in advance that a page needs authentication, so its first request carries no Authorization header (IIS 6 guide: \"Typically, initial HTTP requests to a server are anonymous\").".into(),
            ];
        }
    }
    s
}

fn response_step(x: &Exchange) -> Step {
    let r = &x.response;
    let had_credentials = x.request.header("Authorization").is_some();
    let st = r.status_text();
    let challenges = r.header_values("WWW-Authenticate");
    let label = if r.status == 401 && !challenges.is_empty() {
        format!("{st} Unauthorized + WWW-Authenticate")
    } else if r.status == 401 {
        format!("{st} Unauthorized (no WWW-Authenticate)")
    } else {
        format!("{st} {}", r.reason)
    };
    let mut s = x.response_step(label, String::new());
    let win32 = format!("{} ({})", r.win32_status, iis::win32::name(r.win32_status));
    match (r.status, r.substatus) {
        (200, _) => {
            s.title = "IIS serves the page".into();
            s.narration = match &r.user {
                Some(u) => format!("IIS logged on {u} and answers 200 OK."),
                None => "IIS answers 200 OK to the anonymous request.".into(),
            };
        }
        (401, 2) if challenges.is_empty() => {
            s.title = "401.2 with nothing to answer".into();
            s.narration = "IIS answers 401.2 and offers no authentication scheme at all.".into();
            s.explanation.push("With AuthFlags=0 no method is enabled: IIS returns 401.2 and no WWW-Authenticate header, so no browser can ever authenticate (IIS 6 guide: \"IIS returns a 401.2 error when no authentication methods are enabled\"). Fix: enable a method.".into());
        }
        (401, 2) if had_credentials => {
            s.title = "401.2: IIS could not check the credentials".into();
            s.narration = format!(
                "IIS answers 401.2: {}.",
                r.trace.last().cloned().unwrap_or_default()
            );
            s.explanation.push(format!("sc-win32-status {win32}. For a domain account IIS asks a domain controller; when none answers, Basic fails with 401.2 rather than 401.1 (IIS 6 guide, \"Basic authentication\")."));
        }
        (401, 2) => {
            s.title = "401.2 and the list of schemes".into();
            s.narration = format!("IIS answers 401.2 and offers: {}.", challenges.join(", "));
            s.explanation.push("This first 401.2 is normal: anonymous access is off, so IIS answers with one WWW-Authenticate header per enabled scheme and lets the browser choose (IIS 6 guide, \"Multiple Authentication Methods\"). The sub-status is in the log and the error page, not on the wire.".into());
        }
        (401, 1) => {
            s.title = "401.1: the logon failed".into();
            // The cause follows the Win32 code LogonUser returned, not always the password.
            let why = iis::audit::Failure::from_win32(r.win32_status).map_or(
                "Windows refused the logon",
                |f| match f {
                    iis::audit::Failure::WrongPassword => "the user name or password is wrong",
                    f => f.meaning(),
                },
            );
            s.narration = format!("IIS answers 401.1: {why} (sc-win32-status {win32}).");
            s.explanation.push(format!("IIS called LogonUser with the decoded credentials and Windows refused them (sc-win32-status {win32}). IIS answers every request on its own and sends the same WWW-Authenticate list again; it does not count attempts."));
        }
        _ => {
            s.title = format!("IIS answers {st}");
            s.narration = format!("IIS answers {st}.");
        }
    }
    s
}

/// Run `scenario` to the end and record every step.
pub fn run(scenario: &Scenario) -> Walkthrough {
    let profile = scenario.profile;
    let mut host = Host::new(scenario.site.clone());
    let browser = Browser {
        profile,
        user_agent: user_agent(profile).into(),
        target: format!("/lab/{}/", scenario.site.id),
    };
    let mut pair = Pair::new(&mut host, browser, scenario.now, Seed::LAB);
    let mut steps: Vec<Step> = Vec::new();
    let mut passwords = scenario.passwords.iter();
    let mut last_response: Option<Response> = None;
    let mut charset: Option<Charset> = None;
    let mut attempt_of_request: Option<(u8, Option<u8>)> = None;
    let outcome = pair.drive(|m| {
        match m {
            Moment::Exchanged { exchange, .. } => {
                steps.push(request_step(exchange, attempt_of_request, charset));
                steps.push(response_step(exchange));
                last_response = Some(exchange.response.clone());
            }
            Moment::Chose(choice) => steps.push(choose_step(choice)),
            Moment::Prompt {
                attempt,
                limit,
                realm,
                previous_failed,
                charset: cs,
            } => {
                charset = Some(cs);
                attempt_of_request = Some((attempt, limit));
                let typed = passwords.next();
                steps.push(dialog_step(
                    profile,
                    attempt,
                    limit,
                    realm,
                    previous_failed,
                    &scenario.user,
                    typed.map(String::as_str),
                ));
                if let Some(pw) = typed {
                    return Answer::Credentials {
                        user: &scenario.user,
                        password: pw,
                    };
                }
            }
            Moment::Show(outcome) => {
                steps.push(page_step(outcome, last_response.as_ref(), profile));
            }
        }
        Answer::Cancel
    });
    Walkthrough { steps, outcome }
}

fn choose_step(choice: &http::Choice) -> Step {
    let chosen = choice.chosen_seen();
    let label = match chosen {
        Some(c) => format!("picks {}", c.kind.map(Scheme::name).unwrap_or(&c.scheme)),
        None => "nothing usable".to_string(),
    };
    let mut s = Step::new(
        StepKind::Choose,
        Lane::Browser,
        Lane::Browser,
        label,
        "The browser picks a scheme",
    );
    s.narration = match chosen {
        Some(c) => format!(
            "{} picks {} from the WWW-Authenticate list.",
            choice.profile.name(),
            c.kind.map(Scheme::name).unwrap_or(&c.scheme)
        ),
        None => format!(
            "{} finds no challenge it can answer.",
            choice.profile.name()
        ),
    };
    s.explanation = choice.reasons.clone();
    s
}

fn dialog_step(
    profile: Profile,
    attempt: u8,
    limit: Option<u8>,
    realm: &str,
    previous_failed: bool,
    user: &str,
    password: Option<&str>,
) -> Step {
    let of = limit.map(|l| format!(" of {l}")).unwrap_or_default();
    let label = match password {
        Some(_) => format!("credential dialog, attempt {attempt}{of}"),
        None => "credential dialog: Cancel".to_string(),
    };
    let mut s = Step::new(
        StepKind::Dialog,
        Lane::Browser,
        Lane::Browser,
        label,
        format!("Credential dialog, attempt {attempt}{of}"),
    );
    s.attempt = Some((attempt, limit));
    s.narration = match password {
        Some(_) if previous_failed => format!("The logon failed; the browser asks again (attempt {attempt}{of}) and the user types the password for {user}."),
        Some(_) => format!("The browser asks for a user name and password for realm \"{realm}\" (attempt {attempt}{of})."),
        None => "The browser asks again and the user presses Cancel.".into(),
    };
    s.explanation.push(format!(
        "The dialog shows the realm \"{realm}\" so the user knows which credentials are meant."
    ));
    match limit {
        Some(l) => s.explanation.push(format!(
            "{} allows {l} attempts, then stops and shows the error page. The count is the browser's: \"Internet Explorer — not IIS — allows the user three connection attempts\" (IIS 6 guide).",
            profile.name()
        )),
        None => s.explanation.push(format!(
            "{} has no limit: it asks again after every rejection until the user cancels.",
            profile.name()
        )),
    }
    s
}

fn page_step(outcome: &Outcome, last: Option<&Response>, profile: Profile) -> Step {
    let (label, title, narration) = match outcome {
        Outcome::Anonymous => ("shows the page", "The page is shown", "The browser shows the page: no authentication was needed.".to_string()),
        Outcome::Authorized(u) => ("shows the page", "Logged on", format!("The browser shows the page, logged on as {u}.")),
        Outcome::GaveUp { attempts } => (
            "shows the 401.1 error page",
            "The browser gives up",
            format!("After {attempts} rejected attempts {} stops asking and shows IIS's error page.", profile.name()),
        ),
        Outcome::Cancelled { .. } => ("shows the error page", "The user cancels", "The user cancelled: the browser shows the body of the last 401.".to_string()),
        Outcome::NoUsableChallenge => ("shows the error page", "Nothing to answer", "The browser cannot answer any challenge and shows the 401 page.".to_string()),
        Outcome::OtherScheme(k) => (
            "uses another scheme",
            "Another scheme",
            format!("The browser prefers {} over Basic here: see the NT Challenge/Response walkthrough.", k.name()),
        ),
        Outcome::BadCredentials(e) => ("cannot send", "Credentials refused", format!("The browser cannot send these credentials: {e}")),
        Outcome::OtherStatus(c) => ("shows the response", "Unexpected answer", format!("The server answered {c}.")),
    };
    let mut s = Step::new(StepKind::Page, Lane::Browser, Lane::Browser, label, title);
    s.narration = narration;
    if let Some(r) = last.filter(|r| r.status == 401) {
        s.status = Some(r.status_text());
        let (_, heading) = iis::pages::error_401_text(r.substatus);
        s.explanation.push(format!("The page reads: \"{heading}\""));
    } else if let Some(r) = last {
        s.status = Some(r.status_text());
    }
    s.http = last.map(|r| r.body.clone());
    s
}

#[cfg(test)]
mod tests;
