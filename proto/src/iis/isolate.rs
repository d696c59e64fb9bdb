//! The isolation assistant: from what the administrator observed (the status, the methods
//! enabled for the URL, how the request was authenticated) to the likely causes, in the order of
//! the IIS 6 guide's "Initial Isolation", each with its check, its fix, and the lab scenario that
//! reproduces it.

use super::AuthFlags;

/// How the failing request was (or was not) authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// No credentials: the browser did not prompt or send any.
    Anonymous,
    Basic,
    Integrated,
    Unknown,
}

/// What the administrator observed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answers {
    /// `401.1`, `401.2`, `401.3`, `500`.
    pub status: String,
    /// `AuthFlags` for the node the URL maps to.
    pub flags: AuthFlags,
    pub credentials: Credentials,
}

/// One likely cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    pub title: &'static str,
    pub why: &'static str,
    pub check: &'static str,
    pub fix: &'static str,
    /// The lab scenario that reproduces it.
    pub scenario: &'static str,
}

const fn cause(
    title: &'static str,
    why: &'static str,
    check: &'static str,
    fix: &'static str,
    scenario: &'static str,
) -> Cause {
    Cause {
        title,
        why,
        check,
        fix,
        scenario,
    }
}

/// The first check of the guide: which methods the URL's node has.
pub const READ_AUTHFLAGS: &str =
    "cscript %SystemDrive%\\Inetpub\\AdminScripts\\adsutil.vbs get w3svc/1/root/<path>/AuthFlags \
(1 = Anonymous, 2 = Basic, 4 = Integrated Windows, 16 = Digest; the value is their sum)";

