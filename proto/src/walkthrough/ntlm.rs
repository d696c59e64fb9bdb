//! The NT Challenge/Response walkthrough: the sequence of the IIS 6 guide ("Windows NT
//! Challenge/Response protocol"), with real messages from `ntlm::client` answered by the IIS host
//! (`iis::host`), TCP connections drawn, and the failure variants the guide lists.
//!
//! ```text
//!  Browser                         IIS                              Domain controller
//!    │── GET (anonymous), conn #1 ──►│
//!    │◄─ 401.2 Negotiate, NTLM ──────│
//!    │  closes #1, opens #2          │
//!    │── Authorization: NTLM <NEGOTIATE> ──►│
//!    │◄─ 401 WWW-Authenticate: NTLM <CHALLENGE> ─│
//!    │── Authorization: NTLM <AUTHENTICATE> ────►│── pass-through (domain accounts) ──►│
//!    │                                 │◄──────────────── verdict ──────────────────│
//!    │◄─ 200 (or 401.1 / 401.2) ───────│
//! ```

use crate::browser::user_agent;
use crate::drive::{Browser, Carries, ClientSeed, Count, Event, Exchange, Pair, Seed};
use crate::http::{self, Profile, Scheme, Source};
use crate::iis::host::Host;
use crate::iis::{sites, Response};
use crate::ntlm::client::Credentials;
use crate::ntlm::server::{SEC_E_LOGON_DENIED, SEC_E_NO_AUTHENTICATING_AUTHORITY};
use crate::seq::{Lane, Step, StepKind};
use serde::Serialize;

/// What goes wrong, if anything (each from the IIS 6 guide's NTCR troubleshooting notes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Variant {
    Healthy,
    /// The user types a wrong password: 401.1.
    WrongPassword,
    /// `AllowKeepAlive` is off: every leg lands on a new connection and IIS answers 401.2.
    KeepAliveOff,
    /// A proxy that does not keep the connection point to point.
    Proxy,
    /// The account lacks "Access this computer from the network": 401.1.
    NoNetworkRight,
    /// No domain controller answers the pass-through: domain accounts fail.
    DcUnreachable,
}

impl Variant {
    pub const ALL: [Variant; 6] = [
        Variant::Healthy,
        Variant::WrongPassword,
        Variant::KeepAliveOff,
        Variant::Proxy,
        Variant::NoNetworkRight,
        Variant::DcUnreachable,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Variant::Healthy => "healthy",
            Variant::WrongPassword => "wrong-password",
            Variant::KeepAliveOff => "keep-alive-off",
            Variant::Proxy => "proxy",
            Variant::NoNetworkRight => "no-network-right",
            Variant::DcUnreachable => "dc-unreachable",
        }
    }

    pub fn from_id(s: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.id() == s)
    }

    pub fn title(self) -> &'static str {
        match self {
            Variant::Healthy => "Everything works",
            Variant::WrongPassword => "Wrong password",
            Variant::KeepAliveOff => "HTTP keep-alives disabled",
            Variant::Proxy => "A proxy that is not point to point",
            Variant::NoNetworkRight => "No \"Access this computer from the network\"",
            Variant::DcUnreachable => "Domain controller unreachable",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub variant: Variant,
    pub profile: Profile,
    /// Send the tokens in `Authorization: Negotiate` (what Internet Explorer does when Negotiate
    /// falls back to NTLM) rather than `Authorization: NTLM` (as the IIS 6 guide tells it).
    pub negotiate_header: bool,
    pub now: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    Authorized(String),
    /// The browser gave up; the last response's status.
    GaveUp {
        attempts: u8,
        status: String,
    },
    OtherScheme(String),
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Walkthrough {
    pub steps: Vec<Step>,
    pub outcome: Outcome,
    pub lanes: Vec<Lane>,
}

/// The account and the site of a variant.
fn setup(v: Variant) -> (crate::iis::Site, Credentials) {
    let mut site = sites::by_id("integrated").unwrap_or_else(fallback_site);
    let mut creds = Credentials {
        user: "bob".into(),
        domain: "CONTOSO".into(),
        password: "Builder2".into(),
        workstation: "WS01".into(),
    };
    match v {
        Variant::Healthy => {}
        Variant::Proxy => site.network = crate::iis::Network::PoolingProxy,
        Variant::WrongPassword => creds.password = "builder2".into(),
        Variant::KeepAliveOff => site.allow_keep_alive = false,
        Variant::NoNetworkRight => {
            creds.user = "carol".into();
            creds.password = "Kiosk3".into();
        }
        Variant::DcUnreachable => site.dc_reachable = false,
    }
    (site, creds)
}

/// The lab always has the "integrated" site; this keeps the driver total without it.
fn fallback_site() -> crate::iis::Site {
    sites::base(
        "integrated",
        "Integrated Windows only",
        "",
        crate::iis::AuthFlags::NTLM,
    )
}

/// The walkthrough's narration over the pair.
struct Narrator<'h> {
    pair: Pair<'h>,
    steps: Vec<Step>,
    proxy: bool,
}

