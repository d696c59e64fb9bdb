//! How a browser answers an offer of Integrated Windows authentication (`Negotiate`, `NTLM`):
//! which scheme it really uses, whether it logs on silently with the user's Windows or Kerberos
//! identity, prompts, or skips a scheme, on which connection, and how many prompts before it
//! gives up. One model for the NTLM walkthrough, the IIS lab, the Headers lab, HAR analysis
//! ([`who_sends`]) and `authscope challenge` (the Kerberos walkthrough is checked against it by a
//! test); every rule carries its source and how we know it ([`Basis`]). It sits in `http`, beside
//! the profiles' choice of a challenge, so that every layer above can use it.
//!
//! ```text
//!  offered schemes ─► the profile's choice (http::Profile::choose: order or rank)
//!        │
//!        ▼  for the chosen scheme, then the next one while a scheme is skipped
//!  may it use ambient credentials for this host?   IE/Windows: zone of the host
//!        │                                         Chromium: AuthServerAllowlist, else zone (Windows)
//!        │                                         Firefox: negotiate-auth / automatic-ntlm-auth
//!        │                                                  trusted-uris (+ allow-non-fqdn)
//!        ├─ yes ─► silent: Kerberos with a ticket, else NTLM (Windows' Negotiate package)
//!        │           └─ POSIX GSSAPI without a ticket: the scheme fails, try the next one
//!        └─ no ──► may it ask the user?  yes ─► prompt, then the handshake
//!                                        no ──► skip the scheme (no prompt), try the next one
//! ```
//!
//! Sources (read, not copied): Chromium `net/http/http_auth_controller.cc`
//! (`HandleAuthChallenge`, `SelectNextAuthIdentityToTry`), `http_auth_handler_negotiate.cc`,
//! `http_auth_handler_ntlm_portable.cc`, `http_auth_preferences.cc`,
//! `url_security_manager_{win,posix}.cc`, `http_network_transaction.cc`; Gecko
//! `extensions/auth/nsHttpNegotiateAuth.cpp`, `netwerk/protocol/http/nsHttpNTLMAuth.cpp`,
//! `nsHttpChannelAuthProvider.cpp`; Microsoft's documentation of Internet Explorer's security
//! zones and logon options, and KB 871179. Internet Explorer's source is not public: what its
//! documentation does not say is labelled observed or assumed.

use super::{Choice, Profile, Scheme};
use serde::Serialize;

/// The operating system the browser runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    Windows,
    Linux,
    Macos,
}

impl Os {
    pub const ALL: [Os; 3] = [Os::Windows, Os::Linux, Os::Macos];
    pub fn id(self) -> &'static str {
        match self {
            Os::Windows => "windows",
            Os::Linux => "linux",
            Os::Macos => "macos",
        }
    }
    pub fn from_id(s: &str) -> Option<Os> {
        Os::ALL.into_iter().find(|o| o.id().eq_ignore_ascii_case(s))
    }
    pub fn name(self) -> &'static str {
        match self {
            Os::Windows => "Windows",
            Os::Linux => "Linux",
            Os::Macos => "macOS",
        }
    }
}

/// Who is logged on to the computer the browser runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Logon {
    /// A domain account; `ticket`: Kerberos works for this site (the user holds a TGT, from a
    /// Windows domain logon or `kinit`, and the KDC issues a ticket for `HTTP/<host>`). False
    /// models a site Kerberos cannot reach (no SPN, no KDC), where Windows falls back to NTLM.
    Domain { ticket: bool },
    /// A local account of a computer outside the domain (a workgroup), or no Kerberos identity.
    Local,
}

/// The browser's settings that decide (all empty: each browser's defaults).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Sites added to Internet Explorer's Local intranet zone (Windows; Chromium on Windows reads
    /// the same zones).
    pub intranet_sites: Vec<String>,
    /// Chromium's `AuthServerAllowlist` policy; `None` when the policy is not set.
    pub auth_server_allowlist: Option<Vec<String>>,
    /// Firefox `network.negotiate-auth.trusted-uris`.
    pub negotiate_trusted_uris: Vec<String>,
    /// Firefox `network.negotiate-auth.allow-non-fqdn`.
    pub negotiate_allow_non_fqdn: bool,
    /// Firefox `network.automatic-ntlm-auth.trusted-uris`.
    pub ntlm_trusted_uris: Vec<String>,
    /// Firefox `network.automatic-ntlm-auth.allow-non-fqdn`.
    pub ntlm_allow_non_fqdn: bool,
}

/// Everything that decides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Setup {
    pub profile: Profile,
    pub os: Os,
    /// The host name of the URL (`web01`, `web01.contoso.com`, `10.0.0.5`).
    pub host: String,
    pub logon: Logon,
    pub policy: Policy,
}

