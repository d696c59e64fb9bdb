//! The NT Challenge/Response walkthrough: the sequence of the IIS 6 guide ("Windows NT
//! Challenge/Response protocol"), with real messages from `ntlm::client` answered by the IIS host
//! (`iis::host`), TCP connections drawn, the failure variants the guide lists, and the Security
//! event log entries each logon writes. What the browser does (silent logon, dialogs, which
//! header, how many tries) is `http::integrated`'s decision; which NTLM the messages carry is
//! the era's (Windows XP and Server 2003, or today's Windows).
//!
//! ```text
//!  Browser                         IIS                              Domain controller
//!    │── GET (anonymous), conn #1 ──►│
//!    │◄─ 401.2 NTLM (or Negotiate, NTLM)
//!    │  decides: silent logon, a dialog, or another scheme (http::integrated)
//!    │── Authorization: NTLM <NEGOTIATE>, same conn ──►│
//!    │◄─ 401 WWW-Authenticate: NTLM <CHALLENGE> ─│
//!    │── Authorization: NTLM <AUTHENTICATE> ────►│── pass-through (domain accounts) ──►│
//!    │                                 │◄──────────────── verdict ──────────────────│
//!    │◄─ 200 (or 401.1 / 401.2) ───────│  (the IIS computer checks the logon right)
//!    │  after a failure: a dialog (IE: three, then 401.1; others until Cancel)
//! ```

use crate::browser::user_agent_on;
use crate::drive::{Browser, Carries, ClientSeed, Count, Event, Exchange, Pair, Seed};
use crate::http::integrated::{self, Credentials as Logs, Decision, Logon, Os, Setup};
use crate::http::{self, Profile, Scheme, Source};
use crate::iis::audit::Failure;
use crate::iis::host::{Host, ServerOs};
use crate::iis::{sites, Response};
use crate::ntlm::client::{ClientOs, Credentials, WINDOWS_11, WINDOWS_XP};
use crate::seq::{Lane, Step, StepKind};
use serde::Serialize;

/// What goes wrong, if anything (each from the IIS 6 guide's NTCR troubleshooting notes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Variant {
    Healthy,
    /// The user is logged on to Windows with an account IIS cannot use and types a wrong
    /// password in the dialogs: 401.1.
    WrongPassword,
    /// `AllowKeepAlive` is off: every leg lands on a new connection and IIS answers 401.2.
    KeepAliveOff,
    /// A proxy that does not keep the connection point to point.
    Proxy,
    /// The account lacks "Access this computer from the network" on the IIS computer: 401.1.
    NoNetworkRight,
    /// No domain controller answers the pass-through: domain accounts fail.
    DcUnreachable,
    /// The account is locked out: Windows refuses it whatever the protocol (401.1).
    LockedOut,
}

impl Variant {
    pub const ALL: [Variant; 7] = [
        Variant::Healthy,
        Variant::WrongPassword,
        Variant::KeepAliveOff,
        Variant::Proxy,
        Variant::NoNetworkRight,
        Variant::DcUnreachable,
        Variant::LockedOut,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Variant::Healthy => "healthy",
            Variant::WrongPassword => "wrong-password",
            Variant::KeepAliveOff => "keep-alive-off",
            Variant::Proxy => "proxy",
            Variant::NoNetworkRight => "no-network-right",
            Variant::DcUnreachable => "dc-unreachable",
            Variant::LockedOut => "locked-out",
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
            Variant::LockedOut => "Account locked out",
        }
    }
}

/// Which Windows the client and the server run: what the NTLM messages look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Era {
    /// Windows XP (LmCompatibilityLevel 0: LM and NTLMv1) against Windows Server 2003 (no
    /// MsvAvTimestamp, so no MIC): what the guide's readers saw.
    Y2003,
    /// Windows 11 (level 3: NTLMv2) against Windows Server 2022 (MsvAvTimestamp, so a MIC).
    Today,
}