/// The likely causes, most likely first.
pub fn causes(a: &Answers) -> Vec<Cause> {
    let anon = a.flags.has(AuthFlags::ANONYMOUS);
    let basic = a.flags.has(AuthFlags::BASIC);
    let integrated = a.flags.has(AuthFlags::NTLM);
    let mut out = Vec::new();
    let anonymous_logon = [
        cause("AnonymousUserPass out of date", "IIS logs IUSR on with the stored password; if it no longer matches, the anonymous logon fails.", "Compare AnonymousUserPass with the IUSR account's password (or reset both).", "Set AnonymousUserPass to the account's password.", "anon-fails-alone"),
        cause("LogonMethod 0 without \"Log on locally\"", "LogonMethod 0 asks for an INTERACTIVE token, which needs the \"Log on locally\" right.", "adsutil.vbs get w3svc/1/root/LogonMethod; the account's rights in Local Security Policy.", "Set LogonMethod to 3 (NETWORK_CLEARTEXT, the IIS 6 default).", "logonmethod-interactive"),
        cause("Anonymous account expired", "An expired IUSR account cannot log on.", "Local Users and Groups: the account's expiry.", "Renew the account and set it never to expire.", "anon-expired"),
        cause("Anonymous account locked out", "A locked-out IUSR account cannot log on.", "Local Users and Groups: \"Account is locked out\".", "Unlock it; find what sends bad passwords.", "anon-locked-out"),
        cause("Sub-authentication without its requirements", "AnonymousPasswordSync needs a LocalSystem worker process and Iissuba.dll registered; an upgrade from IIS 5 keeps the property true with neither (Microsoft, IIS 6.0 \"Sub-Authentication\").", "adsutil.vbs get w3svc/1/root/AnonymousPasswordSync; the application pool identity; whether Iissuba.dll is registered.", "Set AnonymousPasswordSync to false with the right AnonymousUserPass, or meet all three requirements.", "subauth-network-service"),
    ];
    match a.status.as_str() {
        _ if a.flags.0 == 0 => out.push(cause("No authentication method enabled (AuthFlags=0)", "IIS answers 401.2 to every request and offers no WWW-Authenticate header.", READ_AUTHFLAGS, "Enable at least one method for the node.", "authflags-zero")),
        "401.2" => {
            if anon {
                out.push(cause("The anonymous logon failed and IIS fell through", "With Anonymous enabled IIS tries nothing else; when the IUSR logon fails it answers 401.2 with the other methods.", "The W3C log shows only 401 2 5 for the anonymous request: the IUSR logon's own error is not in it. Turn on failure auditing (\"Audit logon events: Failure\") and read the Security log's logon failure for the IUSR account: 529 bad password, 531 disabled, 532 expired, 534 logon type not granted, 539 locked out.", "Fix the anonymous account (see the 401.1 causes).", "anon-fails-falls-through"));
                out.extend(anonymous_logon.iter().cloned());
            }
            if a.credentials == Credentials::Anonymous && !anon {
                out.push(cause("A first 401.2 is normal", "Anonymous is off, so the first request gets 401.2 with the enabled schemes; the browser should answer with one of them.", "Does the browser send an Authorization header on the next request?", "If it never does, enable a scheme the browser supports (Basic for non-Windows clients).", "vdir-inherits"));
            }
            if integrated {
                out.push(cause("HTTP keep-alives disabled", "NTLM's CHALLENGE must be answered on the same connection; without keep-alives every leg lands on a new one.", "adsutil.vbs get w3svc/1/AllowKeepAlive; the log shows each handshake as 401 1 2148074254 (the NEGOTIATE leg) then 401 2 5 (the AUTHENTICATE, on a new connection that never got the CHALLENGE), and never a 200.", "Enable HTTP keep-alives.", "ntlm-keep-alive-off"));
                out.push(cause("A proxy between the browser and IIS", "NTLM needs one connection from browser to IIS (\"point to point\"); a proxy that pools its connections to IIS delivers the AUTHENTICATE on a connection that never got the CHALLENGE.", "Does the request go through a proxy (browser settings, a Via header, the log's c-ip being the proxy's)? Try from a machine that reaches IIS directly.", "Bypass the proxy for the site, or use Basic over SSL (or Kerberos).", "ntlm-proxy"));
                out.push(cause("The connection breaks during the handshake", "If a connection is broken during authentication IIS returns 401.2 (the guide): a firewall or load balancer that closes or re-balances connections has the same effect as keep-alives off.", "A network trace: is the connection closed (FIN/RST) between the CHALLENGE and the AUTHENTICATE?", "Keep the connection open through the handshake (idle timeouts, load-balancer affinity).", "ntlm-connection-breaks"));
            }
            if basic {
                out.push(cause("Basic with a domain account and no domain controller", "IIS asks a domain controller to check domain accounts; when none answers, Basic fails with 401.2.", "sc-win32-status 1311 (ERROR_NO_LOGON_SERVERS) in the log.", "Restore domain controller communication.", "basic-domain-dc-unreachable"));
            }
        }
        "401.1" => {
            if a.credentials == Credentials::Anonymous || (a.credentials == Credentials::Unknown && anon) {
                out.extend(anonymous_logon.iter().cloned());
            }
            if basic && matches!(a.credentials, Credentials::Basic | Credentials::Unknown) {
                out.push(cause("Wrong user name or password (Basic)", "IIS called LogonUser with the decoded credentials and Windows refused them.", "sc-win32-status 1326 in the log; try the account elsewhere.", "Use the right credentials; check DefaultLogonDomain for names without a domain.", "basic-wrong-password"));
                out.push(cause("LogonMethod 0 and a Basic user without \"Log on locally\"", "Basic logons use LogonMethod too.", "adsutil.vbs get w3svc/1/root/LogonMethod.", "Set LogonMethod to 3.", "basic-logonmethod-interactive"));
            }
            if integrated && matches!(a.credentials, Credentials::Integrated | Credentials::Unknown) {
                out.push(cause("No \"Access this computer from the network\"", "NTLM logons are network logons: the user needs that right on the IIS server.", "Local Security Policy → User Rights Assignment on the IIS server; with failure auditing, the Security log shows event 534 (logon type 3 not granted) after the domain controller's successful 680.", "Grant the right to the user or one of its groups.", "ntlm-no-network-right"));
                out.push(cause("Domain controller unreachable", "IIS passes a domain account's response to a domain controller.", "sc-win32-status 2148074257 (SEC_E_NO_AUTHENTICATING_AUTHORITY).", "Restore domain controller communication.", "ntlm-dc-unreachable"));
            }
        }
        "401.3" => {
            out.push(cause("The file's NTFS ACL denies the identity", "Authentication succeeded; the file system refused the user (IUSR for anonymous requests).", "The ACL of the file the URL maps to, for that identity.", "Grant read access, or require authentication on purpose.", "acl-denies-anonymous"));
            out.push(cause("The first default document is missing, the second is denied", "For a directory URL IIS tries DefaultDoc in order; a later document's ACL can be the one that refuses.", "adsutil.vbs get w3svc/1/root/DefaultDoc, then each document's existence and ACL.", "Restore the first document or fix the second's ACL.", "default-doc-401-3"));
            out.push(cause("UNC content with the request's credentials passed through", "With UNCUserName empty, the request user (IUSR for anonymous) must be allowed on the share.", "adsutil.vbs get w3svc/1/root/<vdir>/UNCUserName; the share's and files' permissions.", "Grant access on the share, or set UNCUserName and UNCPassword.", "unc-passthrough"));
        }
        "500" => out.push(cause("UNCPassword is wrong", "With UNCUserName set, IIS logs on to the share with UNCPassword; a wrong one is a 500.", "adsutil.vbs get w3svc/1/root/<vdir>/UNCUserName; test the account and password.", "Set UNCPassword to the account's current password.", "unc-invalid")),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(status: &str, flags: u32, credentials: Credentials) -> Vec<&'static str> {
        causes(&Answers {
            status: status.into(),
            flags: AuthFlags(flags),
            credentials,
        })
        .iter()
        .map(|c| c.scenario)
        .collect()
    }

    #[test]
    fn every_cause_points_at_a_shipped_scenario() {
        let ids: Vec<String> = crate::iis::scenarios::all()
            .into_iter()
            .map(|s| s.site.id)
            .collect();
        for status in ["401.1", "401.2", "401.3", "500"] {
            for flags in 0..8 {
                for c in [
                    Credentials::Anonymous,
                    Credentials::Basic,
                    Credentials::Integrated,
                    Credentials::Unknown,
                ] {
                    for id in ask(status, flags, c) {
                        assert!(ids.iter().any(|i| i == id), "{id}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_guide_s_main_paths() {
        assert_eq!(ask("401.2", 0, Credentials::Unknown), ["authflags-zero"]);
        assert_eq!(
            ask("401.1", 1, Credentials::Anonymous)[1],
            "logonmethod-interactive"
        );
        assert!(ask("401.2", 4, Credentials::Integrated).contains(&"ntlm-keep-alive-off"));
        assert_eq!(
            ask("401.3", 1, Credentials::Anonymous)[1],
            "default-doc-401-3"
        );
        assert_eq!(ask("500", 1, Credentials::Anonymous), ["unc-invalid"]);
    }
}