impl Narrator<'_> {
    fn connection_step(&mut self, conn: u64, label: String, narration: String) {
        let mut s = Step::new(
            StepKind::Connection,
            Lane::Browser,
            Lane::Browser,
            label,
            "TCP connections",
        );
        s.narration = narration;
        s.explanation.push("NTLM authenticates a TCP connection, not a request: the CHALLENGE a connection received can only be answered on that same connection (IIS 6 guide: \"NTCR authentication requires point-to-point connection\").".into());
        s.connection = Some(conn);
        self.steps.push(s);
    }

    fn new_connection_step(&mut self, closed: u64, opened: u64, why: &str) {
        self.connection_step(
            opened,
            format!("closes #{closed}, opens #{opened}"),
            format!("{why}: the browser opens TCP connection #{opened}."),
        );
    }

    /// The browser leaves its connection for a new one, and says why.
    fn new_connection(&mut self, why: &str) {
        let (closed, opened) = self.pair.reconnect();
        self.new_connection_step(closed, opened, why);
    }

    /// The request step of an exchange.
    fn request_step(&mut self, x: &Exchange, carries: Carries, upstream: Option<u64>) {
        let conn = x.request.connection;
        // Behind the proxy IIS saw the request on a connection of the proxy's choosing.
        let via = upstream
            .map(|up| format!(" (via proxy: IIS sees connection #{up})"))
            .unwrap_or_default();
        let what = match carries {
            Carries::Other => "(anonymous)",
            Carries::Negotiate => "+ NEGOTIATE",
            Carries::Authenticate => "+ AUTHENTICATE",
        };
        let mut s = x.request_step(
            format!(
                "GET {what}, conn #{conn}{}",
                if self.proxy { " ⇢ proxy" } else { "" }
            ),
            "",
        );
        if carries != Carries::Other {
            s.token = x.request_token();
        }
        match carries {
            Carries::Other => {
                s.title = "The first request is anonymous".into();
                s.narration = format!(
                    "The browser asks for the page without credentials on connection #{conn}{via}."
                );
            }
            Carries::Negotiate => {
                s.title = "NTLM NEGOTIATE_MESSAGE".into();
                s.narration = format!("The browser sends an NTLM NEGOTIATE on connection #{conn}{via}: the flags it supports, no credentials yet.");
                s.explanation.push("Type 1 message (MS-NLMP 2.2.1.1). The IIS 6 guide: the header \"includes encoded text\" that SSPI uses to generate the challenge.".into());
            }
            Carries::Authenticate => {
                s.title = "NTLM AUTHENTICATE_MESSAGE".into();
                s.narration = format!("The browser answers the challenge with an AUTHENTICATE on connection #{conn}{via}: user, domain and the NTLMv2 response.");
                s.explanation.push("Type 3 message (MS-NLMP 2.2.1.3). The password never crosses the network: the response is an HMAC-MD5 of the server's challenge keyed with a hash of the password. Anyone who captures it can still try passwords offline: this message is credential-equivalent.".into());
            }
        }
        self.steps.push(s);
    }

    fn response_step(
        &mut self,
        x: &Exchange,
        title: &str,
        narration: String,
        explanation: &[&str],
    ) {
        let r = &x.response;
        let st = r.status_text();
        let challenge = r.header_values("WWW-Authenticate");
        let token = r.challenge_token();
        let scheme = challenge
            .first()
            .and_then(|v| v.split(' ').next())
            .unwrap_or("NTLM");
        let label = match (&token, r.status) {
            (Some(_), _) => format!("{st} + {scheme} <CHALLENGE>"),
            (None, 401) if !challenge.is_empty() => format!("{st} + {}", challenge.join(", ")),
            _ => format!("{st} {}", r.reason),
        };
        let mut s = x.response_step(label, title.into());
        s.narration = narration;
        s.explanation = explanation.iter().map(|e| e.to_string()).collect();
        s.token = token;
        self.steps.push(s);
    }

    fn backend(&mut self, creds: &Credentials, r: &Response) {
        let site = &self.pair.host.site;
        let domain_account = site
            .domain
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case(&creds.domain));
        if !domain_account {
            return;
        }
        let mut ask = Step::new(
            StepKind::Backend,
            Lane::Iis,
            Lane::DomainController,
            "pass-through: user, challenge, response",
            "Pass-through to the domain controller",
        );
        ask.narration = format!("{}\\{} is a domain account: IIS cannot check the response itself and passes it to a domain controller (Netlogon).", creds.domain, creds.user);
        ask.explanation.push("IIS 6 guide: \"If the user account is not a local Windows account on the IIS server, the data is passed on to an appropriate domain controller.\" The domain controller knows the password's hash and recomputes the response.".into());
        if r.win32_status == SEC_E_NO_AUTHENTICATING_AUTHORITY {
            ask.label = "pass-through: no domain controller answers".into();
            ask.narration =
                "IIS tries to pass the response to a domain controller, and none answers.".into();
            self.steps.push(ask);
            return;
        }
        self.steps.push(ask);
        let (label, narration) = match (r.status, r.win32_status) {
            (200, _) => ("valid: the same response", "The domain controller recomputes the response from the password hash: it matches."),
            (_, SEC_E_LOGON_DENIED) if r.trace.iter().any(|t| t.contains("network")) => {
                ("STATUS_LOGON_TYPE_NOT_GRANTED", "The password is right, but the account may not log on from the network: the domain controller refuses.")
            }
            _ => ("STATUS_WRONG_PASSWORD", "The domain controller recomputes the response: it does not match, the password is wrong."),
        };
        let mut reply = Step::new(
            StepKind::Backend,
            Lane::DomainController,
            Lane::Iis,
            label,
            "The domain controller's verdict",
        );
        reply.narration = narration.into();
        reply.status = Some(if r.status == 200 {
            "200".into()
        } else {
            "401".into()
        });
        self.steps.push(reply);
    }

    /// One handshake's legs as steps. Returns the verdict's exchange, if the AUTHENTICATE went.
    fn handshake_steps(&mut self, creds: &Credentials) -> Option<Response> {
        let mut verdict = None;
        for e in self.pair.take_events() {
            match e {
                Event::Sent {
                    exchange,
                    carries: Carries::Authenticate,
                    upstream,
                } => {
                    self.request_step(&exchange, Carries::Authenticate, upstream);
                    let r2 = &exchange.response;
                    self.backend(creds, r2);
                    let (title, narration, why): (&str, String, &str) = match (r2.status, r2.substatus) {
                        (200, _) => ("200: logged on", format!("The response is valid: IIS serves the page as {}.", r2.user.clone().unwrap_or_default()), "IIS keeps this identity for the connection (AuthPersistSingleRequest is false for NTLM)."),
                        (401, 2) => ("401.2: the handshake broke", "IIS answers 401.2: this connection never received a CHALLENGE.".into(), "IIS 6 guide: \"If a connection is broken during authentication, IIS returns a 401.2 error\"; with keep-alives off \"IIS continues to return 401.2 errors until the browser fails the authentication sequence\"."),
                        _ => ("401.1: the logon failed", format!("IIS answers 401.1: {}.", r2.trace.last().cloned().unwrap_or_default().trim_end_matches('.')), "The credentials reached IIS, and Windows refused the logon."),
                    };
                    self.response_step(&exchange, title, narration, &[why]);
                    verdict = Some(exchange.response);
                }
                Event::Sent {
                    exchange, upstream, ..
                } => {
                    self.request_step(&exchange, Carries::Negotiate, upstream);
                    self.response_step(
                        &exchange,
                        "The CHALLENGE",
                        "IIS answers 401 with a CHALLENGE: eight random bytes the browser must answer, and what the server says about itself.".into(),
                        &[
                            "Type 2 message (MS-NLMP 2.2.1.2). IIS logs this leg as 401.1 with sc-win32-status 2148074254 (SEC_E_NO_CREDENTIALS in IIS's log): the normal middle leg, not a failure (the IIS 6 guide calls it \"another 401.2 error\").",
                        ],
                    );
                }
                Event::Reconnected { closed, opened } => match &verdict {
                    None => self.new_connection_step(closed, opened, "IIS sent Connection: close (AllowKeepAlive is off), so the connection that received the CHALLENGE is gone"),
                    Some(r) if r.status != 200 => {
                        self.new_connection_step(closed, opened, "IIS closed the connection again");
                    }
                    // A 200 ends the walkthrough on its page: no new connection is drawn.
                    Some(_) => {}
                },
            }
        }
        verdict
    }
}