impl Era {
    pub const ALL: [Era; 2] = [Era::Y2003, Era::Today];
    pub fn id(self) -> &'static str {
        match self {
            Era::Y2003 => "2003",
            Era::Today => "today",
        }
    }
    pub fn from_id(s: &str) -> Option<Era> {
        Era::ALL.into_iter().find(|e| e.id() == s)
    }
    pub fn title(self) -> &'static str {
        match self {
            Era::Y2003 => "2003: Windows XP and Windows Server 2003",
            Era::Today => "Today: Windows 11 and Windows Server 2022",
        }
    }
    /// The client's default LmCompatibilityLevel (Microsoft, "Network security: LAN Manager
    /// authentication level": Windows XP sends LM and NTLM responses; Vista and later NTLMv2
    /// only).
    pub fn default_level(self) -> u8 {
        match self {
            Era::Y2003 => 0,
            Era::Today => 3,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub variant: Variant,
    pub profile: Profile,
    /// The browser's OS (Internet Explorer 6 is always on Windows).
    pub os: Os,
    /// The URL names the server `web01.contoso.com` rather than `web01`: Internet Explorer's
    /// Internet zone instead of Local intranet.
    pub by_fqdn: bool,
    /// IIS offers `Negotiate, NTLM` (NTAuthenticationProviders' default) rather than `NTLM`
    /// alone (the guide's NTCR story).
    pub offer_negotiate: bool,
    pub era: Era,
    /// The client's LmCompatibilityLevel; `None`: the era's default.
    pub level: Option<u8>,
    pub now: i64,
}

impl Scenario {
    /// The guide's setting: Internet Explorer 6 on Windows XP browsing `http://web01/` (Local
    /// intranet), IIS 6 offering NTLM.
    pub fn guide(variant: Variant, now: i64) -> Scenario {
        Scenario {
            variant,
            profile: Profile::Ie6,
            os: Os::Windows,
            by_fqdn: false,
            offer_negotiate: false,
            era: Era::Y2003,
            level: None,
            now,
        }
    }

    /// The Windows the browser's NTLM speaks as. Chromium and Firefox off Windows use their own
    /// NTLMv2 code (Chromium `ntlm_client.cc`, Firefox `nsNTLMAuthModule.cpp`); its version
    /// field is modelled as Windows 11's (assumed).
    pub fn client_os(&self) -> ClientOs {
        let windows = self.os == Os::Windows || self.profile == Profile::Ie6;
        match (windows, self.era) {
            (true, Era::Y2003) => ClientOs {
                version: WINDOWS_XP,
                level: self.level.unwrap_or(0),
            },
            (true, Era::Today) => ClientOs {
                version: WINDOWS_11,
                level: self.level.unwrap_or(3),
            },
            (false, _) => ClientOs {
                version: WINDOWS_11,
                level: 3,
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    Authorized(String),
    /// The browser gave up after `attempts` handshakes; the last response's status.
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
    /// The URL the browser asked for.
    pub url: String,
}

/// Who sits at the browser.
struct People {
    /// The identity Windows logs on with silently.
    logged_on: Credentials,
    /// What the user types in a dialog.
    typed: Credentials,
}

/// The site and the people of a variant.
fn setup(v: Variant, offer_negotiate: bool) -> (crate::iis::Site, People) {
    let mut site = sites::by_id("integrated").unwrap_or_else(fallback_site);
    site.nt_auth_providers = if offer_negotiate {
        vec!["Negotiate".into(), "NTLM".into()]
    } else {
        vec!["NTLM".into()]
    };
    // The guide's advice, followed: failures are audited too.
    site.audit.failure = true;
    let bob = Credentials {
        user: "bob".into(),
        domain: "CONTOSO".into(),
        password: "Builder2".into(),
        workstation: "WS01".into(),
    };
    let mut p = People {
        logged_on: bob.clone(),
        typed: bob,
    };
    match v {
        Variant::Healthy => {}
        Variant::Proxy => site.network = crate::iis::Network::PoolingProxy,
        Variant::WrongPassword => {
            // Logged on to the workstation's own account, which IIS does not know.
            p.logged_on.domain = "WS01".into();
            p.typed.password = "builder2".into();
        }
        Variant::KeepAliveOff => site.allow_keep_alive = false,
        Variant::NoNetworkRight => {
            for c in [&mut p.logged_on, &mut p.typed] {
                c.user = "carol".into();
                c.password = "Kiosk3".into();
            }
        }
        Variant::DcUnreachable => site.dc_reachable = false,
        Variant::LockedOut => {
            for a in site.accounts.iter_mut().filter(|a| a.user == "bob") {
                a.locked_out = true;
            }
        }
    }
    (site, p)
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

const GUIDE_NEW_CONNECTION: &str = "\"The client closes the TCP connection, opens a new one, and sends a request that includes an Authorization: NTLM header. This header also includes encoded text that represents the users UserName, ComputerName, and Domain.\"";
const GUIDE_DC_CHALLENGE: &str = "\"If the user account is not a local Windows account on the IIS server, the data is passed on to an appropriate domain controller, which then generates the challenge.\" And: \"The challenge is sent to the client and IIS returns another 401.2 error.\"";

/// The walkthrough's narration over the pair.
struct Narrator<'h> {
    pair: Pair<'h>,
    steps: Vec<Step>,
    proxy: bool,
    guide_told: bool,
    guide_told_challenge: bool,
    /// The browser's own NTLM code (Chromium or Firefox off Windows), whose VERSION field is
    /// modelled as Windows 11's.
    own_ntlm: bool,
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
                s.explanation.push("Type 1 message (MS-NLMP 2.2.1.1): the NegotiateFlags, and optionally the domain and workstation names; no user name (that comes in the AUTHENTICATE).".into());
                if !self.guide_told {
                    self.guide_told = true;
                    s.guide_says(
                        GUIDE_NEW_CONNECTION,
                        "The browser keeps the keep-alive connection that carried the anonymous 401 and sends the NEGOTIATE on it: NTLM authenticates that connection. The NEGOTIATE holds flags and at most the domain and workstation names; the user name is only in the AUTHENTICATE.",
                        "Chromium net/http/http_network_transaction.cc (DidDrainBodyForAuthRestart reuses the socket); MS-NTHT 2.1; MS-NLMP 2.2.1.1 and 2.2.1.3",
                    );
                }
            }
            Carries::Authenticate => {
                s.title = "NTLM AUTHENTICATE_MESSAGE".into();
                let kind = auth_kind(x);
                s.narration = format!("The browser answers the challenge with an AUTHENTICATE on connection #{conn}{via}: user, domain, workstation and the {kind}.");
                s.explanation.push(format!("Type 3 message (MS-NLMP 2.2.1.3), {kind} (the client's LmCompatibilityLevel decides; MS-NLMP 3.3.1, 3.3.2). The password never crosses the network: the response is computed from the server's one-time challenge and a hash of the password."));
                s.explanation.push("It cannot be replayed later (the challenge is single-use, MS-NLMP 3.2.5.1.1), but it can be relayed while the challenge is fresh, and anyone who captures it can try passwords offline: LM and NTLMv1 responses fall fastest.".into());
                if self.own_ntlm {
                    s.because("The browser's own NTLM code sends NTLMv2; the VERSION field it carries here is Windows 11's, a stand-in.", "Chromium net/ntlm/ntlm_client.cc; Firefox security/manager/ssl/nsNTLMAuthModule.cpp", "assumed");
                }
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
        let failure = r.logon.as_ref().and_then(|a| a.result.err());
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
        ask.because(
            "The IIS computer passes the user name, its challenge and the client's response to a domain controller over Netlogon, which validates them.",
            "MS-APDS 3.1.5.2 (NTLM network logon: pass-through to the domain controller); MS-NLMP 3.2.5",
            "documented",
        );
        if failure == Some(Failure::NoLogonServers) {
            ask.label = "pass-through: no domain controller answers".into();
            ask.narration =
                "IIS tries to pass the response to a domain controller, and none answers.".into();
            self.steps.push(ask);
            return;
        }
        self.steps.push(ask);
        let valid = matches!(failure, None | Some(Failure::LogonType));
        let (label, narration) = match failure {
            None | Some(Failure::LogonType) => (
                "valid: the same response".to_string(),
                "The domain controller recomputes the response from the password hash: it matches."
                    .to_string(),
            ),
            Some(f) => (
                f.status_name().to_string(),
                format!("The domain controller refuses: {}.", f.meaning()),
            ),
        };
        let mut reply = Step::new(
            StepKind::Backend,
            Lane::DomainController,
            Lane::Iis,
            label,
            "The domain controller's verdict",
        );
        reply.narration = narration;
        reply.explanation.push(if valid {
            "IIS passed the user and domain names, its challenge and the client's response to the domain controller over the Netlogon secure channel (pass-through authentication). The domain controller holds the account's password hash: it computed the response the user should have sent for that challenge and found the same one. It answers \"valid\" with the account's identity and groups, from which the IIS computer builds the user's logon; neither the password nor its hash crosses to IIS.".to_string()
        } else {
            "IIS passed the user and domain names, its challenge and the client's response to the domain controller over the Netlogon secure channel (pass-through authentication). The domain controller refuses with a status code; IIS turns it into 401.1, and the code is the one the W3C log's sc-win32-status and the Security log's event show.".to_string()
        });
        reply.because(
            "A member server validates a domain account's NTLM logon by passing it to a domain controller (NTLM pass-through over Netlogon), which checks the response against the account's stored hash.",
            "MS-APDS (NTLM pass-through authentication), MS-NRPC NetrLogonSamLogonEx; MS-NLMP 3.2.5.1.2",
            "documented",
        );
        reply.status = Some(if valid { "valid" } else { "refused" }.into());
        self.steps.push(reply);
        if failure == Some(Failure::LogonType) {
            let mut local = Step::new(
                StepKind::Backend,
                Lane::Iis,
                Lane::Iis,
                "STATUS_LOGON_TYPE_NOT_GRANTED",
                "The IIS computer checks the logon right",
            );
            local.narration = format!("The credentials are valid, but {}\\{} lacks \"Access this computer from the network\" on {}: Windows on the IIS computer refuses the network logon.", creds.domain, creds.user, self.pair.host.site.machine);
            local.because(
                "User rights are assigned per computer: the logon right is checked by the computer being logged on to (the IIS server) when it builds the token, after the domain controller validated the credentials.",
                "IIS 6 guide, NTCR \"Security privileges\"; Windows Server 2003 \"User Rights Assignment\"",
                "documented",
            );
            self.steps.push(local);
        }
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
                            "Type 2 message (MS-NLMP 2.2.1.2). IIS logs this leg as 401.1 with sc-win32-status 2148074254 (0x8009030E, SEC_E_NO_CREDENTIALS): the normal middle leg, not a failure.",
                        ],
                    );
                    if let Some(s) = self.steps.last_mut() {
                        if !self.guide_told_challenge {
                            s.guide_says(
                                GUIDE_DC_CHALLENGE,
                                "The IIS computer's NTLM package makes the challenge itself; a domain controller sees only the AUTHENTICATE's response, in the pass-through validation. IIS 6 logs this middle leg as 401 1 2148074254, not 401.2.",
                                "MS-NLMP 3.2.5 (the server generates ServerChallenge); MS-APDS 3.1.5.2; David Wang, \"HOWTO: Diagnose 401.x HTTP errors on IIS\"",
                            );
                        }
                    }
                    self.guide_told_challenge = true;
                }
                Event::Reconnected { closed, opened } => match &verdict {
                    None => self.new_connection_step(closed, opened, "IIS sent Connection: close (AllowKeepAlive is off), so the connection that received the CHALLENGE is gone"),
                    Some(r) if r.status != 200 => {
                        self.new_connection_step(closed, opened, "IIS closed the connection");
                    }
                    // A 200 ends the walkthrough on its page: no new connection is drawn.
                    Some(_) => {}
                },
            }
        }
        verdict
    }
}