impl Setup {
    /// The 2003-era intranet of the IIS 6 guide: Internet Explorer 6 on Windows XP, logged on to
    /// the domain (with a TGT), browsing the server by its NetBIOS name.
    pub fn era(host: &str) -> Setup {
        Setup {
            profile: Profile::Ie6,
            os: Os::Windows,
            host: host.to_string(),
            logon: Logon::Domain { ticket: true },
            policy: Policy::default(),
        }
    }
}

/// How we know a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Read in the browser's source.
    Source,
    /// Written in the vendor's documentation or a KB article.
    Documented,
    /// Seen in captures and reports, not documented.
    Observed,
    /// Our assumption.
    Assumed,
}

impl Basis {
    pub fn name(self) -> &'static str {
        match self {
            Basis::Source => "source",
            Basis::Documented => "documented",
            Basis::Observed => "observed",
            Basis::Assumed => "assumed",
        }
    }
}

/// One step of the decision: what the browser does and why, with its source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub text: String,
    pub source: &'static str,
    pub basis: Basis,
}

/// Whether the browser asks the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Credentials {
    /// The logged-on user's identity, without a dialog.
    Silent,
    /// A credential dialog first.
    Prompt,
}

/// What the token inside the header is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mechanism {
    Kerberos,
    Ntlm,
}

/// What the browser does with the offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The scheme of the `Authorization` header it sends; `None`: no integrated scheme it can
    /// use (it falls to Basic, if offered, or shows the 401 page).
    pub scheme: Option<Scheme>,
    pub mechanism: Option<Mechanism>,
    /// Silent or after a dialog.
    pub credentials: Option<Credentials>,
    /// Schemes it passed over without a prompt, in order.
    pub skipped: Vec<Scheme>,
    /// Dialogs before it gives up and shows the 401 page: `Some(3)` for Internet Explorer,
    /// `None` when it asks until the user cancels.
    pub prompt_limit: Option<u8>,
    /// The handshake stays on the keep-alive connection that received the 401.
    pub same_connection: bool,
    /// Internet Explorer's zone of the host (Windows), when it decides.
    pub zone: Option<Zone>,
    pub rules: Vec<Rule>,
}

impl Decision {
    /// The rules as the page's "Why?" entries.
    pub fn whys(&self) -> Vec<crate::seq::Why> {
        self.rules
            .iter()
            .map(|r| crate::seq::Why {
                text: r.text.clone(),
                source: r.source.to_string(),
                basis: r.basis.name(),
            })
            .collect()
    }
}

/// Internet Explorer's security zone of a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Zone {
    Intranet,
    Internet,
}

const IE_NO_AUTO_INTRANET: &str = "Microsoft IEInternals, \"The Intranet Zone\" (since Internet Explorer 7, \"Automatically detect intranet network\" leaves intranet settings off on a computer that is not joined to a domain)";
const IE_ZONES: &str = "Microsoft IEInternals, \"The Intranet Zone\" (the PlainHostName or \"dot\" rule: a name without a dot is Local intranet; other sites not listed are Internet)";
const IE_LOGON: &str = "Internet Explorer security settings, User Authentication > Logon (\"Logon options\" policy, URLACTION_CREDENTIALS_USE): \"Automatic logon only in Intranet zone\"";
const KB_871179: &str = "observed; KB 871179 documents it for a Kerberos failure (an IIS 6.0 application pool identity without its HTTP SPN): \"After you try to log on three times\", HTTP Error 401.1";
const WININET_ORDER: &str = "MSDN on WinINet (quoted in Chromium's HTTP authentication design doc): the first scheme it supports, in the server's order";
const SSPI_RAW_NTLM: &str = "observed: captures of Windows clients against IIS show `Authorization: Negotiate TlRMTVNTUA…`, raw NTLMSSP, not wrapped in SPNEGO";
const CR_CONTROLLER: &str = "Chromium net/http/http_auth_controller.cc (HandleAuthChallenge, SelectNextAuthIdentityToTry: default credentials once, then a prompt; a handler that allows no explicit credentials is disabled and the next challenge chosen) and http_network_transaction.cc (CheckMaxRestarts: at most 32 restarts of one request)";
const CR_NEGOTIATE: &str = "Chromium net/http/http_auth_handler_negotiate.cc (AllowsDefaultCredentials asks HttpAuthPreferences / URLSecurityManager)";
const CR_URLSEC_WIN: &str = "Chromium net/http/url_security_manager_win.cc (no allowlist: the zone's URLACTION_CREDENTIALS_USE decides)";
const CR_URLSEC_POSIX: &str = "Chromium net/http/url_security_manager_posix.cc (no AuthServerAllowlist: CanUseDefaultCredentials is false) and http_auth_handler_negotiate.cc (on POSIX, Init refuses without default credentials, so no Negotiate handler is made)";
const CR_NTLM_PORTABLE: &str =
    "Chromium net/http/http_auth_handler_ntlm_portable.cc (AllowsDefaultCredentials() is false)";
