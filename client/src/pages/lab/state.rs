//! The lab's state: the site being edited, the metabase node selected, and the request. Every
//! edit is an `Action`, applied in one place (`reduce`); the page re-runs the engine on the result.

use proto::drive::visit::{Env, Via};
use proto::http::integrated::Os;
use proto::http::Profile;
use proto::iis::scenarios::{self, Client};
use proto::iis::{Account, AuthFlags, FileEntry, Identity, Network, Node, Site};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct State {
    /// The scenario's id, or "blank".
    pub scenario: String,
    pub site: Site,
    /// The metabase node being edited: an index into `site.nodes`, or `None` for the root.
    pub node: Option<usize>,
    pub path: String,
    pub client: Client,
    pub via: Via,
    /// Where the browser runs, how the URL names the server, the browser's policies.
    pub env: Env,
    /// The edits since the scenario was loaded, as the link holds them (`edits`).
    pub edits: Vec<(String, String)>,
    /// A password was edited: the link cannot rebuild this site.
    pub unlinked: bool,
}

impl State {
    /// A shipped scenario as the guide sets it up, sent as Internet Explorer 6; an unknown id is
    /// a blank site with IIS 6's defaults.
    pub fn load(id: &str) -> State {
        let (scenario, site, path, client) = match scenarios::by_id(id) {
            Some(s) => (id.to_string(), s.site, s.path.to_string(), s.client),
            None => (
                "blank".into(),
                proto::iis::sites::base(
                    "blank",
                    "A blank site",
                    "A new site with IIS 6 defaults: Anonymous access.",
                    AuthFlags::ANONYMOUS,
                ),
                "/".into(),
                Client::Anonymous,
            ),
        };
        State {
            scenario,
            site,
            node: None,
            path,
            client,
            via: Via::Browser(Profile::Ie6),
            env: Env::defaults(Profile::Ie6),
            edits: Vec::new(),
            unlinked: false,
        }
    }

    /// The edits for the link, `~`-separated (empty when there are none).
    pub fn edits_text(&self) -> String {
        let sep = edits::SEP.to_string();
        self.edits
            .iter()
            .map(|(_, e)| e.as_str())
            .collect::<Vec<_>>()
            .join(&sep)
    }

    /// Replays a link's edits on the scenario just loaded.
    pub fn replay(mut self, text: &str) -> State {
        for action in text
            .split(edits::SEP)
            .filter_map(edits::decode)
            .take(edits::MAX)
        {
            self = self.apply(action);
        }
        self
    }

    /// The properties as they apply at the selected node: what the form shows.
    pub fn shown(&self) -> Site {
        match self.node.and_then(|i| self.site.nodes.get(i)) {
            Some(n) => self.site.for_path(&n.path),
            None => self.site.clone(),
        }
    }

    /// Applies `setting` to the properties as they stand at the selected node, and stores what
    /// changed on that node (or on the root): an edit lands where IIS Manager would write it.
    fn edit_props(&mut self, setting: &Setting) {
        let path = self
            .node
            .and_then(|i| self.site.nodes.get(i))
            .map(|n| n.path.clone());
        let Some(path) = path else {
            setting.apply(&mut self.site);
            return;
        };
        let before = self.site.for_path(&path);
        let mut after = before.clone();
        setting.apply(&mut after);
        self.site.copy_server_settings(&after);
        if let Some(n) = self.node.and_then(|i| self.site.nodes.get_mut(i)) {
            n.absorb(&before, &after);
        }
    }
}

/// "Send as": a browser profile's id, or "direct" (one request, like curl).
pub fn via_id(via: Via) -> &'static str {
    match via {
        Via::Browser(p) => p.id(),
        Via::Direct => "direct",
    }
}

pub fn via_from_id(id: &str) -> Via {
    Profile::from_id(id).map_or(Via::Direct, Via::Browser)
}

/// A comma-separated list as typed (DefaultDoc, an ACL), without blanks.
pub fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

pub enum Action {
    /// Another scenario; the browser the user chose stays.
    Load(String),
    /// The metabase node whose properties the form edits (`None`: the site root).
    SelectNode(Option<usize>),
    /// A virtual directory, directory or file node at a path, selected once added.
    AddNode(String),
    /// A property, written on the selected node.
    Set(Setting),
    /// `DOMAIN\name`, or a name on this computer.
    AddAccount(String),
    Account(usize, AccountEdit),
    RemoveAccount(usize),
    AddFile(String),
    File(usize, FileEdit),
    RemoveFile(usize),
    Path(String),
    Via(Via),
    /// The browser's operating system.
    Os(Os),
    /// The URL names the server by its fully qualified name.
    ByFqdn(bool),
    Client(ClientKind),
    Credential(Credential, String),
}