/// What the AUTHENTICATE of `x` carries: "LMv1 and NTLMv1 responses", "NTLMv2 response"…
fn auth_kind(x: &Exchange) -> String {
    use base64::Engine;
    let bytes = x
        .request_token()
        .and_then(|t| base64::engine::general_purpose::STANDARD.decode(t).ok())
        .unwrap_or_default();
    match crate::ntlm::decode(&bytes).message {
        Some(crate::ntlm::Message::Authenticate(a)) => {
            use crate::ntlm::ResponseKind as K;
            match (a.lm_kind, a.nt_kind) {
                (K::LmV1, K::NtlmV1) => "LM and NTLMv1 responses".into(),
                (_, K::NtlmV1Ess) => "NTLMv1 response with NTLM2 session security".into(),
                (_, K::NtlmV1) => "NTLMv1 response (repeated in the LM field)".into(),
                (_, K::NtlmV2) if a.mic.is_some() => "NTLMv2 response and a MIC".into(),
                (_, K::NtlmV2) => "NTLMv2 and LMv2 responses".into(),
                (_, k) => format!("{} response", k.name()),
            }
        }
        _ => "response".into(),
    }
}

/// Run `scenario` to the end.
pub fn run(scenario: &Scenario) -> Walkthrough {
    let (mut site, people) = setup(scenario.variant, scenario.offer_negotiate);
    let profile = scenario.profile;
    let os = if profile == Profile::Ie6 {
        Os::Windows
    } else {
        scenario.os
    };
    let host_name = if scenario.by_fqdn {
        site.host.clone()
    } else {
        site.machine.to_ascii_lowercase()
    };
    site.audit.failure = true;
    let url = format!("http://{host_name}/lab/integrated/");
    let mut host = Host::new(site);
    host.server_os = match scenario.era {
        Era::Y2003 => ServerOs::Server2003,
        Era::Today => ServerOs::Server2022,
    };
    let browser = Browser {
        profile,
        user_agent: user_agent_on(profile, os).into(),
        target: "/lab/integrated/".into(),
    };
    let mut pair = Pair::new(&mut host, browser, scenario.now, SEED);
    pair.browser.host = host_name.clone();
    pair.client_os = scenario.client_os();
    let mut d = Narrator {
        pair,
        steps: Vec::new(),
        proxy: scenario.variant == Variant::Proxy,
        guide_told: false,
        guide_told_challenge: false,
        own_ntlm: os != Os::Windows,
    };
    let lanes = vec![Lane::Browser, Lane::Iis, Lane::DomainController];
    d.connection_step(
        1,
        "opens TCP connection #1".into(),
        format!("The browser opens TCP connection #1 to {host_name}."),
    );
    let first = d.pair.send(d.pair.request(None));
    for e in d.pair.take_events() {
        match e {
            Event::Sent {
                exchange, upstream, ..
            } => {
                d.request_step(&exchange, Carries::Other, upstream);
                let offered = first.header_values("WWW-Authenticate").join(", ");
                d.response_step(
                    &exchange,
                    "401.2 and the list of schemes",
                    format!("IIS answers 401.2 and offers: {offered}."),
                    &["Anonymous access is off, so the first, anonymous request is refused with 401.2 and the enabled schemes (IIS 6 guide, step 1). This 401.2 is normal."],
                );
            }
            // Keep-alives off: IIS already closed connection #1.
            Event::Reconnected { closed, opened } => d.new_connection_step(
                closed,
                opened,
                "IIS sent Connection: close (AllowKeepAlive is off)",
            ),
        }
    }
    // The browser chooses, then decides how (http::integrated).
    let source = Source::from_values(&first.header_values("WWW-Authenticate"));
    let parsed = http::parse(&source);
    let choice = profile.choose(&source, &parsed);
    let setup = Setup {
        profile,
        os,
        host: host_name,
        // This walkthrough is NTLM's: Kerberos is assumed not to work for the site.
        logon: if scenario.variant == Variant::WrongPassword {
            Logon::Local
        } else {
            Logon::Domain { ticket: false }
        },
        policy: integrated::Policy::default(),
    };
    let decision = integrated::decide(&setup, &choice);
    d.steps.push(choose_step(&choice, &decision, scenario));
    let Some(scheme) = decision.scheme else {
        let picked = choice.chosen_seen().and_then(|s| s.kind);
        return Walkthrough {
            steps: d.steps,
            outcome: Outcome::OtherScheme(picked.map_or("nothing".into(), |k| k.name().into())),
            lanes,
            url,
        };
    };
    let limit = decision.prompt_limit;
    let patience = limit.unwrap_or(USER_PATIENCE);
    let mut silent = decision.credentials == Some(Logs::Silent);
    let mut prompts = 0u8;
    let mut attempts = 0u8;
    let mut last = first;
    loop {
        let creds = if silent {
            silent = false;
            d.steps.push(silent_step(profile, &people.logged_on));
            people.logged_on.clone()
        } else {
            prompts += 1;
            let gives_up = prompts > patience;
            d.steps.push(dialog_step(
                profile,
                prompts,
                limit,
                gives_up,
                &people.typed,
            ));
            if gives_up {
                break;
            }
            people.typed.clone()
        };
        attempts += 1;
        let Some(r) = d.pair.handshake(scheme, &creds, attempts) else {
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
                url,
            };
        }
        last = r;
        if limit.is_some_and(|l| prompts >= l) {
            break;
        }
    }
    let status = last.status_text();
    let mut page = Step::new(
        StepKind::Page,
        Lane::Browser,
        Lane::Browser,
        format!("shows the {status} error page"),
        "The browser gives up",
    );
    page.narration = match limit {
        Some(l) => format!(
            "After {l} failed dialogs {} stops and shows IIS's {status} page.",
            profile.name()
        ),
        None => format!(
            "The user cancels; {} shows IIS's {status} page.",
            profile.name()
        ),
    };
    let (_, heading) = crate::iis::pages::error_401_text(last.substatus);
    page.explanation
        .push(format!("The page reads: \"{heading}\""));
    if limit.is_some() {
        page.because(
            "Internet Explorer shows the error page after three credential dialogs.",
            "observed; KB 871179 documents it (then HTTP 401.1) for a Kerberos failure of an IIS 6.0 application pool identity",
            "observed",
        );
    }
    page.status = Some(status.clone());
    page.http = Some(last.body.clone());
    d.steps.push(page);
    Walkthrough {
        steps: d.steps,
        outcome: Outcome::GaveUp { attempts, status },
        lanes,
        url,
    }
}