const CR_GSSAPI: &str = "Chromium net/http/http_auth_gssapi_posix.cc (no credentials: ERR_MISSING_AUTH_CREDENTIALS; the controller disables the scheme)";
const CR_RESTART: &str =
    "Chromium net/http/http_network_transaction.cc (DidDrainBodyForAuthRestart keeps the socket)";
const FF_NEGOTIATE: &str = "Gecko extensions/auth/nsHttpNegotiateAuth.cpp (ChallengeReceived: network.negotiate-auth.trusted-uris, allow-non-fqdn; no prompt for Negotiate)";
const FF_NTLM: &str = "Gecko netwerk/protocol/http/nsHttpNTLMAuth.cpp (ChallengeReceived, CanUseDefaultCredentials: network.automatic-ntlm-auth.trusted-uris, allow-non-fqdn; otherwise a prompt, sys-ntlm on Windows, the generic NTLMv2 module elsewhere)";
const FF_PROVIDER: &str = "Gecko netwerk/protocol/http/nsHttpChannelAuthProvider.cpp (GetCredentials: a challenge whose module refuses is skipped for the next by rank; a failed logon prompts again with PREVIOUS_FAILED, no retry count)";

/// True for a host name without a dot (a NetBIOS or single-label name); an IPv6 literal is not.
pub fn is_dotless(host: &str) -> bool {
    !host.is_empty() && !host.contains('.') && !host.contains(':')
}

/// The host of a URL (`http://user@web01.contoso.com:8080/x` → `web01.contoso.com`), or the text
/// itself when it holds no `//`.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("//").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        hostport.split(':').next().unwrap_or("")
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// Chromium's allowlist match (`HttpAuthFilterAllowlist`): each entry is a host suffix, a
/// leading `*` allowed; `*` alone matches every host.
fn chromium_allows(list: &[String], host: &str) -> bool {
    list.iter().any(|e| {
        let e = e.trim().to_ascii_lowercase();
        let suffix = e.trim_start_matches('*');
        e == "*" || (!suffix.is_empty() && host.ends_with(suffix))
    })
}

/// Firefox's trusted-uris match (`nsHttpNegotiateAuth`/`nsHttpNTLMAuth` `TestPref`): an entry
/// matches the host itself or any host under it (at a dot); a scheme and port in the entry are
/// ignored here.
fn firefox_trusts(list: &[String], host: &str) -> bool {
    list.iter().any(|e| {
        let e = host_of(e.trim());
        let e = e.trim_start_matches('.');
        !e.is_empty() && (host == e || host.ends_with(&format!(".{e}")))
    })
}

/// Internet Explorer's zone for the setup's host (Windows), and the rule that put it there.
/// Internet Explorer 6 maps a dotless name to Local intranet; later Windows do so only on a
/// computer joined to a domain (automatic intranet detection).
pub fn zone(s: &Setup) -> (Zone, Rule) {
    let (host, policy) = (s.host.as_str(), &s.policy);
    if policy.intranet_sites.iter().any(|s| {
        host_of(s) == host || host.ends_with(&format!(".{}", host_of(s).trim_start_matches("*.")))
    }) {
        return (
            Zone::Intranet,
            Rule {
                text: format!("{host} is listed in the Local intranet zone."),
                source: IE_ZONES,
                basis: Basis::Documented,
            },
        );
    }
    let auto_intranet = s.profile == Profile::Ie6 || matches!(s.logon, Logon::Domain { .. });
    if is_dotless(host) && !auto_intranet {
        return (
            Zone::Internet,
            Rule {
                text: format!("{host} has no dot, but this computer is not joined to a domain, so Windows' automatic intranet detection leaves it in the Internet zone."),
                source: IE_NO_AUTO_INTRANET,
                basis: Basis::Documented,
            },
        );
    }
    if is_dotless(host) {
        (
            Zone::Intranet,
            Rule {
                text: format!("{host} has no dot: Windows puts it in the Local intranet zone (\"Include all local (intranet) sites not listed in other zones\")."),
                source: IE_ZONES,
                basis: Basis::Documented,
            },
        )
    } else {
        (
            Zone::Internet,
            Rule {
                text: format!("{host} has dots (a fully qualified name or an IP address) and is not listed in Local intranet: Windows puts it in the Internet zone."),
                source: IE_ZONES,
                basis: Basis::Documented,
            },
        )
    }
}

/// What one scheme does for this setup: `Ok((credentials, mechanism, rules))` when the browser
/// uses it, `Err(rules)` when it skips it without a prompt.
type Attempt = Result<(Credentials, Mechanism, Vec<Rule>), Vec<Rule>>;