/// A property of the site as IIS Manager and the metabase set it.
pub enum Setting {
    /// One bit of `AuthFlags`, on or off.
    AuthFlag(u32, bool),
    AnonymousUser(String),
    AnonymousPassword(String),
    AnonymousPasswordSync(bool),
    /// Empty: none.
    DefaultLogonDomain(String),
    /// Empty: none.
    Realm(String),
    LogonMethod(u8),
    WorkerIdentity(Identity),
    IissubaRegistered(bool),
    DcReachable(bool),
    /// Audit failed logons (Windows Server 2003 audits successes only by default).
    AuditFailures(bool),
    AllowKeepAlive(bool),
    AuthPersistSingleRequest(bool),
    Network(Network),
    DefaultDoc(Vec<String>),
    /// The UNC share's account, when the content is on one.
    UncUser(String),
    UncPassword(String),
}

impl Setting {
    fn apply(&self, site: &mut Site) {
        let some = |v: &String| (!v.is_empty()).then(|| v.clone());
        match self {
            Setting::AuthFlag(bit, true) => site.auth_flags.0 |= bit,
            Setting::AuthFlag(bit, false) => site.auth_flags.0 &= !bit,
            Setting::AnonymousUser(v) => site.anonymous_user.clone_from(v),
            Setting::AnonymousPassword(v) => site.anonymous_password.clone_from(v),
            Setting::AnonymousPasswordSync(v) => site.anonymous_password_sync = *v,
            Setting::DefaultLogonDomain(v) => site.default_logon_domain = some(v),
            Setting::Realm(v) => site.realm = some(v),
            Setting::LogonMethod(v) => site.logon_method = *v,
            Setting::WorkerIdentity(v) => site.worker_identity = *v,
            Setting::IissubaRegistered(v) => site.iissuba_registered = *v,
            Setting::DcReachable(v) => site.dc_reachable = *v,
            Setting::AuditFailures(v) => site.audit.failure = *v,
            Setting::AllowKeepAlive(v) => site.allow_keep_alive = *v,
            Setting::AuthPersistSingleRequest(v) => site.auth_persist_single_request = *v,
            Setting::Network(v) => site.network = *v,
            Setting::DefaultDoc(v) => site.default_doc.clone_from(v),
            Setting::UncUser(v) => {
                if let Some(u) = site.unc.as_mut() {
                    u.user.clone_from(v);
                }
            }
            Setting::UncPassword(v) => {
                if let Some(u) = site.unc.as_mut() {
                    u.password.clone_from(v);
                }
            }
        }
    }
}

/// A change to one account, as "Local Users and Groups" and the user rights make it.
pub enum AccountEdit {
    Password(String),
    Flag(AccountFlag, bool),
}

/// The account's checkboxes, in the table's order.
#[derive(Clone, Copy)]
pub enum AccountFlag {
    Disabled,
    Expired,
    LockedOut,
    LogOnLocally,
    Network,
    Batch,
}

impl AccountFlag {
    pub const ALL: [AccountFlag; 6] = [
        AccountFlag::Disabled,
        AccountFlag::Expired,
        AccountFlag::LockedOut,
        AccountFlag::LogOnLocally,
        AccountFlag::Network,
        AccountFlag::Batch,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AccountFlag::Disabled => "disabled",
            AccountFlag::Expired => "expired",
            AccountFlag::LockedOut => "locked out",
            AccountFlag::LogOnLocally => "log on locally",
            AccountFlag::Network => "network",
            AccountFlag::Batch => "batch",
        }
    }

    pub fn get(self, a: &Account) -> bool {
        match self {
            AccountFlag::Disabled => a.disabled,
            AccountFlag::Expired => a.expired,
            AccountFlag::LockedOut => a.locked_out,
            AccountFlag::LogOnLocally => a.log_on_locally,
            AccountFlag::Network => a.network_logon,
            AccountFlag::Batch => a.batch_logon,
        }
    }

    fn set(self, a: &mut Account, on: bool) {
        let field = match self {
            AccountFlag::Disabled => &mut a.disabled,
            AccountFlag::Expired => &mut a.expired,
            AccountFlag::LockedOut => &mut a.locked_out,
            AccountFlag::LogOnLocally => &mut a.log_on_locally,
            AccountFlag::Network => &mut a.network_logon,
            AccountFlag::Batch => &mut a.batch_logon,
        };
        *field = on;
    }
}

