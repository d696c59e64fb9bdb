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
//!               ├─ NTLM/Negotiate ─► http::integrated decides from the browser, its OS, the
//!               │                host's zone or allowlist and the logon: silent logon, a
//!               │                dialog, or the next scheme; NEGOTIATE / CHALLENGE /
//!               │                AUTHENTICATE on the same keep-alive connection; after a
//!               │                failure a dialog (IE: three, then 401.1; others until Cancel)
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
use crate::browser::user_agent_on;
use crate::http::integrated::{self, Credentials as Logs, Logon, Os, Policy, Setup};
use crate::http::{Choice, Profile, Scheme};
use crate::iis::host::Host;
use crate::iis::scenarios::Client;
use crate::iis::{Response, Site};
use crate::ntlm::client::Credentials;
use crate::seq::{Lane, Step, StepKind, Why};

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
        /// The rules behind it, with their sources.
        why: Vec<Why>,
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
                    why,
                } => {
                    let mut s = Step::new(*kind, Lane::Browser, Lane::Browser, label, label);
                    s.explanation = detail.clone();
                    s.why = why.clone();
                    out.push(s);
                }
            }
        }
        out
    }
}

/// Where the browser runs and how it reaches the site: what decides Integrated Windows
/// authentication besides the profile (see `http::integrated`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Env {
    pub os: Os,
    /// The URL names the server by its fully qualified name (`web01.contoso.com`) rather than
    /// its NetBIOS name (`web01`): Internet Explorer's Internet zone instead of Local intranet.
    pub by_fqdn: bool,
    pub policy: Policy,
}

impl Env {
    /// Each browser's defaults, on the intranet of the IIS 6 guide (the server by its NetBIOS
    /// name): Internet Explorer 6 on Windows XP; Chromium and Firefox on Linux, as their user
    /// agents say.
    pub fn defaults(profile: Profile) -> Env {
        Env {
            os: if profile == Profile::Ie6 {
                Os::Windows
            } else {
                Os::Linux
            },
            by_fqdn: false,
            policy: Policy::default(),
        }
    }

    /// The host name the URL uses for `site`.
    pub fn host_name(&self, site: &Site) -> String {
        if self.by_fqdn || site.host.is_empty() {
            site.host.clone()
        } else {
            site.machine.to_ascii_lowercase()
        }
    }
}

/// Send a request for `path` to `host` as `via` sends it, for `client`, with each browser's
/// defaults ([`Env::defaults`]).
pub fn visit(host: &mut Host, path: &str, client: &Client, via: Via, now: i64) -> Visit {
    let env = match via {
        Via::Direct => Env::defaults(Profile::Rfc),
        Via::Browser(p) => Env::defaults(p),
    };
    visit_in(host, path, client, via, &env, now)
}

