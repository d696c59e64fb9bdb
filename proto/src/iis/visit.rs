//! A visit: the lab's request sent the way a browser sends it, against the IIS engine, in memory.
//!
//! [`Via::Direct`] sends one request with the credentials up front (what `curl -u` does, and the
//! scenario tests' [`scenarios::send`](super::scenarios::send)). [`Via::Browser`] plays a browser:
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

use super::host::Host;
use super::scenarios::{Client, Exchange};
use super::{Request, Response};
use crate::http::{Profile, Scheme};
use crate::ntlm::client::{Credentials, Entropy, Input as NtlmInput, Mode, NtlmClient};
use crate::walkthrough::basic::{self as bw, BasicBrowser};
use crate::walkthrough::{Step, StepKind};
use base64::Engine;

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
                Leg::Http(x) => out.extend(crate::walkthrough::exchange_steps(
                    std::slice::from_ref(&**x),
                )),
                Leg::Browser {
                    kind,
                    label,
                    detail,
                } => {
                    use crate::walkthrough::Lane;
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
    let target = format!("/lab/{}{}", host.site.id, path);
    let (profile, user_agent) = match via {
        Via::Direct => (Profile::Rfc, DIRECT_USER_AGENT),
        Via::Browser(p) => (p, bw::user_agent(p)),
    };
    let mut d = Driver {
        host,
        profile,
        user_agent,
        target,
        now,
        conn: 1,
        seed: 0,
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

struct Driver<'a> {
    host: &'a mut Host,
    profile: Profile,
    user_agent: &'static str,
    target: String,
    now: i64,
    /// The browser's current TCP connection.
    conn: u64,
    /// Varies the server's challenge per request, deterministically.
    seed: u8,
    legs: Vec<Leg>,
}

fn closes(r: &Response) -> bool {
    r.header_values("Connection")
        .iter()
        .any(|c| c.eq_ignore_ascii_case("close"))
}

impl Driver<'_> {
    fn note(&mut self, kind: StepKind, label: String, detail: Vec<String>) {
        self.legs.push(Leg::Browser {
            kind,
            label,
            detail,
        });
    }

    fn request(&self, authorization: Option<String>) -> Request {
        let mut r = Request::get(&self.target, &self.host.site.host, self.conn, self.now);
        r.headers
            .push(("User-Agent".into(), self.user_agent.to_string()));
        if let Some(a) = authorization {
            r.headers.push(("Authorization".into(), a));
        }
        r
    }

    /// Sends `req` on the current connection; opens a new one when IIS (or the path) closed it.
    fn send(&mut self, mut req: Request) -> Response {
        req.connection = self.conn;
        self.seed = self.seed.wrapping_add(1);
        let response = self
            .host
            .handle(&req, [0x1a, self.seed, 0x6b, 0x11, 0x05, 0x0c, 0xe5, 0x5e]);
        if closes(&response) {
            self.host.close(self.conn);
            self.conn += 1;
            self.note(
                StepKind::Connection,
                format!("opens connection #{}", self.conn),
                vec![format!(
                    "The response closed connection #{}: the next request goes on #{}.",
                    self.conn - 1,
                    self.conn
                )],
            );
        }
        self.legs.push(Leg::Http(Box::new(Exchange {
            request: req,
            response: response.clone(),
        })));
        response
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
                self.send(self.request(None));
            }
            Client::Basic { user, password } => {
                let v = base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{password}").as_bytes());
                self.send(self.request(Some(format!("Basic {v}"))));
            }
            Client::Ntlm { .. } => {
                if let Some(creds) = windows_credentials(client) {
                    self.handshake(Scheme::Ntlm, &creds, 1);
                }
            }
        }
    }

    fn browse(&mut self, client: &Client) {
        let ctx = bw::Context {
            profile: self.profile,
            host: self.host.site.host.clone(),
            target: self.target.clone(),
            user_agent: bw::user_agent(self.profile).into(),
            now: self.now,
        };
        let mut state = BasicBrowser::new(ctx);
        let mut events = match state.clone().begin() {
            Ok((s, e)) => {
                state = s;
                e
            }
            Err(_) => return,
        };
        let (user, password) = typed(client);
        let mut last: Option<Response> = None;
        // The Basic state machine drives the first request and any Basic exchange; it stops with
        // `OtherScheme` when the browser picks NTLM or Negotiate.
        while let Some(ev) = (!events.is_empty()).then(|| events.remove(0)) {
            let input = match ev {
                bw::Event::Send(req) => {
                    let r = self.send(req);
                    let next = state.clone().step(bw::Input::Response(&r));
                    last = Some(r);
                    next
                }
                bw::Event::Chose(choice) => {
                    let picked = choice.chosen_seen().and_then(|s| s.kind);
                    self.note(
                        StepKind::Choose,
                        format!("picks {}", picked.map_or("nothing", Scheme::name)),
                        choice.reasons.clone(),
                    );
                    continue;
                }
                bw::Event::Prompt { attempt, limit, .. } => {
                    let patience = limit.unwrap_or(USER_PATIENCE);
                    let gives_up = user.is_none() || attempt > patience;
                    let mut detail = vec![match limit {
                        Some(l) => format!("Attempt {attempt} of {l}: Internet Explorer, not IIS, counts the attempts and stops after {l}."),
                        None => format!("Attempt {attempt}: {} asks again after every 401; only the user's Cancel ends it.", self.profile.name()),
                    }];
                    if gives_up {
                        detail.push(if user.is_none() {
                            "The user has no credentials and cancels.".into()
                        } else {
                            format!("The lab's user gives up after {patience} tries and cancels.")
                        });
                    }
                    self.note(
                        StepKind::Dialog,
                        format!("credential dialog, attempt {attempt}"),
                        detail,
                    );
                    match (&user, gives_up) {
                        (Some(u), false) => state.clone().step(bw::Input::Credentials {
                            user: u,
                            password: &password,
                        }),
                        _ => state.clone().step(bw::Input::Cancel),
                    }
                }
                bw::Event::Show { outcome } => {
                    match outcome {
                        bw::Outcome::OtherScheme(s @ (Scheme::Ntlm | Scheme::Negotiate)) => {
                            return self.windows(s, client);
                        }
                        bw::Outcome::OtherScheme(s) => self.note(
                            StepKind::Choose,
                            format!("cannot answer {}", s.name()),
                            vec![format!("The lab does not simulate {} (IIS 6 Digest needs Active Directory's reversibly stored passwords).", s.name())],
                        ),
                        bw::Outcome::BadCredentials(e) => self.note(
                            StepKind::Dialog,
                            "cannot encode the credentials".into(),
                            vec![e],
                        ),
                        _ => {}
                    }
                    if let Some(r) = last.clone() {
                        self.page(&r);
                    }
                    return;
                }
            };
            match input {
                Ok((s, e)) => {
                    state = s;
                    events.extend(e);
                }
                Err(_) => return,
            }
        }
    }

    /// Integrated Windows authentication: NTLM, in the `NTLM` or `Negotiate` header.
    fn windows(&mut self, scheme: Scheme, client: &Client) {
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
            && matches!(self.profile, Profile::Ie6 | Profile::Chromium);
        let mut detail = Vec::new();
        if scheme == Scheme::Negotiate {
            detail.push("Negotiate tries Kerberos first; this lab does not simulate a KDC, so Windows' Negotiate package takes its NTLM path and sends raw NTLMSSP tokens in the Negotiate header.".into());
        }
        let limit = self.profile.basic_attempt_limit().unwrap_or(USER_PATIENCE);
        for attempt in 1..=limit {
            if attempt > 1 || !silent {
                let mut d = std::mem::take(&mut detail);
                d.push(if attempt == 1 {
                    format!("{} asks for the credentials to use (the site is not one it logs on to silently, or nobody is logged on to Windows).", self.profile.name())
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
                    self.profile.name(),
                    creds.domain,
                    creds.user
                ));
                self.note(
                    StepKind::Dialog,
                    "silent logon with the Windows identity".into(),
                    std::mem::take(&mut detail),
                );
            }
            let Some(r) = self.handshake(scheme, &creds, attempt) else {
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

    /// One NTLM handshake: NEGOTIATE, CHALLENGE, AUTHENTICATE. Returns IIS's last answer.
    fn handshake(&mut self, scheme: Scheme, creds: &Credentials, attempt: u8) -> Option<Response> {
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let name = scheme.name();
        let (client, negotiate) = NtlmClient::new(creds.clone(), Mode::V2)
            .step(NtlmInput::Begin)
            .ok()?;
        let first = self.send(self.request(Some(format!("{name} {}", b64(&negotiate)))));
        let challenge = first
            .challenge_token()
            .and_then(|t| base64::engine::general_purpose::STANDARD.decode(t).ok());
        let Some(challenge) = challenge else {
            return Some(first);
        };
        let entropy = Entropy {
            client_challenge: [0xc1, attempt, 0x1e, 0x47, 0x0c, 0xa1, 0x1e, 0x2e],
            random_session_key: [0x40 ^ attempt; 16],
            now_filetime: 0,
        };
        Some(
            match client.step(NtlmInput::Challenge {
                bytes: &challenge,
                entropy,
            }) {
                Ok((_, auth)) => self.send(self.request(Some(format!("{name} {}", b64(&auth))))),
                Err(_) => first,
            },
        )
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
