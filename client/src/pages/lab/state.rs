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
        }
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
        let mut s = Rc::unwrap_or_clone(self);
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
        Rc::new(s)
    }
}