/// How many dialogs the walkthrough's user answers in a browser that asks until Cancel.
const USER_PATIENCE: u8 = 3;

fn choose_step(choice: &http::Choice, decision: &Decision, scenario: &Scenario) -> Step {
    let picked = decision.scheme;
    let how = match decision.credentials {
        Some(Logs::Silent) => "silently",
        Some(Logs::Prompt) => "after a dialog",
        None => "",
    };
    let mut s = Step::new(
        StepKind::Choose,
        Lane::Browser,
        Lane::Browser,
        format!("uses {} {how}", picked.map_or("nothing", Scheme::name)),
        "The browser decides",
    );
    s.explanation = choice.reasons.clone();
    for k in &decision.skipped {
        s.explanation
            .push(format!("{} is skipped without a prompt.", k.name()));
    }
    s.why = decision.whys();
    if scenario.offer_negotiate {
        s.because(
            "Assumed for this walkthrough: Kerberos cannot be used for this site (no ticket for HTTP/web01), so Negotiate carries NTLM; the Kerberos walkthrough shows the Kerberos path.",
            "authscope's scenario",
            "assumed",
        );
    }
    s.narration = format!(
        "{} uses {} {how}.",
        scenario.profile.name(),
        picked.map_or("nothing", Scheme::name)
    );
    s
}

