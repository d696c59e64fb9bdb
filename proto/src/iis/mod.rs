//! The IIS 6 site engine (first cut): a request in, a response out, with the trace of decisions
//! and the W3C log line IIS would write. Sans-I/O: the page runs it in memory, `authscope serve`
//! runs it behind real connections.
//!
//! What this cut models, after "401.1 and 401.2 - Authentication Problems" (IIS 6.0):
//! ```text
//! AuthFlags = 0 ─────────────────────────────────────────────► 401.2, no WWW-Authenticate
//! no Authorization, AuthAnonymous ─ LogonUser(IUSR) ok ──────► 200
//!                                   └ fails ─ other methods? ─► 401.2 + list │ none ─► 401.1
//! no Authorization, no anonymous ────────────────────────────► 401.2 + WWW-Authenticate list
//! Authorization: Basic, AuthBasic ─ local account ─ ok ──────► 200
//!                                 │                 └ bad ───► 401.1 (1326)
//!                                 └ domain account ─ DC down ► 401.2 (1311)
//! Authorization: scheme not enabled ─────────────────────────► 401.2 + list
//! ```

mod access;
pub mod host;
pub mod isolate;
pub mod pages;
pub mod scenarios;
pub mod site_file;
pub mod sites;
pub mod visit;

use crate::basic::{self, Charset};
use serde::Serialize;

/// The `AuthFlags` metabase property.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuthFlags(pub u32);

impl AuthFlags {
    pub const ANONYMOUS: u32 = 0x1;
    pub const BASIC: u32 = 0x2;
    /// Integrated Windows authentication (NTLM and, through Negotiate, Kerberos).
    pub const NTLM: u32 = 0x4;
    /// Digest.
    pub const MD5: u32 = 0x10;
    pub const PASSPORT: u32 = 0x40;

    pub fn has(self, flag: u32) -> bool {
        self.0 & flag != 0
    }
    /// The flags by their metabase names, e.g. `AuthAnonymous | AuthBasic`.
    pub fn names(self) -> String {
        let all = [
            (Self::ANONYMOUS, "AuthAnonymous"),
            (Self::BASIC, "AuthBasic"),
            (Self::NTLM, "AuthNTLM"),
            (Self::MD5, "AuthMD5"),
            (Self::PASSPORT, "AuthPassport"),
        ];
        let v: Vec<&str> = all
            .iter()
            .filter(|(f, _)| self.has(*f))
            .map(|(_, n)| *n)
            .collect();
        if v.is_empty() {
            "0 (none)".to_string()
        } else {
            v.join(" | ")
        }
    }
}

/// A Windows account, local to the IIS computer or in a domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The computer name for local accounts, the NetBIOS domain name for domain accounts.
    pub domain: String,
    pub user: String,
    #[serde(skip)]
    pub password: String,
    pub disabled: bool,
    /// The "Access this computer from the network" right (NTLM, Kerberos and LogonMethod 2/3).
    pub network_logon: bool,
    /// The "Log on locally" right (LogonMethod 0, interactive).
    pub log_on_locally: bool,
    /// The "Log on as a batch job" right (LogonMethod 1).
    pub batch_logon: bool,
    /// The account has expired.
    pub expired: bool,
    /// Too many bad passwords: the account is locked out.
    pub locked_out: bool,
}

impl Account {
    /// An enabled account with the network logon right.
    pub fn new(domain: &str, user: &str, password: &str) -> Account {
        Account {
            domain: domain.into(),
            user: user.into(),
            password: password.into(),
            disabled: false,
            network_logon: true,
            log_on_locally: true,
            batch_logon: true,
            expired: false,
            locked_out: false,
        }
    }
}

/// The worker process identity (the application pool's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Identity {
    NetworkService,
    LocalSystem,
    LocalService,
    /// A named account (domain or local).
    Named,
}

impl Identity {
    pub fn name(self) -> &'static str {
        match self {
            Identity::NetworkService => "NetworkService",
            Identity::LocalSystem => "LocalSystem",
            Identity::LocalService => "LocalService",
            Identity::Named => "a named account",
        }
    }
}