/// [`visit`] with the browser's environment given.
pub fn visit_in(
    host: &mut Host,
    path: &str,
    client: &Client,
    via: Via,
    env: &Env,
    now: i64,
) -> Visit {
    let (profile, ua) = match via {
        Via::Direct => (Profile::Rfc, DIRECT_USER_AGENT),
        Via::Browser(p) => (p, user_agent_on(p, env.os)),
    };
    let browser = Browser {
        profile,
        user_agent: ua.into(),
        target: format!("/lab/{}{}", host.site.id, path),
    };
    let host_name = env.host_name(&host.site);
    let mut pair = Pair::new(host, browser, now, Seed::LAB);
    pair.browser.host = host_name.clone();
    if profile != Profile::Ie6 {
        pair.client_os = crate::ntlm::client::ClientOs::TODAY;
    }
    let setup = Setup {
        profile,
        os: env.os,
        host: host_name,
        // The lab simulates no KDC: a domain user holds no ticket for the site (assumed).
        logon: match client {
            Client::Ntlm { .. } => Logon::Domain { ticket: false },
            _ => Logon::Local,
        },
        policy: env.policy.clone(),
    };
    let mut d = Lab {
        pair,
        legs: Vec::new(),
        setup,
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

/// Why the lab's user cancels a dialog: no credentials, or `patience` tries spent.
fn cancels(has_credentials: bool, patience: u8) -> String {
    if has_credentials {
        format!("The lab's user gives up after {patience} tries and cancels.")
    } else {
        "The user has no credentials and cancels.".into()
    }
}

fn reconnected_leg(closed: u64, opened: u64) -> Leg {
    Leg::Browser {
        kind: StepKind::Connection,
        label: format!("opens connection #{opened}"),
        detail: vec![format!(
            "The response closed connection #{closed}: the next request goes on #{opened}."
        )],
        why: Vec::new(),
    }
}

/// A visit's narration over the pair.
struct Lab<'h> {
    pair: Pair<'h>,
    legs: Vec<Leg>,
    setup: Setup,
}

impl Lab<'_> {
    fn note(&mut self, kind: StepKind, label: String, detail: Vec<String>) {
        self.legs.push(Leg::Browser {
            kind,
            label,
            detail,
            why: Vec::new(),
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
        let mut chose: Option<Choice> = None;
        let mut legs = std::mem::take(&mut self.legs);
        let note = |legs: &mut Vec<Leg>, kind, label, detail| {
            legs.push(Leg::Browser {
                kind,
                label,
                detail,
                why: Vec::new(),
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
                    chose = Some(choice.clone());
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
                        detail.push(cancels(user.is_some(), patience));
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
            Outcome::OtherScheme(Scheme::Ntlm | Scheme::Negotiate) => {
                if let Some(choice) = chose {
                    self.windows(&choice, client);
                }
            }
            // Stopped by an input the browser did not expect (never, in practice): no page.
            Outcome::OtherStatus(0) => {}
            _ => {
                if let Some(r) = last {
                    self.page(&r);
                }
            }
        }
    }

    /// Integrated Windows authentication, as `http::integrated` decides it: NTLM in the
    /// `NTLM` or `Negotiate` header, silently or after a dialog, on the same connection.
    fn windows(&mut self, choice: &Choice, client: &Client) {
        let profile = self.pair.browser.profile;
        let d = integrated::decide(&self.setup, choice);
        self.legs.push(Leg::Browser {
            kind: StepKind::Choose,
            label: match (d.scheme, d.credentials) {
                (Some(s), Some(Logs::Silent)) => format!("uses {} silently", s.name()),
                (Some(s), _) => format!("uses {} after a dialog", s.name()),
                (None, _) => "no integrated scheme it can use".into(),
            },
            detail: d
                .skipped
                .iter()
                .map(|s| format!("Skips {} without a prompt.", s.name()))
                .collect(),
            why: d.whys(),
        });
        let Some(scheme) = d.scheme else {
            if let Some(r) = self.last_response() {
                self.page(&r);
            }
            return;
        };
        if d.mechanism == Some(integrated::Mechanism::Kerberos) {
            self.note(
                StepKind::Choose,
                "Kerberos: see the Kerberos walkthrough".into(),
                vec!["This lab simulates no KDC (assumed: no ticket for the site), so the handshake below is NTLM; the Kerberos walkthrough shows the Kerberos path.".into()],
            );
        }
        let typed = windows_credentials(client);
        // A silent logon needs a domain user logged on to Windows (the lab's NTLM client).
        let mut silent =
            d.credentials == Some(Logs::Silent) && matches!(client, Client::Ntlm { .. });
        let limit = d.prompt_limit;
        let patience = limit.unwrap_or(USER_PATIENCE);
        let mut prompts = 0u8;
        let mut attempt = 0u8;
        loop {
            let creds = if silent {
                silent = false;
                let Some(c) = typed.clone() else { break };
                self.note(
                    StepKind::Dialog,
                    "silent logon with the Windows identity".into(),
                    vec![format!(
                        "{} logs on as {}\\{} without asking.",
                        profile.name(),
                        c.domain,
                        c.user
                    )],
                );
                c
            } else {
                prompts += 1;
                let gives_up = typed.is_none() || prompts > patience;
                let mut detail = vec![match limit {
                    Some(l) => format!("Dialog {prompts} of {l}: after {l} dialogs Internet Explorer shows the error page (observed; KB 871179 documents it for Kerberos)."),
                    None => format!("Dialog {prompts}: {} asks again after every failed logon; only the user's Cancel ends it.", profile.name()),
                }];
                if gives_up {
                    detail.push(cancels(typed.is_some(), patience));
                }
                self.note(
                    StepKind::Dialog,
                    format!("credential dialog, attempt {prompts}"),
                    detail,
                );
                match (&typed, gives_up) {
                    (Some(c), false) => c.clone(),
                    _ => break,
                }
            };
            attempt = attempt.saturating_add(1);
            let r = self.pair.handshake(scheme, &creds, attempt);
            self.record();
            let Some(r) = r else {
                break;
            };
            if r.status != 401 {
                self.page(&r);
                return;
            }
            if limit.is_some_and(|l| prompts >= l) {
                self.note(
                    StepKind::Page,
                    format!("gives up after {prompts} dialogs"),
                    vec![format!(
                        "IIS answered {} every time; Internet Explorer stops and shows the error page (observed; KB 871179 documents it for Kerberos).",
                        r.status_text()
                    )],
                );
                break;
            }
        }
        if let Some(r) = self.last_response() {
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