fn silent_step(profile: Profile, c: &Credentials) -> Step {
    let mut s = Step::new(
        StepKind::Dialog,
        Lane::Browser,
        Lane::Browser,
        "silent logon with the Windows identity",
        "No dialog: the logged-on identity",
    );
    s.narration = format!(
        "{} logs on as {}\\{} without asking: the user's Windows logon.",
        profile.name(),
        c.domain,
        c.user
    );
    s
}

fn dialog_step(profile: Profile, n: u8, limit: Option<u8>, cancel: bool, c: &Credentials) -> Step {
    let of = limit.map(|l| format!(" of {l}")).unwrap_or_default();
    let mut s = Step::new(
        StepKind::Dialog,
        Lane::Browser,
        Lane::Browser,
        if cancel {
            "credential dialog: Cancel".to_string()
        } else {
            format!("credential dialog, attempt {n}{of}")
        },
        "The browser asks for credentials",
    );
    s.attempt = Some((n, limit));
    s.narration = if cancel {
        format!(
            "{} asks again; the user gives up and presses Cancel.",
            profile.name()
        )
    } else {
        format!(
            "{} asks for a user name and password (dialog {n}{of}); the user types {}\\{}.",
            profile.name(),
            c.domain,
            c.user
        )
    };
    s
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

    const NOW: i64 = 1_795_761_633;

    fn walk(v: Variant) -> Walkthrough {
        run(&Scenario::guide(v, NOW))
    }

    fn statuses(w: &Walkthrough) -> Vec<String> {
        w.steps
            .iter()
            .filter(|s| s.kind == StepKind::Response)
            .filter_map(|s| s.status.clone())
            .collect()
    }

    fn labels(w: &Walkthrough, kind: StepKind) -> Vec<String> {
        w.steps
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| s.label.clone())
            .collect()
    }

    fn authenticate(w: &Walkthrough) -> crate::ntlm::message::Authenticate {
        let s = w
            .steps
            .iter()
            .find(|s| s.title == "NTLM AUTHENTICATE_MESSAGE")
            .expect("an AUTHENTICATE");
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s.token.clone().unwrap_or_default())
            .unwrap_or_default();
        match crate::ntlm::decode(&bytes).message {
            Some(crate::ntlm::Message::Authenticate(a)) => a,
            _ => panic!("not an AUTHENTICATE"),
        }
    }

    #[test]
    fn healthy_follows_the_guide_on_one_connection_and_ends_on_200() {
        let w = walk(Variant::Healthy);
        assert_eq!(w.outcome, Outcome::Authorized("CONTOSO\\bob".into()));
        assert_eq!(statuses(&w), ["401.2", "401.1", "200"]);
        let kinds: Vec<StepKind> = w.steps.iter().map(|s| s.kind).collect();
        use StepKind::*;
        assert_eq!(
            kinds,
            [
                Connection, Request, Response, Choose, Dialog, Request, Response, Request, Backend,
                Backend, Response, Page
            ]
        );
        assert_eq!(w.url, "http://web01/lab/integrated/");
        // Every token is a real message that decodes.
        for s in w.steps.iter().filter(|s| s.token.is_some()) {
            let d = crate::decode::decode(&format!("NTLM {}", s.token.clone().unwrap_or_default()));
            assert!(d.error.is_none() && d.ntlm.is_some(), "{}", s.label);
        }
        // Row 4: no new connection before NTLM; every leg on connection #1.
        let conns: Vec<Option<u64>> = w
            .steps
            .iter()
            .filter(|s| s.kind == Request)
            .map(|s| s.connection)
            .collect();
        assert_eq!(conns, [Some(1), Some(1), Some(1)]);
        // The guide's "closes the TCP connection" is shown against practice.
        assert!(w.steps.iter().any(|s| s
            .guide
            .iter()
            .any(|g| g.guide.contains("closes the TCP connection"))));
        // Every rule of the decision names its source.
        let choose = w.steps.iter().find(|s| s.kind == Choose).unwrap();
        assert!(!choose.why.is_empty() && choose.why.iter().all(|y| !y.source.is_empty()));
        // The success is in the Security log: 680 on the DC, 540 on WEB01.
        let events = &w.steps.iter().rfind(|s| s.kind == Response).unwrap().events;
        assert!(events
            .iter()
            .any(|e| e.starts_with("Event ID 680") && e.contains("on DC01")));
        assert!(events
            .iter()
            .any(|e| e.starts_with("Event ID 540") && e.contains("on WEB01")));
    }

    // Row 8: Windows XP at level 0 against Server 2003 sends LM and NTLMv1, no MIC; today's pair
    // NTLMv2 with a MIC; the level switch changes what XP sends.
    #[test]
    fn the_era_decides_the_ntlm_messages() {
        let a = authenticate(&walk(Variant::Healthy));
        use crate::ntlm::ResponseKind as K;
        assert_eq!((a.lm_kind, a.nt_kind), (K::LmV1, K::NtlmV1));
        assert!(a.mic.is_none());
        let today = Scenario {
            era: Era::Today,
            ..Scenario::guide(Variant::Healthy, NOW)
        };
        let w = run(&today);
        assert!(matches!(w.outcome, Outcome::Authorized(_)));
        let a = authenticate(&w);
        assert_eq!(a.nt_kind, K::NtlmV2);
        assert!(a.mic.is_some());
        for (level, nt) in [
            (1, K::NtlmV1Ess),
            (2, K::NtlmV1Ess),
            (3, K::NtlmV2),
            (5, K::NtlmV2),
        ] {
            let w = run(&Scenario {
                level: Some(level),
                ..Scenario::guide(Variant::Healthy, NOW)
            });
            assert_eq!(authenticate(&w).nt_kind, nt, "level {level}");
            assert!(matches!(w.outcome, Outcome::Authorized(_)));
        }
    }

    // Row 3: by its dotted name the site is in the Internet zone: IE asks first.
    #[test]
    fn a_dotted_name_makes_internet_explorer_ask() {
        let w = run(&Scenario {
            by_fqdn: true,
            ..Scenario::guide(Variant::Healthy, NOW)
        });
        assert_eq!(
            labels(&w, StepKind::Dialog),
            ["credential dialog, attempt 1 of 3"]
        );
        assert_eq!(w.url, "http://web01.contoso.com/lab/integrated/");
    }

    // Row 4: IE: three dialogs after the silent logon fails, then 401.1 (KB 871179).
    #[test]
    fn wrong_password_ends_on_401_1_after_three_dialogs() {
        let w = walk(Variant::WrongPassword);
        assert_eq!(
            w.outcome,
            Outcome::GaveUp {
                attempts: 4,
                status: "401.1".into()
            }
        );
        assert_eq!(
            labels(&w, StepKind::Dialog),
            [
                "silent logon with the Windows identity",
                "credential dialog, attempt 1 of 3",
                "credential dialog, attempt 2 of 3",
                "credential dialog, attempt 3 of 3"
            ]
        );
        assert_eq!(
            labels(&w, StepKind::Backend)
                .iter()
                .filter(|l| *l == "STATUS_WRONG_PASSWORD")
                .count(),
            3
        );
    }

    // Rows 1, 2, 4: Chromium and Firefox on Linux answer NTLM after a dialog (never silently),
    // ask again until the user cancels, and skip Negotiate without a prompt.
    #[test]
    fn chromium_and_firefox_on_linux_ask_until_cancel() {
        for profile in [Profile::Chromium, Profile::Firefox] {
            let s = Scenario {
                profile,
                os: Os::Linux,
                offer_negotiate: true,
                ..Scenario::guide(Variant::WrongPassword, NOW)
            };
            let w = run(&s);
            let d = labels(&w, StepKind::Dialog);
            assert_eq!(
                d.first().map(String::as_str),
                Some("credential dialog, attempt 1")
            );
            assert_eq!(
                d.last().map(String::as_str),
                Some("credential dialog: Cancel")
            );
            assert!(w.steps.iter().any(|s| s
                .http
                .as_deref()
                .is_some_and(|h| h.contains("Authorization: NTLM TlRMTVNTUAAB"))));
            let choose = w.steps.iter().find(|s| s.kind == StepKind::Choose).unwrap();
            assert!(
                choose
                    .explanation
                    .iter()
                    .any(|e| e.contains("Negotiate is skipped")),
                "{}",
                profile.name()
            );
        }
    }

    #[test]
    fn keep_alive_off_keeps_answering_401_2() {
        let w = walk(Variant::KeepAliveOff);
        assert_eq!(
            w.outcome,
            Outcome::GaveUp {
                attempts: 4,
                status: "401.2".into()
            }
        );
        assert!(statuses(&w).iter().filter(|s| *s == "401.2").count() >= 4);
    }

    #[test]
    fn a_proxy_that_is_not_point_to_point_breaks_the_handshake() {
        let w = walk(Variant::Proxy);
        assert!(matches!(&w.outcome, Outcome::GaveUp { status, .. } if status == "401.2"));
    }

    // Row 5: without the network logon right the DC validates the response, and the IIS
    // computer refuses the logon type.
    #[test]
    fn no_network_right_is_refused_by_the_iis_computer_not_the_dc() {
        let w = walk(Variant::NoNetworkRight);
        assert!(matches!(&w.outcome, Outcome::GaveUp { status, .. } if status == "401.1"));
        let backend = labels(&w, StepKind::Backend);
        assert!(backend.iter().any(|l| l == "valid: the same response"));
        let local = w
            .steps
            .iter()
            .find(|s| s.label == "STATUS_LOGON_TYPE_NOT_GRANTED")
            .unwrap();
        assert_eq!((local.from, local.to), (Lane::Iis, Lane::Iis));
        let events = &w
            .steps
            .iter()
            .rfind(|s| s.kind == StepKind::Response)
            .unwrap()
            .events;
        assert!(events.iter().any(|e| e.starts_with("Event ID 534")));
        let w = walk(Variant::DcUnreachable);
        assert!(matches!(&w.outcome, Outcome::GaveUp { status, .. } if status == "401.1"));
        assert!(w
            .steps
            .iter()
            .any(|s| s.label.contains("no domain controller answers")));
    }

    // Row 6: a locked-out account is refused over NTLM too, and the log says why (539).
    #[test]
    fn a_locked_out_account_is_refused() {
        let w = walk(Variant::LockedOut);
        assert!(matches!(&w.outcome, Outcome::GaveUp { status, .. } if status == "401.1"));
        assert!(labels(&w, StepKind::Backend)
            .iter()
            .any(|l| l == "STATUS_ACCOUNT_LOCKED_OUT"));
        let events = &w
            .steps
            .iter()
            .rfind(|s| s.kind == StepKind::Response)
            .unwrap()
            .events;
        assert!(
            events.iter().any(|e| e.starts_with("Event ID 539")),
            "{events:?}"
        );
        assert!(events.iter().any(|e| e.contains("Account locked out")));
    }

    #[test]
    fn negotiate_offered_carries_ntlmssp_in_the_negotiate_header() {
        let w = run(&Scenario {
            offer_negotiate: true,
            ..Scenario::guide(Variant::Healthy, NOW)
        });
        assert!(w.steps.iter().any(|s| s
            .http
            .as_deref()
            .is_some_and(|h| h.contains("Authorization: Negotiate TlRMTVNTUAAB"))));
        assert!(matches!(w.outcome, Outcome::Authorized(_)));
    }
}