/// A change to one file of the NTFS list.
pub enum FileEdit {
    Path(String),
    Acl(Vec<String>),
}

/// What the user does when IIS asks: the "The user" choice.
#[derive(Clone, Copy, PartialEq)]
pub enum ClientKind {
    /// Has no credentials (cancels any dialog).
    Anonymous,
    /// Types a user name and password.
    Basic,
    /// Is logged on to Windows.
    Ntlm,
}

impl ClientKind {
    pub const ALL: [ClientKind; 3] = [ClientKind::Anonymous, ClientKind::Basic, ClientKind::Ntlm];

    pub fn of(client: &Client) -> ClientKind {
        match client {
            Client::Anonymous => ClientKind::Anonymous,
            Client::Basic { .. } => ClientKind::Basic,
            Client::Ntlm { .. } => ClientKind::Ntlm,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            ClientKind::Anonymous => "anonymous",
            ClientKind::Basic => "basic",
            ClientKind::Ntlm => "ntlm",
        }
    }

    /// Anything else is anonymous.
    pub fn from_id(id: &str) -> ClientKind {
        match id {
            "basic" => ClientKind::Basic,
            "ntlm" => ClientKind::Ntlm,
            _ => ClientKind::Anonymous,
        }
    }

    /// The client a fresh choice starts with: the lab's own made-up accounts.
    fn client(self) -> Client {
        match self {
            ClientKind::Anonymous => Client::Anonymous,
            ClientKind::Basic => Client::Basic {
                user: "alice".into(),
                password: "Wonderland1".into(),
            },
            ClientKind::Ntlm => Client::Ntlm {
                user: "bob".into(),
                domain: "CONTOSO".into(),
                password: "Builder2".into(),
            },
        }
    }
}

/// One of the client's text fields. A field the client does not have (the domain of a Basic
/// user) is not set.
#[derive(Clone, Copy)]
pub enum Credential {
    User,
    Domain,
    Password,
}

impl Credential {
    /// The field's value, empty when the client has none.
    pub fn get(self, client: &Client) -> &str {
        match (client, self) {
            (Client::Basic { user, .. } | Client::Ntlm { user, .. }, Credential::User) => user,
            (Client::Ntlm { domain, .. }, Credential::Domain) => domain,
            (
                Client::Basic { password, .. } | Client::Ntlm { password, .. },
                Credential::Password,
            ) => password,
            _ => "",
        }
    }

    fn set(self, client: &mut Client, v: String) {
        match (client, self) {
            (Client::Basic { user, .. } | Client::Ntlm { user, .. }, Credential::User) => *user = v,
            (Client::Ntlm { domain, .. }, Credential::Domain) => *domain = v,
            (
                Client::Basic { password, .. } | Client::Ntlm { password, .. },
                Credential::Password,
            ) => *password = v,
            _ => {}
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(Rc::unwrap_or_clone(self).apply(action))
    }
}

impl State {
    /// Applies one action, and logs it for the link.
    fn apply(self, action: Action) -> State {
        let mut s = self;
        if edits::is_secret(&action) {
            s.unlinked = true;
        } else if let Some((key, entry)) = edits::encode(&action) {
            let full = s.edits.len() >= edits::MAX;
            match s.edits.last_mut() {
                Some(last) if !key.is_empty() && last.0 == key => last.1 = entry,
                _ if !full => s.edits.push((key, entry)),
                _ => s.unlinked = true,
            }
        }
        match action {
            Action::Load(id) => {
                let (via, env) = (s.via, s.env.clone());
                s = State::load(&id);
                s.via = via;
                s.env = env;
            }
            Action::SelectNode(node) => s.node = node,
            Action::AddNode(path) => {
                let path = path.trim().to_string();
                let taken = s
                    .site
                    .nodes
                    .iter()
                    .any(|n| n.path.eq_ignore_ascii_case(&path));
                if path.starts_with('/') && path.len() > 1 && !taken {
                    s.site.nodes.push(Node {
                        path,
                        ..Node::default()
                    });
                    s.node = Some(s.site.nodes.len() - 1);
                }
            }
            Action::Set(setting) => s.edit_props(&setting),
            Action::AddAccount(v) => {
                let v = v.trim();
                let (domain, user) = v.split_once('\\').unwrap_or((s.site.machine.as_str(), v));
                if !user.is_empty() {
                    let a = Account::new(domain, user, "");
                    s.site.accounts.push(a);
                }
            }
            Action::Account(i, edit) => {
                if let Some(a) = s.site.accounts.get_mut(i) {
                    match edit {
                        AccountEdit::Password(v) => a.password = v,
                        AccountEdit::Flag(flag, on) => flag.set(a, on),
                    }
                }
            }
            Action::RemoveAccount(i) => {
                if i < s.site.accounts.len() {
                    s.site.accounts.remove(i);
                }
            }
            Action::AddFile(path) => {
                let path = path.trim().to_string();
                if path.starts_with('/') {
                    s.site.files.push(FileEntry {
                        path,
                        acl: vec!["Everyone".into()],
                    });
                }
            }
            Action::File(i, edit) => {
                if let Some(f) = s.site.files.get_mut(i) {
                    match edit {
                        FileEdit::Path(v) => f.path = v.trim().to_string(),
                        FileEdit::Acl(v) => f.acl = v,
                    }
                }
            }
            Action::RemoveFile(i) => {
                if i < s.site.files.len() {
                    s.site.files.remove(i);
                }
            }
            Action::Path(v) => s.path = v,
            Action::Via(v) => {
                // Each browser's own defaults (IE 6 runs on Windows only), the URL kept.
                if let Via::Browser(p) = v {
                    let by_fqdn = s.env.by_fqdn;
                    s.env = Env {
                        by_fqdn,
                        ..Env::defaults(p)
                    };
                }
                s.via = v;
            }
            Action::Os(os) => s.env.os = os,
            Action::ByFqdn(v) => s.env.by_fqdn = v,
            Action::Client(kind) => s.client = kind.client(),
            Action::Credential(which, v) => which.set(&mut s.client, v),
        }
        s
    }
}

/// The lab's edits in the link. A page keeps its edits as a log of actions (`State::edits`), each
/// a short text, and the link holds the log (`edits=`), so that a reload or a shared link rebuilds
/// the same site from its scenario. Never a password: password edits are not logged, and the page
/// says that they are not in the link (`State::unlinked`). Typing in one field replaces that
/// field's last entry rather than adding one a key.
pub mod edits {
    use super::{AccountEdit, AccountFlag, Action, ClientKind, Credential, FileEdit, Setting};
    use proto::iis::{Identity, Network};

