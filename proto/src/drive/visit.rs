//! A visit: the lab's request sent the way a browser sends it, against the IIS engine, in memory.
//!
//! [`Via::Direct`] sends one request with the credentials up front (what `curl -u` does, and the
//! scenario tests' [`send`]). [`Via::Browser`] plays a browser:
//!
//! ```text
//!  GET (anonymous) ──2xx/4xx/5xx──────────────────────────────────────────► shows the page
//!      └─401──► the profile picks a scheme (reasons recorded)
//!               ├─ Basic ──────► BasicBrowser: dialog, Authorization: Basic, up to the
//!               │                browser's limit (IE: 3; others prompt until the user cancels)
//!               ├─ NTLM/Negotiate ─► silent logon with the Windows identity (IE, Chromium), or a
//!               │                dialog (Firefox, typed credentials); NEGOTIATE / CHALLENGE /
//!               │                AUTHENTICATE on one connection; retried after a dialog
//!               └─ nothing usable ─► shows the 401 page
//! ```
//! The connections are the driver's: a response with `Connection: close` (keep-alives off, a path
//! that breaks connections) makes the next request go on a new one, as a browser's would.
//!
//! The user of a visit is a [`Client`]: `Anonymous` has no credentials (cancels every dialog),
//! `Basic` types a user name and password when asked, `Ntlm` is logged on to Windows as
//! `DOMAIN\user` (and types the same when a dialog appears).

use super::{Answer, Browser, Event, Exchange, Moment, Pair, Seed};
use crate::browser::basic::Outcome;
use crate::browser::user_agent;
use crate::http::{Profile, Scheme};
use crate::iis::host::Host;
use crate::iis::scenarios::Client;
use crate::iis::{Response, Site};
use crate::ntlm::client::Credentials;
use crate::seq::{Lane, Step, StepKind};

/// How the request is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// One request, credentials sent up front (`curl -u`, `curl --ntlm`).
    Direct,
    /// As this browser sends it: anonymous first, then what the 401 offers.
    Browser(Profile),
}

/// What happens during a visit, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leg {
    /// A request and IIS's answer.
    Http(Box<Exchange>),
    /// Something the browser does between requests.
    Browser {
        kind: StepKind,
        label: String,
        detail: Vec<String>,
    },
}

/// Every leg of a visit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Visit {
    pub legs: Vec<Leg>,
}

impl Visit {
    pub fn exchanges(&self) -> impl Iterator<Item = &Exchange> {
        self.legs.iter().filter_map(|l| match l {
            Leg::Http(x) => Some(&**x),
            Leg::Browser { .. } => None,
        })
    }

    /// IIS's last answer.
    pub fn last(&self) -> Option<&Response> {
        self.exchanges().last().map(|x| &x.response)
    }

    /// The steps the lab's sequence diagram draws.
    pub fn steps(&self) -> Vec<Step> {
        let mut out = Vec::new();
        for l in &self.legs {
            match l {
                Leg::Http(x) => out.extend(exchange_steps(std::slice::from_ref(&**x))),
                Leg::Browser {
                    kind,
                    label,
                    detail,
                } => {
                    let mut s = Step::new(*kind, Lane::Browser, Lane::Browser, label, label);
                    s.explanation = detail.clone();
                    out.push(s);
                }
            }
        }
        out
    }
}

/// Send a request for `path` to `host` as `via` sends it, for `client`.
pub fn visit(host: &mut Host, path: &str, client: &Client, via: Via, now: i64) -> Visit {
    let (profile, ua) = match via {
        Via::Direct => (Profile::Rfc, DIRECT_USER_AGENT),
        Via::Browser(p) => (p, user_agent(p)),
    };
    let browser = Browser {
        profile,
        user_agent: ua.into(),
        target: format!("/lab/{}{}", host.site.id, path),
    };
    let mut d = Lab {
        pair: Pair::new(host, browser, now, Seed::LAB),
        legs: Vec::new(),
    };
    match via {
        Via::Direct => d.direct(client),
        Via::Browser(_) => d.browse(client),
    }
    Visit { legs: d.legs }
}

/// What a direct request calls itself.
pub const DIRECT_USER_AGENT: &str = "curl/8.14.1";

/// How many times the lab's user tries before giving up in a browser that would ask forever.
const USER_PATIENCE: u8 = 3;

fn reconnected_leg(closed: u64, opened: u64) -> Leg {
    Leg::Browser {
        kind: StepKind::Connection,
        label: format!("opens connection #{opened}"),
        detail: vec![format!(
            "The response closed connection #{closed}: the next request goes on #{opened}."
        )],
    }
}

/// A visit's narration over the pair.
struct Lab<'h> {
    pair: Pair<'h>,
    legs: Vec<Leg>,
}

