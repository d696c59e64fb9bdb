//! Every case of "401.1 and 401.2 - Authentication Problems" (IIS 6.0) as a named scenario: a
//! site configured the way the guide describes, the request that shows the problem, and the
//! answer IIS gives. The same scenarios are engine tests, lab sites on `authscope serve`
//! (`/lab/<id>/`), and (next) the lab page's presets.

use super::sites::base;
use super::{Account, AuthFlags, FileEntry, Identity, Install, Node, Site, Unc};

/// Who sends the request that shows the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Client {
    Anonymous,
    Basic {
        user: String,
        password: String,
    },
    Ntlm {
        user: String,
        domain: String,
        password: String,
    },
}

pub struct Scenario {
    pub site: Site,
    /// The guide's section this comes from.
    pub guide: &'static str,
    /// The path to request (under `/lab/<id>`).
    pub path: &'static str,
    pub client: Client,
    /// What IIS answers: `200`, `401.1`, `401.2`, `401.3`, `403.14`, `500`…
    pub expect: &'static str,
    /// What to change to fix it (empty when nothing is wrong).
    pub fix: &'static str,
}

fn files(entries: &[(&str, &[&str])]) -> Vec<FileEntry> {
    entries
        .iter()
        .map(|(p, acl)| FileEntry {
            path: p.to_string(),
            acl: acl.iter().map(|a| a.to_string()).collect(),
        })
        .collect()
}

fn anon(id: &str, title: &str, summary: &str) -> Site {
    let mut s = base(id, title, summary, AuthFlags::ANONYMOUS);
    s.files = files(&[("/Default.htm", &["Everyone"])]);
    s
}

fn with_iusr(site: &mut Site, f: impl Fn(&mut Account)) {
    if let Some(a) = site.accounts.iter_mut().find(|a| a.user == "IUSR_WEB01") {
        f(a);
    }
}