/// What kind of logon token IIS holds for the request, which decides whether it can be used
/// on another computer (a UNC share): the "double hop".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// Anonymous (IIS knows IUSR's password) or Basic (the browser sent the password): IIS can
    /// log on anywhere with it.
    Cleartext,
    /// NTLM, or Kerberos without delegation: a network logon that proved the user to this
    /// server only; another server sees ANONYMOUS LOGON.
    NetworkOnly,
    /// Kerberos with a forwarded TGT (the server is trusted for delegation and the browser
    /// delegated): IIS can ask the KDC for tickets to other servers as the user.
    Delegated,
}

/// What lies between the browser and IIS. NTLM needs one TCP connection from the browser to
/// IIS for the whole handshake (IIS 6 guide, "Point-to-point connections").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Network {
    /// The browser talks to IIS directly, connection for connection.
    #[default]
    Direct,
    /// A proxy that is not point to point (the guide's CERN proxies): it keeps the browser's
    /// connection but sends each request to IIS on whichever connection it has free, here a new
    /// one each time.
    PoolingProxy,
    /// Something on the path (a firewall, a load balancer's idle timer) breaks the connection
    /// after every response: the browser must open a new one for its next request.
    Breaks,
}

impl Network {
    pub fn id(self) -> &'static str {
        match self {
            Network::Direct => "direct",
            Network::PoolingProxy => "proxy",
            Network::Breaks => "breaks",
        }
    }
    pub fn from_id(s: &str) -> Option<Network> {
        [Network::Direct, Network::PoolingProxy, Network::Breaks]
            .into_iter()
            .find(|n| n.id().eq_ignore_ascii_case(s))
    }
    pub fn name(self) -> &'static str {
        match self {
            Network::Direct => "Direct connection",
            Network::PoolingProxy => "A proxy that pools connections (not point to point)",
            Network::Breaks => "A device that breaks connections after each response",
        }
    }
}

/// How IIS 6 came to be on the server (it changes the sub-authentication defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Install {
    Clean,
    /// Upgraded from IIS 5: AnonymousPasswordSync stays true and Iissuba.dll registered.
    Upgrade,
}

/// Content on a UNC share, and the `UNCUserName`/`UNCPassword` used to reach it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unc {
    pub share: String,
    /// `UNCUserName`: empty means the request's own credentials pass through.
    pub user: String,
    #[serde(skip)]
    pub password: String,
}

/// A file (or default document) and the principals its NTFS ACL grants read access to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// The path under the site root, e.g. `/default.htm`.
    pub path: String,
    /// `Everyone`, `Authenticated Users`, `Users`, `IUSR_WEB01`, `CONTOSO\bob`…
    pub acl: Vec<String>,
}

/// A metabase node below the site root (virtual directory, directory or file) with the
/// properties set on it; unset properties inherit from the nodes above.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The path under the site root, e.g. `/app`.
    pub path: String,
    pub auth_flags: Option<AuthFlags>,
    pub logon_method: Option<u8>,
    pub anonymous_user: Option<String>,
    #[serde(skip)]
    pub anonymous_password: Option<String>,
    pub anonymous_password_sync: Option<bool>,
    pub realm: Option<String>,
    pub default_logon_domain: Option<String>,
    pub auth_persist_single_request: Option<bool>,
    pub default_doc: Option<Vec<String>>,
    pub enable_default_doc: Option<bool>,
    pub unc: Option<Unc>,
}

