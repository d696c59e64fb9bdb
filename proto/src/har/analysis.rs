//! The authentication exchanges in a HAR's entries, and what went wrong in each.

use super::entries::{authority_and_path, Entry};
use super::steps::steps;
use crate::seq::Step;

/// What can go wrong in an exchange, as the page flags it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The server offered Negotiate (Kerberos) and the browser's Negotiate carried NTLM, or it
    /// sent Basic.
    FellBack,
    /// The server offered Negotiate and the browser answered with a bare `NTLM` header: it
    /// never tried Negotiate.
    NegotiateNotTried,
    /// An NTLM handshake's AUTHENTICATE went on another connection than its CHALLENGE came on.
    ConnectionChanged,
    /// Three or more logons were refused (a 401 to Basic credentials, an NTLM AUTHENTICATE or a
    /// Kerberos AP-REQ; the 401 that carries an NTLM CHALLENGE is the normal middle leg).
    RepeatedFailures,
    /// Credentials went over plain HTTP.
    PlainHttp,
    /// An NTLM AUTHENTICATE carried `DOMAIN\user` as its user name, with an empty domain.
    DomainInUserName,
    /// The exchange ended refused.
    Refused,
}

impl ProblemKind {
    pub fn id(self) -> &'static str {
        match self {
            ProblemKind::FellBack => "fell-back",
            ProblemKind::NegotiateNotTried => "negotiate-not-tried",
            ProblemKind::ConnectionChanged => "connection-changed",
            ProblemKind::RepeatedFailures => "repeated-failures",
            ProblemKind::PlainHttp => "plain-http",
            ProblemKind::DomainInUserName => "domain-in-user-name",
            ProblemKind::Refused => "refused",
        }
    }

    /// The problem in plain words, as its badge says it.
    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::FellBack => "Kerberos was not used",
            ProblemKind::NegotiateNotTried => "Negotiate never tried",
            ProblemKind::ConnectionChanged => "Connection changed mid-handshake",
            ProblemKind::RepeatedFailures => "Refused three times",
            ProblemKind::PlainHttp => "Password over plain HTTP",
            ProblemKind::DomainInUserName => "Domain typed into the user name",
            ProblemKind::Refused => "Refused",
        }
    }

    /// What to do about it (each with where the rule is written down).
    pub fn what_to_do(self) -> &'static str {
        match self {
            ProblemKind::FellBack => "Check that the URL's host name has an SPN: setspn -Q HTTP/<host> must find exactly one account, the one the application pool runs as (a CNAME or an A record names a host: the SPN must be for the name the browser used). Check that the client has a ticket (klist) and that its clock is close to the KDC's (KRB_AP_ERR_SKEW, RFC 4120 §3.2.3; Windows allows 5 minutes by default, Kerberos Policy \"Maximum tolerance for computer clock synchronization\"). Sources: Microsoft, \"Service principal names\" (setspn), KB 871179.",
            ProblemKind::NegotiateNotTried => "The browser's policy kept it from Negotiate: add the site to the Local intranet zone (Internet Explorer, Edge), to AuthServerAllowlist (Chromium) or to network.negotiate-auth.trusted-uris (Firefox); curl needs --negotiate rather than --ntlm. Sources: Chromium's http_auth_handler_negotiate, Gecko's nsHttpNegotiateAuth.",
            ProblemKind::ConnectionChanged => "NTLM over HTTP authenticates one TCP connection (MS-NTHT): keep the handshake on one connection. Turn keep-alives on in IIS (\"Enable HTTP keep-alives\"), and make the proxy or load balancer keep each client connection on one server connection (connection affinity), or offer Kerberos, which does not depend on the connection.",
            ProblemKind::RepeatedFailures => "Read the server's Security log for the failure's reason (event 529 bad password, 531 disabled, 532 expired, 539 locked out, 534 logon type not granted on Windows Server 2003; 4625 with its status today), then fix the account or the password.",
            ProblemKind::PlainHttp => "Basic sends the password in base64, readable by anyone on the path (RFC 7617 §4): serve the site over HTTPS, or use Integrated Windows authentication.",
            ProblemKind::DomainInUserName => "Type the domain in the dialog's domain field, or write the user as user@domain.example (a UPN) where the client supports it; a client that does not split DOMAIN\\user sends it as one name (MS-NLMP 2.2.1.3).",
            ProblemKind::Refused => "Open the refused request in the walkthrough: its status and sub-status (401.1 logon failed, 401.2 no method allowed or offered, 401.3 ACL) say where to look; the IIS lab and \"Isolate a 401\" walk through the causes.",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The entry (its index in the file) where it shows.
    pub entry: usize,
    pub message: String,
}