fn rule(text: impl Into<String>, source: &'static str, basis: Basis) -> Rule {
    Rule {
        text: text.into(),
        source,
        basis,
    }
}

/// Silent with the logged-on identity: Kerberos when a ticket can be had, else NTLM (Windows'
/// Negotiate package; with the NTLM scheme, always NTLM).
fn silent(s: &Setup, scheme: Scheme, mut rules: Vec<Rule>) -> Attempt {
    let ticket = matches!(s.logon, Logon::Domain { ticket: true });
    if scheme == Scheme::Ntlm {
        rules.push(rule(
            "It logs on silently with the logged-on user's Windows identity (NTLM through SSPI).",
            "Windows SSPI: default credentials",
            Basis::Documented,
        ));
        return Ok((Credentials::Silent, Mechanism::Ntlm, rules));
    }
    if ticket {
        rules.push(rule(
            format!("It logs on silently: the user holds a Kerberos TGT, so it asks the KDC for a ticket to HTTP/{} and sends a Kerberos token (if no SPN matches, Windows' Negotiate falls back to NTLM; Linux/macOS GSSAPI fails instead).", s.host),
            "RFC 4559 §4; RFC 4120 §3.3",
            Basis::Documented,
        ));
        return Ok((Credentials::Silent, Mechanism::Kerberos, rules));
    }
    if s.os == Os::Windows {
        rules.push(rule(
            "No Kerberos ticket can be had: Windows' Negotiate package falls back to NTLM and sends raw NTLMSSP tokens in the Negotiate header, silently.",
            SSPI_RAW_NTLM,
            Basis::Observed,
        ));
        Ok((Credentials::Silent, Mechanism::Ntlm, rules))
    } else {
        rules.push(rule(
            "No Kerberos ticket (no kinit): GSSAPI cannot make a token, so the browser drops Negotiate and tries the next scheme, without a prompt.",
            if s.profile == Profile::Firefox {
                FF_NEGOTIATE
            } else {
                CR_GSSAPI
            },
            Basis::Source,
        ));
        Err(rules)
    }
}

fn ie6(s: &Setup, scheme: Scheme) -> Attempt {
    let (z, why) = zone(s);
    let mut rules = vec![why];
    if z == Zone::Intranet {
        rules.push(rule(
            "The default logon option, \"Automatic logon only in Intranet zone\", allows a silent logon here.",
            IE_LOGON,
            Basis::Documented,
        ));
        silent(s, scheme, rules)
    } else {
        rules.push(rule(
            "\"Automatic logon only in Intranet zone\" (the default) forbids a silent logon in the Internet zone: Internet Explorer shows a credential dialog.",
            IE_LOGON,
            Basis::Documented,
        ));
        let mech =
            if scheme == Scheme::Negotiate && matches!(s.logon, Logon::Domain { ticket: true }) {
                Mechanism::Kerberos
            } else {
                Mechanism::Ntlm
            };
        if scheme == Scheme::Negotiate {
            rules.push(rule("With the typed credentials Windows' Negotiate package tries Kerberos, else NTLM, in the Negotiate header.", SSPI_RAW_NTLM, Basis::Observed));
        }
        Ok((Credentials::Prompt, mech, rules))
    }
}

fn chromium(s: &Setup, scheme: Scheme) -> Attempt {
    let host = &s.host;
    if scheme == Scheme::Ntlm && s.os != Os::Windows {
        return Ok((
            Credentials::Prompt,
            Mechanism::Ntlm,
            vec![rule(
                format!("On {} Chromium's own NTLM never uses the logged-on identity: it asks for a user name and password and sends `Authorization: NTLM`.", s.os.name()),
                CR_NTLM_PORTABLE,
                Basis::Source,
            )],
        ));
    }
    let allowed = match (&s.policy.auth_server_allowlist, s.os) {
        (Some(list), _) => {
            let ok = chromium_allows(list, host);
            let text = if ok {
                format!("{host} matches AuthServerAllowlist: ambient credentials are allowed.")
            } else {
                format!("{host} does not match AuthServerAllowlist: no ambient credentials.")
            };
            (ok, vec![rule(text, CR_NEGOTIATE, Basis::Source)])
        }
        (None, Os::Windows) => {
            let (z, why) = zone(s);
            let ok = z == Zone::Intranet;
            let text = if ok {
                "AuthServerAllowlist is not set: on Windows, Chromium asks the zone, and the Intranet zone allows automatic logon."
            } else {
                "AuthServerAllowlist is not set: on Windows, Chromium asks the zone, and the Internet zone does not allow automatic logon."
            };
            (ok, vec![why, rule(text, CR_URLSEC_WIN, Basis::Source)])
        }
        (None, _) => {
            return Err(vec![rule(
                format!("AuthServerAllowlist is not set: on {} Chromium never uses ambient credentials for Negotiate, and GSSAPI takes no typed ones, so it makes no Negotiate handler and moves to the next scheme, without a prompt.", s.os.name()),
                CR_URLSEC_POSIX,
                Basis::Source,
            )]);
        }
    };
    let (ok, mut rules) = allowed;
    if ok {
        return silent(s, scheme, rules);
    }
    if s.os == Os::Windows {
        rules.push(rule(
            format!("SSPI accepts typed credentials: Chromium asks for a user name and password and sends them through SSPI in the {} header.", scheme.name()),
            CR_CONTROLLER,
            Basis::Source,
        ));
        let mech =
            if scheme == Scheme::Negotiate && matches!(s.logon, Logon::Domain { ticket: true }) {
                Mechanism::Kerberos
            } else {
                Mechanism::Ntlm
            };
        Ok((Credentials::Prompt, mech, rules))
    } else {
        rules.push(rule(
            "GSSAPI takes no typed credentials, so Chromium drops Negotiate without a prompt and tries the next scheme.",
            CR_CONTROLLER,
            Basis::Source,
        ));
        Err(rules)
    }
}