impl Node {
    /// Sets on this node every property that differs between `before` and `after` (the site as
    /// it applied to this node before and after an edit): the edit lands on this node only.
    pub fn absorb(&mut self, before: &Site, after: &Site) {
        if before.auth_flags != after.auth_flags {
            self.auth_flags = Some(after.auth_flags);
        }
        if before.logon_method != after.logon_method {
            self.logon_method = Some(after.logon_method);
        }
        if before.anonymous_user != after.anonymous_user {
            self.anonymous_user = Some(after.anonymous_user.clone());
        }
        if before.anonymous_password != after.anonymous_password {
            self.anonymous_password = Some(after.anonymous_password.clone());
        }
        if before.anonymous_password_sync != after.anonymous_password_sync {
            self.anonymous_password_sync = Some(after.anonymous_password_sync);
        }
        if before.realm != after.realm {
            self.realm = after.realm.clone();
        }
        if before.default_logon_domain != after.default_logon_domain {
            self.default_logon_domain = after.default_logon_domain.clone();
        }
        if before.auth_persist_single_request != after.auth_persist_single_request {
            self.auth_persist_single_request = Some(after.auth_persist_single_request);
        }
        if before.default_doc != after.default_doc {
            self.default_doc = Some(after.default_doc.clone());
        }
        if before.enable_default_doc != after.enable_default_doc {
            self.enable_default_doc = Some(after.enable_default_doc);
        }
        if before.unc != after.unc {
            self.unc = after.unc.clone();
        }
    }
}

/// One web site: the root's properties, the nodes below it, the accounts and the files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Site {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// The host name browsers use.
    pub host: String,
    /// The IIS computer's NetBIOS name (local accounts live here).
    pub machine: String,
    /// The domain the computer belongs to, if any.
    pub domain: Option<String>,
    pub auth_flags: AuthFlags,
    /// `NTAuthenticationProviders`: what Integrated Windows authentication offers, in order.
    pub nt_auth_providers: Vec<String>,
    /// `Realm`: the Basic realm; when unset IIS uses the host name of the request.
    pub realm: Option<String>,
    /// `DefaultLogonDomain`: the domain for Basic user names given without one.
    pub default_logon_domain: Option<String>,
    /// `AnonymousUserName` / `AnonymousUserPass`.
    pub anonymous_user: String,
    #[serde(skip)]
    pub anonymous_password: String,
    pub accounts: Vec<Account>,
    /// Whether the IIS computer can reach a domain controller.
    pub dc_reachable: bool,
    /// What is between the browser and IIS (not a metabase property: the network).
    pub network: Network,
    /// `AllowKeepAlive`: without it IIS closes the connection after every response, which
    /// breaks connection-based NTLM.
    pub allow_keep_alive: bool,
    /// `LogonMethod` for Anonymous and Basic: 0 interactive, 1 batch, 2 network, 3 network
    /// cleartext (IIS 6's default; earlier versions used 0).
    pub logon_method: u8,
    /// `AnonymousPasswordSync`: log IUSR on through the Iissuba.dll sub-authentication package
    /// instead of with `AnonymousUserPass`.
    pub anonymous_password_sync: bool,
    /// Whether Iissuba.dll is registered.
    pub iissuba_registered: bool,
    pub worker_identity: Identity,
    pub install: Install,
    /// `AuthPersistSingleRequest` (NTLM only honours it; default false: the connection keeps
    /// its identity).
    pub auth_persist_single_request: bool,
    /// `DefaultDoc`, in order, and `EnableDefaultDoc`.
    pub default_doc: Vec<String>,
    pub enable_default_doc: bool,
    /// The files and their ACLs; empty means every path exists and everyone may read it.
    pub files: Vec<FileEntry>,
    /// Content on a UNC share.
    pub unc: Option<Unc>,
    /// Nodes below the root with their own properties.
    pub nodes: Vec<Node>,
    /// The service keys IIS's account holds for its SPNs (a keytab), for Kerberos tickets.
    #[serde(skip)]
    pub service_keys: Vec<crate::kerberos::keytab::Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Request {
    pub method: String,
    /// Path and query, e.g. `/lab/basic/`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// Which TCP connection carried it (connection-based schemes depend on it).
    pub connection: u64,
    pub client_ip: String,
    /// Seconds since the Unix epoch (time is an argument, never read).
    pub now: i64,
}