    /// The most entries a link holds; later edits stay in the page only.
    pub const MAX: usize = 200;
    /// Between entries in the link.
    pub const SEP: char = '~';

    fn b(v: bool) -> &'static str {
        if v {
            "1"
        } else {
            "0"
        }
    }

    /// `~` and `%` inside a value, escaped (the link escapes the rest).
    fn esc(v: &str) -> String {
        v.replace('%', "%25").replace('~', "%7E")
    }

    fn unesc(v: &str) -> String {
        v.replace("%7E", "~").replace("%25", "%")
    }

    /// An action as a log entry: `(key, entry)`, where entries of one key replace each other.
    /// `None`: not logged (a password, or what the link keeps as its own parameter).
    pub fn encode(a: &Action) -> Option<(String, String)> {
        let kv = |k: String, v: String| Some((k.clone(), format!("{k}={}", esc(&v))));
        match a {
            Action::Load(_) | Action::Via(_) | Action::Os(_) | Action::ByFqdn(_) => None,
            Action::SelectNode(n) => kv("sel".into(), n.map(|n| n.to_string()).unwrap_or_default()),
            Action::AddNode(p) => Some(("".into(), format!("node={}", esc(p)))),
            Action::Set(s) => match s {
                Setting::AuthFlag(bit, on) => kv(format!("flag{bit}"), b(*on).into()),
                Setting::AnonymousUser(v) => kv("anonuser".into(), v.clone()),
                Setting::AnonymousPassword(_) | Setting::UncPassword(_) => None,
                Setting::AnonymousPasswordSync(v) => kv("sync".into(), b(*v).into()),
                Setting::DefaultLogonDomain(v) => kv("logondomain".into(), v.clone()),
                Setting::Realm(v) => kv("realm".into(), v.clone()),
                Setting::LogonMethod(v) => kv("logon".into(), v.to_string()),
                Setting::WorkerIdentity(v) => kv("identity".into(), v.name().into()),
                Setting::IissubaRegistered(v) => kv("iissuba".into(), b(*v).into()),
                Setting::DcReachable(v) => kv("dc".into(), b(*v).into()),
                Setting::AuditFailures(v) => kv("audit".into(), b(*v).into()),
                Setting::AllowKeepAlive(v) => kv("keepalive".into(), b(*v).into()),
                Setting::AuthPersistSingleRequest(v) => kv("persist".into(), b(*v).into()),
                Setting::Network(v) => kv("network".into(), v.id().into()),
                Setting::DefaultDoc(v) => kv("doc".into(), v.join(",")),
                Setting::UncUser(v) => kv("uncuser".into(), v.clone()),
            },
            Action::AddAccount(v) => Some(("".into(), format!("account={}", esc(v)))),
            Action::Account(_, AccountEdit::Password(_)) => None,
            Action::Account(i, AccountEdit::Flag(f, on)) => {
                let f = AccountFlag::ALL
                    .iter()
                    .position(|x| std::mem::discriminant(x) == std::mem::discriminant(f))?;
                kv(format!("acct{i}.{f}"), b(*on).into())
            }
            Action::RemoveAccount(i) => Some(("".into(), format!("unaccount={i}"))),
            Action::AddFile(p) => Some(("".into(), format!("file={}", esc(p)))),
            Action::File(i, FileEdit::Path(v)) => kv(format!("filepath{i}"), v.clone()),
            Action::File(i, FileEdit::Acl(v)) => kv(format!("acl{i}"), v.join(",")),
            Action::RemoveFile(i) => Some(("".into(), format!("unfile={i}"))),
            Action::Path(v) => kv("path".into(), v.clone()),
            Action::Client(k) => kv("client".into(), k.id().into()),
            Action::Credential(Credential::Password, _) => None,
            Action::Credential(Credential::User, v) => kv("user".into(), v.clone()),
            Action::Credential(Credential::Domain, v) => kv("userdomain".into(), v.clone()),
        }
    }