impl Lab<'_> {
    fn note(&mut self, kind: StepKind, label: String, detail: Vec<String>) {
        self.legs.push(Leg::Browser {
            kind,
            label,
            detail,
        });
    }

    /// The pair's events as legs; a reconnection is noted before the exchange that caused it.
    fn record(&mut self) {
        let mut held: Option<Box<Exchange>> = None;
        for e in self.pair.take_events() {
            match e {
                Event::Sent { exchange, .. } => {
                    if let Some(x) = held.replace(exchange) {
                        self.legs.push(Leg::Http(x));
                    }
                }
                Event::Reconnected { closed, opened } => {
                    self.legs.push(reconnected_leg(closed, opened));
                }
            }
        }
        if let Some(x) = held {
            self.legs.push(Leg::Http(x));
        }
    }

    fn page(&mut self, r: &Response) {
        let label = if r.status == 200 {
            format!(
                "shows the page ({})",
                r.user.as_deref().unwrap_or("anonymous")
            )
        } else {
            format!("shows the {} error page", r.status_text())
        };
        self.note(StepKind::Page, label, Vec::new());
    }

    /// One request with the credentials up front; NTLM as its two legs.
    fn direct(&mut self, client: &Client) {
        match client {
            Client::Anonymous => {
                self.pair.send(self.pair.request(None));
            }
            Client::Basic { user, password } => {
                let v = crate::field::b64(format!("{user}:{password}").as_bytes());
                self.pair
                    .send(self.pair.request(Some(format!("Basic {v}"))));
            }
            Client::Ntlm { .. } => {
                if let Some(creds) = windows_credentials(client) {
                    self.pair.handshake(Scheme::Ntlm, &creds, 1);
                }
            }
        }
        self.record();
    }

    fn browse(&mut self, client: &Client) {
        let profile = self.pair.browser.profile;
        let (user, password) = typed(client);
        let mut last: Option<Response> = None;
        let mut legs = std::mem::take(&mut self.legs);
        let note = |legs: &mut Vec<Leg>, kind, label, detail| {
            legs.push(Leg::Browser {
                kind,
                label,
                detail,
            })
        };
        // The Basic state machine drives the first request and any Basic exchange; it stops with
        // `OtherScheme` when the browser picks NTLM or Negotiate.
        let outcome = self.pair.drive(|m| {
            match m {
                Moment::Exchanged {
                    exchange,
                    reconnected,
                } => {
                    if let Some((closed, opened)) = reconnected {
                        note(
                        &mut legs,
                            StepKind::Connection,
                            format!("opens connection #{opened}"),
                            vec![format!("The response closed connection #{closed}: the next request goes on #{opened}.")],
                        );
                    }
                    legs.push(Leg::Http(Box::new(exchange.clone())));
                    last = Some(exchange.response.clone());
                }
                Moment::Chose(choice) => {
                    let picked = choice.chosen_seen().and_then(|s| s.kind);
                    note(
                        &mut legs,
                        StepKind::Choose,
                        format!("picks {}", picked.map_or("nothing", Scheme::name)),
                        choice.reasons.clone(),
                    );
                }
                Moment::Prompt { attempt, limit, .. } => {
                    let patience = limit.unwrap_or(USER_PATIENCE);
                    let gives_up = user.is_none() || attempt > patience;
                    let mut detail = vec![match limit {
                        Some(l) => format!("Attempt {attempt} of {l}: Internet Explorer, not IIS, counts the attempts and stops after {l}."),
                        None => format!("Attempt {attempt}: {} asks again after every 401; only the user's Cancel ends it.", profile.name()),
                    }];
                    if gives_up {
                        detail.push(if user.is_none() {
                            "The user has no credentials and cancels.".into()
                        } else {
                            format!("The lab's user gives up after {patience} tries and cancels.")
                        });
                    }
                    note(
                        &mut legs,
                        StepKind::Dialog,
                        format!("credential dialog, attempt {attempt}"),
                        detail,
                    );
                    return match (&user, gives_up) {
                        (Some(u), false) => Answer::Credentials {
                            user: u,
                            password: &password,
                        },
                        _ => Answer::Cancel,
                    };
                }
                Moment::Show(outcome) => match outcome {
                    Outcome::OtherScheme(Scheme::Ntlm | Scheme::Negotiate) => {}
                    Outcome::OtherScheme(s) => note(
                        &mut legs,
                        StepKind::Choose,
                        format!("cannot answer {}", s.name()),
                        vec![format!("The lab does not simulate {} (IIS 6 Digest needs Active Directory's reversibly stored passwords).", s.name())],
                    ),
                    Outcome::BadCredentials(e) => note(
                        &mut legs,
                        StepKind::Dialog,
                        "cannot encode the credentials".into(),
                        vec![e.clone()],
                    ),
                    _ => {}
                },
            }
            Answer::Cancel
        });
        self.legs = legs;
        match outcome {
            Outcome::OtherScheme(s @ (Scheme::Ntlm | Scheme::Negotiate)) => self.windows(s, client),
            // Stopped by an input the browser did not expect (never, in practice): no page.
            Outcome::OtherStatus(0) => {}
            _ => {
                if let Some(r) = last {
                    self.page(&r);
                }
            }
        }
    }

    /// Integrated Windows authentication: NTLM, in the `NTLM` or `Negotiate` header.
    fn windows(&mut self, scheme: Scheme, client: &Client) {
        let profile = self.pair.browser.profile;
        let Some(creds) = windows_credentials(client) else {
            self.note(
                StepKind::Dialog,
                "credential dialog: cancelled".into(),
                vec!["Nobody is logged on to Windows with a domain account and the user has no credentials to type: the browser shows the 401 page.".into()],
            );
            if let Some(r) = self.last_response() {
                self.page(&r);
            }
            return;
        };
        let silent = matches!(client, Client::Ntlm { .. })
            && matches!(profile, Profile::Ie6 | Profile::Chromium);
        let mut detail = Vec::new();
        if scheme == Scheme::Negotiate {
            detail.push("Negotiate tries Kerberos first; this lab does not simulate a KDC, so Windows' Negotiate package takes its NTLM path and sends raw NTLMSSP tokens in the Negotiate header.".into());
        }
        let limit = profile.basic_attempt_limit().unwrap_or(USER_PATIENCE);
        for attempt in 1..=limit {
            if attempt > 1 || !silent {
                let mut d = std::mem::take(&mut detail);
                d.push(if attempt == 1 {
                    format!("{} asks for the credentials to use (the site is not one it logs on to silently, or nobody is logged on to Windows).", profile.name())
                } else {
                    format!("The logon failed: the browser asks for credentials (attempt {attempt} of {limit}) and starts the handshake again.")
                });
                self.note(
                    StepKind::Dialog,
                    format!("credential dialog, attempt {attempt}"),
                    d,
                );
            } else {
                detail.push(format!(
                    "{} logs on silently as {}\\{} (Local intranet zone).",
                    profile.name(),
                    creds.domain,
                    creds.user
                ));
                self.note(
                    StepKind::Dialog,
                    "silent logon with the Windows identity".into(),
                    std::mem::take(&mut detail),
                );
            }
            let r = self.pair.handshake(scheme, &creds, attempt);
            self.record();
            let Some(r) = r else {
                break;
            };
            if r.status != 401 {
                self.page(&r);
                return;
            }
        }
        if let Some(r) = self.last_response() {
            self.note(
                StepKind::Page,
                format!("gives up after {limit} attempts"),
                vec![format!(
                    "IIS answered {} every time; the browser stops and shows the error page.",
                    r.status_text()
                )],
            );
            self.page(&r);
        }
    }

    fn last_response(&self) -> Option<Response> {
        self.legs.iter().rev().find_map(|l| match l {
            Leg::Http(x) => Some(x.response.clone()),
            Leg::Browser { .. } => None,
        })
    }
}

