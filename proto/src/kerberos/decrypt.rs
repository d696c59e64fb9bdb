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
}

/// How one part went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub sealed: Sealed,
    /// Which key opened it, or why none did.
    pub result: Result<String, String>,
    /// String-to-key steps, when a password was used: (label, hex).
    pub steps: Vec<(String, String)>,
}

/// The decrypted layers and what happened to each part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opened {
    pub layers: Vec<Layer>,
    pub outcomes: Vec<Outcome>,
    /// Session keys learnt on the way (etype, bytes), e.g. to open the AP-REP later.
    pub session_keys: Vec<Key>,
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
    })
}

/// The salt PA-ETYPE-INFO2 gives for `etype`, in a KDC reply's padata.
fn etype_info2_salt(buf: &[u8], padata: Option<Tlv>, etype: i32) -> Option<String> {
    for pa in asn1::children(buf, &padata?).ok()? {
        let f = kids(buf, &pa);
        if int(buf, ctx(buf, &f, 1)) != Some(19) {
            continue;
        }
        let value = ctx(buf, &f, 2)?;
        let list = asn1::read(buf, value.content, value.end).ok()?;
        for e in asn1::children(buf, &list).ok()? {
            let ef = kids(buf, &e);
            if int(buf, ctx(buf, &ef, 0)) == Some(i64::from(etype)) {
                if let Some(s) = ctx(buf, &ef, 1) {
                    return Some(String::from_utf8_lossy(s.content(buf)).into_owned());
                }
            }
        }
    }
    None
}

/// The encrypted parts of the message at `at` in `buf` that long-term or given keys can open.
pub fn find(buf: &[u8], at: usize) -> Vec<Sealed> {
    let Ok(t) = asn1::read(buf, at, buf.len()) else {
        return Vec::new();
    };
    let f = kids(buf, &t);
    let ticket = |tk: Option<Tlv>| -> Option<Sealed> {
        let tk = tk?;
        let tf = kids(buf, &tk);
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
    };
    let mut out = Vec::new();
    match (t.class == asn1::Class::Application).then_some(t.tag) {
        Some(14) => {
            out.extend(ticket(ctx(buf, &f, 3)));
            out.extend(sealed(
                buf,
                ctx(buf, &f, 4),
                "Authenticator",
                usage::AP_REQ_AUTHENTICATOR,
                "the ticket's session key".into(),
                String::new(),
            ));
        }
        Some(tag @ (11 | 13)) => {
            out.extend(ticket(ctx(buf, &f, 5)));
            let crealm = text(buf, ctx(buf, &f, 3));
            let cname = principal(buf, ctx(buf, &f, 4));
            if let Some(mut s) = sealed(
                buf,
                ctx(buf, &f, 6),
                if tag == 11 {
                    "EncASRepPart"
                } else {
                    "EncTGSRepPart"
                },
                if tag == 11 {
                    usage::AS_REP
                } else {
                    usage::TGS_REP
                },
                if tag == 11 {
                    format!("{}@{crealm}", cname.join("/"))
                } else {
                    "the TGT's session key".into()
                },
                format!("{crealm}{}", cname.concat()),
            ) {
                if let Some(salt) = etype_info2_salt(buf, ctx(buf, &f, 2), s.etype) {
                    s.salt = salt;
                }
                out.push(s);
            }
        }
        Some(15) => out.extend(sealed(
            buf,
            ctx(buf, &f, 2),
            "EncAPRepPart",
            usage::AP_REP,
            "the session key".into(),
            String::new(),
        )),
        _ => {}
    }
    out
}

/// A key to try, how it was made, and the string-to-key steps (label, hex).
type Candidate = (Key, String, Vec<(String, String)>);