fn firefox(s: &Setup, scheme: Scheme) -> Attempt {
    let host = &s.host;
    let dotless = is_dotless(host);
    if scheme == Scheme::Negotiate {
        let p = &s.policy;
        let trusted = firefox_trusts(&p.negotiate_trusted_uris, host)
            || (dotless && p.negotiate_allow_non_fqdn);
        if !trusted {
            let text = if dotless && !p.negotiate_allow_non_fqdn {
                format!("{host} is not in network.negotiate-auth.trusted-uris, and dotless names need network.negotiate-auth.allow-non-fqdn: Firefox skips Negotiate without a prompt.")
            } else {
                format!("{host} is not in network.negotiate-auth.trusted-uris (empty by default): Firefox skips Negotiate without a prompt.")
            };
            return Err(vec![rule(text, FF_NEGOTIATE, Basis::Source)]);
        }
        let via = if s.os == Os::Windows {
            "SSPI"
        } else {
            "GSSAPI"
        };
        return silent(
            s,
            scheme,
            vec![rule(
                format!("{host} is trusted for Negotiate: Firefox uses the logged-on identity through {via}, never a dialog."),
                FF_NEGOTIATE,
                Basis::Source,
            )],
        );
    }
    // sys-ntlm: Windows' SSPI, or elsewhere Samba's ntlm_auth for a winbind-joined computer.
    let trusted = (s.os == Os::Windows || matches!(s.logon, Logon::Domain { .. }))
        && (firefox_trusts(&s.policy.ntlm_trusted_uris, host)
            || (dotless && s.policy.ntlm_allow_non_fqdn));
    if trusted {
        let via = if s.os == Os::Windows {
            "Windows' NTLM (SSPI)"
        } else {
            "the system's NTLM (Samba's ntlm_auth, on a computer joined with winbind)"
        };
        return silent(
            s,
            scheme,
            vec![rule(
                format!("{host} is in network.automatic-ntlm-auth.trusted-uris: Firefox uses {via} with the logged-on identity."),
                FF_NTLM,
                Basis::Source,
            )],
        );
    }
    let module = if s.os == Os::Windows {
        "Windows' NTLM (sys-ntlm) with the typed credentials"
    } else {
        "its own NTLMv2 module"
    };
    Ok((
        Credentials::Prompt,
        Mechanism::Ntlm,
        vec![rule(
            format!("{host} is not in network.automatic-ntlm-auth.trusted-uris: Firefox asks for a user name and password and uses {module}, in `Authorization: NTLM`."),
            FF_NTLM,
            Basis::Source,
        )],
    ))
}

/// A strict client with no ambient credentials (the RFC profile, `curl --negotiate/--ntlm`).
fn strict(s: &Setup, scheme: Scheme) -> Attempt {
    if scheme == Scheme::Negotiate && matches!(s.logon, Logon::Domain { ticket: true }) {
        return Ok((
            Credentials::Silent,
            Mechanism::Kerberos,
            vec![rule(
                "The strict profile uses the user's Kerberos ticket for Negotiate (as `curl --negotiate` does).",
                "RFC 4559 §4",
                Basis::Assumed,
            )],
        ));
    }
    if scheme == Scheme::Negotiate {
        return Err(vec![rule(
            "No Kerberos ticket: the strict profile has no NTLM fallback inside Negotiate and tries the next scheme.",
            "RFC 4559 §4",
            Basis::Assumed,
        )]);
    }
    Ok((
        Credentials::Prompt,
        Mechanism::Ntlm,
        vec![rule(
            "NTLM with credentials the user gives (as `curl --ntlm -u`).",
            "MS-NLMP 3.1.5",
            Basis::Assumed,
        )],
    ))
}