/// Run `scenario` to the end.
pub fn run(scenario: &Scenario) -> Walkthrough {
    let (site, creds) = setup(scenario.variant);
    let mut host = Host::new(site);
    let browser = Browser {
        profile: Profile::Ie6,
        user_agent: user_agent(Profile::Ie6).into(),
        target: "/lab/integrated/".into(),
    };
    let mut d = Narrator {
        pair: Pair::new(&mut host, browser, scenario.now, SEED),
        steps: Vec::new(),
        proxy: scenario.variant == Variant::Proxy,
    };
    let lanes = vec![Lane::Browser, Lane::Iis, Lane::DomainController];
    d.connection_step(
        1,
        "opens TCP connection #1".into(),
        "The browser opens TCP connection #1 to web01.contoso.com.".into(),
    );
    let first = d.pair.send(d.pair.request(None));
    // Keep-alives off: IIS already closed connection #1.
    let mut closed_first = None;
    for e in d.pair.take_events() {
        if let Event::Reconnected { closed, opened } = e {
            closed_first = Some((closed, opened));
        } else if let Event::Sent {
            exchange, upstream, ..
        } = e
        {
            d.request_step(&exchange, Carries::Other, upstream);
            let offered = first.header_values("WWW-Authenticate").join(", ");
            d.response_step(
                &exchange,
                "401.2 and the list of schemes",
                format!("IIS answers 401.2 and offers: {offered}."),
                &["Anonymous access is off, so the first, anonymous request is refused with 401.2 and the enabled schemes (IIS 6 guide, step 1). This 401.2 is normal."],
            );
        }
    }
    // The browser chooses.
    let source = Source::from_values(&first.header_values("WWW-Authenticate"));
    let parsed = http::parse(&source);
    let choice = scenario.profile.choose(&source, &parsed);
    let picked = choice.chosen_seen().and_then(|s| s.kind);
    let mut choose = Step::new(
        StepKind::Choose,
        Lane::Browser,
        Lane::Browser,
        format!("picks {}", picked.map_or("nothing", Scheme::name)),
        "The browser picks a scheme",
    );
    choose.explanation = choice.reasons.clone();
    if picked == Some(Scheme::Negotiate) {
        choose.explanation.push("Negotiate would first try Kerberos; with no service ticket for this site it falls back to NTLM (the Kerberos walkthrough shows the other path).".into());
    }
    choose.narration = format!(
        "{} picks {}; the handshake below is NTLM.",
        scenario.profile.name(),
        picked.map_or("nothing", Scheme::name)
    );
    d.steps.push(choose);
    if !matches!(picked, Some(Scheme::Ntlm | Scheme::Negotiate)) {
        let outcome = Outcome::OtherScheme(picked.map_or("nothing".into(), |k| k.name().into()));
        return Walkthrough {
            steps: d.steps,
            outcome,
            lanes,
        };
    }
    let scheme = if scenario.negotiate_header {
        Scheme::Negotiate
    } else {
        Scheme::Ntlm
    };
    let why = "The NTCR exchange starts on a fresh connection (IIS 6 guide: \"The client closes the TCP connection, opens a new one\")";
    match closed_first {
        Some((closed, opened)) => d.new_connection_step(closed, opened, why),
        None => d.new_connection(why),
    }

    let limit: u8 = if scenario.profile == Profile::Ie6 {
        3
    } else {
        2
    };
    let mut last = first;
    for attempt in 1..=limit {
        if attempt > 1 {
            let mut dialog = Step::new(
                StepKind::Dialog,
                Lane::Browser,
                Lane::Browser,
                format!("credential dialog, attempt {attempt} of {limit}"),
                "The browser asks for credentials",
            );
            dialog.narration = format!("The logon failed: the browser asks for a user name and password (attempt {attempt} of {limit}) and starts the handshake again.");
            dialog.explanation.push("In the Intranet zone Internet Explorer first logs on silently with the Windows identity; when that fails it prompts, three times in all (KB 871179), then shows the 401.1 page.".into());
            dialog.attempt = Some((attempt, Some(limit)));
            d.steps.push(dialog);
        }
        let Some(r) = d.pair.handshake(scheme, &creds, attempt) else {
            break;
        };
        let verdict = d.handshake_steps(&creds);
        if verdict.is_some() && r.status == 200 {
            let user = r.user.clone().unwrap_or_default();
            let mut page = Step::new(
                StepKind::Page,
                Lane::Browser,
                Lane::Browser,
                "shows the page",
                "Logged on",
            );
            page.narration = format!("The browser shows the page, logged on as {user}.");
            page.status = Some("200".into());
            page.http = Some(r.body.clone());
            d.steps.push(page);
            return Walkthrough {
                steps: d.steps,
                outcome: Outcome::Authorized(user),
                lanes,
            };
        }
        last = r;
    }
    let status = last.status_text();
    let mut page = Step::new(
        StepKind::Page,
        Lane::Browser,
        Lane::Browser,
        format!("shows the {status} error page"),
        "The browser gives up",
    );
    page.narration = format!(
        "After {limit} failed handshakes {} stops and shows IIS's {status} page.",
        scenario.profile.name()
    );
    let (_, heading) = crate::iis::pages::error_401_text(last.substatus);
    page.explanation
        .push(format!("The page reads: \"{heading}\""));
    page.status = Some(status.clone());
    page.http = Some(last.body.clone());
    d.steps.push(page);
    Walkthrough {
        steps: d.steps,
        outcome: Outcome::GaveUp {
            attempts: limit,
            status,
        },
        lanes,
    }
}

