//! Opening the encrypted parts of a Kerberos message with keys the user gives (a password and
//! its salt, a key in hex, a keytab), in the page or the CLI: nothing leaves the machine.
//!
//! ```text
//! AP-REQ   ticket.enc-part  ──service key, usage 2──►  EncTicketPart ──► session key
//!          authenticator    ──session key, usage 11──► Authenticator (GSS checksum 0x8003)
//! AS-REP   enc-part         ──client key, usage 3───►  EncASRepPart  ──► TGT session key
//! TGS-REP  enc-part         ──TGT session key, usage 8► EncTGSRepPart ──► service session key
//! AP-REP   enc-part         ──session key, usage 12──► EncAPRepPart
//! ```
//! Each decrypted part becomes a layer whose `source` is its ciphertext in the message's layer.

use super::crypto::{self, usage, CryptoError, Key};
use super::keytab::Entry;
use super::message::{self, Walk};
use crate::asn1::{self, Tlv};
use crate::field::{Field, Layer, Value};
use crate::Span;

/// The keys the user offers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keys {
    /// A password, tried with each part's etype and salt (or `salt` when given).
    pub password: Option<String>,
    pub salt: Option<String>,
    /// Keys in hex, with the etype they are for (e.g. a session key shown by an earlier step).
    pub raw: Vec<Key>,
    /// Keytab entries.
    pub keytab: Vec<Entry>,
    /// Session keys read from parts opened earlier (in this message, another message of the same
    /// paste or capture, a credential cache), each with where it came from.
    pub learnt: Vec<(Key, String)>,
}

impl Keys {
    /// Whether any key or password is given.
    pub fn any(&self) -> bool {
        self.password.is_some()
            || !self.raw.is_empty()
            || !self.keytab.is_empty()
            || !self.learnt.is_empty()
    }
}

/// An EncryptedData found in a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// What is inside: `EncTicketPart`, `Authenticator`…
    pub what: &'static str,
    pub usage: u32,
    pub etype: i32,
    pub kvno: Option<u32>,
    /// The ciphertext, in the message's buffer.
    pub cipher: Span,
    /// Whose key: `HTTP/web01@CONTOSO.COM`, or the session key's origin.
    pub key_of: String,
    /// The default salt for that principal (realm ‖ components).
    pub salt: String,
    /// The s2kparams iteration count PA-ETYPE-INFO2 gives, if any.
    pub iterations: Option<u32>,
}

/// How one part went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub sealed: Sealed,
    /// Which key opened it, or why none did.
    pub result: Result<String, String>,
    /// String-to-key steps, when a password was used: (label, hex).
    pub steps: Vec<(String, String)>,
    /// What was checked inside the plaintext: the PAC's signatures, each with its result.
    pub checks: Vec<String>,
}

/// The decrypted layers and what happened to each part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opened {
    pub layers: Vec<Layer>,
    pub outcomes: Vec<Outcome>,
    /// Session keys learnt on the way, each with where it came from, e.g. to open the AP-REP
    /// later.
    pub session_keys: Vec<(Key, String)>,
}

fn kids(buf: &[u8], t: &Tlv) -> Vec<Tlv> {
    // An APPLICATION wrapper holds one SEQUENCE; a SEQUENCE holds the fields.
    let seq = if t.class == asn1::Class::Application {
        match asn1::read(buf, t.content, t.end) {
            Ok(s) => s,
            Err(_) => return Vec::new(),
        }
    } else {
        *t
    };
    asn1::children(buf, &seq).unwrap_or_default()
}

/// The element inside context tag `[n]` among `fields`.
fn ctx(buf: &[u8], fields: &[Tlv], n: u32) -> Option<Tlv> {
    let k = fields.iter().find(|k| k.is_context(n))?;
    asn1::read(buf, k.content, k.end).ok()
}

fn int(buf: &[u8], t: Option<Tlv>) -> Option<i64> {
    asn1::integer(t?.content(buf))
}

fn text(buf: &[u8], t: Option<Tlv>) -> String {
    t.map(|t| String::from_utf8_lossy(t.content(buf)).into_owned())
        .unwrap_or_default()
}

