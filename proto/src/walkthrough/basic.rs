//! The Basic walkthrough: a browser that answers Basic challenges, with Internet Explorer's limit
//! of three attempts, driven against the IIS engine.

use super::{BasicView, Lane, Step, StepKind};
use crate::basic::{self, Charset};
use crate::http::{self, Profile, Scheme, Source};
use crate::iis::{self, Request, Response, Site};
use serde::Serialize;

/// How a Basic exchange ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The site let the anonymous request in.
    Anonymous,
    /// Credentials were accepted (`DOMAIN\user`).
    Authorized(String),
    /// The browser stopped after `attempts` rejected attempts (Internet Explorer: three).
    GaveUp { attempts: u8 },
    /// The user cancelled the dialog after `attempts` rejected attempts.
    Cancelled { attempts: u8 },
    /// The 401 offered nothing the browser could use: it shows the 401 page at once.
    NoUsableChallenge,
    /// The browser chose another scheme (covered by another walkthrough).
    OtherScheme(Scheme),
    /// The credentials could not be encoded (a user-id with `:`, a control character).
    BadCredentials(String),
    /// A response that is neither 2xx nor 401.
    OtherStatus(u16),
}

impl Outcome {
    /// The user the browser ended up logged on as, if any.
    pub fn authorized_user(&self) -> Option<&str> {
        match self {
            Outcome::Authorized(u) => Some(u),
            _ => None,
        }
    }
}

/// What the browser does, for the driver to carry out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Send(Request),
    Chose(Box<http::Choice>),
    /// Show the credential dialog for `realm`.
    Prompt {
        attempt: u8,
        limit: Option<u8>,
        realm: String,
        previous_failed: bool,
    },
    Show {
        outcome: Outcome,
    },
}

/// What comes in to the browser.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    Response(&'a Response),
    Credentials { user: &'a str, password: &'a str },
    Cancel,
}

/// An input the current state does not accept, naming what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unexpected {
    pub expected: &'static str,
    pub got: &'static str,
}

impl std::fmt::Display for Unexpected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {}, got {}", self.expected, self.got)
    }
}

/// Fixed facts of one browsing session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub profile: Profile,
    pub host: String,
    pub target: String,
    pub user_agent: String,
    pub now: i64,
}

impl Context {
    fn request(&self, authorization: Option<&str>) -> Request {
        let mut r = Request::get(&self.target, &self.host, 1, self.now);
        r.headers
            .push(("User-Agent".into(), self.user_agent.clone()));
        if let Some(a) = authorization {
            r.headers.push(("Authorization".into(), a.to_string()));
        }
        r
    }
}

/// The browser's side of Basic authentication.
///
/// ```text
///  Start ──begin──► ExpectChallenge ──2xx──────────────────────────────► Done(Anonymous)
///                        │ └──401, nothing usable / another scheme──────► Done(…)
///                        └──401 + Basic──► ExpectCredentials{n=1}
///  ExpectCredentials{n} ──credentials──► ExpectVerdict{n} ──2xx──────────► Done(Authorized)
///        │                                   └──401──► n < limit ? ExpectCredentials{n+1}
///        └──cancel──► Done(Cancelled)                    : Done(GaveUp)   (IE: limit = 3)
/// ```
/// It is the browser, not IIS, that counts attempts: IIS answers each request on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BasicBrowser {
    Start(Context),
    ExpectChallenge(Context),
    ExpectCredentials {
        ctx: Context,
        attempt: u8,
        realm: String,
        charset: Charset,
    },
    ExpectVerdict {
        ctx: Context,
        attempt: u8,
        realm: String,
        charset: Charset,
    },
    Done(Outcome),
}

impl BasicBrowser {
    pub fn new(ctx: Context) -> Self {
        BasicBrowser::Start(ctx)
    }

    /// The first request (anonymous, as browsers start).
    pub fn begin(self) -> Result<(Self, Vec<Event>), Unexpected> {
        match self {
            BasicBrowser::Start(ctx) => {
                let req = ctx.request(None);
                Ok((BasicBrowser::ExpectChallenge(ctx), vec![Event::Send(req)]))
            }
            other => Err(Unexpected {
                expected: other.expects(),
                got: "begin",
            }),
        }
    }

