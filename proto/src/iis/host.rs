//! A site with the state IIS 6 keeps per TCP connection: the NTLM handshake under way, and the
//! identity an NTLM-authenticated connection keeps for later requests (`AuthPersistSingleRequest`
//! is false by default for NTLM, IIS 6 guide "AuthPersistence Usage in IIS 6.0").
//!
//! ```text
//! Authorization: NTLM|Negotiate <NEGOTIATE>     ─► 401 + WWW-Authenticate: <scheme> <CHALLENGE>
//!                                                  (logged 401 1 2148074254: the normal middle leg)
//! Authorization: … <AUTHENTICATE>, same conn.   ─► verify ─► 200 (the connection stays logged on)
//!                                                          └► 401.1 (logon denied)
//! Authorization: … <AUTHENTICATE>, other conn.  ─► 401.2: this connection sent no CHALLENGE
//! ```
//!
//! The network in between ([`Network`]) is part of the host: a pooling proxy hands each request
//! to IIS on a new connection; a path that breaks connections closes the browser's after every
//! response. Both break NTLM the way the guide's "Point-to-point connections" says.

use super::audit::{Failure, Method};
use super::{win32, AuthFlags, Network, Request, Response, Site};
use crate::ntlm::server::{
    self, Cause, Found, NtlmServer, ServerInfo, Verdict, SEC_E_INVALID_TOKEN, SEC_E_LOGON_DENIED,
    SEC_E_NO_AUTHENTICATING_AUTHORITY,
};
use crate::ntlm::{self, Message};
use base64::Engine;

#[derive(Clone, Debug, Default)]
struct Conn {
    ntlm: NtlmServer,
    /// The user this connection authenticated as with NTLM.
    user: Option<String>,
}

#[derive(Clone, Debug, Default)]
struct Conns(Vec<(u64, Conn)>);

impl Conns {
    fn remove(&mut self, id: &u64) -> Option<Conn> {
        let i = self.0.iter().position(|(k, _)| k == id)?;
        Some(self.0.swap_remove(i).1)
    }
    fn get(&self, id: &u64) -> Option<&Conn> {
        self.0.iter().find(|(k, _)| k == id).map(|(_, c)| c)
    }
    fn insert(&mut self, id: u64, c: Conn) {
        self.remove(&id);
        self.0.push((id, c));
    }
}

/// Adds `WWW-Authenticate: value` before the body's headers (where IIS puts it).
fn insert_challenge(r: &mut Response, value: String) {
    let at = r
        .headers
        .iter()
        .position(|(n, _)| n == "Content-Type")
        .unwrap_or(r.headers.len());
    r.headers.insert(at, ("WWW-Authenticate".into(), value));
}

/// The Windows the IIS computer runs, as NTLM shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ServerOs {
    /// Windows Server 2003 (IIS 6): no MsvAvTimestamp in the CHALLENGE (MS-NLMP appendix B).
    #[default]
    Server2003,
    /// Windows Server 2022: MsvAvTimestamp, so today's clients add a MIC.
    Server2022,
}

/// One site and its connections.
#[derive(Clone, Debug)]
pub struct Host {
    pub site: Site,
    pub server_os: ServerOs,
    /// Per-connection state, by connection id. A short list, not a map: a site has a handful of
    /// live connections, and a map type of our own would add its code to the wasm bundle.
    conns: Conns,
    /// Connections the pooling proxy has opened to IIS so far.
    upstream: u64,
    /// The ExportedSessionKey and flags of the last NTLM logon (for SPNEGO's mechListMIC).
    last_session: Option<(Vec<u8>, u32)>,
    /// Per connection, the DER MechTypeList a SPNEGO NegTokenInit offered (the mechListMIC
    /// covers it).
    #[cfg(feature = "kerberos")]
    mech_lists: Vec<(u64, Vec<u8>)>,
    /// Kerberos authenticators already accepted (a replay is refused).
    #[cfg(feature = "kerberos")]
    replay: crate::kerberos::service::ReplayCache,
}

impl Host {
    pub fn new(site: Site) -> Host {
        Host {
            site,
            server_os: ServerOs::Server2003,
            conns: Conns::default(),
            upstream: 0,
            last_session: None,
            #[cfg(feature = "kerberos")]
            mech_lists: Vec::new(),
            #[cfg(feature = "kerberos")]
            replay: Default::default(),
        }
    }