/// One authentication exchange: the requests for one URL from the first 401 (or the first
/// credentials) to the answer that ends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub url: String,
    /// Indexes into the entries.
    pub entries: Vec<usize>,
    /// The schemes the first 401 offered, in order.
    pub offered: Vec<String>,
    /// The schemes the browser used, in order of first use.
    pub used: Vec<String>,
    /// The last response's status, and IIS's sub-status when its error page names one.
    pub status: u16,
    pub substatus: Option<String>,
    pub problems: Vec<Problem>,
    /// The walkthrough (Browser and Server lanes).
    pub steps: Vec<Step>,
}

/// What a token is, in a few words: `NTLM CHALLENGE`, `Negotiate: Kerberos AP-REQ`.
pub fn token_kind(header_value: &str) -> String {
    kind_of(&crate::decode::decode(header_value), header_value)
}

/// [`token_kind`] of a value already decoded.
pub(super) fn kind_of(d: &crate::decode::Decoded, header_value: &str) -> String {
    let scheme = header_value.split(' ').next().unwrap_or("");
    let ntlm = d
        .ntlm
        .as_ref()
        .map(|m| format!("NTLM {}", m.type_name().trim_end_matches("_MESSAGE")));
    match (&d.negotiate, ntlm) {
        (Some(_), Some(n)) => format!("Negotiate: {n}"),
        (None, Some(n)) => n,
        (Some(s), None) => match s.kerberos {
            Some(k) => format!("Negotiate: Kerberos {k}"),
            None if !s.spnego.is_empty() => format!("Negotiate: {}", s.spnego),
            None => scheme.to_string(),
        },
        (None, None) => scheme.to_string(),
    }
}

/// The token of a challenge or credentials value (`NTLM <token68>`), if it carries one.
pub(super) fn token_of(value: &str) -> Option<String> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    let rest = rest.trim();
    let ok = ["ntlm", "negotiate", "kerberos"].contains(&scheme.to_ascii_lowercase().as_str())
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=-._~".contains(&b));
    ok.then(|| format!("{scheme} {rest}"))
}

pub(super) fn scheme_of(value: &str) -> String {
    value.split([' ', ',']).next().unwrap_or("").to_string()
}

/// An IIS sub-status named by an error page (`HTTP Error 401.2`, `401.1 - Unauthorized`).
pub(super) fn substatus(status: u16, body: &str) -> Option<String> {
    let code = status.to_string();
    let mut rest = body;
    while let Some(i) = rest.find(&code) {
        let after = rest.get(i + code.len()..).unwrap_or("");
        let digits: String = after
            .strip_prefix('.')
            .map(|a| a.chars().take_while(char::is_ascii_digit).collect())
            .unwrap_or_default();
        if !digits.is_empty() && digits.len() <= 2 {
            return Some(format!("{code}.{digits}"));
        }
        rest = after;
    }
    None
}

pub(super) fn is_auth_status(s: u16) -> bool {
    s == 401 || s == 407
}

/// Whether an entry takes part in authentication.
pub(super) fn relevant(e: &Entry) -> bool {
    is_auth_status(e.status)
        || !e.request_values("authorization").is_empty()
        || !e.request_values("proxy-authorization").is_empty()
}

/// Finds the authentication exchanges in `entries` (in file order, which is start order).
pub fn exchanges(entries: &[Entry]) -> Vec<Exchange> {
    let mut out: Vec<Exchange> = Vec::new();
    // URL → the exchange still waiting for a retry (its last answer was a 401).
    let mut open: Vec<(String, usize)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if !relevant(e) {
            continue;
        }
        let url = e.resource().to_string();
        let at = match open.iter().position(|(u, _)| *u == url) {
            Some(p) => open.get(p).map(|(_, x)| *x).unwrap_or(0),
            None => {
                out.push(Exchange {
                    url: url.clone(),
                    entries: Vec::new(),
                    offered: Vec::new(),
                    used: Vec::new(),
                    status: 0,
                    substatus: None,
                    problems: Vec::new(),
                    steps: Vec::new(),
                });
                open.push((url.clone(), out.len() - 1));
                out.len() - 1
            }
        };
        if let Some(x) = out.get_mut(at) {
            x.entries.push(i);
        }
        if !is_auth_status(e.status) {
            open.retain(|(u, _)| *u != url);
        }
    }
    let ids = connection_ids(entries);
    for x in &mut out {
        analyse(x, entries, ids);
    }
    out
}