    /// Whether an action is an edit that the link cannot hold (a password).
    pub fn is_secret(a: &Action) -> bool {
        matches!(
            a,
            Action::Set(Setting::AnonymousPassword(_) | Setting::UncPassword(_))
                | Action::Account(_, AccountEdit::Password(_))
                | Action::Credential(Credential::Password, _)
        )
    }

    /// A log entry back into its action; `None` for anything malformed (ignored).
    pub fn decode(entry: &str) -> Option<Action> {
        let (k, v) = entry.split_once('=')?;
        let v = unesc(v);
        let on = || match v.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        };
        let list = || super::list(&v);
        let set = |s: Setting| Some(Action::Set(s));
        if let Some(bit) = k.strip_prefix("flag") {
            return set(Setting::AuthFlag(bit.parse().ok()?, on()?));
        }
        if let Some(rest) = k.strip_prefix("acct") {
            let (i, f) = rest.split_once('.')?;
            let f = *AccountFlag::ALL.get(f.parse::<usize>().ok()?)?;
            return Some(Action::Account(
                i.parse().ok()?,
                AccountEdit::Flag(f, on()?),
            ));
        }
        if let Some(i) = k.strip_prefix("filepath") {
            return Some(Action::File(i.parse().ok()?, FileEdit::Path(v)));
        }
        if let Some(i) = k.strip_prefix("acl") {
            return Some(Action::File(i.parse().ok()?, FileEdit::Acl(list())));
        }
        Some(match k {
            "sel" => Action::SelectNode(if v.is_empty() {
                None
            } else {
                Some(v.parse().ok()?)
            }),
            "node" => Action::AddNode(v),
            "anonuser" => Action::Set(Setting::AnonymousUser(v)),
            "sync" => Action::Set(Setting::AnonymousPasswordSync(on()?)),
            "logondomain" => Action::Set(Setting::DefaultLogonDomain(v)),
            "realm" => Action::Set(Setting::Realm(v)),
            "logon" => Action::Set(Setting::LogonMethod(v.parse().ok()?)),
            "identity" => Action::Set(Setting::WorkerIdentity(Identity::from_name(&v)?)),
            "iissuba" => Action::Set(Setting::IissubaRegistered(on()?)),
            "dc" => Action::Set(Setting::DcReachable(on()?)),
            "audit" => Action::Set(Setting::AuditFailures(on()?)),
            "keepalive" => Action::Set(Setting::AllowKeepAlive(on()?)),
            "persist" => Action::Set(Setting::AuthPersistSingleRequest(on()?)),
            "network" => Action::Set(Setting::Network(Network::from_id(&v)?)),
            "doc" => Action::Set(Setting::DefaultDoc(list())),
            "uncuser" => Action::Set(Setting::UncUser(v)),
            "account" => Action::AddAccount(v),
            "unaccount" => Action::RemoveAccount(v.parse().ok()?),
            "file" => Action::AddFile(v),
            "unfile" => Action::RemoveFile(v.parse().ok()?),
            "path" => Action::Path(v),
            "client" => Action::Client(ClientKind::from_id(&v)),
            "user" => Action::Credential(Credential::User, v),
            "userdomain" => Action::Credential(Credential::Domain, v),
            _ => return None,
        })
    }
}