/// What the user types in a dialog: `DOMAIN\user` and the password.
fn typed(client: &Client) -> (Option<String>, String) {
    match client {
        Client::Anonymous => (None, String::new()),
        Client::Basic { user, password } => (Some(user.clone()), password.clone()),
        Client::Ntlm {
            user,
            domain,
            password,
        } => {
            let u = if domain.is_empty() {
                user.clone()
            } else {
                format!("{domain}\\{user}")
            };
            (Some(u), password.clone())
        }
    }
}

fn windows_credentials(client: &Client) -> Option<Credentials> {
    let (user, password) = typed(client);
    let user = user?;
    let (domain, user) = match user.split_once('\\') {
        Some((d, u)) => (d.to_string(), u.to_string()),
        None => (String::new(), user),
    };
    Some(Credentials {
        user,
        domain,
        password,
        workstation: "WS01".into(),
    })
}

/// The status a browser visit ends with, for tests: `200`, `401.1`…
pub fn final_status(v: &Visit) -> String {
    v.last().map(Response::status_text).unwrap_or_default()
}

/// Sends a request for `path` as `client` would, on one connection, and returns every response
/// (one for anonymous and Basic, the two NTLM legs for NTLM). Randomness is fixed: the lab's
/// answers are the same every time.
pub fn send(site: &Site, path: &str, client: &Client, now: i64) -> Vec<Exchange> {
    send_on(&mut Host::new(site.clone()), path, client, now)
}

/// [`send`] on an existing host (whose connections may already carry state), starting on
/// connection 1: a [`Via::Direct`] visit's exchanges.
pub fn send_on(host: &mut Host, path: &str, client: &Client, now: i64) -> Vec<Exchange> {
    visit(host, path, client, Via::Direct, now)
        .exchanges()
        .cloned()
        .collect()
}

/// Steps for the diagram from plain exchanges (the IIS lab's requests): each request and its
/// response, labelled with the Authorization scheme and the status.
pub fn exchange_steps(exchanges: &[Exchange]) -> Vec<Step> {
    let mut out = Vec::new();
    for x in exchanges {
        let scheme = x
            .request
            .header("Authorization")
            .and_then(|a| a.split(' ').next())
            .map(|s| format!(" + Authorization: {s}"));
        out.push(x.request_step(
            format!(
                "GET{}, conn #{}",
                scheme.unwrap_or_default(),
                x.request.connection
            ),
            "Request",
        ));
        let st = x.response.status_text();
        out.push(x.response_step(
            format!("{st} {}", x.response.reason),
            format!("IIS answers {st}"),
        ));
    }
    out
}