/// The keys to try for `s`, each with how it was made.
fn candidates(s: &Sealed, keys: &Keys, learnt: &[Key]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for e in &keys.keytab {
        // Session-key parts ("the …") take any keytab key of the etype; a ticket needs the
        // named service's key of its version.
        let session = s.key_of.starts_with("the ");
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
    for k in learnt {
        if k.etype == s.etype {
            out.push((
                k.clone(),
                "the session key read from the part before".into(),
                Vec::new(),
            ));
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
        .filter(|_| !s.key_of.starts_with("krbtgt/"));
    if let Some(pw) = password {
        let salt = keys
            .salt
            .as_deref()
            .map(salt_of)
            .unwrap_or_else(|| s.salt.clone());
        let mut steps = vec![("salt".to_string(), salt.clone())];
        let sha2 = cfg!(feature = "aes-sha2")
            && matches!(
                s.etype,
                crypto::AES128_CTS_HMAC_SHA256_128 | crypto::AES256_CTS_HMAC_SHA384_192
            );
        let key = if s.etype == crypto::RC4_HMAC {
            steps.push(("MD4(UTF-16LE(password))".into(), String::new()));
            crypto::string_to_key(s.etype, pw, &salt).ok()
        } else if sha2 {
            sha2_key(s.etype, pw, &salt, &mut steps)
        } else {
            crypto::aes_string_to_key(s.etype, pw, &salt, 4096)
                .ok()
                .map(|k| {
                    steps.push((
                        "PBKDF2-HMAC-SHA1(password, salt, 4096)".into(),
                        crate::field::hex(&k.pbkdf2),
                    ));
                    Key {
                        etype: s.etype,
                        bytes: k.key,
                    }
                })
        };
        if let Some(k) = key {
            if let Some(last) = steps.last_mut() {
                if last.1.is_empty() {
                    last.1 = crate::field::hex(&k.bytes);
                }
            }
            steps.push((
                if sha2 {
                    "key = KDF-HMAC-SHA2(tkey, \"kerberos\")"
                } else {
                    "key = DK(tkey, \"kerberos\")"
                }
                .into(),
                crate::field::hex(&k.bytes),
            ));
            if s.etype == crypto::RC4_HMAC {
                steps.pop();
            }
            out.push((k, format!("the password with salt \"{salt}\""), steps));
        }
    }
    out
}

/// An RFC 8009 key from a password (§4: the etype's name and a zero byte before the salt, 32768
/// iterations), its steps added to `steps`.
#[cfg(feature = "aes-sha2")]
fn sha2_key(etype: i32, pw: &str, salt: &str, steps: &mut Vec<(String, String)>) -> Option<Key> {
    let k = crypto::sha2_string_to_key(etype, pw.as_bytes(), salt.as_bytes(), 32768).ok()?;
    let hash = if etype == crypto::AES128_CTS_HMAC_SHA256_128 {
        "SHA256"
    } else {
        "SHA384"
    };
    steps.push((
        "saltp = etype name ‖ 0x00 ‖ salt".into(),
        crate::field::hex(&k.saltp),
    ));
    steps.push((
        format!("PBKDF2-HMAC-{hash}(password, saltp, 32768)"),
        crate::field::hex(&k.pbkdf2),
    ));
    Some(Key {
        etype,
        bytes: k.key,
    })
}

/// Without the RFC 8009 types (the Kerberos walkthrough's pages) no key is made.
#[cfg(not(feature = "aes-sha2"))]
fn sha2_key(_: i32, _: &str, _: &str, _: &mut Vec<(String, String)>) -> Option<Key> {
    None
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

/// The session key in a decrypted EncTicketPart or EncKDCRepPart (`key [1]` or `key [0]`).
fn session_key(buf: &[u8], tag: usize) -> Option<Key> {
    let t = asn1::read(buf, 0, buf.len()).ok()?;
    let f = kids(buf, &t);
    let k = ctx(buf, &f, u32::try_from(tag).ok()?)?;
    let kf = kids(buf, &k);
    Some(Key {
        etype: i32::try_from(int(buf, ctx(buf, &kf, 0))?).ok()?,
        bytes: ctx(buf, &kf, 1)?.content(buf).to_vec(),
    })
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
    for s in find(buf, at) {
        let cipher = s.cipher.slice_bytes(buf);
        let mut result = Err(
            if keys.password.is_none()
                && keys.keytab.is_empty()
                && keys.raw.is_empty()
                && o.session_keys.is_empty()
            {
                "no key given".to_string()
            } else {
                format!(
                    "no key given for {} ({}{})",
                    s.key_of,
                    crypto::etype_name(i64::from(s.etype)),
                    s.kvno.map(|k| format!(", kvno {k}")).unwrap_or_default()
                )
            },
        );
        let mut steps = Vec::new();
        for (key, how, st) in candidates(&s, keys, &o.session_keys) {
            match crypto::decrypt(&key, s.usage, cipher) {
                Ok(plain) => {
                    let mut w = Walk::default();
                    let (name, f) = message::decode_at(&plain, 0, plain.len(), &mut w);
                    let mut how = how;
                    if s.what == "EncASRepPart" && name == Some("EncTGSRepPart") {
                        how.push_str("; the plaintext is an EncTGSRepPart [APPLICATION 26], as MIT Kerberos sends in AS-REPs (RFC 4120 §5.4.2 allows it for compatibility)");
                    }
                    let mut fields = vec![f];
                    gss_checksum(&mut fields);
                    let learnt = match s.what {
                        "EncTicketPart" => session_key(&plain, 1),
                        "EncASRepPart" | "EncTGSRepPart" => session_key(&plain, 0),
                        _ => None,
                    };
                    o.session_keys.extend(learnt);
                    o.layers.push(Layer {
                        kind: "decrypted",
                        label: name.unwrap_or(s.what),
                        source: s.cipher,
                        bytes: plain,
                        fields,
                    });
                    result = Ok(how);
                    steps = st;
                    break;
                }
                Err(CryptoError::Integrity) => {
                    result = Err(format!(
                        "{how} does not open it: the integrity check fails (wrong password, salt or key; for a ticket, what a service reports as KRB_AP_ERR_MODIFIED)"
                    ));
                    steps = st;
                }
                Err(e) => result = Err(format!("{how}: {e}")),
            }
        }
        o.outcomes.push(Outcome {
            sealed: s,
            result,
            steps,
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
        if cfg!(feature = "aes-sha2") {
            ap_req_opens(19);
            ap_req_opens(20);
        }
    }

    fn ap_req_opens(etype: i32) {
        use asn1::write::*;
        let svc = crypto::string_to_key(etype, "svc-pass", "CONTOSO.COMHTTPweb01").unwrap();
        let session = Key {
            etype,
            bytes: vec![7; if etype == 19 { 16 } else { 32 }],
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