impl Request {
    pub fn get(target: &str, host: &str, connection: u64, now: i64) -> Request {
        Request {
            method: "GET".into(),
            target: target.into(),
            headers: vec![("Host".into(), host.into())],
            connection,
            client_ip: "192.0.2.10".into(),
            now,
        }
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The request as it goes on the wire (HTTP/1.1, CRLF line ends).
    pub fn to_http(&self) -> String {
        let mut s = format!("{} {} HTTP/1.1\r\n", self.method, self.target);
        for (n, v) in &self.headers {
            s.push_str(&format!("{n}: {v}\r\n"));
        }
        s.push_str("\r\n");
        s
    }
}

/// Win32 status codes IIS logs as `sc-win32-status`.
pub mod win32 {
    pub const SUCCESS: u32 = 0;
    pub const ACCESS_DENIED: u32 = 5;
    pub const NO_LOGON_SERVERS: u32 = 1311;
    pub const LOGON_FAILURE: u32 = 1326;
    pub const ACCOUNT_DISABLED: u32 = 1331;
    pub const LOGON_TYPE_NOT_GRANTED: u32 = 1385;
    pub const ACCOUNT_EXPIRED: u32 = 1793;
    pub const ACCOUNT_LOCKED_OUT: u32 = 1909;

    /// The symbolic name of a code.
    pub fn name(code: u32) -> &'static str {
        match code {
            SUCCESS => "ERROR_SUCCESS",
            ACCESS_DENIED => "ERROR_ACCESS_DENIED",
            NO_LOGON_SERVERS => "ERROR_NO_LOGON_SERVERS",
            LOGON_FAILURE => "ERROR_LOGON_FAILURE",
            ACCOUNT_DISABLED => "ERROR_ACCOUNT_DISABLED",
            LOGON_TYPE_NOT_GRANTED => "ERROR_LOGON_TYPE_NOT_GRANTED",
            ACCOUNT_EXPIRED => "ERROR_ACCOUNT_EXPIRED",
            ACCOUNT_LOCKED_OUT => "ERROR_ACCOUNT_LOCKED_OUT",
            _ => "",
        }
    }
}

/// A W3C extended log line (the fields IIS 6 logs by default, plus the sub-status).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub date_time: String,
    pub method: String,
    pub uri_stem: String,
    pub uri_query: String,
    pub username: String,
    pub client_ip: String,
    pub user_agent: String,
    pub status: u16,
    pub substatus: u16,
    pub win32_status: u32,
}

/// One W3C log field as IIS 6 writes it: `-` when empty, and every space or nonprintable
/// character replaced with `+`, so that a field can neither split into two fields nor start a
/// new line ("If a field contains a nonprintable character, HTTP.sys replaces it with a plus sign
/// (+) to preserve the log file format", Windows Server 2003 docs, "IIS Log File Format" and
/// "NCSA Common Log File Format"; spaces became `+` after IIS 4 logged them raw, KB 238382).
/// Unicode's line and paragraph separators count as nonprintable here (an assumption: IIS 6
/// logs ASCII unless UTF-8 logging is on, and a log viewer may break lines at them).
pub fn log_field(s: &str) -> String {
    if s.is_empty() {
        return "-".to_string();
    }
    s.chars()
        .map(|c| {
            if c == ' ' || c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                '+'
            } else {
                c
            }
        })
        .collect()
}

impl LogLine {
    pub const FIELDS: &'static str =
        "#Fields: date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status";