/// Every shipped scenario.
pub fn all() -> Vec<Scenario> {
    let mut out = Vec::new();
    let mut push = |site: Site, guide, path, client, expect, fix| {
        out.push(Scenario {
            site,
            guide,
            path,
            client,
            expect,
            fix,
        })
    };

    push(
        anon(
            "anon-ok",
            "Anonymous works",
            "Anonymous is enabled and IUSR_WEB01 logs on: IIS tries no other method.",
        ),
        "Multiple Authentication Methods",
        "/",
        Client::Anonymous,
        "200",
        "",
    );

    let mut s = anon("anon-fails-falls-through", "Anonymous fails, Basic enabled", "AnonymousUserPass no longer matches IUSR_WEB01's password; Basic is enabled too, so IIS answers 401.2 with its WWW-Authenticate list.");
    s.auth_flags = AuthFlags(AuthFlags::ANONYMOUS | AuthFlags::BASIC);
    s.anonymous_password = "an old password".into();
    push(s, "Multiple Authentication Methods", "/", Client::Anonymous, "401.2", "Make AnonymousUserPass match the account's password (or use AnonymousPasswordSync correctly).");

    let mut s = anon(
        "anon-fails-alone",
        "Anonymous fails, nothing else enabled",
        "AnonymousUserPass is out of date and Anonymous is the only method: 401.1.",
    );
    s.anonymous_password = "an old password".into();
    push(
        s,
        "Multiple Authentication Methods",
        "/",
        Client::Anonymous,
        "401.1",
        "Fix AnonymousUserPass.",
    );

    let mut s = anon("logonmethod-interactive", "LogonMethod 0 without \"Log on locally\"", "LogonMethod = 0 (INTERACTIVE, the pre-IIS 6 default) and IUSR_WEB01 lacks the \"Log on locally\" right: 401.1.");
    s.logon_method = 0;
    with_iusr(&mut s, |a| a.log_on_locally = false);
    push(
        s,
        "LogonMethod Default Has Changed",
        "/",
        Client::Anonymous,
        "401.1",
        "Set LogonMethod to 3 (NETWORK_CLEARTEXT, the IIS 6 default) or grant \"Log on locally\".",
    );

    let mut s = anon("logonmethod-cleartext", "LogonMethod 3, same account", "The same account without \"Log on locally\", with LogonMethod = 3 (NETWORK_CLEARTEXT): it works.");
    with_iusr(&mut s, |a| a.log_on_locally = false);
    push(
        s,
        "LogonMethod Default Has Changed",
        "/",
        Client::Anonymous,
        "200",
        "",
    );

    let mut s = base("basic-logonmethod-interactive", "Basic with LogonMethod 0", "Basic only, LogonMethod = 0; alice lacks \"Log on locally\": her right password still gets 401.1.", AuthFlags::BASIC);
    s.logon_method = 0;
    if let Some(a) = s.accounts.iter_mut().find(|a| a.user == "alice") {
        a.log_on_locally = false;
    }
    push(
        s,
        "LogonMethod Default Has Changed",
        "/",
        Client::Basic {
            user: "alice".into(),
            password: "Wonderland1".into(),
        },
        "401.1",
        "Set LogonMethod to 3 or grant \"Log on locally\".",
    );

    push(
        base(
            "authflags-zero",
            "No method enabled",
            "AuthFlags = 0: 401.2 and no WWW-Authenticate header.",
            0,
        ),
        "No Authentication Methods Selected (AuthFlags=0)",
        "/",
        Client::Anonymous,
        "401.2",
        "Enable an authentication method.",
    );

    let mut s = anon("subauth-ok", "Sub-authentication that works", "AnonymousPasswordSync = true, Iissuba.dll registered, worker process LocalSystem: IIS logs IUSR on without a stored password.");
    s.anonymous_password_sync = true;
    s.iissuba_registered = true;
    s.worker_identity = Identity::LocalSystem;
    s.anonymous_password = String::new();
    push(
        s,
        "Anonymous Accounts Attempting Sub-authentication Logon",
        "/",
        Client::Anonymous,
        "200",
        "",
    );

    let mut s = anon("subauth-not-registered", "Sub-authentication, Iissuba.dll not registered", "A clean install: AnonymousPasswordSync set by hand, the worker process LocalSystem, but Iissuba.dll is not registered (the IIS 6 default): 401.1.");
    s.anonymous_password_sync = true;
    s.worker_identity = Identity::LocalSystem;
    s.anonymous_password = String::new();
    push(s, "Anonymous Accounts Attempting Sub-authentication Logon", "/", Client::Anonymous, "401.1", "Register Iissuba.dll, or set AnonymousPasswordSync to false and AnonymousUserPass to the password.");

    // Microsoft, IIS 6.0 "Sub-Authentication": after an upgrade "sub-authentication is enabled
    // by default (AnonymousPasswordSync is set to true). However, sub-authentication will not
    // work because … Iissuba.dll is not registered and the worker processes using Anonymous
    // authentication are not running as LocalSystem."
    let mut s = anon("subauth-network-service", "Sub-authentication after an upgrade", "Upgraded from IIS 5: AnonymousPasswordSync is still true, but Iissuba.dll is not registered and the worker process runs as NetworkService (Microsoft, IIS 6.0 \"Sub-Authentication\"): 401.1.");
    s.install = Install::Upgrade;
    s.anonymous_password_sync = true;
    s.iissuba_registered = false;
    s.anonymous_password = String::new();
    push(s, "Anonymous Accounts Attempting Sub-authentication Logon", "/", Client::Anonymous, "401.1", "Set AnonymousPasswordSync to false with the right AnonymousUserPass; or register Iissuba.dll and run the application pool as LocalSystem (both are needed).");

    let mut s = anon(
        "anon-expired",
        "Anonymous account expired",
        "IUSR_WEB01 has expired: 401.1.",
    );
    with_iusr(&mut s, |a| a.expired = true);
    push(
        s,
        "Anonymous Accounts Attempting Sub-authentication Logon",
        "/",
        Client::Anonymous,
        "401.1",
        "Renew the account (and set it never to expire).",
    );

    let mut s = anon(
        "anon-locked-out",
        "Anonymous account locked out",
        "IUSR_WEB01 is locked out: 401.1.",
    );
    with_iusr(&mut s, |a| a.locked_out = true);
    push(
        s,
        "Anonymous Accounts Attempting Sub-authentication Logon",
        "/",
        Client::Anonymous,
        "401.1",
        "Unlock the account; find what is sending bad passwords.",
    );

    let mut s = base("ntlm-persist-single-request", "NTLM with AuthPersistSingleRequest", "Integrated Windows with AuthPersistSingleRequest = true: every request on the connection must authenticate again.", AuthFlags::NTLM);
    s.auth_persist_single_request = true;
    push(
        s,
        "AuthPersistence Usage in IIS 6.0",
        "/",
        Client::Ntlm {
            user: "bob".into(),
            domain: "CONTOSO".into(),
            password: "Builder2".into(),
        },
        "200",
        "",
    );

    let mut s = base("acl-denies-anonymous", "NTFS denies IUSR", "Anonymous and Basic enabled; Default.htm's ACL grants Authenticated Users only: the anonymous request gets 401.3 (and the browser may then send credentials).", AuthFlags::ANONYMOUS | AuthFlags::BASIC);
    s.files = files(&[("/Default.htm", &["Authenticated Users"])]);
    push(
        s,
        "401.3-Unauthorized: Access Is Denied Due to an ACL",
        "/",
        Client::Anonymous,
        "401.3",
        "Grant IUSR_WEB01 read access, or require authentication on purpose.",
    );

    let mut s = anon("default-doc-401-3", "First default document missing, second denied", "DefaultDoc = Default.htm, index.htm: Default.htm does not exist and index.htm denies IUSR_WEB01: 401.3 for the directory URL.");
    s.default_doc = vec!["Default.htm".into(), "index.htm".into()];
    s.files = files(&[("/index.htm", &["Administrators"])]);
    push(
        s,
        "401.3-Unauthorized: Access Is Denied Due to an ACL",
        "/",
        Client::Anonymous,
        "401.3",
        "Check the default documents in order: restore Default.htm or fix index.htm's ACL.",
    );

    let mut s = anon("unc-valid", "UNC share with UNCUserName", "The content is on \\\\files\\web; UNCUserName CONTOSO\\svc-web with a valid UNCPassword reaches it for every request.");
    s.accounts
        .push(Account::new("CONTOSO", "svc-web", "Share4"));
    s.unc = Some(Unc {
        share: "\\\\files\\web".into(),
        user: "CONTOSO\\svc-web".into(),
        password: "Share4".into(),
    });
    s.files = files(&[("/Default.htm", &["CONTOSO\\svc-web"])]);
    push(
        s,
        "Simplified UNC authentication model",
        "/",
        Client::Anonymous,
        "200",
        "",
    );

    let mut s = anon(
        "unc-invalid",
        "UNC share, wrong UNCPassword",
        "UNCUserName is set but UNCPassword is wrong: 500.",
    );
    s.accounts
        .push(Account::new("CONTOSO", "svc-web", "Share4"));
    s.unc = Some(Unc {
        share: "\\\\files\\web".into(),
        user: "CONTOSO\\svc-web".into(),
        password: "Share3".into(),
    });
    s.files = files(&[("/Default.htm", &["CONTOSO\\svc-web"])]);
    push(
        s,
        "Simplified UNC authentication model",
        "/",
        Client::Anonymous,
        "500",
        "Set UNCPassword to the account's current password.",
    );

    let mut s = anon("unc-passthrough", "UNC share, request credentials passed through", "UNCUserName is empty: the request's own identity (IUSR_WEB01 here) goes to the share, whose ACL does not grant it: 401.3.");
    s.unc = Some(Unc {
        share: "\\\\files\\web".into(),
        user: String::new(),
        password: String::new(),
    });
    s.files = files(&[("/Default.htm", &["Authenticated Users"])]);
    push(
        s,
        "Simplified UNC authentication model",
        "/",
        Client::Anonymous,
        "401.3",
        "Grant the request identity access on the share, or set UNCUserName and UNCPassword.",
    );

    let mut s = anon("vdir-inherits", "A virtual directory that requires Basic", "The root allows Anonymous; /app sets AuthFlags = AuthBasic, and /app/public below it inherits that: /app/public/ gets 401.2.");
    s.nodes = vec![Node {
        path: "/app".into(),
        auth_flags: Some(AuthFlags(AuthFlags::BASIC)),
        ..Node::default()
    }];
    s.files = files(&[
        ("/Default.htm", &["Everyone"]),
        ("/app/public/Default.htm", &["Everyone"]),
    ]);
    push(
        s,
        "Initial Isolation",
        "/app/public/",
        Client::Anonymous,
        "401.2",
        "Check AuthFlags on the node the URL maps to: adsutil.vbs get w3svc/1/root/app/AuthFlags.",
    );

    let ntlm_bob = || Client::Ntlm {
        user: "bob".into(),
        domain: "CONTOSO".into(),
        password: "Builder2".into(),
    };
    let s = base("basic-wrong-password", "Basic, wrong password", "Basic only; alice types a wrong password: 401.1 (the browser, not IIS, decides when to stop asking).", AuthFlags::BASIC);
    out.push(Scenario {
        site: s,
        guide: "Basic authentication",
        path: "/",
        client: Client::Basic {
            user: "alice".into(),
            password: "wonderland1".into(),
        },
        expect: "401.1",
        fix: "Type the right password; check the account in Local Users and Groups.",
    });
    let mut s = base(
        "basic-domain-dc-unreachable",
        "Basic, domain account, no domain controller",
        "Basic only; CONTOSO\\bob logs on while no domain controller answers: 401.2.",
        AuthFlags::BASIC,
    );
    s.dc_reachable = false;
    out.push(Scenario { site: s, guide: "Basic authentication", path: "/", client: Client::Basic { user: "CONTOSO\\bob".into(), password: "Builder2".into() }, expect: "401.2", fix: "Restore communication with a domain controller (IIS 6 guide: Basic is a quick way to test it)." });
    // NTLM handshakes broken by the connection, each a 401.2 for CONTOSO\bob.
    let mut broken = |id, title, summary, guide, fix, set: fn(&mut Site)| {
        let mut site = base(id, title, summary, AuthFlags::NTLM);
        set(&mut site);
        out.push(Scenario {
            site,
            guide,
            path: "/",
            client: ntlm_bob(),
            expect: "401.2",
            fix,
        });
    };
    broken("ntlm-keep-alive-off", "Integrated Windows, keep-alives off", "AllowKeepAlive = false: the AUTHENTICATE arrives on a new connection that never got the CHALLENGE: 401.2.", "Windows NT Challenge/Response protocol (HTTP keep-alives)", "Enable HTTP keep-alives (AllowKeepAlive = true).", |s| s.allow_keep_alive = false);
    broken("ntlm-proxy", "Integrated Windows through a proxy", "A proxy that is not point to point (the guide's CERN proxies) sends each request to IIS on a new connection: the AUTHENTICATE reaches IIS on a connection that never got the CHALLENGE: 401.2.", "Windows NT Challenge/Response protocol (Point-to-point connections)", "Reach IIS without the proxy (or through one that keeps connections point to point), or use Basic over SSL or Kerberos.", |s| s.network = super::Network::PoolingProxy);
    broken("ntlm-connection-breaks", "Integrated Windows, connection broken mid-handshake", "Something on the path closes the connection after every response: the browser sends its AUTHENTICATE on a new connection: 401.2.", "Windows NT Challenge/Response protocol (Point-to-point connections)", "Find what closes the connection (a firewall's or load balancer's idle timeout, a reset) and keep the connection open through the handshake.", |s| s.network = super::Network::Breaks);
    let s = base(
        "ntlm-no-network-right",
        "Integrated Windows, no network logon right",
        "CONTOSO\\carol lacks \"Access this computer from the network\": 401.1.",
        AuthFlags::NTLM,
    );
    out.push(Scenario { site: s, guide: "Windows NT Challenge/Response protocol (Security privileges)", path: "/", client: Client::Ntlm { user: "carol".into(), domain: "CONTOSO".into(), password: "Kiosk3".into() }, expect: "401.1", fix: "Grant \"Access this computer from the network\" to the user (or a group it belongs to)." });
    let mut s = base(
        "ntlm-dc-unreachable",
        "Integrated Windows, no domain controller",
        "A domain account's response must go to a domain controller, and none answers: 401.1.",
        AuthFlags::NTLM,
    );
    s.dc_reachable = false;
    out.push(Scenario {
        site: s,
        guide: "Windows NT Challenge/Response protocol (Domain controller communication)",
        path: "/",
        client: ntlm_bob(),
        expect: "401.1",
        fix: "Restore communication between the IIS server and a domain controller.",
    });
    // Windows refuses a locked-out account for every logon type, NTLM's network logon included
    // (the same account over Basic is `401 1 1909`); the Security log says why (539).
    let mut s = base(
        "ntlm-locked-out",
        "Integrated Windows, account locked out",
        "CONTOSO\\bob is locked out (too many bad passwords): the response is right, and Windows still refuses the logon: 401.1.",
        AuthFlags::NTLM,
    );
    for a in s.accounts.iter_mut().filter(|a| a.user == "bob") {
        a.locked_out = true;
    }
    s.audit.failure = true;
    out.push(Scenario {
        site: s,
        guide: "Windows NT Challenge/Response protocol",
        path: "/",
        client: ntlm_bob(),
        expect: "401.1",
        fix: "Unlock the account (Active Directory Users and Computers → Account → Unlock account) and find what sends the bad passwords (the domain controllers' Security logs: event 644 when the account locked, and, with failure auditing on them, the 675 / 680 failures before it).",
    });
    out
}

/// The scenario called `id`.
pub fn by_id(id: &str) -> Option<Scenario> {
    all().into_iter().find(|s| s.site.id == id)
}
