//! The engine: how IIS 6 answers a request for a site (authentication, logon, access checks),
//! after "401.1 and 401.2 - Authentication Problems". See the module doc of `iis` for the
//! decision diagram.

use super::audit::{self, Attempt, Failure, Method};
use super::{
    logon_method_name, pages, win32, Account, AuthFlags, Identity, LogLine, Request, Response,
    Site, Token,
};
use crate::basic::{self, Charset};

/// What a logon attempt came to.
enum Logon {
    Ok(String),
    Failed { win32: u32, why: String },
    NoDomainController(String),
}

/// The domain controller's computer name, as the Security log shows it.
pub(crate) const DC: &str = "DC01";

impl Site {
    /// The `WWW-Authenticate` values IIS 6 sends for this site, in its order.
    pub fn challenges(&self, req: &Request) -> Vec<String> {
        let mut v = Vec::new();
        if self.auth_flags.has(AuthFlags::NTLM) {
            v.extend(self.nt_auth_providers.iter().cloned());
        }
        if self.auth_flags.has(AuthFlags::BASIC) {
            let realm = self.realm.clone().unwrap_or_else(|| {
                req.header("Host")
                    .map(|h| h.split(':').next().unwrap_or(h).to_string())
                    .unwrap_or_else(|| self.host.clone())
            });
            v.push(format!(
                "Basic realm=\"{}\"",
                realm.replace('\\', "\\\\").replace('"', "\\\"")
            ));
        }
        v
    }