    /// The line, every field escaped by [`log_field`].
    pub fn format(&self) -> String {
        let dash = log_field;
        format!(
            "{} {} {} {} {} {} {} {} {} {}",
            // Written by the engine itself as the two fields `date time`.
            self.date_time,
            dash(&self.method),
            dash(&self.uri_stem),
            dash(&self.uri_query),
            dash(&self.username),
            dash(&self.client_ip),
            dash(&self.user_agent),
            self.status,
            self.substatus,
            self.win32_status
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Response {
    pub status: u16,
    pub substatus: u16,
    pub win32_status: u32,
    pub reason: &'static str,
    /// Response headers except `Content-Length` (the transport adds it).
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The decisions that led here, in order.
    pub trace: Vec<String>,
    pub log: LogLine,
    /// The authenticated user (`DOMAIN\user`), if any.
    pub user: Option<String>,
}

impl Response {
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// The handshake token of the response's `WWW-Authenticate` (`NTLM TlRM…`, `Negotiate
    /// oYG…`), still base64: what follows the scheme in the first field that has more than a
    /// scheme. The engine writes one challenge per field and never a parameter on NTLM or
    /// Negotiate, so no list parsing is needed here (and the Kerberos page, which reads no
    /// other header, does not link [`crate::http::challenge::parse`], 5 KB of gzipped wasm).
    pub fn challenge_token(&self) -> Option<String> {
        self.header_values("WWW-Authenticate")
            .iter()
            .find_map(|v| v.split_once(' ').map(|(_, t)| t.trim().to_string()))
    }
    /// `401.1`, `200`…
    pub fn status_text(&self) -> String {
        if self.substatus == 0 {
            self.status.to_string()
        } else {
            format!("{}.{}", self.status, self.substatus)
        }
    }
    /// The response as it goes on the wire.
    pub fn to_http(&self) -> String {
        let mut s = format!("HTTP/1.1 {} {}\r\n", self.status, self.reason);
        for (n, v) in &self.headers {
            s.push_str(&format!("{n}: {v}\r\n"));
        }
        s.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        s.push_str(&self.body);
        s
    }
}

/// `LogonMethod` by the LOGON32 name it stands for.
pub fn logon_method_name(m: u8) -> &'static str {
    match m {
        0 => "INTERACTIVE",
        1 => "BATCH",
        2 => "NETWORK",
        _ => "NETWORK_CLEARTEXT",
    }
}

/// Whether `path` is `node` or below it (whole path segments, case-insensitive as IIS is).
fn path_is_under(path: &str, node: &str) -> bool {
    let node = node.trim_end_matches('/');
    if node.is_empty() {
        return true;
    }
    let (p, n) = (path.to_ascii_lowercase(), node.to_ascii_lowercase());
    p == n || p.starts_with(&format!("{n}/"))
}

/// What a logon attempt came to.
enum Logon {
    Ok(String),
    Failed { win32: u32, why: String },
    NoDomainController(String),
}

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

    fn account(&self, domain: &str, user: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.domain.eq_ignore_ascii_case(domain) && a.user.eq_ignore_ascii_case(user))
    }