/// Decide, from the profile's `choice` of the offered challenges.
pub fn decide(s: &Setup, choice: &Choice) -> Decision {
    // The offered integrated schemes in the order the profile would try them: its choice
    // first, then its fallback (the next by its ranking), then any other.
    let mut order: Vec<Scheme> = Vec::new();
    for i in [choice.chosen, choice.fallback].into_iter().flatten() {
        if let Some(k) = choice.seen.get(i).and_then(|x| x.kind) {
            if !order.contains(&k) {
                order.push(k);
            }
        }
    }
    for x in &choice.seen {
        if let (Some(k), None) = (x.kind, &x.unusable) {
            if !order.contains(&k) && matches!(k, Scheme::Ntlm | Scheme::Negotiate) {
                order.push(k);
            }
        }
    }
    decide_order(s, &order)
}

/// [`decide`] for schemes already in the order the browser tries them (what a page that draws
/// a known offer uses, without parsing the header).
pub fn decide_order(s: &Setup, order: &[Scheme]) -> Decision {
    let mut d = Decision {
        scheme: None,
        mechanism: None,
        credentials: None,
        skipped: Vec::new(),
        prompt_limit: None,
        same_connection: true,
        zone: (s.os == Os::Windows && s.profile != Profile::Rfc).then(|| zone(s).0),
        rules: Vec::new(),
    };
    if s.profile == Profile::Ie6 && s.os != Os::Windows {
        d.rules.push(rule(
            "Internet Explorer 6 runs only on Windows: the model uses Windows.",
            "Microsoft Internet Explorer 6 system requirements",
            Basis::Documented,
        ));
    }
    let s = &Setup {
        os: if s.profile == Profile::Ie6 {
            Os::Windows
        } else {
            s.os
        },
        ..s.clone()
    };
    if s.profile == Profile::Ie6 {
        d.rules.push(rule(
            "Internet Explorer takes the first scheme it supports in the server's order; with \"Enable Integrated Windows Authentication\" on (IE 6's default) that includes Negotiate.",
            WININET_ORDER,
            Basis::Documented,
        ));
    }
    for &scheme in order {
        if !matches!(scheme, Scheme::Ntlm | Scheme::Negotiate) {
            // Basic or Digest next: not an integrated scheme; the caller's Basic browser runs it.
            break;
        }
        let attempt = match s.profile {
            Profile::Ie6 => ie6(s, scheme),
            Profile::Chromium => chromium(s, scheme),
            Profile::Firefox => firefox(s, scheme),
            Profile::Rfc => strict(s, scheme),
        };
        match attempt {
            Ok((credentials, mechanism, rules)) => {
                d.rules.extend(rules);
                d.scheme = Some(scheme);
                d.mechanism = Some(mechanism);
                d.credentials = Some(credentials);
                break;
            }
            Err(rules) => {
                d.rules.extend(rules);
                d.skipped.push(scheme);
            }
        }
    }
    if d.scheme.is_some() {
        let (limit, text, source, basis) = match s.profile {
            Profile::Ie6 => (
                Some(3),
                "When the logon fails, Internet Explorer shows a credential dialog, three times in all, then the error page.",
                KB_871179,
                Basis::Observed,
            ),
            Profile::Chromium => (
                None,
                "When the logon fails, Chromium asks again; the user's Cancel ends it (or, at last, its limit of 32 restarts of one request).",
                CR_CONTROLLER,
                Basis::Source,
            ),
            Profile::Firefox => (
                None,
                "When the logon fails, Firefox asks again; only the user's Cancel ends it.",
                FF_PROVIDER,
                Basis::Source,
            ),
            Profile::Rfc => (None, "A failed logon is shown; retrying is the user's choice.", "RFC 9110 §11.6.1", Basis::Assumed),
        };
        d.prompt_limit = limit;
        d.rules.push(rule(text, source, basis));
        let (text, source, basis) = match s.profile {
            Profile::Chromium => (
                "The handshake stays on the keep-alive connection that received the 401 (the body is drained and the socket reused).",
                CR_RESTART,
                Basis::Source,
            ),
            Profile::Ie6 => (
                "The handshake stays on the keep-alive connection that received the 401: NTLM authenticates the connection (the guide's \"the client closes the TCP connection\" is not what browsers do).",
                "MS-NTHT 2.1 (NTLM over HTTP is connection-oriented); observed in IIS 6 captures",
                Basis::Observed,
            ),
            _ => (
                "The handshake stays on the keep-alive connection that received the 401 (NTLM authenticates the connection).",
                "MS-NTHT 2.1",
                Basis::Documented,
            ),
        };
        d.rules.push(rule(text, source, basis));
    } else {
        d.rules.push(rule(
            "No integrated scheme is usable: the browser answers the next offered scheme (Basic), or shows the 401 page.",
            match s.profile {
                Profile::Firefox => FF_PROVIDER,
                _ => CR_CONTROLLER,
            },
            if s.profile == Profile::Ie6 {
                Basis::Assumed
            } else {
                Basis::Source
            },
        ));
    }
    d
}

