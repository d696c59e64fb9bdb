//! A service accepting a Kerberos AP-REQ (RFC 4120 §3.2.3) with its keytab, and answering with
//! an AP-REP (§3.2.4) for mutual authentication, wrapped for GSS-API (RFC 4121 §4.1) and SPNEGO
//! (RFC 4178) as `WWW-Authenticate: Negotiate` carries it (RFC 4559 §5).
//!
//! ```text
//!  AP-REQ ──► key for sname/kvno/etype? ──no──► KRB_AP_ERR_NOT_US / BADKEYVER / NOKEY
//!               │ decrypt ticket (usage 2) ──fails──► KRB_AP_ERR_MODIFIED
//!               │ decrypt authenticator (usage 11) ──fails──► KRB_AP_ERR_BAD_INTEGRITY
//!               │ names match? ──no──► KRB_AP_ERR_BADMATCH
//!               │ |ctime − now| ≤ 5 min? ──no──► KRB_AP_ERR_SKEW
//!               │ seen before? ──yes──► KRB_AP_ERR_REPEAT
//!               │ ticket valid now? ──no──► KRB_AP_ERR_TKT_NYV / KRB_AP_ERR_TKT_EXPIRED
//!               └► accepted: client principal, session key; AP-REP if mutual-required
//! ```
//! Time and the AP-REP's sequence number are arguments: the service stays deterministic.

use super::crypto::{self, usage, Key};
use super::decrypt::{find, Sealed};
use super::keytab::Entry;
use crate::asn1::{self, write as der, Tlv};

/// The largest clock difference accepted (RFC 4120 §1.7's customary five minutes).
pub const MAX_SKEW: i64 = 300;

/// A refused AP-REQ: the Kerberos error code and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: i64,
    pub reason: String,
}

impl Refusal {
    fn new(code: i64, reason: impl Into<String>) -> Refusal {
        Refusal {
            code,
            reason: reason.into(),
        }
    }
    /// `KRB_AP_ERR_SKEW`…
    pub fn name(&self) -> &'static str {
        super::names::error_code(self.code).map_or("KRB_ERR_GENERIC", |(n, _)| n)
    }
}

/// An accepted AP-REQ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// `bob@CONTOSO.COM`.
    pub client: String,
    /// `HTTP/web01.contoso.com@CONTOSO.COM`.
    pub service: String,
    pub session_key: Key,
    /// Which keytab entry opened the ticket.
    pub key_used: String,
    /// Whether the client asked for mutual authentication (an AP-REP).
    pub mutual: bool,
    /// The AP-REP (bare DER) when `mutual`.
    pub ap_rep: Option<Vec<u8>>,
    pub ctime: i64,
    pub cusec: i64,
    /// The client delegated: the GSS checksum's deleg flag, with a KRB-CRED carrying a
    /// forwarded TGT (RFC 4121 §4.1.1), so the service can act as the client elsewhere.
    pub delegated: bool,
}

/// Authenticators already seen, so that a replayed one is refused (RFC 4120 §3.2.3): entries
/// older than the allowed skew are forgotten.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayCache {
    seen: Vec<(String, i64, i64)>,
}

impl ReplayCache {
    fn check_and_add(&mut self, client: &str, ctime: i64, cusec: i64, now: i64) -> bool {
        self.seen.retain(|(_, t, _)| (now - t).abs() <= MAX_SKEW);
        if self
            .seen
            .iter()
            .any(|(c, t, u)| c == client && *t == ctime && *u == cusec)
        {
            return false;
        }
        self.seen.push((client.to_string(), ctime, cusec));
        true
    }
}

fn fields(buf: &[u8], t: &Tlv) -> Vec<Tlv> {
    let seq = if t.class == asn1::Class::Application {
        asn1::read(buf, t.content, t.end).ok()
    } else {
        Some(*t)
    };
    seq.and_then(|s| asn1::children(buf, &s).ok())
        .unwrap_or_default()
}

fn ctx(buf: &[u8], f: &[Tlv], n: u32) -> Option<Tlv> {
    let k = f.iter().find(|k| k.is_context(n))?;
    asn1::read(buf, k.content, k.end).ok()
}