/// The walkthrough's random bytes: IIS's challenge varies with the attempt.
const SEED: Seed = Seed {
    server: [0x5a, 0, 0x13, 0x37, 0xc0, 0xff, 0xee, 0x01],
    count: Count::Attempts,
    client: ClientSeed::PerAttempt,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(v: Variant) -> Walkthrough {
        run(&Scenario {
            variant: v,
            profile: Profile::Ie6,
            negotiate_header: false,
            now: 1_795_761_633,
        })
    }

    fn statuses(w: &Walkthrough) -> Vec<String> {
        w.steps
            .iter()
            .filter(|s| s.kind == StepKind::Response)
            .filter_map(|s| s.status.clone())
            .collect()
    }

    #[test]
    fn healthy_follows_the_guide_and_ends_on_200() {
        let w = walk(Variant::Healthy);
        assert_eq!(w.outcome, Outcome::Authorized("CONTOSO\\bob".into()));
        assert_eq!(statuses(&w), ["401.2", "401.1", "200"]);
        let kinds: Vec<StepKind> = w.steps.iter().map(|s| s.kind).collect();
        use StepKind::*;
        assert_eq!(
            kinds,
            [
                Connection, Request, Response, Choose, Connection, Request, Response, Request,
                Backend, Backend, Response, Page
            ]
        );
        // Every token is a real message that decodes.
        for s in w.steps.iter().filter(|s| s.token.is_some()) {
            let d = crate::decode::decode(&format!("NTLM {}", s.token.clone().unwrap_or_default()));
            assert!(d.error.is_none() && d.ntlm.is_some(), "{}", s.label);
        }
        // The NTLM legs share connection #2.
        let conns: Vec<Option<u64>> = w
            .steps
            .iter()
            .filter(|s| s.kind == Request)
            .map(|s| s.connection)
            .collect();
        assert_eq!(conns, [Some(1), Some(2), Some(2)]);
    }

    #[test]
    fn wrong_password_ends_on_401_1_after_three_attempts() {
        let w = walk(Variant::WrongPassword);
        assert_eq!(
            w.outcome,
            Outcome::GaveUp {
                attempts: 3,
                status: "401.1".into()
            }
        );
        assert_eq!(
            w.steps
                .iter()
                .filter(|s| s.label == "STATUS_WRONG_PASSWORD")
                .count(),
            3
        );
    }

    #[test]
    fn keep_alive_off_keeps_answering_401_2() {
        let w = walk(Variant::KeepAliveOff);
        assert_eq!(
            w.outcome,
            Outcome::GaveUp {
                attempts: 3,
                status: "401.2".into()
            }
        );
        assert!(statuses(&w).iter().filter(|s| *s == "401.2").count() >= 3);
    }

    #[test]
    fn a_proxy_that_is_not_point_to_point_breaks_the_handshake() {
        let w = walk(Variant::Proxy);
        assert_eq!(
            w.outcome,
            Outcome::GaveUp {
                attempts: 3,
                status: "401.2".into()
            }
        );
    }

    #[test]
    fn no_network_right_and_dc_unreachable_are_401_1() {
        let w = walk(Variant::NoNetworkRight);
        assert_eq!(
            w.outcome,
            Outcome::GaveUp {
                attempts: 3,
                status: "401.1".into()
            }
        );
        assert!(w
            .steps
            .iter()
            .any(|s| s.label == "STATUS_LOGON_TYPE_NOT_GRANTED"));
        let w = walk(Variant::DcUnreachable);
        assert_eq!(
            w.outcome,
            Outcome::GaveUp {
                attempts: 3,
                status: "401.1".into()
            }
        );
        assert!(w
            .steps
            .iter()
            .any(|s| s.label.contains("no domain controller answers")));
    }

    #[test]
    fn negotiate_header_carries_ntlmssp() {
        let w = run(&Scenario {
            variant: Variant::Healthy,
            profile: Profile::Ie6,
            negotiate_header: true,
            now: 0,
        });
        assert!(w.steps.iter().any(|s| s
            .http
            .as_deref()
            .is_some_and(|h| h.contains("Authorization: Negotiate TlRMTVNTUAAB"))));
        assert!(matches!(w.outcome, Outcome::Authorized(_)));
    }
}