    /// What this state waits for.
    pub fn expects(&self) -> &'static str {
        match self {
            BasicBrowser::Start(_) => "begin",
            BasicBrowser::ExpectChallenge(_) | BasicBrowser::ExpectVerdict { .. } => "a response",
            BasicBrowser::ExpectCredentials { .. } => "credentials or cancel",
            BasicBrowser::Done(_) => "nothing (done)",
        }
    }

    pub fn step(self, input: Input<'_>) -> Result<(Self, Vec<Event>), Unexpected> {
        let got = match input {
            Input::Response(_) => "a response",
            Input::Credentials { .. } => "credentials",
            Input::Cancel => "cancel",
        };
        match (self, input) {
            (BasicBrowser::ExpectChallenge(ctx), Input::Response(r)) => {
                Ok(on_first_response(ctx, r))
            }
            (
                BasicBrowser::ExpectCredentials {
                    ctx,
                    attempt,
                    realm,
                    charset,
                },
                Input::Credentials { user, password },
            ) => match basic::encode(user, password, charset) {
                Ok(c) => {
                    let req = ctx.request(Some(&c.header_value));
                    Ok((
                        BasicBrowser::ExpectVerdict {
                            ctx,
                            attempt,
                            realm,
                            charset,
                        },
                        vec![Event::Send(req)],
                    ))
                }
                Err(e) => {
                    let outcome = Outcome::BadCredentials(e.to_string());
                    Ok((
                        BasicBrowser::Done(outcome.clone()),
                        vec![Event::Show { outcome }],
                    ))
                }
            },
            (BasicBrowser::ExpectCredentials { attempt, .. }, Input::Cancel) => {
                let outcome = Outcome::Cancelled {
                    attempts: attempt.saturating_sub(1),
                };
                Ok((
                    BasicBrowser::Done(outcome.clone()),
                    vec![Event::Show { outcome }],
                ))
            }
            (
                BasicBrowser::ExpectVerdict {
                    ctx,
                    attempt,
                    realm,
                    charset,
                },
                Input::Response(r),
            ) => {
                if (200..300).contains(&r.status) {
                    let outcome = Outcome::Authorized(r.user.clone().unwrap_or_default());
                    return Ok((
                        BasicBrowser::Done(outcome.clone()),
                        vec![Event::Show { outcome }],
                    ));
                }
                if r.status != 401 {
                    let outcome = Outcome::OtherStatus(r.status);
                    return Ok((
                        BasicBrowser::Done(outcome.clone()),
                        vec![Event::Show { outcome }],
                    ));
                }
                let limit = ctx.profile.basic_attempt_limit();
                if limit.is_some_and(|l| attempt >= l) {
                    let outcome = Outcome::GaveUp { attempts: attempt };
                    return Ok((
                        BasicBrowser::Done(outcome.clone()),
                        vec![Event::Show { outcome }],
                    ));
                }
                let next = attempt.saturating_add(1);
                let ev = Event::Prompt {
                    attempt: next,
                    limit,
                    realm: realm.clone(),
                    previous_failed: true,
                };
                Ok((
                    BasicBrowser::ExpectCredentials {
                        ctx,
                        attempt: next,
                        realm,
                        charset,
                    },
                    vec![ev],
                ))
            }
            (state, _) => Err(Unexpected {
                expected: state.expects(),
                got,
            }),
        }
    }
}

fn on_first_response(ctx: Context, r: &Response) -> (BasicBrowser, Vec<Event>) {
    if (200..300).contains(&r.status) {
        let outcome = Outcome::Anonymous;
        return (
            BasicBrowser::Done(outcome.clone()),
            vec![Event::Show { outcome }],
        );
    }
    if r.status != 401 {
        let outcome = Outcome::OtherStatus(r.status);
        return (
            BasicBrowser::Done(outcome.clone()),
            vec![Event::Show { outcome }],
        );
    }
    let source = Source::from_values(&r.header_values("WWW-Authenticate"));
    let parsed = http::parse(&source);
    let choice = ctx.profile.choose(&source, &parsed);
    let chosen = choice.chosen_seen().cloned();
    let mut events = vec![Event::Chose(Box::new(choice))];
    let outcome = match chosen {
        None => Outcome::NoUsableChallenge,
        Some(s) if s.kind == Some(Scheme::Basic) => {
            let realm = s.realm.clone().unwrap_or_default();
            let charset = ctx.profile.basic_charset();
            let limit = ctx.profile.basic_attempt_limit();
            events.push(Event::Prompt {
                attempt: 1,
                limit,
                realm: realm.clone(),
                previous_failed: false,
            });
            return (
                BasicBrowser::ExpectCredentials {
                    ctx,
                    attempt: 1,
                    realm,
                    charset,
                },
                events,
            );
        }
        Some(s) => Outcome::OtherScheme(s.kind.unwrap_or(Scheme::Negotiate)),
    };
    events.push(Event::Show {
        outcome: outcome.clone(),
    });
    (BasicBrowser::Done(outcome), events)
}

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

