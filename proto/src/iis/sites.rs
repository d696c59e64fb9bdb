//! The lab's sites: the same definitions drive the page's simulated IIS and `authscope serve`.
//!
//! The passwords are synthetic and public: they are shown in the page so that learners can type
//! them.

use super::{Account, AuthFlags, Site};

/// A user a learner can log on as on the lab sites.
pub struct DemoUser {
    pub name: &'static str,
    pub password: &'static str,
    pub note: &'static str,
}

pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        name: "alice",
        password: "Wonderland1",
        note: "local account on WEB01",
    },
    DemoUser {
        name: "CONTOSO\\bob",
        password: "Builder2",
        note: "domain account in CONTOSO",
    },
    DemoUser {
        name: "CONTOSO\\carol",
        password: "Kiosk3",
        note: "domain account without \"Access this computer from the network\"",
    },
];

/// A site of the lab machine (WEB01 in CONTOSO) with IIS 6 defaults and the demo accounts.
pub fn base(id: &str, title: &str, summary: &str, flags: u32) -> Site {
    Site {
        id: id.into(),
        title: title.into(),
        summary: summary.into(),
        host: "web01.contoso.com".into(),
        machine: "WEB01".into(),
        domain: Some("CONTOSO".into()),
        auth_flags: AuthFlags(flags),
        nt_auth_providers: vec!["Negotiate".into(), "NTLM".into()],
        realm: None,
        default_logon_domain: None,
        anonymous_user: "IUSR_WEB01".into(),
        anonymous_password: "iusr-Synced-9".into(),
        accounts: vec![
            Account::new("WEB01", "alice", "Wonderland1"),
            Account::new("WEB01", "IUSR_WEB01", "iusr-Synced-9"),
            Account::new("CONTOSO", "bob", "Builder2"),
            Account {
                network_logon: false,
                ..Account::new("CONTOSO", "carol", "Kiosk3")
            },
        ],
        dc_reachable: true,
        allow_keep_alive: true,
        audit: crate::iis::audit::Policy::DEFAULT,
        dc_audit: crate::iis::audit::Policy::DEFAULT,
        network: super::Network::Direct,
        logon_method: 3,
        anonymous_password_sync: false,
        iissuba_registered: false,
        worker_identity: super::Identity::NetworkService,
        install: super::Install::Clean,
        auth_persist_single_request: false,
        default_doc: ["Default.htm", "Default.asp", "index.htm", "iisstart.htm"]
            .map(String::from)
            .to_vec(),
        enable_default_doc: true,
        files: Vec::new(),
        unc: None,
        nodes: Vec::new(),
        #[cfg(feature = "kerberos")]
        service_keys: Vec::new(),
    }
}

/// Every lab site, in the order the page lists them.
pub fn all() -> Vec<Site> {
    let mut dc_down = base(
        "basic-dc-down",
        "Basic, domain controller unreachable",
        "Basic only; the domain controller cannot be reached, so domain accounts get 401.2 while local ones still work.",
        AuthFlags::BASIC,
    );
    dc_down.dc_reachable = false;
    let mut realm = base(
        "basic-realm",
        "Basic with Realm and DefaultLogonDomain",
        "Basic only; Realm is set to \"CONTOSO intranet\" and DefaultLogonDomain to CONTOSO, so bob can log on without typing the domain.",
        AuthFlags::BASIC,
    );
    realm.realm = Some("CONTOSO intranet".into());
    realm.default_logon_domain = Some("CONTOSO".into());
    let mut no_keep_alive = base(
        "integrated-no-keepalive",
        "Integrated Windows, keep-alives off",
        "AuthFlags = AuthNTLM with AllowKeepAlive = false: every response closes the connection, so NTLM's CHALLENGE is never answered on the connection that got it (401.2 again and again).",
        AuthFlags::NTLM,
    );
    no_keep_alive.allow_keep_alive = false;
    vec![
        base(
            "integrated",
            "Integrated Windows only",
            "AuthFlags = AuthNTLM: IIS offers Negotiate and NTLM; the handshake is bound to the TCP connection.",
            AuthFlags::NTLM,
        ),
        no_keep_alive,
        base("basic", "Basic only", "AuthFlags = AuthBasic: anonymous access is off, Basic is the only method.", AuthFlags::BASIC),
        realm,
        dc_down,
        base(
            "integrated-basic",
            "Integrated Windows and Basic",
            "AuthFlags = AuthBasic | AuthNTLM: IIS offers Negotiate, NTLM and Basic; browsers pick by their own rules.",
            AuthFlags::BASIC | AuthFlags::NTLM,
        ),
        base("anonymous", "Anonymous allowed", "AuthFlags = AuthAnonymous | AuthBasic: IIS logs on as IUSR_WEB01 and never asks.", AuthFlags::ANONYMOUS | AuthFlags::BASIC),
        base("no-auth", "No method enabled (AuthFlags=0)", "AuthFlags = 0: every request gets 401.2 and no WWW-Authenticate header.", 0),
    ]
}

/// The site called `id`.
pub fn by_id(id: &str) -> Option<Site> {
    all().into_iter().find(|s| s.id == id)
}