    /// The account `domain\user` of this site's computer or domain.
    pub(crate) fn account(&self, domain: &str, user: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.domain.eq_ignore_ascii_case(domain) && a.user.eq_ignore_ascii_case(user))
    }

    /// Whether `domain` names this computer (or nothing, as an NTLM message with no domain):
    /// its accounts are local and this computer validates them.
    pub(crate) fn is_local(&self, domain: &str) -> bool {
        domain.is_empty() || domain.eq_ignore_ascii_case(&self.machine)
    }

    /// `LogonUser(user, domain, password, <LogonMethod>)` as IIS 6 calls it for Anonymous and
    /// Basic: the password, then the account's state, then the right the logon type needs.
    fn logon(
        &self,
        domain: &str,
        user: &str,
        password: Option<&str>,
        trace: &mut Vec<String>,
        audit: &mut Option<Attempt>,
    ) -> Logon {
        let local = domain.eq_ignore_ascii_case(&self.machine);
        let mut record = |result: Result<(), Failure>| {
            *audit = Some(self.attempt(
                domain,
                user,
                self.logon_type(),
                Method::Password,
                "",
                result,
            ));
        };
        let method = logon_method_name(self.logon_method);
        let call = format!("LogonUser({domain}\\{user}, {method})");
        if !local {
            let in_domain = self
                .domain
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(domain));
            if !in_domain {
                trace.push(format!(
                    "{call}: {domain} is neither this computer nor its domain"
                ));
                return Logon::Failed {
                    win32: win32::LOGON_FAILURE,
                    why: "unknown domain".into(),
                };
            }
            if !self.dc_reachable {
                trace.push(format!(
                    "{call}: the domain controller for {domain} cannot be reached"
                ));
                record(Err(Failure::NoLogonServers));
                return Logon::NoDomainController(domain.to_string());
            }
            trace.push(format!(
                "{call}: the domain controller for {domain} checks the password"
            ));
        }
        let mut fail = |trace: &mut Vec<String>, f: Failure, why: &str| {
            let code = f.win32();
            trace.push(format!("{call} → {}: {why}", win32::name(code)));
            record(Err(f));
            Logon::Failed {
                win32: code,
                why: why.to_string(),
            }
        };
        let Some(a) = self.account(domain, user) else {
            return fail(trace, Failure::UnknownUser, "no such account");
        };
        // `None`: sub-authentication, which vouches for the account without its password.
        if password.is_some_and(|p| p != a.password) {
            return fail(trace, Failure::WrongPassword, "wrong password");
        }
        if let Some((f, why)) = a.refusal() {
            return fail(trace, f, why);
        }
        let (right, has) = match self.logon_method {
            0 => ("Log on locally", a.log_on_locally),
            1 => ("Log on as a batch job", a.batch_logon),
            _ => ("Access this computer from the network", a.network_logon),
        };
        if !has {
            return fail(
                trace,
                Failure::LogonType,
                &format!(
                    "LogonMethod {} ({method}) needs the \"{right}\" right, which {}\\{} lacks",
                    self.logon_method, a.domain, a.user
                ),
            );
        }
        record(Ok(()));
        trace.push(format!(
            "{call} → success: a token for {}\\{}",
            a.domain, a.user
        ));
        Logon::Ok(format!("{}\\{}", a.domain, a.user))
    }

    /// The `LOGON32_LOGON_*` type of `LogonMethod` (0 interactive, 1 batch, 2 network, 3 network
    /// cleartext).
    fn logon_type(&self) -> u8 {
        match self.logon_method {
            0 => 2,
            1 => 4,
            2 => 3,
            _ => 8,
        }
    }

    /// A logon of `domain\user` for the Security log.
    pub(crate) fn attempt(
        &self,
        domain: &str,
        user: &str,
        logon_type: u8,
        method: Method,
        workstation: &str,
        result: Result<(), Failure>,
    ) -> Attempt {
        let local = self.is_local(domain);
        Attempt {
            domain: if local {
                self.machine.clone()
            } else {
                domain.to_ascii_uppercase()
            },
            user: user.to_string(),
            logon_type,
            method,
            workstation: workstation.to_string(),
            client_ip: String::new(),
            validated_on: if local {
                self.machine.clone()
            } else {
                DC.into()
            },
            result,
        }
    }

    /// Attaches the logon `a` and the Security events it writes to `r`.
    pub(crate) fn audited(&self, mut r: Response, req: &Request, a: Option<Attempt>) -> Response {
        if let Some(mut a) = a {
            a.client_ip = req.client_ip.clone();
            r.events = audit::events(&a, self.audit, self.dc_audit, &self.machine);
            r.logon = Some(a);
        }
        r
    }

    /// Splits a Basic user name into domain and user: `DOMAIN\user`, `user@dns.domain`, or
    /// `user` (then `DefaultLogonDomain`, or this computer).
    fn qualify(&self, name: &str) -> (String, String) {
        if let Some((d, u)) = name.split_once('\\') {
            return (d.to_string(), u.to_string());
        }
        if let Some((u, d)) = name.split_once('@') {
            let netbios = d.split('.').next().unwrap_or(d).to_ascii_uppercase();
            return (netbios, u.to_string());
        }
        let d = self
            .default_logon_domain
            .clone()
            .unwrap_or_else(|| self.machine.clone());
        (d, name.to_string())
    }
    /// Answer `req` as IIS 6 would.
    pub fn handle(&self, req: &Request) -> Response {
        let path = self.site_path(&req.target);
        if self.nodes.is_empty() {
            self.handle_effective(req)
        } else {
            self.for_path(&path).handle_effective(req)
        }
    }

    /// The anonymous logon: with `AnonymousPasswordSync` through Iissuba.dll, which works only
    /// for a LocalSystem worker process with Iissuba.dll registered; otherwise with
    /// `AnonymousUserPass`.
    fn anonymous_logon(&self, trace: &mut Vec<String>, audit: &mut Option<Attempt>) -> Logon {
        let (d, u) = match self.anonymous_user.split_once('\\') {
            Some((d, u)) => (d.to_string(), u.to_string()),
            None => (self.machine.clone(), self.anonymous_user.clone()),
        };
        if !self.anonymous_password_sync {
            trace.push(format!(
                "AnonymousPasswordSync is false: IIS logs on {} with AnonymousUserPass.",
                self.anonymous_user
            ));
            return self.logon(&d, &u, Some(&self.anonymous_password), trace, audit);
        }
        trace.push("AnonymousPasswordSync is true: IIS asks the sub-authentication package (Iissuba.dll) to log the anonymous account on without a password.".into());
        let mut missing = Vec::new();
        if self.worker_identity != Identity::LocalSystem {
            missing.push(format!(
                "the worker process runs as {}, not LocalSystem",
                self.worker_identity.name()
            ));
        }
        if !self.iissuba_registered {
            missing.push("Iissuba.dll is not registered".to_string());
        }
        if !missing.is_empty() {
            trace.push(format!("Sub-authentication fails: {} (IIS 6 guide: it needs a LocalSystem worker process, Iissuba.dll registered and AnonymousPasswordSync set).", missing.join(" and ")));
            return Logon::Failed {
                win32: win32::LOGON_FAILURE,
                why: "sub-authentication logon failed".into(),
            };
        }
        self.logon(&d, &u, None, trace, audit)
    }

    /// Answer `req` with this site's properties already resolved for its path.
    pub(crate) fn handle_effective(&self, req: &Request) -> Response {
        let mut trace = vec![format!(
            "Request for {} on connection #{}; AuthFlags = {}",
            req.target,
            req.connection,
            self.auth_flags.names()
        )];
        let flags = self.auth_flags;
        if flags.0 == 0 {
            trace.push("No authentication method is enabled (AuthFlags=0): IIS refuses every request with 401.2 and offers nothing.".into());
            return self.deny(req, 2, win32::ACCESS_DENIED, false, trace, None);
        }
        let authz = req
            .header("Authorization")
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let Some(authz) = authz else {
            if flags.has(AuthFlags::ANONYMOUS) {
                trace.push(format!(
                    "No Authorization header and Anonymous is enabled: IIS tries no other method and logs on as {}.",
                    self.anonymous_user
                ));
                let mut attempt = None;
                let r = match self.anonymous_logon(&mut trace, &mut attempt) {
                    Logon::Ok(_) => self.ok(req, None, trace),
                    Logon::Failed { win32: code, .. } if flags.0 == AuthFlags::ANONYMOUS => {
                        trace.push(
                            "The anonymous logon failed and no other method is enabled: 401.1."
                                .into(),
                        );
                        self.deny(req, 1, code, false, trace, None)
                    }
                    Logon::Failed { .. } | Logon::NoDomainController(_) => {
                        trace.push("The anonymous logon failed; other methods are enabled, so IIS sends 401.2 with their WWW-Authenticate headers.".into());
                        self.deny(req, 2, win32::ACCESS_DENIED, true, trace, None)
                    }
                };
                return self.audited(r, req, attempt);
            }
            trace.push("No Authorization header and Anonymous is disabled: IIS answers 401.2 with the enabled schemes. This first 401 is normal.".into());
            return self.deny(req, 2, win32::ACCESS_DENIED, true, trace, None);
        };
        let scheme = authz.split([' ', '\t']).next().unwrap_or("");
        if scheme.eq_ignore_ascii_case("basic") && flags.has(AuthFlags::BASIC) {
            return self.basic(req, authz, trace);
        }
        let enabled = if scheme.eq_ignore_ascii_case("basic") {
            false
        } else if scheme.eq_ignore_ascii_case("ntlm") || scheme.eq_ignore_ascii_case("negotiate") {
            flags.has(AuthFlags::NTLM)
        } else {
            false
        };
        if enabled {
            trace.push(format!(
                "Authorization: {scheme} needs the connection's handshake state, which only a host (iis::Host) keeps; without it the token is refused."
            ));
        } else {
            trace.push(format!(
                "Authorization: {scheme} is not a method enabled for this URL: IIS denies it by server configuration."
            ));
        }
        self.deny(req, 2, win32::ACCESS_DENIED, true, trace, None)
    }

    fn basic(&self, req: &Request, authz: &str, mut trace: Vec<String>) -> Response {
        // IIS 6 reads Basic credentials in the system's ANSI code page.
        let decoded = match basic::decode(authz, Charset::Latin1) {
            Ok(d) => d,
            Err(e) => {
                trace.push(format!(
                    "Authorization: Basic could not be decoded at byte {}: {e}",
                    e.offset
                ));
                return self.deny(req, 1, win32::LOGON_FAILURE, true, trace, None);
            }
        };
        trace.push(format!(
            "Authorization: Basic decodes (as ANSI) to user \"{}\" and a {}-character password.",
            decoded.user,
            decoded.password.chars().count()
        ));
        let (domain, user) = self.qualify(&decoded.user);
        let who = format!("{domain}\\{user}");
        let mut attempt = None;
        let r = match self.logon(
            &domain,
            &user,
            Some(&decoded.password),
            &mut trace,
            &mut attempt,
        ) {
            Logon::Ok(u) => self.ok(req, Some(u), trace),
            Logon::Failed { win32: code, why } => {
                trace.push(format!("The logon failed ({why}): 401.1. The browser may ask again; IIS does not count attempts."));
                self.deny(req, 1, code, true, trace, Some(who))
            }
            Logon::NoDomainController(d) => {
                trace.push(format!(
                    "IIS could not reach a domain controller for {d}: 401.2."
                ));
                self.deny(req, 2, win32::NO_LOGON_SERVERS, true, trace, Some(who))
            }
        };
        self.audited(r, req, attempt)
    }

    pub(crate) fn base_headers(&self, req: &Request) -> Vec<(String, String)> {
        let mut h = vec![
            ("Date".into(), crate::time::http_date(req.now)),
            ("Server".into(), "Microsoft-IIS/6.0".into()),
            ("X-Powered-By".into(), "ASP.NET".into()),
        ];
        if !self.allow_keep_alive {
            h.push(("Connection".into(), "close".into()));
        }
        h
    }

    pub(super) fn log(
        &self,
        req: &Request,
        status: u16,
        substatus: u16,
        win32_status: u32,
        user: Option<&str>,
    ) -> LogLine {
        let (stem, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
        LogLine {
            date_time: crate::time::w3c_date_time(req.now),
            method: req.method.clone(),
            uri_stem: stem.to_string(),
            uri_query: query.to_string(),
            username: user.unwrap_or("").to_string(),
            client_ip: req.client_ip.clone(),
            user_agent: req.header("User-Agent").unwrap_or("").to_string(),
            status,
            substatus,
            win32_status,
        }
    }

    /// Authenticated by Anonymous (`user` None) or Basic: IIS holds a password for the token.
    pub(crate) fn ok(&self, req: &Request, user: Option<String>, trace: Vec<String>) -> Response {
        self.ok_with(req, user, Token::Cleartext, trace)
    }

    /// Authenticated with a token of kind `token`: now the file system decides (NTFS ACLs,
    /// default documents, UNC, where the token's kind decides whether it reaches the share).
    pub(crate) fn ok_with(
        &self,
        req: &Request,
        user: Option<String>,
        token: Token,
        mut trace: Vec<String>,
    ) -> Response {
        let served = match self.authorize(req, user.as_deref(), token, &mut trace) {
            Ok(path) => path,
            Err(refusal) => return self.refuse(req, refusal, trace, user),
        };
        trace.push(match &user {
            Some(u) => format!("Authenticated as {u}: IIS serves {served} (200)."),
            None => format!("Anonymous access granted: IIS serves {served} (200)."),
        });
        let mut headers = self.base_headers(req);
        headers.push(("Content-Type".into(), "text/html".into()));
        let body = pages::welcome(self, user.as_deref());
        Response {
            status: 200,
            substatus: 0,
            win32_status: win32::SUCCESS,
            reason: "OK",
            headers,
            body,
            trace,
            log: self.log(req, 200, 0, win32::SUCCESS, user.as_deref()),
            user,
            logon: None,
            events: Vec::new(),
        }
    }

    pub(crate) fn deny(
        &self,
        req: &Request,
        substatus: u16,
        code: u32,
        offer: bool,
        trace: Vec<String>,
        user: Option<String>,
    ) -> Response {
        let mut headers = self.base_headers(req);
        if offer {
            for c in self.challenges(req) {
                headers.push(("WWW-Authenticate".into(), c));
            }
        }
        headers.push(("Content-Type".into(), "text/html".into()));
        Response {
            status: 401,
            substatus,
            win32_status: code,
            reason: "Unauthorized",
            headers,
            body: pages::error_401(substatus),
            trace,
            log: self.log(req, 401, substatus, code, user.as_deref()),
            user: None,
            logon: None,
            events: Vec::new(),
        }
    }
}