/// `(components, realm)` of a PrincipalName.
fn principal(buf: &[u8], t: Option<Tlv>) -> Vec<String> {
    let Some(t) = t else { return Vec::new() };
    let f = kids(buf, &t);
    ctx(buf, &f, 1)
        .map(|s| {
            asn1::children(buf, &s)
                .unwrap_or_default()
                .iter()
                .map(|c| String::from_utf8_lossy(c.content(buf)).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn sealed(
    buf: &[u8],
    t: Option<Tlv>,
    what: &'static str,
    usage: u32,
    key_of: String,
    salt: String,
) -> Option<Sealed> {
    let t = t?;
    let f = kids(buf, &t);
    Some(Sealed {
        what,
        usage,
        etype: i32::try_from(int(buf, ctx(buf, &f, 0))?).ok()?,
        kvno: int(buf, ctx(buf, &f, 1)).and_then(|v| u32::try_from(v).ok()),
        cipher: ctx(buf, &f, 2)?.content_span(),
        key_of,
        salt,
        iterations: None,
    })
}

/// The salt and iteration count PA-ETYPE-INFO2 (RFC 4120 §5.2.7.5) gives for `etype`, in a KDC
/// reply's padata (or a KRB-ERROR's e-data).
fn etype_info2(buf: &[u8], list: Option<Tlv>, etype: i32) -> (Option<String>, Option<u32>) {
    let mut out = (None, None);
    for (_, entries) in padata(buf, list).into_iter().filter(|(ty, _)| *ty == 19) {
        for e in asn1::children(buf, &entries).unwrap_or_default() {
            let ef = kids(buf, &e);
            if int(buf, ctx(buf, &ef, 0)) == Some(i64::from(etype)) {
                out.0 =
                    ctx(buf, &ef, 1).map(|s| String::from_utf8_lossy(s.content(buf)).into_owned());
                // s2kparams: the iteration count as 4 big-endian bytes (RFC 3962 §4, RFC 8009 §4,
                // RFC 6803 §3).
                out.1 = ctx(buf, &ef, 2)
                    .and_then(|p| <[u8; 4]>::try_from(p.content(buf)).ok())
                    .map(u32::from_be_bytes);
            }
        }
    }
    out
}

/// The PA-DATA entries of a `padata` SEQUENCE OF: (type, the value's inner element).
fn padata(buf: &[u8], list: Option<Tlv>) -> Vec<(i64, Tlv)> {
    let Some(list) = list else { return Vec::new() };
    asn1::children(buf, &list)
        .unwrap_or_default()
        .iter()
        .filter_map(|pa| {
            let f = kids(buf, pa);
            let ty = int(buf, ctx(buf, &f, 1))?;
            let v = ctx(buf, &f, 2)?;
            Some((ty, asn1::read(buf, v.content, v.end).ok()?))
        })
        .collect()
}

/// The encrypted parts of the message at `at` in `buf` that long-term or given keys can open.
pub fn find(buf: &[u8], at: usize) -> Vec<Sealed> {
    let Ok(t) = asn1::read(buf, at, buf.len()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    find_in(buf, &t, &mut out);
    out
}

/// A ticket's EncTicketPart: the named service's key (for a TGT, krbtgt's), usage 2.
fn ticket(buf: &[u8], tk: Option<Tlv>) -> Option<Sealed> {
    let tf = kids(buf, &tk?);
    let realm = text(buf, ctx(buf, &tf, 1));
    let sname = principal(buf, ctx(buf, &tf, 2));
    sealed(
        buf,
        ctx(buf, &tf, 3),
        "EncTicketPart",
        usage::TICKET,
        format!("{}@{realm}", sname.join("/")),
        format!("{realm}{}", sname.concat()),
    )
}

/// An AP-REQ's ticket and authenticator; `authenticator_usage` is 11, or 7 inside a TGS-REQ.
fn ap_req(buf: &[u8], f: &[Tlv], authenticator_usage: u32, out: &mut Vec<Sealed>) {
    out.extend(ticket(buf, ctx(buf, f, 3)));
    out.extend(sealed(
        buf,
        ctx(buf, f, 4),
        "Authenticator",
        authenticator_usage,
        if authenticator_usage == usage::TGS_REQ_AUTHENTICATOR {
            "the TGT's session key".into()
        } else {
            "the ticket's session key".into()
        },
        String::new(),
    ));
}

#[cfg(feature = "full-kerberos")]
/// FAST's armored part in a KDC message's padata (PA-FX-FAST, RFC 6113 §5.4): the request's
/// KrbFastReq (usage 51) or the reply's KrbFastResponse (usage 52), under the armor key.
fn fast(buf: &[u8], padata_list: Option<Tlv>, reply: bool, out: &mut Vec<Sealed>) {
    for (ty, choice) in padata(buf, padata_list) {
        if ty != 136 || !choice.is_context(0) {
            continue;
        }
        let Ok(armored) = asn1::read(buf, choice.content, choice.end) else {
            continue;
        };
        let f = kids(buf, &armored);
        out.extend(sealed(
            buf,
            ctx(buf, &f, if reply { 0 } else { 2 }),
            if reply {
                "KrbFastResponse"
            } else {
                "KrbFastReq"
            },
            if reply {
                usage::FAST_REP
            } else {
                usage::FAST_ENC
            },
            "the FAST armor key".into(),
            String::new(),
        ));
    }
}

fn find_in(buf: &[u8], t: &Tlv, out: &mut Vec<Sealed>) {
    let f = kids(buf, t);
    // A KDC-REQ or KDC-REP body without its APPLICATION tag reads as the message it names.
    let tag = if t.class == asn1::Class::Application {
        Some(t.tag)
    } else {
        #[cfg(not(feature = "full-kerberos"))]
        return;
        #[cfg(feature = "full-kerberos")]
        message::untagged_kdc(buf, t).map(|(name, _)| match name {
            "AS-REQ" => 10,
            "AS-REP" => 11,
            "TGS-REQ" => 12,
            _ => 13,
        })
    };
    match tag {
        Some(1) => out.extend(ticket(buf, Some(*t))),
        Some(14) => ap_req(buf, &f, usage::AP_REQ_AUTHENTICATOR, out),
        Some(10 | 12) => {
            let body = ctx(buf, &f, 4).map(|b| kids(buf, &b)).unwrap_or_default();
            let realm = text(buf, ctx(buf, &body, 2));
            let cname = principal(buf, ctx(buf, &body, 1));
            for (ty, inner) in padata(buf, ctx(buf, &f, 3)) {
                match ty {
                    // PA-TGS-REQ: the AP-REQ with the TGT (RFC 4120 §5.4.1, usage 7).
                    1 => ap_req(buf, &kids(buf, &inner), usage::TGS_REQ_AUTHENTICATOR, out),
                    // PA-ENC-TIMESTAMP under the client's key (usage 1).
                    2 => out.extend(sealed(
                        buf,
                        Some(inner),
                        "PA-ENC-TS-ENC",
                        usage::PA_ENC_TIMESTAMP,
                        format!("{}@{realm}", cname.join("/")),
                        format!("{realm}{}", cname.concat()),
                    )),
                    _ => {}
                }
            }
            #[cfg(feature = "full-kerberos")]
            fast(buf, ctx(buf, &f, 3), false, out);
        }
        Some(tag @ (11 | 13)) => {
            out.extend(ticket(buf, ctx(buf, &f, 5)));
            // The FAST reply first: its strengthen-key makes the enc-part's key.
            #[cfg(feature = "full-kerberos")]
            fast(buf, ctx(buf, &f, 2), true, out);
            let crealm = text(buf, ctx(buf, &f, 3));
            let cname = principal(buf, ctx(buf, &f, 4));
            let as_rep = tag == 11;
            if let Some(mut s) = sealed(
                buf,
                ctx(buf, &f, 6),
                if as_rep {
                    "EncASRepPart"
                } else {
                    "EncTGSRepPart"
                },
                if as_rep {
                    usage::AS_REP
                } else {
                    usage::TGS_REP
                },
                if as_rep {
                    format!("{}@{crealm}", cname.join("/"))
                } else {
                    "the TGT's session key (or the TGS-REQ authenticator's subkey)".into()
                },
                format!("{crealm}{}", cname.concat()),
            ) {
                let (salt, iterations) = etype_info2(buf, ctx(buf, &f, 2), s.etype);
                if let Some(salt) = salt {
                    s.salt = salt;
                }
                s.iterations = iterations;
                out.push(s);
            }
        }
        Some(15) => out.extend(sealed(
            buf,
            ctx(buf, &f, 2),
            "EncAPRepPart",
            usage::AP_REP,
            "the ticket's session key".into(),
            String::new(),
        )),
        // KRB-CRED (RFC 4120 §5.8): the tickets, and EncKrbCredPart under the session key of the
        // message it travels in (usage 14), or in clear (etype 0) as .kirbi files hold it.
        Some(22) => {
            if let Some(list) = ctx(buf, &f, 2) {
                for tk in asn1::children(buf, &list).unwrap_or_default() {
                    out.extend(ticket(buf, Some(tk)));
                }
            }
            out.extend(sealed(
                buf,
                ctx(buf, &f, 3),
                "EncKrbCredPart",
                usage::KRB_CRED,
                "the session key of the ticket it travels with (an AP-REQ's)".into(),
                String::new(),
            ));
        }
        _ => {}
    }
}

/// A key to try, how it was made, and the string-to-key steps (label, hex).
type Candidate = (Key, String, Vec<(String, String)>);

/// The keys to try for `s`, each with how it was made.
fn candidates(s: &Sealed, keys: &Keys, learnt: &[(Key, String)]) -> Vec<Candidate> {
    let mut out = Vec::new();
    // Session-key parts ("the …") take session keys; a ticket or a KDC reply's enc-part needs the
    // named principal's long-term key.
    let session = s.key_of.starts_with("the ");
    for e in &keys.keytab {
        // A ticket needs the named service's key of its version.
        let named = s.key_of.is_empty() || e.principal().eq_ignore_ascii_case(&s.key_of);
        let version = s.kvno.is_none_or(|k| k == e.kvno);
        if e.key.etype == s.etype && (session || (named && version)) {
            out.push((
                e.key.clone(),
                format!("the keytab's key for {} (kvno {})", e.principal(), e.kvno),
                Vec::new(),
            ));
        }
    }
    if session {
        for (k, origin) in learnt.iter().chain(&keys.learnt) {
            if k.etype == s.etype && !out.iter().any(|(c, ..)| c == k) {
                out.push((k.clone(), origin.clone(), Vec::new()));
            }
        }
    }
    for k in &keys.raw {
        if k.etype == s.etype {
            out.push((k.clone(), "the given key".into(), Vec::new()));
        }
    }
    // A password is a user's or a service account's: a TGT is the KDC's own secret (krbtgt).
    let password = keys
        .password
        .as_ref()
        .filter(|_| !session && !s.key_of.starts_with("krbtgt/"));
    if let Some(pw) = password {
        let salt = keys
            .salt
            .as_deref()
            .map(salt_of)
            .unwrap_or_else(|| s.salt.clone());
        if let Ok((k, steps)) = crypto::string_to_key_steps(s.etype, pw, &salt, s.iterations) {
            let how = if matches!(s.etype, crypto::RC4_HMAC | crypto::RC4_HMAC_EXP) {
                "the password (RC4-HMAC: no salt)".to_string()
            } else {
                format!("the password with salt \"{salt}\"")
            };
            out.push((k, how, steps));
        }
    }
    out
}

/// A salt as the user gives it: the salt itself, or a principal (`bob@CONTOSO.COM`,
/// `HTTP/web01@CONTOSO.COM`) whose default salt is its realm followed by its name's components
/// (RFC 4120 §4).
pub fn salt_of(given: &str) -> String {
    match given.rsplit_once('@') {
        Some((name, realm)) if !realm.is_empty() => {
            format!("{realm}{}", name.split('/').collect::<String>())
        }
        _ => given.to_string(),
    }
}

/// The EncryptionKey at context tag `tag` of the SEQUENCE `t` (`key [1]` of an EncTicketPart,
/// `key [0]` of an EncKDCRepPart or KrbCredInfo, `subkey [6]` of an Authenticator…).
fn key_at(buf: &[u8], t: &Tlv, tag: u32) -> Option<Key> {
    let f = kids(buf, t);
    let k = ctx(buf, &f, tag)?;
    let kf = kids(buf, &k);
    Some(Key {
        etype: i32::try_from(int(buf, ctx(buf, &kf, 0))?).ok()?,
        bytes: ctx(buf, &kf, 1)?.content(buf).to_vec(),
    })
}

/// The keys a decrypted part carries, each with a description of where it came from.
fn keys_in(plain: &[u8], what: &str) -> Vec<(Key, String)> {
    let Ok(t) = asn1::read(plain, 0, plain.len()) else {
        return Vec::new();
    };
    let one = |tag: u32, origin: &str| {
        key_at(plain, &t, tag)
            .map(|k| (k, origin.to_string()))
            .into_iter()
            .collect::<Vec<_>>()
    };
    match what {
        "EncTicketPart" => one(1, "the session key in the EncTicketPart"),
        "EncASRepPart" => one(
            0,
            "the session key in the EncASRepPart (the TGT's session key)",
        ),
        "EncTGSRepPart" => one(
            0,
            "the session key in the EncTGSRepPart (the service ticket's)",
        ),
        "Authenticator" => one(6, "the subkey in the Authenticator"),
        "EncAPRepPart" => one(2, "the subkey in the EncAPRepPart"),
        "KrbFastResponse" => one(1, "the strengthen-key in the KrbFastResponse"),
        "EncKrbCredPart" => {
            let f = kids(plain, &t);
            let Some(list) = ctx(plain, &f, 0) else {
                return Vec::new();
            };
            asn1::children(plain, &list)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .filter_map(|(i, info)| {
                    key_at(plain, info, 0).map(|k| {
                        (
                            k,
                            format!("the session key of ticket {} in the KRB-CRED", i + 1),
                        )
                    })
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(feature = "full-kerberos")]
/// The keys FAST derives (RFC 6113 §5.4.1.1 and §5.4.3) once a part is open: the TGS-REQ's
/// armor key KRB-FX-CF2(authenticator subkey, TGT session key, "subkeyarmor", "ticketarmor")
/// once its authenticator is open, and the reply key KRB-FX-CF2(strengthen-key, subkey,
/// "strengthenkey", "replykey") once a KrbFastResponse with a strengthen-key is.
fn fast_keys(
    s: &Sealed,
    opened_with: &Key,
    found: &[(Key, String)],
    here: &[(Key, String)],
    before: &[(Key, String)],
) -> Vec<(Key, String)> {
    let mut out = Vec::new();
    let known = || here.iter().chain(before);
    // The key that opened a TGS-REQ's authenticator is the TGT's session key.
    if s.what == "Authenticator" && s.usage == usage::TGS_REQ_AUTHENTICATOR {
        if let Some((sub, _)) = found.first() {
            if let Ok(k) = crypto::cf2(sub, opened_with, b"subkeyarmor", b"ticketarmor") {
                out.push((k, "the FAST armor key, KRB-FX-CF2(the authenticator's subkey, the TGT's session key, \"subkeyarmor\", \"ticketarmor\")".to_string()));
            }
        }
    }
    if s.what == "KrbFastResponse" {
        for (strengthen, _) in found {
            for (sub, _) in
                known().filter(|(k, o)| o.contains("subkey") && k.etype == strengthen.etype)
            {
                if let Ok(k) = crypto::cf2(strengthen, sub, b"strengthenkey", b"replykey") {
                    out.push((k, "the FAST reply key, KRB-FX-CF2(the strengthen-key, the TGS-REQ's subkey, \"strengthenkey\", \"replykey\")".to_string()));
                }
            }
        }
    }
    out
}

#[cfg(feature = "full-kerberos")]
/// The elements from an EncTicketPart down to its PAC's OCTET STRING: authorization-data →
/// AD-IF-RELEVANT → AD-WIN2K-PAC (RFC 4120 §5.2.6, MS-PAC §2.1).
fn pac_path(plain: &[u8]) -> Option<Vec<Tlv>> {
    let app = asn1::read(plain, 0, plain.len()).ok()?;
    let seq = asn1::read(plain, app.content, app.end).ok()?;
    let c10 = asn1::children(plain, &seq)
        .ok()?
        .into_iter()
        .find(|k| k.is_context(10))?;
    let list = asn1::read(plain, c10.content, c10.end).ok()?;
    // An AuthorizationData entry's ad-type and its [1] and OCTET STRING.
    let entry = |e: &Tlv| -> Option<(i64, Tlv, Tlv)> {
        let f = asn1::children(plain, e).ok()?;
        let ty = int(plain, ctx(plain, &f, 0))?;
        let c1 = *f.iter().find(|k| k.is_context(1))?;
        let octets = asn1::read(plain, c1.content, c1.end).ok()?;
        Some((ty, c1, octets))
    };
    for e in asn1::children(plain, &list).ok()? {
        let Some((1, c1, octets)) = entry(&e) else {
            continue;
        };
        let inner = asn1::read(plain, octets.content, octets.end).ok()?;
        for e2 in asn1::children(plain, &inner).ok()? {
            if let Some((128, c1b, pac)) = entry(&e2) {
                return Some(vec![
                    app, seq, c10, list, e, c1, octets, inner, e2, c1b, pac,
                ]);
            }
        }
    }
    None
}

#[cfg(feature = "full-kerberos")]
/// `plain` with the innermost element of `path` given `content`, every enclosing length
/// re-encoded (identifiers below tag 31 only, as these are).
fn replace_content(plain: &[u8], path: &[Tlv], content: &[u8]) -> Option<Vec<u8>> {
    let id = |t: &Tlv| plain.get(t.start).copied().filter(|b| b & 0x1f != 0x1f);
    let last = path.last()?;
    let mut cur = asn1::write::tlv(id(last)?, content);
    for pair in path.windows(2).rev() {
        let [outer, inner] = pair else { return None };
        let mut c = plain.get(outer.content..inner.start)?.to_vec();
        c.extend_from_slice(&cur);
        c.extend_from_slice(plain.get(inner.end..outer.end)?);
        cur = asn1::write::tlv(id(outer)?, &c);
    }
    Some(cur)
}

#[cfg(feature = "full-kerberos")]
/// The PAC's signatures in a decrypted EncTicketPart, checked with the key that opened the
/// ticket (the server signature) and the krbtgt keys at hand (the KDC and ticket signatures).
fn pac_checks(plain: &[u8], s: &Sealed, key: &Key, how: &str, keys: &Keys) -> Vec<String> {
    let Some(path) = pac_path(plain) else {
        return Vec::new();
    };
    let Some(pac) = path.last().map(|t| t.content(plain)) else {
        return Vec::new();
    };
    let mut kdc: Vec<(Key, String)> = keys
        .keytab
        .iter()
        .filter(|e| e.components.first().is_some_and(|c| c == "krbtgt"))
        .map(|e| {
            (
                e.key.clone(),
                format!("the keytab's key for {} (kvno {})", e.principal(), e.kvno),
            )
        })
        .collect();
    if s.key_of.starts_with("krbtgt/") {
        kdc.insert(0, (key.clone(), how.to_string()));
    }
    // MS-PAC §2.8.3: the ticket signature covers the EncTicketPart with the PAC replaced by a
    // single zero byte.
    let rebuilt = replace_content(plain, &path, &[0]);
    super::pac::verify(pac, Some((key, how)), &kdc, rebuilt.as_deref())
}

/// The plaintext without the zero padding DES and DES3 leave after the DER (RFC 3961 §6.2:
/// "the decryption may return padding").
fn unpad(mut plain: Vec<u8>) -> Vec<u8> {
    if let Ok(t) = asn1::read(&plain, 0, plain.len()) {
        if t.end < plain.len()
            && plain.len() - t.end < 8
            && plain
                .get(t.end..)
                .is_some_and(|r| r.iter().all(|b| *b == 0))
        {
            plain.truncate(t.end);
        }
    }
    plain
}

/// GSS-API checksum fields (RFC 4121 §4.1.1) inside an Authenticator's `cksum`.
fn gss_checksum(fields: &mut [Field]) {
    fn visit(f: &mut Field) {
        if f.name == "cksum" {
            let is_gss = f
                .find("cksumtype")
                .is_some_and(|t| t.value.display().contains("32771"));
            if let (true, Some(c)) = (is_gss, f.children.iter_mut().find(|c| c.name == "checksum"))
            {
                let Value::Bytes(b) = &c.value else { return };
                let base = c.span.end().saturating_sub(b.len());
                let le = |i: usize| {
                    b.get(i..i + 4)
                        .and_then(|x| x.try_into().ok())
                        .map(u32::from_le_bytes)
                };
                let mut kids = Vec::new();
                if let Some(l) = le(0) {
                    kids.push(Field::new("Lgth", Span::new(base, base + 4), Value::U32(l)));
                }
                if let Some(bnd) = b.get(4..20) {
                    let zero = bnd.iter().all(|x| *x == 0);
                    kids.push(
                        Field::new("Bnd", Span::new(base + 4, base + 20), Value::Bytes(bnd.to_vec()))
                            .note(if zero {
                                "no channel bindings (all zero): the token is not bound to a TLS channel"
                            } else {
                                "MD5 of the channel bindings: ties the token to the TLS channel (Extended Protection)"
                            }),
                    );
                }
                if let Some(flags) = le(20) {
                    const NAMES: [&str; 6] =
                        ["deleg", "mutual", "replay", "sequence", "conf", "integ"];
                    let set: Vec<&str> = NAMES
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| flags & (1 << i) != 0)
                        .map(|(_, n)| *n)
                        .collect();
                    kids.push(
                        Field::new(
                            "Flags",
                            Span::new(base + 20, base + 24),
                            Value::Text(format!("{} (0x{flags:x})", set.join(", "))),
                        )
                        .note("GSS context flags; deleg means the client forwards its TGT (delegation)"),
                    );
                }
                if b.len() > 24 {
                    kids.push(
                        Field::new("Deleg", Span::new(base + 24, base + b.len()), Value::None)
                            .note(
                                "DlgOpt, Dlgth and a KRB-CRED carrying the client's forwarded TGT",
                            ),
                    );
                }
                c.children = kids;
            }
        }
        for c in &mut f.children {
            visit(c);
        }
    }
    for f in fields {
        visit(f);
    }
}

/// Opens what `keys` can open in the Kerberos message at `at` of `buf` (a layer's bytes).
pub fn open(buf: &[u8], at: usize, keys: &Keys) -> Opened {
    let mut o = Opened::default();
    for mut s in find(buf, at) {
        let cipher = s.cipher.slice_bytes(buf);
        // etype 0: a KRB-CRED whose EncKrbCredPart travels in clear (RFC 4120 §5.8.1; what
        // Rubeus, mimikatz and impacket's ticketConverter write in .kirbi files).
        if s.etype == 0 {
            let mut w = Walk::default();
            let (name, f) = message::decode_at(cipher, 0, cipher.len(), &mut w);
            o.session_keys.extend(keys_in(cipher, s.what));
            o.layers.push(Layer {
                kind: "decrypted",
                label: name.unwrap_or(s.what),
                source: s.cipher,
                bytes: cipher.to_vec(),
                fields: vec![f],
            });
            o.outcomes.push(Outcome {
                sealed: s,
                result: Ok("nothing: etype 0, the part travels in clear".into()),
                steps: Vec::new(),
                checks: Vec::new(),
            });
            continue;
        }
        let mut result = Err(if !keys.any() && o.session_keys.is_empty() {
            "no key given".to_string()
        } else {
            format!(
                "no key given for {} ({}{})",
                s.key_of,
                crypto::etype_name(i64::from(s.etype)),
                s.kvno.map(|k| format!(", kvno {k}")).unwrap_or_default()
            )
        });
        if keys.password.is_some() && s.iterations.is_some_and(|n| n == 0 || n > 0x0100_0000) {
            result = Err(format!(
                "the password was not tried: {}",
                CryptoError::BadIterations
            ));
        }
        let mut steps = Vec::new();
        #[cfg_attr(not(feature = "full-kerberos"), allow(unused_mut))]
        let mut checks = Vec::new();
        // A TGS-REP is under the TGS-REQ authenticator's subkey when it had one (usage 9),
        // else under the TGT's session key (usage 8) (RFC 4120 §5.4.2).
        let usages: &[u32] = if s.usage == usage::TGS_REP {
            &[usage::TGS_REP, usage::TGS_REP_SUBKEY]
        } else {
            std::slice::from_ref(&s.usage)
        };
        'keys: for (key, how, st) in candidates(&s, keys, &o.session_keys) {
            for &u in usages {
                match crypto::decrypt(&key, u, cipher) {
                    Ok(plain) => {
                        let plain = unpad(plain);
                        let mut w = Walk::default();
                        #[cfg(feature = "full-kerberos")]
                        let (name, f) = match message::decode_untagged(&plain, s.what, &mut w) {
                            Some((n, f)) => (Some(n), f),
                            None => message::decode_at(&plain, 0, plain.len(), &mut w),
                        };
                        #[cfg(not(feature = "full-kerberos"))]
                        let (name, f) = message::decode_at(&plain, 0, plain.len(), &mut w);
                        let mut how = how.clone();
                        if u == usage::TGS_REP_SUBKEY {
                            how.push_str(" (key usage 9: the TGS-REQ carried a subkey)");
                        }
                        if s.what == "EncASRepPart" && name == Some("EncTGSRepPart") {
                            how.push_str("; the plaintext is an EncTGSRepPart [APPLICATION 26], as MIT Kerberos sends in AS-REPs (RFC 4120 §5.4.2 allows it for compatibility)");
                        }
                        let mut fields = vec![f];
                        gss_checksum(&mut fields);
                        let found = keys_in(&plain, s.what);
                        #[cfg(feature = "full-kerberos")]
                        {
                            if s.what == "EncTicketPart" {
                                checks = pac_checks(&plain, &s, &key, &how, keys);
                            }
                            let derived =
                                fast_keys(&s, &key, &found, &o.session_keys, &keys.learnt);
                            o.session_keys.extend(derived);
                        }
                        o.session_keys.extend(found);
                        o.layers.push(Layer {
                            kind: "decrypted",
                            label: name.unwrap_or(s.what),
                            source: s.cipher,
                            bytes: plain,
                            fields,
                        });
                        result = Ok(how);
                        steps = st;
                        s.usage = u;
                        break 'keys;
                    }
                    Err(CryptoError::Integrity) => {
                        result = Err(format!(
                            "{how} does not open it: the integrity check fails (wrong password, salt or key; for a ticket, what a service reports as KRB_AP_ERR_MODIFIED)"
                        ));
                        steps = st.clone();
                    }
                    Err(e) => result = Err(format!("{how}: {e}")),
                }
            }
        }
        o.outcomes.push(Outcome {
            sealed: s,
            result,
            steps,
            checks,
        });
    }
    o
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_principal_gives_its_default_salt() {
        assert_eq!(salt_of("bob@CONTOSO.COM"), "CONTOSO.COMbob");
        assert_eq!(salt_of("HTTP/web01@CONTOSO.COM"), "CONTOSO.COMHTTPweb01");
        assert_eq!(salt_of("CONTOSO.COMbob"), "CONTOSO.COMbob");
    }

    #[test]
    fn an_ap_req_made_here_opens_with_the_service_password() {
        // aes256-sha1 (RFC 3962), and aes128-sha256 and aes256-sha384 (RFC 8009).
        ap_req_opens(18);
        if cfg!(feature = "full-kerberos") {
            for etype in [1, 3, 16, 19, 20, 24, 25, 26] {
                ap_req_opens(etype);
            }
        }
    }

    fn ap_req_opens(etype: i32) {
        use asn1::write::*;
        let svc = crypto::string_to_key(etype, "svc-pass", "CONTOSO.COMHTTPweb01").unwrap();
        let session = Key {
            etype,
            bytes: match etype {
                1 | 3 => vec![0x6d; 8],
                16 => vec![0x6d; 24],
                19 | 23 | 24 | 25 => vec![7; 16],
                _ => vec![7; 32],
            },
        };
        let enc_ticket = app(
            3,
            seq(&[
                ctx(0, bits32(0x4081_0000)),
                ctx(
                    1,
                    seq(&[
                        ctx(0, int(i64::from(etype))),
                        ctx(1, octets(&session.bytes)),
                    ]),
                ),
                ctx(2, general_string("CONTOSO.COM")),
                ctx(
                    3,
                    seq(&[ctx(0, int(1)), ctx(1, seq(&[general_string("bob")]))]),
                ),
                ctx(4, seq(&[ctx(0, int(1)), ctx(1, octets(b""))])),
                ctx(5, time(1_795_768_552)),
                ctx(7, time(1_795_804_552)),
            ]),
        );
        let ticket_cipher = crypto::encrypt(&svc, 2, &[1; 16], &enc_ticket).unwrap();
        let authenticator = app(
            2,
            seq(&[
                ctx(0, int(5)),
                ctx(1, general_string("CONTOSO.COM")),
                ctx(
                    2,
                    seq(&[ctx(0, int(1)), ctx(1, seq(&[general_string("bob")]))]),
                ),
                ctx(4, int(0)),
                ctx(5, time(1_795_768_552)),
            ]),
        );
        let auth_cipher = crypto::encrypt(&session, 11, &[2; 16], &authenticator).unwrap();
        let ap_req = app(
            14,
            seq(&[
                ctx(0, int(5)),
                ctx(1, int(14)),
                ctx(2, bits32(0)),
                ctx(
                    3,
                    app(
                        1,
                        seq(&[
                            ctx(0, int(5)),
                            ctx(1, general_string("CONTOSO.COM")),
                            ctx(
                                2,
                                seq(&[
                                    ctx(0, int(2)),
                                    ctx(1, seq(&[general_string("HTTP"), general_string("web01")])),
                                ]),
                            ),
                            ctx(
                                3,
                                seq(&[
                                    ctx(0, int(i64::from(etype))),
                                    ctx(1, int(2)),
                                    ctx(2, octets(&ticket_cipher)),
                                ]),
                            ),
                        ]),
                    ),
                ),
                ctx(
                    4,
                    seq(&[ctx(0, int(i64::from(etype))), ctx(2, octets(&auth_cipher))]),
                ),
            ]),
        );
        let found = find(&ap_req, 0);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].key_of, "HTTP/web01@CONTOSO.COM");
        assert_eq!(found[0].salt, "CONTOSO.COMHTTPweb01");
        let o = open(
            &ap_req,
            0,
            &Keys {
                password: Some("svc-pass".into()),
                ..Keys::default()
            },
        );
        assert!(
            o.outcomes.iter().all(|x| x.result.is_ok()),
            "{:?}",
            o.outcomes
        );
        assert_eq!(o.layers.len(), 2);
        assert_eq!(o.layers[0].label, "EncTicketPart");
        assert_eq!(
            o.layers[0].find("cname").unwrap().value.display(),
            "bob@CONTOSO.COM"
        );
        assert_eq!(
            o.layers[1].find("ctime").unwrap().value.display(),
            "2026-11-27T08:35:52Z"
        );
        let wrong = open(
            &ap_req,
            0,
            &Keys {
                password: Some("other".into()),
                ..Keys::default()
            },
        );
        assert!(wrong.outcomes[0]
            .result
            .as_ref()
            .unwrap_err()
            .contains("integrity"));
        assert!(wrong.layers.is_empty());
    }
}
