//! Site definitions in TOML, with the metabase's property names, so that an administrator can
//! transcribe `adsutil.vbs` output:
//!
//! ```toml
//! title = "Intranet"
//! host = "intranet.contoso.com"
//! network = "direct"                         # or "proxy" (pooling), "breaks"
//! [[node]]
//! path = "/"
//! AuthFlags = "AuthAnonymous | AuthNTLM"     # or a number: 5
//! AnonymousUserName = "IUSR_WEB01"
//! [[node]]
//! path = "/app"
//! AuthFlags = 4
//! [[account]]
//! name = "CONTOSO\\bob"
//! password = "Builder2"
//! [[file]]
//! path = "/Default.htm"
//! acl = ["Everyone"]
//! ```
//! Unknown keys are refused, with the line and the key at fault (the `toml` crate's errors).
//! Properties an upgraded server still carries but IIS 6 ignores (`AuthPersistence`'s proxy
//! flags, `UNCAuthenticationPassthrough`) are accepted, each with a note naming its line.

use super::sites::base;
use super::{Account, AuthFlags, FileEntry, Identity, Install, Node, Site, Unc};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    id: Option<String>,
    title: Option<String>,
    host: Option<String>,
    machine: Option<String>,
    domain: Option<String>,
    dc_reachable: Option<bool>,
    worker_identity: Option<String>,
    iissuba_registered: Option<bool>,
    install: Option<String>,
    /// What is between the browser and IIS: "direct", "proxy" (pooling) or "breaks".
    network: Option<String>,
    #[serde(default)]
    node: Vec<NodeFile>,
    #[serde(default)]
    account: Vec<AccountFile>,
    #[serde(default)]
    file: Vec<FileFile>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Flags {
    Number(u32),
    Names(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
struct NodeFile {
    path: String,
    AuthFlags: Option<toml::Spanned<Flags>>,
    NTAuthenticationProviders: Option<String>,
    AnonymousUserName: Option<String>,
    AnonymousUserPass: Option<String>,
    AnonymousPasswordSync: Option<bool>,
    LogonMethod: Option<toml::Spanned<u8>>,
    DefaultLogonDomain: Option<String>,
    Realm: Option<String>,
    AuthPersistSingleRequest: Option<bool>,
    /// The IIS 5 property behind AuthPersistSingleRequest, with the two proxy flags IIS 6 removed.
    AuthPersistence: Option<toml::Spanned<Flags>>,
    /// No longer used by IIS 6 (simplified UNC authentication): accepted and ignored, with a note.
    UNCAuthenticationPassthrough: Option<toml::Spanned<bool>>,
    AllowKeepAlive: Option<bool>,
    DefaultDoc: Option<String>,
    EnableDefaultDoc: Option<bool>,
    UNCPath: Option<String>,
    UNCUserName: Option<String>,
    UNCPassword: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    name: String,
    password: String,
    disabled: Option<bool>,
    network_logon: Option<bool>,
    log_on_locally: Option<bool>,
    batch_logon: Option<bool>,
    expired: Option<bool>,
    locked_out: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFile {
    path: String,
    acl: Vec<String>,
}

fn flags(f: &Flags) -> Result<AuthFlags, String> {
    match f {
        Flags::Number(n) => Ok(AuthFlags(*n)),
        Flags::Names(s) => {
            let mut v = 0;
            for name in s.split(['|', ',', ' ']).filter(|n| !n.is_empty()) {
                v |= match name.to_ascii_lowercase().as_str() {
                    "authanonymous" => AuthFlags::ANONYMOUS,
                    "authbasic" => AuthFlags::BASIC,
                    "authntlm" => AuthFlags::NTLM,
                    "authmd5" => AuthFlags::MD5,
                    "authpassport" => AuthFlags::PASSPORT,
                    "0" => 0,
                    _ => return Err(format!("AuthFlags: unknown flag {name:?} (AuthAnonymous, AuthBasic, AuthNTLM, AuthMD5, AuthPassport)")),
                };
            }
            Ok(AuthFlags(v))
        }
    }
}

/// `AuthPersistence` flags: whether AuthPersistSingleRequest (0x40) is set, and the names of the
/// flags IIS 6 removed ("AuthPersistence Usage in IIS 6.0").
fn persistence(f: &Flags) -> Result<(bool, Vec<&'static str>), String> {
    const KNOWN: [(u32, &str); 3] = [
        (0x40, "AuthPersistSingleRequest"),
        (0x80, "AuthPersistSingleRequestIfProxy"),
        (0x100, "AuthPersistSingleRequestAlwaysIfProxy"),
    ];
    let bits = match f {
        Flags::Number(n) => *n,
        Flags::Names(s) => {
            let mut v = 0;
            for name in s.split(['|', ',', ' ']).filter(|n| !n.is_empty()) {
                v |= KNOWN
                    .iter()
                    .find(|(_, k)| k.eq_ignore_ascii_case(name))
                    .map(|(b, _)| *b)
                    .or_else(|| (name == "0").then_some(0))
                    .ok_or_else(|| format!("AuthPersistence: unknown flag {name:?} (AuthPersistSingleRequest, AuthPersistSingleRequestIfProxy, AuthPersistSingleRequestAlwaysIfProxy)"))?;
            }
            v
        }
    };
    if bits & !0x1c0 != 0 {
        return Err(format!(
            "AuthPersistence: {bits:#x} has bits no IIS version defined (0x40, 0x80, 0x100)"
        ));
    }
    let removed = KNOWN
        .iter()
        .skip(1)
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
        .collect();
    Ok((bits & 0x40 != 0, removed))
}

/// Parse a site file; `default_id` names the site when the file does not.
pub fn parse(text: &str, default_id: &str) -> Result<Site, String> {
    parse_noted(text, default_id).map(|(site, _)| site)
}

/// [`parse`], with notes on properties IIS 6 accepts but ignores (the legacy `AuthPersistence`
/// proxy flags, `UNCAuthenticationPassthrough`), each with its line.
pub fn parse_noted(text: &str, default_id: &str) -> Result<(Site, Vec<String>), String> {
    let mut notes = Vec::new();
    let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let id = f.id.unwrap_or_else(|| default_id.to_string());
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "id {id:?}: use letters, digits, '-' and '_' (it becomes /lab/<id>/)"
        ));
    }
    let mut site = base(
        &id,
        f.title.as_deref().unwrap_or(&id),
        "a site defined in a file",
        0,
    );
    if let Some(h) = f.host {
        site.host = h;
    }
    if let Some(m) = f.machine {
        site.anonymous_user = format!("IUSR_{m}");
        site.machine = m;
    }
    if let Some(d) = f.domain {
        site.domain = Some(d);
    }
    if let Some(v) = f.dc_reachable {
        site.dc_reachable = v;
    }
    if let Some(v) = f.iissuba_registered {
        site.iissuba_registered = v;
    }
    if let Some(w) = f.worker_identity {
        site.worker_identity = match w.to_ascii_lowercase().as_str() {
            "networkservice" => Identity::NetworkService,
            "localsystem" => Identity::LocalSystem,
            "localservice" => Identity::LocalService,
            _ => Identity::Named,
        };
    }
    if let Some(i) = f.install {
        site.install = match i.to_ascii_lowercase().as_str() {
            "clean" => Install::Clean,
            "upgrade" => Install::Upgrade,
            other => {
                return Err(format!(
                    "install: {other:?} is neither \"clean\" nor \"upgrade\""
                ))
            }
        };
    }
    if let Some(n) = f.network {
        site.network = super::Network::from_id(&n).ok_or_else(|| {
            format!("network: {n:?} is none of \"direct\", \"proxy\", \"breaks\"")
        })?;
    }
    if !f.account.is_empty() {
        site.accounts.clear();
    }
    for a in f.account {
        let (domain, user) = match a.name.split_once('\\') {
            Some((d, u)) => (d.to_string(), u.to_string()),
            None => (site.machine.clone(), a.name.clone()),
        };
        let mut acc = Account::new(&domain, &user, &a.password);
        acc.disabled = a.disabled.unwrap_or(false);
        acc.network_logon = a.network_logon.unwrap_or(true);
        acc.log_on_locally = a.log_on_locally.unwrap_or(true);
        acc.batch_logon = a.batch_logon.unwrap_or(true);
        acc.expired = a.expired.unwrap_or(false);
        acc.locked_out = a.locked_out.unwrap_or(false);
        site.accounts.push(acc);
    }
    site.files = f
        .file
        .into_iter()
        .map(|x| FileEntry {
            path: x.path,
            acl: x.acl,
        })
        .collect();
    let line = |span: std::ops::Range<usize>| {
        text.get(..span.start)
            .map_or(0, |t| t.matches('\n').count())
            + 1
    };
    for n in f.node {
        let auth_flags = match &n.AuthFlags {
            Some(f) => Some(
                flags(f.get_ref())
                    .map_err(|e| format!("line {}, node {}: {e}", line(f.span()), n.path))?,
            ),
            None => None,
        };
        let mut single = n.AuthPersistSingleRequest;
        if let Some(p) = &n.AuthPersistence {
            let at = line(p.span());
            let (set, removed) =
                persistence(p.get_ref()).map_err(|e| format!("line {at}, node {}: {e}", n.path))?;
            single = Some(single.unwrap_or(false) || set);
            for r in removed {
                notes.push(format!("line {at}, node {}: AuthPersistence: {r} was removed in IIS 6.0 for security reasons and is ignored (IIS 6 guide, \"AuthPersistence Usage in IIS 6.0\")", n.path));
            }
        }
        if let Some(p) = &n.UNCAuthenticationPassthrough {
            notes.push(format!("line {}, node {}: UNCAuthenticationPassthrough no longer matters in IIS 6.0 and is ignored: with UNCUserName empty the request's credentials are passed through (\"Simplified UNC authentication model\")", line(p.span()), n.path));
        }
        if let Some(m) = n.LogonMethod.as_ref().filter(|m| *m.get_ref() > 3) {
            return Err(format!(
                "line {}, node {}: LogonMethod {}: use 0 (interactive), 1 (batch), 2 (network) or 3 (network cleartext)",
                line(m.span()),
                n.path,
                m.get_ref()
            ));
        }
        let unc = n.UNCPath.map(|share| Unc {
            share,
            user: n.UNCUserName.clone().unwrap_or_default(),
            password: n.UNCPassword.clone().unwrap_or_default(),
        });
        let node = Node {
            path: n.path.clone(),
            auth_flags,
            logon_method: n.LogonMethod.as_ref().map(|m| *m.get_ref()),
            anonymous_user: n.AnonymousUserName,
            anonymous_password: n.AnonymousUserPass,
            anonymous_password_sync: n.AnonymousPasswordSync,
            realm: n.Realm,
            default_logon_domain: n.DefaultLogonDomain,
            auth_persist_single_request: single,
            default_doc: n.DefaultDoc.map(|d| {
                d.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            }),
            enable_default_doc: n.EnableDefaultDoc,
            unc,
        };
        // Site-wide properties set on the root node.
        if n.path.trim_end_matches('/').is_empty() {
            if let Some(v) = n.AllowKeepAlive {
                site.allow_keep_alive = v;
            }
            if let Some(v) = n.NTAuthenticationProviders {
                site.nt_auth_providers = v.split(',').map(|x| x.trim().to_string()).collect();
            }
        }
        site.nodes.push(node);
    }
    Ok((site, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
title = "Intranet"
[[node]]
path = "/"
AuthFlags = "AuthAnonymous | AuthBasic"
LogonMethod = 0
[[node]]
path = "/app"
AuthFlags = 4
[[account]]
name = "WEB01\\IUSR_WEB01"
password = "p"
log_on_locally = false
[[file]]
path = "/Default.htm"
acl = ["Everyone"]
"#;

    #[test]
    fn a_file_becomes_a_site_with_inheritance() {
        let s = parse(FILE, "intranet").unwrap();
        assert_eq!(s.id, "intranet");
        assert_eq!(
            s.for_path("/").auth_flags,
            AuthFlags(AuthFlags::ANONYMOUS | AuthFlags::BASIC)
        );
        assert_eq!(s.for_path("/app/x").auth_flags, AuthFlags(AuthFlags::NTLM));
        assert_eq!(s.for_path("/app/x").logon_method, 0);
        assert!(!s.accounts[0].log_on_locally);
    }

    #[test]
    fn errors_name_the_line_and_the_property() {
        let e = parse("[[node]]\npath = \"/\"\nAuthFlag = 5\n", "x").unwrap_err();
        assert!(e.contains("line 3") && e.contains("AuthFlag"), "{e}");
        let e = parse(
            "[[node]]\npath = \"/\"\nAuthFlags = \"AuthEverything\"\n",
            "x",
        )
        .unwrap_err();
        assert!(e.contains("line 3") && e.contains("AuthEverything"), "{e}");
        let e = parse("[[node]]\npath = \"/\"\nLogonMethod = 9\n", "x").unwrap_err();
        assert!(e.contains("line 3") && e.contains("LogonMethod 9"), "{e}");
        let e = parse(
            "[[node]]\npath = \"/\"\nAuthPersistence = \"AuthPersistEverything\"\n",
            "x",
        )
        .unwrap_err();
        assert!(
            e.contains("line 3") && e.contains("AuthPersistEverything"),
            "{e}"
        );
        let e = parse("network = \"satellite\"\n", "x").unwrap_err();
        assert!(e.contains("network") && e.contains("satellite"), "{e}");
        assert_eq!(
            parse("network = \"proxy\"\n", "x").unwrap().network,
            crate::iis::Network::PoolingProxy
        );
    }

    #[test]
    fn legacy_properties_are_accepted_with_a_note() {
        let (site, notes) = parse_noted(
            "[[node]]\npath = \"/\"\nAuthPersistence = 192\n[[node]]\npath = \"/share\"\nUNCAuthenticationPassthrough = true\n",
            "x",
        )
        .unwrap();
        // 192 = AuthPersistSingleRequest | AuthPersistSingleRequestIfProxy: the first applies.
        assert!(site.for_path("/").auth_persist_single_request);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("line 3") && notes[0].contains("IfProxy"));
        assert!(
            notes[1].starts_with("line 6") && notes[1].contains("UNCAuthenticationPassthrough")
        );
        let (site, notes) = parse_noted(
            "[[node]]\npath = \"/\"\nAuthPersistence = \"AuthPersistSingleRequestAlwaysIfProxy\"\n",
            "x",
        )
        .unwrap();
        assert!(!site.for_path("/").auth_persist_single_request);
        assert_eq!(notes.len(), 1);
    }
}