/// Who answers an offer of `Negotiate` and `NTLM` (IIS's default) with `scheme` carrying
/// `mechanism`, by this model with each browser's defaults for `web01.contoso.com`: the browsers
/// and systems ("Firefox on Linux"), and the sources of the rules that decide it. HAR analysis
/// explains what a capture shows with it (a bare `NTLM` header: Negotiate was never tried).
pub fn who_sends(scheme: Scheme, mechanism: Mechanism) -> (Vec<String>, Vec<&'static str>) {
    let src = super::Source::from_values(&["Negotiate", "NTLM"]);
    let parsed = super::parse(&src);
    let (mut who, mut sources) = (Vec::new(), Vec::new());
    for profile in [Profile::Ie6, Profile::Chromium, Profile::Firefox] {
        for os in Os::ALL {
            if profile == Profile::Ie6 && os != Os::Windows {
                continue;
            }
            for ticket in [true, false] {
                let setup = Setup {
                    profile,
                    os,
                    host: "web01.contoso.com".into(),
                    logon: Logon::Domain { ticket },
                    policy: Policy::default(),
                };
                let d = decide(&setup, &profile.choose(&src, &parsed));
                if d.scheme != Some(scheme) || d.mechanism != Some(mechanism) {
                    continue;
                }
                let name = format!("{} on {}", profile.name(), os.name());
                if !who.contains(&name) {
                    who.push(name);
                }
                // The rule that decided: a skipped scheme's, else the mechanism's.
                let rule = if d.skipped.is_empty() {
                    d.rules.iter().find(|r| r.text.contains("NTLM"))
                } else {
                    d.rules.first()
                };
                if let Some(r) = rule {
                    if !sources.contains(&r.source) {
                        sources.push(r.source);
                    }
                }
            }
        }
    }
    (who, sources)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{self, Source};

    fn offer(s: &Setup, values: &[&str]) -> Decision {
        let src = Source::from_values(values);
        let parsed = http::parse(&src);
        decide(s, &s.profile.choose(&src, &parsed))
    }
    const IIS: [&str; 2] = ["Negotiate", "NTLM"];

    fn setup(profile: Profile, os: Os, host: &str) -> Setup {
        Setup {
            profile,
            os,
            ..Setup::era(host)
        }
    }

    #[test]
    fn host_of_reads_urls() {
        assert_eq!(
            host_of("http://bob@Web01.contoso.com:8080/x?y"),
            "web01.contoso.com"
        );
        assert_eq!(host_of("web01"), "web01");
        assert_eq!(host_of("http://[::1]:80/"), "::1");
        assert!(!is_dotless("::1") && is_dotless("web01") && !is_dotless("10.0.0.5"));
    }

    // Row 3: a dotted name is in the Internet zone: IE prompts.
    #[test]
    fn ie6_is_silent_by_netbios_name_and_prompts_by_fqdn() {
        let d = offer(&Setup::era("web01"), &IIS);
        assert_eq!(d.scheme, Some(Scheme::Negotiate));
        assert_eq!(d.credentials, Some(Credentials::Silent));
        assert_eq!(d.mechanism, Some(Mechanism::Kerberos));
        assert_eq!(d.zone, Some(Zone::Intranet));
        let d = offer(&Setup::era("web01.contoso.com"), &IIS);
        assert_eq!(d.credentials, Some(Credentials::Prompt));
        assert_eq!(d.zone, Some(Zone::Internet));
        assert_eq!(d.prompt_limit, Some(3));
        let mut s = Setup::era("web01.contoso.com");
        s.policy.intranet_sites = vec!["http://web01.contoso.com".into()];
        assert_eq!(offer(&s, &IIS).credentials, Some(Credentials::Silent));
        // No ticket: Windows' Negotiate falls back to NTLM inside the Negotiate header.
        s.logon = Logon::Local;
        let d = offer(&s, &IIS);
        assert_eq!(
            (d.scheme, d.mechanism),
            (Some(Scheme::Negotiate), Some(Mechanism::Ntlm))
        );
    }

    // Row 1: Firefox skips untrusted Negotiate without a prompt and answers NTLM after one.
    #[test]
    fn firefox_needs_trusted_uris_for_negotiate() {
        let s = setup(Profile::Firefox, Os::Linux, "web01.contoso.com");
        let d = offer(&s, &IIS);
        assert_eq!(d.skipped, [Scheme::Negotiate]);
        assert_eq!(d.scheme, Some(Scheme::Ntlm));
        assert_eq!(d.credentials, Some(Credentials::Prompt));
        assert_eq!(d.prompt_limit, None);
        let mut t = s.clone();
        t.policy.negotiate_trusted_uris = vec!["contoso.com".into()];
        let d = offer(&t, &IIS);
        assert_eq!(
            (d.scheme, d.credentials),
            (Some(Scheme::Negotiate), Some(Credentials::Silent))
        );
        // Dotless names need allow-non-fqdn even when listed by their domain.
        let mut u = setup(Profile::Firefox, Os::Linux, "web01");
        u.policy.negotiate_trusted_uris = vec!["contoso.com".into()];
        assert_eq!(offer(&u, &IIS).scheme, Some(Scheme::Ntlm));
        u.policy.negotiate_allow_non_fqdn = true;
        assert_eq!(offer(&u, &IIS).scheme, Some(Scheme::Negotiate));
        // Trusted, but no ticket on Linux: GSSAPI fails, NTLM with a prompt.
        t.logon = Logon::Local;
        let d = offer(&t, &IIS);
        assert_eq!(
            (d.scheme, d.credentials),
            (Some(Scheme::Ntlm), Some(Credentials::Prompt))
        );
        // Windows, NTLM trusted: silent NTLM.
        let mut w = setup(Profile::Firefox, Os::Windows, "web01.contoso.com");
        w.policy.ntlm_trusted_uris = vec!["web01.contoso.com".into()];
        let d = offer(&w, &IIS);
        assert_eq!(
            (d.scheme, d.credentials),
            (Some(Scheme::Ntlm), Some(Credentials::Silent))
        );
    }

    // Row 2: Chromium on Linux needs AuthServerAllowlist; its NTLM always prompts.
    #[test]
    fn chromium_posix_needs_the_allowlist() {
        let s = setup(Profile::Chromium, Os::Linux, "web01");
        let d = offer(&s, &IIS);
        assert_eq!(d.skipped, [Scheme::Negotiate]);
        assert_eq!(
            (d.scheme, d.credentials),
            (Some(Scheme::Ntlm), Some(Credentials::Prompt))
        );
        let mut a = s.clone();
        a.policy.auth_server_allowlist = Some(vec!["*contoso.com".into(), "web01".into()]);
        let d = offer(&a, &IIS);
        assert_eq!(
            (d.scheme, d.mechanism, d.credentials),
            (
                Some(Scheme::Negotiate),
                Some(Mechanism::Kerberos),
                Some(Credentials::Silent)
            )
        );
        // Windows, no allowlist: the zone decides.
        let w = setup(Profile::Chromium, Os::Windows, "web01");
        assert_eq!(offer(&w, &IIS).credentials, Some(Credentials::Silent));
        let w = setup(Profile::Chromium, Os::Windows, "web01.contoso.com");
        let d = offer(&w, &IIS);
        assert_eq!(
            (d.scheme, d.credentials),
            (Some(Scheme::Negotiate), Some(Credentials::Prompt))
        );
        // Only NTLM offered, on Linux: a prompt, never silent.
        let d = offer(&a, &["NTLM"]);
        assert_eq!(
            (d.scheme, d.credentials),
            (Some(Scheme::Ntlm), Some(Credentials::Prompt))
        );
    }

    #[test]
    fn who_sends_a_bare_ntlm_header_to_iis() {
        let (who, sources) = who_sends(Scheme::Ntlm, Mechanism::Ntlm);
        assert!(who.contains(&"Firefox on Windows".to_string()), "{who:?}");
        assert!(who.contains(&"Chromium on Linux".to_string()), "{who:?}");
        assert!(
            !who.iter().any(|w| w.starts_with("Internet Explorer")),
            "{who:?}"
        );
        assert!(sources
            .iter()
            .any(|s| s.contains("nsHttpNegotiateAuth.cpp")));
        let (who, _) = who_sends(Scheme::Negotiate, Mechanism::Ntlm);
        assert!(
            who.contains(&"Internet Explorer 6 on Windows".to_string()),
            "{who:?}"
        );
        assert!(!who.iter().any(|w| w.ends_with("on Linux")), "{who:?}");
    }

    #[test]
    fn every_decision_names_its_sources() {
        for p in Profile::ALL {
            for os in Os::ALL {
                for host in ["web01", "web01.contoso.com", "10.0.0.5"] {
                    let d = offer(&setup(p, os, host), &IIS);
                    assert!(d
                        .rules
                        .iter()
                        .all(|r| !r.source.is_empty() && !r.text.is_empty()));
                    assert!(d.same_connection);
                }
            }
        }
    }
}