/// Whether the HAR's `connection` values identify connections: Firefox writes the server's
/// port there, the same for every request to it.
pub fn connection_ids(entries: &[Entry]) -> bool {
    let port = |e: &Entry| {
        let (auth, _) = authority_and_path(&e.url);
        match auth.rsplit_once(':') {
            Some((_, p)) if p.bytes().all(|b| b.is_ascii_digit()) => p.to_string(),
            _ if e.url.starts_with("https") => "443".into(),
            _ => "80".into(),
        }
    };
    let with: Vec<&Entry> = entries.iter().filter(|e| e.connection.is_some()).collect();
    !with.is_empty()
        && !with
            .iter()
            .all(|e| e.connection.as_deref() == Some(port(e).as_str()))
}

/// `ids`: whether the file's connection values identify connections ([`connection_ids`]).
pub(super) fn analyse(x: &mut Exchange, all: &[Entry], ids: bool) {
    let list: Vec<&Entry> = x.entries.iter().filter_map(|&i| all.get(i)).collect();
    if let Some(first401) = list.iter().find(|e| is_auth_status(e.status)) {
        let name = if first401.status == 407 {
            "proxy-authenticate"
        } else {
            "www-authenticate"
        };
        for v in first401.response_values(name) {
            let s = scheme_of(v);
            if !s.is_empty() && !x.offered.iter().any(|o| o.eq_ignore_ascii_case(&s)) {
                x.offered.push(s);
            }
        }
    }
    let mut failures = 0;
    let mut challenge_conn: Option<(String, usize)> = None;
    let mut flagged_fallback = false;
    let mut flagged_plain = false;
    for e in &list {
        let creds: Vec<&str> = e
            .request_values("authorization")
            .into_iter()
            .chain(e.request_values("proxy-authorization"))
            .collect();
        for c in &creds {
            let s = scheme_of(c);
            if !x.used.iter().any(|u| u.eq_ignore_ascii_case(&s)) {
                x.used.push(s.clone());
            }
            let decoded = crate::decode::decode(c);
            let kind = kind_of(&decoded, c);
            let offered_negotiate = x
                .offered
                .iter()
                .any(|o| o.eq_ignore_ascii_case("negotiate"));
            // A bare NTLM header means Negotiate was never tried; NTLM inside Negotiate means
            // Windows' Negotiate found no Kerberos ticket: who does either, by the browser
            // model (http::integrated::who_sends).
            use crate::http::integrated::{who_sends, Mechanism};
            use crate::http::Scheme;
            let (fallback_kind, fallback) = if !offered_negotiate {
                (ProblemKind::FellBack, None)
            } else if s.eq_ignore_ascii_case("basic") {
                (ProblemKind::FellBack, Some("The server offered Negotiate (Kerberos) but the browser sent Basic: it skipped Negotiate (Firefox for hosts not in network.negotiate-auth.trusted-uris, Chromium on Linux or macOS without AuthServerAllowlist, a client without Windows authentication), or it takes the first scheme in the server's order (Internet Explorer, when Basic comes first). The password crosses the wire.".to_string()))
            } else if s.eq_ignore_ascii_case("ntlm") {
                let (who, sources) = who_sends(Scheme::Ntlm, Mechanism::Ntlm);
                (ProblemKind::NegotiateNotTried, Some(format!("The server offered Negotiate but the browser answered with a bare NTLM header: it never tried Negotiate. With their defaults that is what {} do (sources: {}); curl --ntlm and scripts send NTLM when told to. This is not a Kerberos or SPN problem.", who.join(", "), sources.join("; "))))
            } else if kind.contains("NTLM") {
                let (who, _) = who_sends(Scheme::Negotiate, Mechanism::Ntlm);
                (ProblemKind::FellBack, Some(format!("The server offered Negotiate and the browser's Negotiate carried NTLM: Windows' Negotiate package found no Kerberos ticket for the server (no SPN HTTP/<host> registered, a duplicate SPN, a name outside the domain, or the user is not logged on to the domain). Clients that do this: {}.", who.join(", "))))
            } else {
                (ProblemKind::FellBack, None)
            };
            flag_once(
                &mut x.problems,
                &mut flagged_fallback,
                fallback_kind,
                e.index,
                fallback.as_deref(),
            );
            let plain = if !e.url.starts_with("http://") {
                None
            } else if s.eq_ignore_ascii_case("basic") {
                Some("Basic credentials went over plain HTTP: anyone on the path reads the password (base64 is not encryption). Use HTTPS.")
            } else if kind.contains("AUTHENTICATE") {
                Some("An NTLM AUTHENTICATE message went over plain HTTP: anyone on the path can capture it and crack its response offline. Use HTTPS.")
            } else {
                None
            };
            flag_once(
                &mut x.problems,
                &mut flagged_plain,
                ProblemKind::PlainHttp,
                e.index,
                plain,
            );
            if let Some(crate::ntlm::Message::Authenticate(a)) = &decoded.ntlm {
                if a.domain.is_empty() && (a.user.contains('\\') || a.user.contains('@')) {
                    x.problems.push(Problem {
                        kind: ProblemKind::DomainInUserName,
                        entry: e.index,
                        message: format!("The AUTHENTICATE message names the user \"{}\" with an empty domain: the server looks for a local account of that whole name and fails (IIS: 401.1). The client did not split DOMAIN\\user; type the domain in its own field, or use user@domain where the client supports it.", a.user),
                    });
                }
            }
            if kind.ends_with("AUTHENTICATE") && ids {
                if let (Some((cid, at)), Some(now)) = (&challenge_conn, &e.connection) {
                    if cid != now {
                        x.problems.push(Problem {
                            kind: ProblemKind::ConnectionChanged,
                            entry: e.index,
                            message: format!("The AUTHENTICATE message went on connection {now}, but the CHALLENGE it answers came on connection {cid} (entry {}). NTLM authenticates a connection: the server cannot match them and answers 401 (IIS: 401.2 or 401.1). A proxy or load balancer that pools connections, or a server that closed the connection, does this.", at + 1),
                        });
                    }
                }
            }
        }
        let challenge = e
            .response_values("www-authenticate")
            .into_iter()
            .chain(e.response_values("proxy-authenticate"))
            .filter_map(token_of)
            .any(|t| token_kind(&t).contains("CHALLENGE"));
        // A refusal answers final credentials; the 401 with a CHALLENGE continues a handshake.
        if is_auth_status(e.status) && !creds.is_empty() && !challenge {
            failures += 1;
            if failures == 3 {
                x.problems.push(Problem {
                    kind: ProblemKind::RepeatedFailures,
                    entry: e.index,
                    message: "Three logons with credentials were refused: Internet Explorer shows the error page after three credential dialogs (observed; KB 871179 documents it for Kerberos); Chromium and Firefox ask until the user cancels. Check the user name, the password, the account's lock-out and its logon rights.".into(),
                });
            }
        }
        if challenge {
            challenge_conn = e.connection.clone().map(|c| (c, e.index));
        }
    }
    if let Some(last) = list.last() {
        x.status = last.status;
        x.substatus = substatus(last.status, &last.body);
        if is_auth_status(last.status) {
            let st = x
                .substatus
                .clone()
                .unwrap_or_else(|| last.status.to_string());
            x.problems.push(Problem {
                kind: ProblemKind::Refused,
                entry: last.index,
                message: format!(
                    "The exchange ended with {st}: no further attempt followed (the browser gave up, or the user cancelled)."
                ),
            });
        }
    }
    x.steps = steps(&list, ids);
}

/// Adds the problem the first time it shows in an exchange.
pub(super) fn flag_once(
    problems: &mut Vec<Problem>,
    flagged: &mut bool,
    kind: ProblemKind,
    entry: usize,
    message: Option<&str>,
) {
    if let (false, Some(m)) = (*flagged, message) {
        problems.push(Problem {
            kind,
            entry,
            message: m.into(),
        });
        *flagged = true;
    }
}

pub(super) fn path_of(url: &str) -> &str {
    authority_and_path(url).1
}