    /// `LogonUser(user, domain, password, <LogonMethod>)` as IIS 6 calls it for Anonymous and
    /// Basic: the password, then the account's state, then the right the logon type needs.
    fn logon(
        &self,
        domain: &str,
        user: &str,
        password: Option<&str>,
        trace: &mut Vec<String>,
    ) -> Logon {
        let local = domain.eq_ignore_ascii_case(&self.machine);
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
                return Logon::NoDomainController(domain.to_string());
            }
            trace.push(format!(
                "{call}: the domain controller for {domain} checks the password"
            ));
        }
        let fail = |trace: &mut Vec<String>, code: u32, why: &str| {
            trace.push(format!("{call} → {}: {why}", win32::name(code)));
            Logon::Failed {
                win32: code,
                why: why.to_string(),
            }
        };
        let Some(a) = self.account(domain, user) else {
            return fail(trace, win32::LOGON_FAILURE, "no such account");
        };
        // `None`: sub-authentication, which vouches for the account without its password.
        if password.is_some_and(|p| p != a.password) {
            return fail(trace, win32::LOGON_FAILURE, "wrong password");
        }
        if a.disabled {
            return fail(trace, win32::ACCOUNT_DISABLED, "the account is disabled");
        }
        if a.expired {
            return fail(trace, win32::ACCOUNT_EXPIRED, "the account has expired");
        }
        if a.locked_out {
            return fail(
                trace,
                win32::ACCOUNT_LOCKED_OUT,
                "the account is locked out",
            );
        }
        let (right, has) = match self.logon_method {
            0 => ("Log on locally", a.log_on_locally),
            1 => ("Log on as a batch job", a.batch_logon),
            _ => ("Access this computer from the network", a.network_logon),
        };
        if !has {
            return fail(
                trace,
                win32::LOGON_TYPE_NOT_GRANTED,
                &format!(
                    "LogonMethod {} ({method}) needs the \"{right}\" right, which {}\\{} lacks",
                    self.logon_method, a.domain, a.user
                ),
            );
        }
        trace.push(format!(
            "{call} → success: a token for {}\\{}",
            a.domain, a.user
        ));
        Logon::Ok(format!("{}\\{}", a.domain, a.user))
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

    /// The path under the site root: `/lab/<id>/x` → `/x`.
    pub fn site_path(&self, target: &str) -> String {
        let path = target.split(['?', '#']).next().unwrap_or("/");
        let prefix = format!("/lab/{}", self.id);
        let rest = path
            .strip_prefix(&prefix)
            .filter(|r| r.is_empty() || r.starts_with('/'))
            .unwrap_or(path);
        if rest.is_empty() {
            "/".into()
        } else {
            rest.to_string()
        }
    }

    /// The site as it applies to `path`: the root's properties with those of every node on the
    /// way down applied in order (metabase inheritance).
    pub fn for_path(&self, path: &str) -> Site {
        let mut site = self.clone();
        // Shallowest first, by insertion: a site has a handful of nodes, and a sort routine for
        // them would cost the wasm bundle more than it saves.
        let depth = |n: &Node| n.path.trim_end_matches('/').len();
        let mut nodes: Vec<&Node> = Vec::new();
        for n in self.nodes.iter().filter(|n| path_is_under(path, &n.path)) {
            let at = nodes
                .iter()
                .position(|m| depth(m) > depth(n))
                .unwrap_or(nodes.len());
            nodes.insert(at, n);
        }
        for n in nodes {
            site.apply(n);
        }
        site
    }

    /// Copies the server-wide settings (the ones no metabase node overrides) from `other`.
    pub fn copy_server_settings(&mut self, other: &Site) {
        self.worker_identity = other.worker_identity;
        self.iissuba_registered = other.iissuba_registered;
        self.install = other.install;
        self.dc_reachable = other.dc_reachable;
        self.allow_keep_alive = other.allow_keep_alive;
        self.network = other.network;
        self.nt_auth_providers = other.nt_auth_providers.clone();
        self.accounts = other.accounts.clone();
        self.files = other.files.clone();
    }

    fn apply(&mut self, n: &Node) {
        if let Some(v) = n.auth_flags {
            self.auth_flags = v;
        }
        if let Some(v) = n.logon_method {
            self.logon_method = v;
        }
        if let Some(v) = &n.anonymous_user {
            self.anonymous_user = v.clone();
        }
        if let Some(v) = &n.anonymous_password {
            self.anonymous_password = v.clone();
        }
        if let Some(v) = n.anonymous_password_sync {
            self.anonymous_password_sync = v;
        }
        if let Some(v) = &n.realm {
            self.realm = Some(v.clone());
        }
        if let Some(v) = &n.default_logon_domain {
            self.default_logon_domain = Some(v.clone());
        }
        if let Some(v) = n.auth_persist_single_request {
            self.auth_persist_single_request = v;
        }
        if let Some(v) = &n.default_doc {
            self.default_doc = v.clone();
        }
        if let Some(v) = n.enable_default_doc {
            self.enable_default_doc = v;
        }
        if let Some(v) = &n.unc {
            self.unc = Some(v.clone());
        }
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
    fn anonymous_logon(&self, trace: &mut Vec<String>) -> Logon {
        let (d, u) = match self.anonymous_user.split_once('\\') {
            Some((d, u)) => (d.to_string(), u.to_string()),
            None => (self.machine.clone(), self.anonymous_user.clone()),
        };
        if !self.anonymous_password_sync {
            trace.push(format!(
                "AnonymousPasswordSync is false: IIS logs on {} with AnonymousUserPass.",
                self.anonymous_user
            ));
            return self.logon(&d, &u, Some(&self.anonymous_password), trace);
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
        self.logon(&d, &u, None, trace)
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
                return match self.anonymous_logon(&mut trace) {
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
        match self.logon(&domain, &user, Some(&decoded.password), &mut trace) {
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
        }
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

    fn log(
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
        }
    }
}

#[cfg(test)]
mod tests;