    /// The connection IIS saw the last request on, when a pooling proxy chose it.
    pub fn last_upstream(&self) -> Option<u64> {
        (self.site.network == Network::PoolingProxy && self.upstream > 0)
            .then_some(1_000_000 + self.upstream)
    }

    /// The connection closed: forget its handshake and identity.
    pub fn close(&mut self, connection: u64) {
        self.conns.remove(&connection);
    }

    fn info(&self) -> ServerInfo {
        let domain = self
            .site
            .domain
            .clone()
            .unwrap_or_else(|| self.site.machine.clone());
        let dns_domain = self
            .site
            .host
            .split_once('.')
            .map(|(_, d)| d.to_string())
            .unwrap_or_default();
        ServerInfo {
            netbios_computer: self.site.machine.clone(),
            netbios_domain: domain,
            dns_computer: self.site.host.clone(),
            dns_domain,
            version: match self.server_os {
                ServerOs::Server2003 => server::SERVER_2003,
                ServerOs::Server2022 => server::SERVER_2022,
            },
            timestamp: self.server_os == ServerOs::Server2022,
        }
    }

    /// `domain\user` for the NTLM server: its password, and why Windows would refuse it once
    /// the response verifies (the same account states LogonUser refuses for Basic, and the
    /// "Access this computer from the network" right, which the IIS computer checks after the
    /// domain controller validated the response: the guide's "Security privileges").
    fn lookup(&self, domain: &str, user: &str) -> Result<Found, (String, u32)> {
        let site = &self.site;
        let local = site.is_local(domain);
        let dom = if local { site.machine.as_str() } else { domain };
        if !local {
            let ours = site
                .domain
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(domain));
            if !ours {
                return Err((
                    format!("{domain} is neither this computer nor its domain"),
                    SEC_E_LOGON_DENIED,
                ));
            }
            if !site.dc_reachable {
                return Err((
                    format!("no domain controller for {domain} answers the pass-through request"),
                    SEC_E_NO_AUTHENTICATING_AUTHORITY,
                ));
            }
        }
        let a = site
            .account(dom, user)
            .ok_or_else(|| ("no such account".to_string(), SEC_E_LOGON_DENIED))?;
        let refused = match a.refusal() {
            Some((_, why)) => Some((why.to_string(), SEC_E_LOGON_DENIED)),
            None if !a.network_logon => Some((
                format!("the domain controller validated the response, but {}\\{} lacks the \"Access this computer from the network\" right on {}", a.domain, a.user, site.machine),
                SEC_E_LOGON_DENIED,
            )),
            None => None,
        };
        Ok(Found {
            password: a.password.clone(),
            refused,
        })
    }

    /// What a refused NTLM logon was, for the Security log (`None`: no logon was attempted).
    fn failure(&self, domain: &str, user: &str, cause: Cause) -> Option<Failure> {
        let local = self.site.is_local(domain);
        let dom = if local {
            self.site.machine.as_str()
        } else {
            domain
        };
        match cause {
            Cause::BadToken | Cause::Anonymous => None,
            Cause::NotFound if !local && !self.site.dc_reachable => Some(Failure::NoLogonServers),
            Cause::NotFound => Some(Failure::UnknownUser),
            Cause::WrongResponse | Cause::Mic => Some(Failure::WrongPassword),
            Cause::Refused => Some(
                self.site
                    .account(dom, user)
                    .and_then(|a| a.refusal())
                    .map_or(Failure::LogonType, |(f, _)| f),
            ),
        }
    }

    /// Answer `req`, as it reaches IIS through the site's [`Network`]. `server_challenge` is the
    /// randomness a CHALLENGE needs (an argument, so the engine stays deterministic).
    pub fn handle(&mut self, req: &Request, server_challenge: [u8; 8]) -> Response {
        match self.site.network {
            Network::Direct => self.handle_direct(req, server_challenge),
            Network::PoolingProxy => {
                self.upstream += 1;
                // Connection ids the browser side never uses.
                let upstream = 1_000_000 + self.upstream;
                let mut up = req.clone();
                up.connection = upstream;
                up.headers.push(("Via".into(), "1.1 proxy".into()));
                let mut r = self.handle_direct(&up, server_challenge);
                // The proxy closes its side when it is done with the request.
                self.conns.remove(&upstream);
                r.trace.insert(0, format!("A proxy that pools connections forwards the browser's connection #{} to IIS on its connection #{upstream}: IIS sees a new connection for every request, so an NTLM handshake cannot complete.", req.connection));
                r.headers.push(("Via".into(), "1.1 proxy".into()));
                r
            }
            Network::Breaks => {
                let mut r = self.handle_direct(req, server_challenge);
                self.close(req.connection);
                r.trace.push(format!("The connection #{} breaks after this response (a device on the path closes it): the browser's next request goes on a new connection, and any NTLM handshake under way is lost.", req.connection));
                if !r.headers.iter().any(|(n, _)| n == "Connection") {
                    r.headers.push(("Connection".into(), "close".into()));
                }
                r
            }
        }
    }

    fn handle_direct(&mut self, req: &Request, server_challenge: [u8; 8]) -> Response {
        // The properties that apply to this URL (metabase inheritance).
        let site = self.site.for_path(&self.site.site_path(&req.target));
        let integrated = site.auth_flags.has(AuthFlags::NTLM);
        let authz = req.header("Authorization").map(str::trim).unwrap_or("");
        let (scheme, token) = authz
            .split_once([' ', '\t'])
            .map_or((authz, ""), |(s, t)| (s, t.trim()));
        let ntlm_scheme =
            scheme.eq_ignore_ascii_case("ntlm") || scheme.eq_ignore_ascii_case("negotiate");
        if !integrated || !ntlm_scheme || token.is_empty() {
            let user = self.conns.get(&req.connection).and_then(|c| c.user.clone());
            if let (true, true, Some(u)) = (integrated, authz.is_empty(), user) {
                let trace = vec![
                    format!("Request for {} on connection #{}", req.target, req.connection),
                    format!("No Authorization header, but this connection authenticated as {u} with NTLM and AuthPersistSingleRequest is false: the identity persists."),
                ];
                return site.ok_with(req, Some(u), super::Token::NetworkOnly, trace);
            }
            // `site` already holds the properties of this URL's node.
            return site.handle_effective(req);
        }
        let mut trace = vec![format!(
            "Request for {} on connection #{}; AuthFlags = {}; Authorization: {scheme}",
            req.target,
            req.connection,
            site.auth_flags.names()
        )];
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(token)
            .unwrap_or_default();
        #[cfg(feature = "kerberos")]
        if scheme.eq_ignore_ascii_case("negotiate") && crate::decode::looks_like_negotiate(&bytes) {
            return self.kerberos(&site, req, &bytes, trace, server_challenge);
        }
        let kind = ntlm::decode(&bytes).message;
        let conn = self.conns.remove(&req.connection).unwrap_or_default();
        match kind {
            Some(Message::Negotiate(_)) => {
                let info = self.info();
                match conn
                    .ntlm
                    .on_negotiate(&bytes, &info, server_challenge, req.now)
                {
                    Ok((state, challenge)) => {
                        self.conns.insert(
                            req.connection,
                            Conn {
                                ntlm: state,
                                user: None,
                            },
                        );
                        trace.push("An NTLM NEGOTIATE: SSPI answers with a CHALLENGE for this connection; IIS sends it in a 401 (logged 401.1, 2148074254: the normal middle leg, not an error).".into());
                        let value = format!("{scheme} {}", crate::field::b64(&challenge));
                        let mut r = site.deny(
                            req,
                            1,
                            server::SEC_I_CONTINUE_NEEDED_LOGGED,
                            false,
                            trace,
                            None,
                        );
                        insert_challenge(&mut r, value);
                        r
                    }
                    Err(e) => {
                        trace.push(format!("The NEGOTIATE is malformed: {e}"));
                        site.deny(req, 1, SEC_E_INVALID_TOKEN, true, trace, None)
                    }
                }
            }
            Some(Message::Authenticate(auth)) => {
                let workstation = auth.workstation.clone();
                let site_lookup = |d: &str, u: &str| self.lookup(d, u);
                match conn.ntlm.on_authenticate(&bytes, &site_lookup) {
                    None => {
                        trace.push("An AUTHENTICATE on a connection that was sent no CHALLENGE: the handshake broke (a new connection: keep-alives off, or a proxy that is not point to point). IIS answers 401.2 and the browser must start again.".into());
                        site.deny(req, 2, win32::ACCESS_DENIED, true, trace, None)
                    }
                    Some(Verdict::Accepted {
                        domain,
                        user,
                        kind,
                        exported_session_key,
                        flags,
                    }) => {
                        // Kept for a SPNEGO mechListMIC (MS-SPNG 3.1.5.1), if the caller wraps.
                        self.last_session = Some((exported_session_key, flags));
                        let who = format!(
                            "{}\\{}",
                            if domain.is_empty() {
                                self.site.machine.clone()
                            } else {
                                domain.to_ascii_uppercase()
                            },
                            user
                        );
                        if site.auth_persist_single_request {
                            trace.push(format!("The {} response verifies: {who} is logged on for this request only (AuthPersistSingleRequest is true).", kind.name()));
                        } else {
                            trace.push(format!("The {} response verifies: {who} is logged on; the connection keeps this identity (AuthPersistSingleRequest is false).", kind.name()));
                            self.conns.insert(
                                req.connection,
                                Conn {
                                    ntlm: NtlmServer::ExpectNegotiate,
                                    user: Some(who.clone()),
                                },
                            );
                        }
                        let attempt =
                            site.attempt(&domain, &user, 3, Method::Ntlm, &workstation, Ok(()));
                        let r = site.ok_with(req, Some(who), super::Token::NetworkOnly, trace);
                        site.audited(r, req, Some(attempt))
                    }
                    Some(Verdict::Rejected {
                        domain,
                        user,
                        reason,
                        win32,
                        cause,
                    }) => {
                        trace.push(format!(
                            "The logon of {domain}\\{user} fails: {reason}: 401.1."
                        ));
                        let attempt = self.failure(&domain, &user, cause).map(|f| {
                            site.attempt(&domain, &user, 3, Method::Ntlm, &workstation, Err(f))
                        });
                        let r = site.deny(
                            req,
                            1,
                            win32,
                            true,
                            trace,
                            Some(format!("{domain}\\{user}")),
                        );
                        site.audited(r, req, attempt)
                    }
                }
            }
            _ => {
                trace.push("The token is not an NTLM NEGOTIATE or AUTHENTICATE (Kerberos and SPNEGO tokens are not handled by this lab yet).".into());
                site.deny(req, 1, SEC_E_INVALID_TOKEN, true, trace, None)
            }
        }
    }

    /// `Authorization: Negotiate` with a SPNEGO or Kerberos token: a Kerberos AP-REQ is checked
    /// against the site's service keys (every request: Kerberos does not persist on the
    /// connection in IIS 6); the answer carries the AP-REP in a NegTokenResp.
    #[cfg(feature = "kerberos")]
    fn kerberos(
        &mut self,
        site: &Site,
        req: &Request,
        bytes: &[u8],
        mut trace: Vec<String>,
        entropy: [u8; 8],
    ) -> Response {
        use crate::kerberos::service;
        use crate::spnego::{self, KRB5_OID, MS_KRB5_OID};
        let peeled = spnego::peel(bytes, crate::Span::new(0, bytes.len()));
        let krb = peeled
            .layers
            .iter()
            .find(|l| l.kind == "kerberos" && l.label == "Kerberos AP-REQ");
        if let Some((ntlm_token, _)) = &peeled.ntlm_token {
            return self.spnego_ntlm(req, &peeled, ntlm_token, entropy);
        }
        let Some(krb) = krb else {
            trace.push("The Negotiate token holds no Kerberos AP-REQ IIS can use.".into());
            return site.deny(req, 1, SEC_E_INVALID_TOKEN, true, trace, None);
        };
        let at = krb
            .fields
            .iter()
            .find_map(|f| f.find("AP-REQ"))
            .map_or(0, |f| f.span.start());
        let wrapped = !peeled.summary.spnego.is_empty();
        if self.site.worker_identity == super::Identity::LocalService {
            trace.push("The application pool runs as LocalService: a local account that no KDC knows, with no Kerberos keys. It cannot decrypt a ticket made for the computer account (the client's event log shows KRB_AP_ERR_MODIFIED): 401.1. IIS 6 guide: \"you cannot use the Kerberos protocol for authentication if the worker process identity is set to LocalService\".".into());
            return site.deny(req, 1, SEC_E_LOGON_DENIED, true, trace, None);
        }
        let seq = u32::from_be_bytes([entropy[0], entropy[1], entropy[2], entropy[3]]);
        match service::accept(
            &krb.bytes,
            at,
            &self.site.service_keys,
            req.now,
            &mut self.replay,
            seq,
        ) {
            Ok(a) => {
                trace.push(format!(
                    "A Kerberos AP-REQ for {}: the ticket opens with {}; the authenticator checks out (time within 5 minutes, not a replay): {} is logged on for this request.",
                    a.service, a.key_used, a.client
                ));
                let token = if a.delegated {
                    trace.push("The client delegated: its forwarded TGT travels in the authenticator's checksum (KRB-CRED).".into());
                    super::Token::Delegated
                } else {
                    super::Token::NetworkOnly
                };
                // IIS names the user as Windows does: the realm's NetBIOS domain and the name.
                let who = match a.client.split_once('@') {
                    Some((user, realm)) => format!(
                        "{}\\{user}",
                        realm
                            .split('.')
                            .next()
                            .unwrap_or(realm)
                            .to_ascii_uppercase()
                    ),
                    None => a.client.clone(),
                };
                let (domain, user) = who.split_once('\\').unwrap_or(("", who.as_str()));
                let attempt = site.attempt(domain, user, 3, Method::Kerberos, "", Ok(()));
                let r = site.ok_with(req, Some(who.clone()), token, trace);
                let mut r = site.audited(r, req, Some(attempt));
                if let Some(ap_rep) = &a.ap_rep {
                    // The client's mechanism OID, answered in kind (Windows offers the MS OID).
                    let oid = if peeled
                        .summary
                        .mech_types
                        .first()
                        .is_some_and(|m| m == MS_KRB5_OID)
                    {
                        MS_KRB5_OID
                    } else {
                        KRB5_OID
                    };
                    let token = service::gss_krb5([2, 0], ap_rep, KRB5_OID);
                    let out = if wrapped {
                        service::neg_token_resp(0, Some(oid), Some(&token))
                    } else {
                        token
                    };
                    r.trace.push("Mutual authentication was requested: IIS answers with an AP-REP in WWW-Authenticate: Negotiate.".into());
                    insert_challenge(&mut r, format!("Negotiate {}", crate::field::b64(&out)));
                }
                r
            }
            // The ticket is for another account than the worker process's: Windows tries the
            // worker's own key, and the decryption fails (KB 871179).
            Err(e) if e.code == 35 => {
                trace.push(format!("The application pool runs as {}, and {}: the KDC made the ticket for the account that holds the SPN, so the worker's key cannot decrypt it. Windows reports KRB_AP_ERR_MODIFIED (Kerberos event 4 in the client's System log): 401.1. KB 871179: the SPN HTTP/<name> must be on the account the application pool runs as (setspn).", self.site.worker_identity.name(), e.reason));
                site.deny(req, 1, SEC_E_LOGON_DENIED, true, trace, None)
            }
            Err(e) => {
                trace.push(format!(
                    "The Kerberos AP-REQ is refused: {} ({}): 401.1.",
                    e.reason,
                    e.name()
                ));
                site.deny(req, 1, SEC_E_LOGON_DENIED, true, trace, None)
            }
        }
    }

    /// NTLM inside SPNEGO (what Negotiate carries when Kerberos is not possible and the client
    /// wraps, as Chromium and Firefox on Linux and pyspnego do): the NTLM legs run as for a bare
    /// token, and the answers are wrapped in NegTokenResp: accept-incomplete with the CHALLENGE,
    /// then accept-completed with the server's mechListMIC over the client's MechTypeList
    /// (RFC 4178 §5, MS-SPNG 3.1.5.1).
    #[cfg(feature = "kerberos")]
    fn spnego_ntlm(
        &mut self,
        req: &Request,
        peeled: &crate::spnego::Peeled,
        ntlm_token: &[u8],
        entropy: [u8; 8],
    ) -> Response {
        use crate::field::b64;
        use crate::kerberos::service::neg_token_resp_mic;
        use crate::spnego::NTLMSSP_OID;
        // The MechTypeList's DER (inside the [0] tag of the NegTokenInit).
        if let Some(l) = peeled.layers.iter().find(|l| l.kind == "spnego") {
            if let Some(f) = l.find("mechTypes") {
                let list = crate::asn1::read(&l.bytes, f.span.start(), f.span.end())
                    .and_then(|t| crate::asn1::read(&l.bytes, t.content, t.end))
                    .map(|t| t.span().slice_bytes(&l.bytes).to_vec());
                if let Ok(list) = list {
                    self.mech_lists.retain(|(c, _)| *c != req.connection);
                    self.mech_lists.push((req.connection, list));
                }
            }
        }
        let mut inner = req.clone();
        for (n, v) in &mut inner.headers {
            if n.eq_ignore_ascii_case("Authorization") {
                *v = format!("Negotiate {}", b64(ntlm_token));
            }
        }
        self.last_session = None;
        let mut r = self.handle_direct(&inner, entropy);
        r.trace.insert(1, "The Negotiate token is SPNEGO carrying NTLM: IIS runs the NTLM leg and wraps its answer in a NegTokenResp.".into());
        for (n, v) in &mut r.headers {
            if n == "WWW-Authenticate" {
                if let Some(challenge) = v
                    .strip_prefix("Negotiate ")
                    .and_then(|t| base64::engine::general_purpose::STANDARD.decode(t).ok())
                {
                    *v = format!(
                        "Negotiate {}",
                        b64(&neg_token_resp_mic(
                            1,
                            Some(NTLMSSP_OID),
                            Some(&challenge),
                            None
                        ))
                    );
                }
            }
        }
        // The client's mechListMIC, when it sent one, must be its signature of the list it offered
        // (a downgrade of the list, or a tampered token, shows here).
        let client_mic = peeled
            .layers
            .iter()
            .find(|l| l.kind == "spnego")
            .and_then(|l| l.find("mechListMIC"))
            .and_then(|f| match &f.value {
                crate::field::Value::Bytes(b) => Some(b.clone()),
                _ => None,
            });
        if let (200, Some(theirs), Some((key, flags)), Some((_, list))) = (
            r.status,
            &client_mic,
            &self.last_session,
            self.mech_lists.iter().find(|(c, _)| *c == req.connection),
        ) {
            if crate::ntlm::crypto::client_mic(key, *flags, 0, list).as_slice() != theirs.as_slice()
            {
                let mut trace = r.trace.clone();
                trace.push("The client's mechListMIC does not match the MechTypeList it offered: the SPNEGO negotiation was altered. IIS refuses the logon: 401.1.".into());
                self.last_session = None;
                let site = self.site.for_path(&self.site.site_path(&req.target));
                return site.deny(req, 1, SEC_E_LOGON_DENIED, true, trace, None);
            }
            r.trace.push(
                "The client's mechListMIC checks out against the MechTypeList it offered.".into(),
            );
        }
        if r.status == 200 {
            let mic = match (
                self.last_session.take(),
                self.mech_lists.iter().find(|(c, _)| *c == req.connection),
            ) {
                (Some((key, flags)), Some((_, list))) => {
                    Some(crate::ntlm::crypto::server_mic(&key, flags, 0, list))
                }
                _ => None,
            };
            r.trace.push(match mic {
                Some(_) => "SPNEGO completes: accept-completed, with IIS's mechListMIC (an NTLM signature over the client's MechTypeList, so that a downgrade of the list would show).".into(),
                None => "SPNEGO completes: accept-completed.".into(),
            });
            insert_challenge(
                &mut r,
                format!(
                    "Negotiate {}",
                    b64(&neg_token_resp_mic(
                        0,
                        None,
                        None,
                        mic.as_ref().map(|m| &m[..])
                    ))
                ),
            );
            self.mech_lists.retain(|(c, _)| *c != req.connection);
        }
        r
    }
}