fn principal(buf: &[u8], t: Option<Tlv>) -> String {
    let Some(t) = t else {
        return String::new();
    };
    let f = fields(buf, &t);
    ctx(buf, &f, 1)
        .and_then(|s| asn1::children(buf, &s).ok())
        .map(|parts| {
            parts
                .iter()
                .map(|p| String::from_utf8_lossy(p.content(buf)).into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default()
}

fn text(buf: &[u8], t: Option<Tlv>) -> String {
    t.map(|t| String::from_utf8_lossy(t.content(buf)).into_owned())
        .unwrap_or_default()
}

fn time(buf: &[u8], t: Option<Tlv>) -> Option<i64> {
    asn1::generalized_time(t?.content(buf))
}

/// Accepts the AP-REQ that starts at `at` in `buf`.
pub fn accept(
    buf: &[u8],
    at: usize,
    keytab: &[Entry],
    now: i64,
    replay: &mut ReplayCache,
    seq_number: u32,
) -> Result<Accepted, Refusal> {
    let Ok(t) = asn1::read(buf, at, buf.len()) else {
        return Err(Refusal::new(60, "not DER"));
    };
    if !t.is_application(14) {
        return Err(Refusal::new(60, "not an AP-REQ"));
    }
    let top = fields(buf, &t);
    let ap_options = ctx(buf, &top, 2)
        .and_then(|b| asn1::bits32(b.content(buf)))
        .unwrap_or(0);
    let mutual = ap_options & 0x2000_0000 != 0;
    let parts = find(buf, at);
    let (Some(ticket), Some(auth)) = (
        parts.iter().find(|p| p.what == "EncTicketPart"),
        parts.iter().find(|p| p.what == "Authenticator"),
    ) else {
        return Err(Refusal::new(
            60,
            "the AP-REQ lacks a ticket or an authenticator",
        ));
    };
    let entry = service_key(ticket, keytab)?;
    let plain = crypto::decrypt(&entry.key, usage::TICKET, ticket.cipher.slice_bytes(buf))
        .map_err(|e| {
            Refusal::new(
                41,
                format!(
                    "the ticket for {} does not decrypt with the keytab's key ({e}): the SPN's key is not this service's",
                    ticket.key_of
                ),
            )
        })?;
    let et =
        asn1::read(&plain, 0, plain.len()).map_err(|e| Refusal::new(41, e.kind.to_string()))?;
    let tf = fields(&plain, &et);
    let key_t = ctx(&plain, &tf, 1).ok_or_else(|| Refusal::new(41, "no session key"))?;
    let kf = fields(&plain, &key_t);
    let session_key = Key {
        etype: ctx(&plain, &kf, 0)
            .and_then(|v| asn1::integer(v.content(&plain)))
            .and_then(|v| i32::try_from(v).ok())
            .unwrap_or(0),
        bytes: ctx(&plain, &kf, 1)
            .map(|v| v.content(&plain).to_vec())
            .unwrap_or_default(),
    };
    let crealm = text(&plain, ctx(&plain, &tf, 2));
    let cname = principal(&plain, ctx(&plain, &tf, 3));
    let authtime = time(&plain, ctx(&plain, &tf, 5));
    let starttime = time(&plain, ctx(&plain, &tf, 6)).or(authtime);
    let endtime = time(&plain, ctx(&plain, &tf, 7));
    let a_plain = crypto::decrypt(
        &session_key,
        usage::AP_REQ_AUTHENTICATOR,
        auth.cipher.slice_bytes(buf),
    )
    .map_err(|e| {
        Refusal::new(
            31,
            format!("the authenticator does not decrypt with the ticket's session key: {e}"),
        )
    })?;
    let at2 =
        asn1::read(&a_plain, 0, a_plain.len()).map_err(|e| Refusal::new(31, e.kind.to_string()))?;
    let af = fields(&a_plain, &at2);
    let a_crealm = text(&a_plain, ctx(&a_plain, &af, 1));
    let a_cname = principal(&a_plain, ctx(&a_plain, &af, 2));
    if !a_crealm.eq_ignore_ascii_case(&crealm) || a_cname != cname {
        return Err(Refusal::new(
            36,
            format!(
                "the ticket is {cname}@{crealm}'s, the authenticator says {a_cname}@{a_crealm}"
            ),
        ));
    }
    // The GSS checksum (type 0x8003): Lgth, Bnd, Flags, then DlgOpt/Dlgth/Deleg when delegating.
    let delegated = ctx(&a_plain, &af, 3)
        .map(|c| fields(&a_plain, &c))
        .and_then(|cf| {
            let kind = ctx(&a_plain, &cf, 0).and_then(|t| asn1::integer(t.content(&a_plain)));
            let body = ctx(&a_plain, &cf, 1)?.content(&a_plain).to_vec();
            (kind == Some(0x8003)).then_some(body)
        })
        .is_some_and(|b| b.get(20).is_some_and(|f| f & 1 != 0) && b.len() > 28);
    let cusec = ctx(&a_plain, &af, 4)
        .and_then(|v| asn1::integer(v.content(&a_plain)))
        .unwrap_or(0);
    let ctime = time(&a_plain, ctx(&a_plain, &af, 5))
        .ok_or_else(|| Refusal::new(31, "the authenticator has no ctime"))?;
    if (ctime - now).abs() > MAX_SKEW {
        return Err(Refusal::new(
            37,
            format!(
                "the client's clock says {}, the server's {}: {} s apart, more than {MAX_SKEW}",
                crate::time::iso8601(ctime),
                crate::time::iso8601(now),
                (ctime - now).abs()
            ),
        ));
    }
    let client = format!("{cname}@{crealm}");
    if !replay.check_and_add(&client, ctime, cusec, now) {
        return Err(Refusal::new(
            34,
            "this authenticator was seen before: a replay",
        ));
    }
    if starttime.is_some_and(|s| now + MAX_SKEW < s) {
        return Err(Refusal::new(33, "the ticket is not valid yet"));
    }
    if endtime.is_some_and(|e| now - MAX_SKEW > e) {
        return Err(Refusal::new(32, "the ticket has expired"));
    }
    let ap_rep = if mutual {
        let enc = der::app(
            27,
            der::seq(&[
                der::ctx(0, der::time(ctime)),
                der::ctx(1, der::int(cusec)),
                der::ctx(3, der::int(i64::from(seq_number))),
            ]),
        );
        // The confounder: fixed by the sequence number here (the caller's randomness).
        let mut confounder = [0u8; 16];
        let seed = seq_number.to_le_bytes();
        for ((c, s), i) in confounder.iter_mut().zip(seed.iter().cycle()).zip(0u8..) {
            *c = s ^ i;
        }
        let cipher = crypto::encrypt(&session_key, usage::AP_REP, &confounder, &enc)
            .map_err(|e| Refusal::new(60, e.to_string()))?;
        Some(der::app(
            15,
            der::seq(&[
                der::ctx(0, der::int(5)),
                der::ctx(1, der::int(15)),
                der::ctx(
                    2,
                    der::seq(&[
                        der::ctx(0, der::int(i64::from(session_key.etype))),
                        der::ctx(2, der::octets(&cipher)),
                    ]),
                ),
            ]),
        ))
    } else {
        None
    };
    Ok(Accepted {
        client,
        service: ticket.key_of.clone(),
        session_key,
        key_used: format!(
            "{} ({}, kvno {})",
            entry.principal(),
            crypto::etype_name(i64::from(entry.key.etype)),
            entry.kvno
        ),
        mutual,
        ap_rep,
        ctime,
        cusec,
        delegated,
    })
}

fn service_key<'a>(ticket: &Sealed, keytab: &'a [Entry]) -> Result<&'a Entry, Refusal> {
    let named: Vec<&Entry> = keytab
        .iter()
        .filter(|e| e.principal().eq_ignore_ascii_case(&ticket.key_of))
        .collect();
    if named.is_empty() {
        return Err(Refusal::new(
            35,
            format!(
                "the ticket is for {}, which has no key in the keytab",
                ticket.key_of
            ),
        ));
    }
    let versioned: Vec<&Entry> = named
        .iter()
        .copied()
        .filter(|e| ticket.kvno.is_none_or(|k| k == e.kvno))
        .collect();
    if versioned.is_empty() {
        return Err(Refusal::new(
            44,
            format!(
                "the ticket uses key version {}, the keytab has {}",
                ticket.kvno.unwrap_or(0),
                named
                    .iter()
                    .map(|e| e.kvno.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    versioned
        .into_iter()
        .find(|e| e.key.etype == ticket.etype)
        .ok_or_else(|| {
            Refusal::new(
                45,
                format!(
                    "no {} key for {} in the keytab",
                    crypto::etype_name(i64::from(ticket.etype)),
                    ticket.key_of
                ),
            )
        })
}

/// A krb5 GSS token (RFC 4121 §4.1): `[APPLICATION 0] { OID, TOK_ID, message }`.
pub fn gss_krb5(tok_id: [u8; 2], message: &[u8], oid: &str) -> Vec<u8> {
    let mut inner = der::oid(oid);
    inner.extend_from_slice(&tok_id);
    inner.extend_from_slice(message);
    der::tlv(0x60, &inner)
}

/// SPNEGO NegTokenResp (RFC 4178 §4.2.2) with `negState` and optionally the mechanism and a
/// response token.
pub fn neg_token_resp(state: u8, mech: Option<&str>, token: Option<&[u8]>) -> Vec<u8> {
    neg_token_resp_mic(state, mech, token, None)
}

/// [`neg_token_resp`] with a mechListMIC.
pub fn neg_token_resp_mic(
    state: u8,
    mech: Option<&str>,
    token: Option<&[u8]>,
    mic: Option<&[u8]>,
) -> Vec<u8> {
    let mut f = vec![der::ctx(0, der::enumerated(state))];
    if let Some(m) = mech {
        f.push(der::ctx(1, der::oid(m)));
    }
    if let Some(t) = token {
        f.push(der::ctx(2, der::octets(t)));
    }
    if let Some(m) = mic {
        f.push(der::ctx(3, der::octets(m)));
    }
    der::tlv(0xa1, &der::seq(&f))
}