/// User agents of the profiles, as the request shows them.
pub fn user_agent(profile: Profile) -> &'static str {
    match profile {
        Profile::Ie6 => "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)",
        Profile::Chromium => "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
        Profile::Firefox => "Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0",
        Profile::Rfc => "authscope-rfc/0.1",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn request_step(
    req: &Request,
    attempt: Option<(u8, Option<u8>)>,
    charset: Option<Charset>,
) -> Step {
    let authz = req.header("Authorization");
    let label = match authz {
        Some(_) => format!("GET {} + Authorization: Basic", req.target),
        None => format!("GET {}", req.target),
    };
    let mut s = Step::new(StepKind::Request, Lane::Browser, Lane::Iis, label, "");
    s.http = Some(req.to_http());
    s.attempt = attempt;
    s.connection = Some(req.connection);
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

fn response_step(r: &Response, had_credentials: bool) -> Step {
    let st = r.status_text();
    let challenges = r.header_values("WWW-Authenticate");
    let label = if r.status == 401 && !challenges.is_empty() {
        format!("{st} Unauthorized + WWW-Authenticate")
    } else if r.status == 401 {
        format!("{st} Unauthorized (no WWW-Authenticate)")
    } else {
        format!("{st} {}", r.reason)
    };
    let mut s = Step::new(StepKind::Response, Lane::Iis, Lane::Browser, label, "");
    s.http = Some(r.to_http());
    s.status = Some(st.clone());
    s.log = Some(r.log.format());
    s.trace = r.trace.clone();
    s.connection = Some(1);
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
            s.narration = "IIS answers 401.1: the user name or password is wrong.".into();
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
    let ctx = Context {
        profile: scenario.profile,
        host: scenario.site.host.clone(),
        target: format!("/lab/{}/", scenario.site.id),
        user_agent: user_agent(scenario.profile).into(),
        now: scenario.now,
    };
    let profile = scenario.profile;
    let mut steps: Vec<Step> = Vec::new();
    let mut passwords = scenario.passwords.iter();
    let mut last_response: Option<Response> = None;
    let mut charset: Option<Charset> = None;
    let mut attempt_of_request: Option<(u8, Option<u8>)> = None;
    let mut pending: Vec<Event> = Vec::new();
    let mut state = match BasicBrowser::new(ctx).begin() {
        Ok((s, ev)) => {
            pending = ev;
            s
        }
        Err(_) => BasicBrowser::Done(Outcome::OtherStatus(0)),
    };
    // Bounded: every loop consumes an event and the browser stops after its last attempt.
    for _ in 0..64 {
        let Some(event) = (!pending.is_empty()).then(|| pending.remove(0)) else {
            break;
        };
        let input_result = match event {
            Event::Send(req) => {
                steps.push(request_step(&req, attempt_of_request, charset));
                let resp = scenario.site.handle(&req);
                steps.push(response_step(&resp, req.header("Authorization").is_some()));
                let r = state.step(Input::Response(&resp));
                last_response = Some(resp);
                r
            }
            Event::Chose(choice) => {
                steps.push(choose_step(&choice));
                continue;
            }
            Event::Prompt {
                attempt,
                limit,
                realm,
                previous_failed,
            } => {
                if let BasicBrowser::ExpectCredentials { charset: cs, .. } = &state {
                    charset = Some(*cs);
                }
                attempt_of_request = Some((attempt, limit));
                let typed = passwords.next();
                steps.push(dialog_step(
                    profile,
                    attempt,
                    limit,
                    &realm,
                    previous_failed,
                    &scenario.user,
                    typed.map(String::as_str),
                ));
                match typed {
                    Some(pw) => state.step(Input::Credentials {
                        user: &scenario.user,
                        password: pw,
                    }),
                    None => state.step(Input::Cancel),
                }
            }
            Event::Show { outcome } => {
                steps.push(page_step(&outcome, last_response.as_ref(), profile));
                continue;
            }
        };
        match input_result {
            Ok((s, ev)) => {
                state = s;
                pending.extend(ev);
            }
            Err(_) => {
                state = BasicBrowser::Done(Outcome::OtherStatus(0));
                break;
            }
        }
    }
    let outcome = match state {
        BasicBrowser::Done(o) => o,
        _ => Outcome::OtherStatus(0),
    };
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
