//! The site model: the metabase properties of a site and of the nodes below it (with IIS's
//! inheritance), its accounts, files and network. Plain data that the lab edits, the site files
//! (`site_file`) describe and the engine (`engine`) reads.

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
    /// Why Windows refuses any logon of this account once its password is right, whatever
    /// the logon type or protocol: disabled, expired, locked out (the order `LogonUser` reports
    /// them in this engine).
    pub fn refusal(&self) -> Option<(super::audit::Failure, &'static str)> {
        use super::audit::Failure;
        if self.disabled {
            Some((Failure::Disabled, "the account is disabled"))
        } else if self.expired {
            Some((Failure::Expired, "the account has expired"))
        } else if self.locked_out {
            Some((Failure::LockedOut, "the account is locked out"))
        } else {
            None
        }
    }

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

    /// The built-in identity of a `name` (not `Named`, which has no name of its own).
    pub fn from_name(name: &str) -> Option<Identity> {
        [
            Identity::NetworkService,
            Identity::LocalSystem,
            Identity::LocalService,
        ]
        .into_iter()
        .find(|i| i.name() == name)
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
    /// Upgraded from IIS 5: AnonymousPasswordSync stays true, but Iissuba.dll is not registered
    /// and the worker processes do not run as LocalSystem, so sub-authentication fails
    /// (Microsoft, IIS 6.0 "Sub-Authentication").
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
    /// The IIS computer's audit policy for logon events (not a metabase property: Windows').
    pub audit: super::audit::Policy,
    /// The domain controller's (the Default Domain Controllers Policy's).
    pub dc_audit: super::audit::Policy,
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
    #[cfg(feature = "kerberos")]
    pub service_keys: Vec<crate::kerberos::keytab::Entry>,
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

impl Site {
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
        self.audit = other.audit;
        self.dc_audit = other.dc_audit;
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
}
