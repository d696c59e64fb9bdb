//! "Paste anything": a header line, `NTLM <base64>`, `Negotiate <base64>`, bare base64 or hex,
//! peeled into layers (header → base64 or hex → NTLMSSP) with a field tree each.
//!
//! The JSON form is the `authscope decode --json` contract: every field has `offset` and
//! `length` in its own layer's buffer; strings are text, binary values lower-case hex, times
//! ISO 8601 UTC.

use crate::field::{hex, Field, Layer, Value};
use crate::ntlm;
use crate::Span;
use base64::Engine;
use serde::Serialize;

pub use crate::error::Warning;

/// A warning in the JSON contract: its layer and the first byte of its span there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JsonWarning {
    pub message: String,
    pub layer: usize,
    pub offset: usize,
}

/// Where and why decoding stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub message: String,
    pub layer: usize,
    pub offset: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decoded {
    pub layers: Vec<Layer>,
    pub warnings: Vec<Warning>,
    pub error: Option<Failure>,
    /// The NTLM message, when the innermost layer is one.
    pub ntlm: Option<ntlm::Message>,
    /// What a Negotiate token's layers say (SPNEGO, mechanisms, the Kerberos message).
    #[cfg(feature = "kerberos")]
    pub negotiate: Option<crate::spnego::Summary>,
    /// What [`Decoded::decrypt`] did with each encrypted part.
    pub decryption: Vec<JsonDecryption>,
    /// How many layers decoding made (decryption appends after them).
    pub decoded_layers: usize,
    /// The session keys decryption read, each with where it came from (not in the JSON: key
    /// material stays in memory).
    #[cfg(feature = "kerberos")]
    pub learnt: Vec<(crate::kerberos::crypto::Key, String)>,
    /// Keys the input itself carries (a credential cache's session keys, a keytab's keys),
    /// offered to every encrypted part; in memory only.
    #[cfg(feature = "kerberos")]
    pub carried: crate::kerberos::decrypt::Keys,
}

/// MS-NLMP 3.2.5.1.1: the server challenge is single-use, so a captured AUTHENTICATE cannot be
/// replayed later; it can be relayed while its handshake is live, and cracked offline.
const CREDENTIAL_EQUIVALENT: &str = "This AUTHENTICATE message answers a one-time challenge: it cannot be replayed later, but it \
can be relayed while its handshake is live, and its response can be cracked offline to recover the password. Do not paste it \
into tickets, chats or share links.";

fn text_layer(
    kind: &'static str,
    label: &'static str,
    source: Span,
    text: &str,
    fields: Vec<Field>,
) -> Layer {
    Layer {
        kind,
        label,
        source,
        bytes: text.as_bytes().to_vec(),
        fields,
    }
}

/// Split a header line or `Scheme token` into (fields, the token's span in `text`).
fn peel_header(text: &str) -> (Vec<Field>, Span) {
    let mut fields = Vec::new();
    let mut at = text.len() - text.trim_start().len();
    // A direction marker, as captures and recorders write them: `> ` to the KDC, `< ` back.
    if let Some(m @ ('>' | '<')) = text.get(at..).and_then(|r| r.chars().next()) {
        if text
            .get(at + 1..)
            .is_some_and(|r| r.starts_with([' ', '\t']))
        {
            fields.push(Field::new(
                "direction",
                Span::new(at, at + 1),
                Value::Text(if m == '>' { "sent" } else { "received" }.into()),
            ));
            at += 1;
            at += text.get(at..).map_or(0, |r| r.len() - r.trim_start().len());
        }
    }
    let rest = text.get(at..).unwrap_or("");
    if let Some(colon) = rest.find(':') {
        let name = rest.get(..colon).unwrap_or("");
        if !name.is_empty() && name.bytes().all(crate::http::is_tchar) {
            fields.push(Field::new(
                "field-name",
                Span::new(at, at + colon),
                Value::Text(name.to_string()),
            ));
            at += colon + 1;
            at += text.get(at..).map_or(0, |r| r.len() - r.trim_start().len());
        }
    }
    let rest = text.get(at..).unwrap_or("");
    if let Some(sp) = rest.find([' ', '\t']) {
        let scheme = rest.get(..sp).unwrap_or("");
        if ["ntlm", "negotiate", "kerberos", "basic"]
            .contains(&scheme.to_ascii_lowercase().as_str())
        {
            fields.push(Field::new(
                "auth-scheme",
                Span::new(at, at + sp),
                Value::Text(scheme.to_string()),
            ));
            at += sp;
            at += text.get(at..).map_or(0, |r| r.len() - r.trim_start().len());
        }
    }
    let end = text.trim_end().len().max(at);
    (fields, Span::new(at, end))
}

fn is_hex_text(s: &str) -> bool {
    let digits: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    !digits.is_empty() && digits.len() % 2 == 0 && digits.iter().all(char::is_ascii_hexdigit)
}

/// Decode whatever was pasted.
pub fn decode(input: &str) -> Decoded {
    let mut out = decode_layers(input, Decoded::default());
    out.decoded_layers = out.layers.len();
    out
}

fn decode_layers(input: &str, mut out: Decoded) -> Decoded {
    let (mut fields, token) = peel_header(input);
    let token_text = token.slice(input);
    if !token_text.is_empty() {
        fields.push(Field::new(
            "token",
            token,
            Value::Text(token_text.to_string()),
        ));
    }
    out.layers.push(text_layer(
        "header",
        "Pasted text",
        Span::new(0, input.len()),
        input,
        fields,
    ));
    if token_text.is_empty() {
        out.error = Some(Failure {
            message: "nothing to decode: paste a header, a token in base64, or hex".into(),
            layer: 0,
            offset: token.start(),
        });
        return out;
    }

    // The token as base64 (the usual case) or hex; whitespace inside is tolerated.
    let looks_hex =
        is_hex_text(token_text) && !token_text.starts_with("TlRM") && token_text.len() > 2;
    let compact: String = token_text
        .chars()
        .filter(|c| !c.is_whitespace() && (!looks_hex || *c != ':'))
        .collect();
    let (kind, label, bytes) = if looks_hex {
        let b: Vec<u8> = compact
            .as_bytes()
            .chunks(2)
            .filter_map(|p| {
                std::str::from_utf8(p)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect();
        ("hex", "hex", b)
    } else {
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        match engine.decode(&compact) {
            Ok(b) => ("base64", "base64", b),
            Err(e) => {
                let at = match e {
                    base64::DecodeError::InvalidByte(i, _)
                    | base64::DecodeError::InvalidLastSymbol(i, _) => i,
                    _ => compact.len(),
                };
                out.layers.push(text_layer(
                    "base64",
                    "base64",
                    token,
                    &compact,
                    vec![Field::new(
                        "base64",
                        Span::new(0, compact.len()),
                        Value::Text(compact.clone()),
                    )],
                ));
                out.error = Some(Failure {
                    message: format!("not valid base64 (nor hex): {e}"),
                    layer: 1,
                    offset: at,
                });
                return out;
            }
        }
    };
    out.layers.push(text_layer(
        kind,
        label,
        token,
        &compact,
        vec![Field::new(
            kind,
            Span::new(0, compact.len()),
            Value::Text(compact.clone()),
        )
        .note("decoded into the next layer")],
    ));
    let source = Span::new(0, compact.len());
    // MS-KKDCP: a KDC-PROXY-MESSAGE (Kerberos over HTTPS, as DirectAccess, RD Gateway and
    // FreeIPA's kdcproxy carry it) holds the TCP-framed message: peeled as its own layer.
    #[cfg(feature = "full-kerberos")]
    let (bytes, source) = match kkdcp(&bytes) {
        Some((fields, inner)) => {
            let message = inner.slice_bytes(&bytes).to_vec();
            out.layers.push(Layer {
                kind: "kkdcp",
                label: "MS-KKDCP KDC-PROXY-MESSAGE",
                source,
                bytes: bytes.clone(),
                fields,
            });
            (message, inner)
        }
        None => (bytes, source),
    };
    // Kerberos as it travels on port 88/TCP (and as Wireshark's "Copy as hex" gives it): a
    // 4-byte record length before the message, peeled as its own layer.
    #[cfg(feature = "kerberos")]
    let (bytes, source) = match tcp_record(&bytes) {
        Some(len) => {
            let message = bytes.get(4..).unwrap_or_default().to_vec();
            out.layers.push(Layer {
                kind: "tcp-record",
                label: "Kerberos over TCP: record length",
                source,
                bytes: bytes.clone(),
                fields: vec![
                    Field::new("record length", Span::new(0, 4), Value::U32(len))
                        .spec("RFC 4120 §7.2.2")
                        .note("the message's length in 4 big-endian bytes; the high bit is reserved (0)"),
                    Field::new(
                        "message",
                        Span::new(4, bytes.len()),
                        Value::Bytes(message.clone()),
                    )
                    .note("decoded into the next layer"),
                ],
            });
            (message, Span::new(4, bytes.len()))
        }
        None => (bytes, source),
    };
    let layer = out.layers.len();
    if bytes.starts_with(b"NTLMSSP") {
        push_ntlm(&mut out, bytes, source);
        return out;
    }
    #[cfg(feature = "kerberos")]
    if looks_like_negotiate(&bytes) || untagged_kdc(&bytes) {
        let p = crate::spnego::peel(&bytes, source);
        let base = out.layers.len();
        for w in p.warnings {
            let layer = base + w.layer;
            out.warnings.push(w.in_layer(layer));
        }
        if let Some((layer, e)) = p.error {
            out.error = Some(Failure {
                message: e.kind.to_string(),
                layer: base + layer,
                offset: e.offset,
            });
        }
        out.layers.extend(p.layers);
        out.negotiate = Some(p.summary);
        if let Some((token, span)) = p.ntlm_token {
            push_ntlm(&mut out, token, span);
        }
        return out;
    }
    let what = match bytes.first() {
        Some(0x60) => "a GSS-API InitialContextToken (SPNEGO NegTokenInit or Kerberos AP-REQ)",
        Some(0xa1) => "a SPNEGO NegTokenResp",
        Some(0xa0) => "a SPNEGO NegTokenInit without its GSS-API wrapper",
        Some(0x61..=0x7e) => "a bare Kerberos message (ASN.1 APPLICATION tag)",
        _ => "no token kind authscope knows",
    };
    out.layers.push(Layer {
        kind: "bytes",
        label: "bytes",
        source,
        bytes: bytes.clone(),
        fields: vec![Field::new(
            "bytes",
            Span::new(0, bytes.len()),
            Value::Bytes(bytes),
        )],
    });
    #[cfg(feature = "kerberos")]
    let message = format!("the bytes look like {what}: not NTLMSSP, SPNEGO or Kerberos");
    #[cfg(not(feature = "kerberos"))]
    let message = format!(
        "the bytes look like {what}: this page decodes NTLMSSP; Negotiate and Kerberos tokens are decoded on the Decoder page (decode.html#/decode)"
    );
    out.error = Some(Failure {
        message,
        layer,
        offset: 0,
    });
    out
}

/// The NTLMSSP layer for `bytes` (from `source` in the last layer), with its warnings.
fn push_ntlm(out: &mut Decoded, bytes: Vec<u8>, source: Span) {
    let layer = out.layers.len();
    let d = ntlm::decode(&bytes);
    for w in &d.warnings {
        out.warnings.push(w.clone().in_layer(layer));
    }
    if let Some(e) = &d.error {
        out.error = Some(Failure {
            message: e.to_string(),
            layer,
            offset: e.offset,
        });
    }
    if let Some(ntlm::Message::Authenticate(a)) = &d.message {
        if a.nt_kind != ntlm::ResponseKind::Empty {
            out.warnings
                .insert(0, Warning::at(CREDENTIAL_EQUIVALENT, 0).in_layer(layer));
        }
    }
    let label = match &d.message {
        Some(m) => m.type_name(),
        None => "NTLMSSP message",
    };
    out.layers.push(Layer {
        kind: "ntlmssp",
        label,
        source,
        bytes,
        fields: d.fields,
    });
    out.ntlm = d.message;
}

/// A field in the JSON contract.
#[derive(Serialize)]
pub struct JsonField {
    pub name: &'static str,
    pub offset: usize,
    pub length: usize,
    pub value: JsonValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<&'static str>,
    pub children: Vec<JsonField>,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum JsonValue {
    Null,
    Bool(bool),
    Number(u64),
    Text(String),
}

#[derive(Serialize)]
pub struct JsonLayer {
    pub kind: &'static str,
    pub label: &'static str,
    pub offset: usize,
    pub length: usize,
    pub fields: Vec<JsonField>,
}

#[derive(Serialize)]
pub struct Json {
    pub layers: Vec<JsonLayer>,
    pub warnings: Vec<JsonWarning>,
    pub error: Option<Failure>,
    /// What each encrypted part became when keys were given (`decode --keytab`, a password).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decryption: Vec<JsonDecryption>,
}

/// One encrypted part and what opened it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JsonDecryption {
    /// `EncTicketPart`, `Authenticator`…
    pub part: &'static str,
    /// The layer holding the ciphertext, and its offset there.
    pub layer: usize,
    pub offset: usize,
    pub etype: i32,
    pub key_usage: u32,
    /// Whose key it needs.
    pub key_of: String,
    /// Which key opened it.
    pub opened_with: Option<String>,
    /// Why it stayed closed.
    pub failure: Option<String>,
    /// The layer the plaintext became.
    pub plaintext_layer: Option<usize>,
    /// How the key was made from the password (salt, PBKDF2 output, DK), as (step, hex).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub string_to_key: Vec<(String, String)>,
    /// What was checked in the plaintext (the PAC's signatures), with the result.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
}

fn json_field(f: &Field) -> JsonField {
    JsonField {
        name: f.name,
        offset: f.span.start(),
        length: f.span.len(),
        value: match &f.value {
            Value::None => JsonValue::Null,
            Value::Bool(b) => JsonValue::Bool(*b),
            Value::U32(n) => JsonValue::Number(u64::from(*n)),
            Value::U64(n) => JsonValue::Number(*n),
            Value::Text(t) | Value::Time(t) => JsonValue::Text(t.clone()),
            Value::Bytes(b) => JsonValue::Text(hex(b)),
        },
        note: f.note,
        spec: f.spec,
        children: f.children.iter().map(json_field).collect(),
    }
}

impl Decoded {
    #[cfg(feature = "kerberos")]
    /// Whether the input carries keys of its own to use (a credential cache, a keytab, a
    /// KRB-CRED whose EncKrbCredPart is in clear), so that decryption runs without keys given.
    pub fn holds_keys(&self) -> bool {
        !self.carried.keytab.is_empty()
            || !self.carried.learnt.is_empty()
            || self.layers.iter().any(|l| l.label == "KRB-CRED")
    }

    /// Whether the input is an NTLM AUTHENTICATE message with a response: it can be cracked
    /// offline and replayed, so it must not be shared.
    pub fn credential_equivalent(&self) -> bool {
        matches!(&self.ntlm, Some(ntlm::Message::Authenticate(a)) if a.nt_kind != ntlm::ResponseKind::Empty)
    }

    /// The `decode --json` contract.
    pub fn to_json(&self) -> Json {
        Json {
            layers: self
                .layers
                .iter()
                .map(|l| JsonLayer {
                    kind: l.kind,
                    label: l.label,
                    offset: l.source.start(),
                    length: l.source.len(),
                    fields: l.fields.iter().map(json_field).collect(),
                })
                .collect(),
            warnings: self
                .warnings
                .iter()
                .map(|w| JsonWarning {
                    message: w.message.clone(),
                    layer: w.layer,
                    offset: w.offset(),
                })
                .collect(),
            error: self.error.clone(),
            decryption: self.decryption.clone(),
        }
    }

    #[cfg(feature = "kerberos")]
    /// Opens the Kerberos layers' encrypted parts with `keys`, appending a layer for each
    /// plaintext (whose `source` is the ciphertext in its message's layer) and recording what
    /// happened in `decryption`.
    pub fn decrypt(&mut self, keys: &crate::kerberos::decrypt::Keys) {
        // Again from the decoded layers: decrypting twice (with more keys) replaces the first.
        self.layers.truncate(self.decoded_layers);
        self.decryption.clear();
        self.learnt.clear();
        // The input's own keys, unless the caller (`decrypt_all`) already offers them.
        let mut keys = keys.clone();
        for e in &self.carried.keytab {
            if !keys.keytab.contains(e) {
                keys.keytab.push(e.clone());
            }
        }
        for l in &self.carried.learnt {
            if !keys.learnt.iter().any(|(k, _)| *k == l.0) {
                keys.learnt.push(l.clone());
            }
        }
        for i in 0..self.layers.len() {
            let Some(l) = self.layers.get(i).filter(|l| l.kind == "kerberos") else {
                continue;
            };
            let Some(at) = l.fields.iter().find_map(message_start) else {
                continue;
            };
            let o = crate::kerberos::decrypt::open(&l.bytes, at, &keys);
            let mut opened = o.layers.into_iter();
            for x in o.outcomes {
                let plaintext_layer = if x.result.is_ok() {
                    opened.next().map(|mut p| {
                        // A decrypted layer's source is in the message's layer.
                        p.source = x.sealed.cipher;
                        self.layers.push(p);
                        self.layers.len() - 1
                    })
                } else {
                    None
                };
                let string_to_key = x.steps.clone();
                let checks = x.checks.clone();
                let (opened_with, failure) = match x.result {
                    Ok(h) => (Some(h), None),
                    Err(e) => (None, Some(e)),
                };
                self.decryption.push(JsonDecryption {
                    part: x.sealed.what,
                    layer: i,
                    offset: x.sealed.cipher.start(),
                    etype: x.sealed.etype,
                    key_usage: x.sealed.usage,
                    key_of: x.sealed.key_of,
                    opened_with,
                    failure,
                    plaintext_layer,
                    string_to_key,
                    checks,
                });
            }
            // Session keys learnt here open later parts (the AP-REP after the AP-REQ).
            keys.learnt.extend(o.session_keys.iter().cloned());
            self.learnt.extend(o.session_keys);
        }
    }
}

/// Everything pasted at once: several messages, one per line (hex or base64, with or without
/// `>`/`<` direction markers, as a capture or `kdc-recorder.py` gives them), when every line
/// decodes on its own; otherwise the whole paste as one token (base64 wrapped over lines).
pub fn decode_all(input: &str) -> Vec<Decoded> {
    let lines: Vec<&str> = input.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() > 1 {
        let each: Vec<Decoded> = lines.iter().map(|l| decode(l)).collect();
        let whole = each.iter().all(|d| {
            d.error.is_none()
                && d.layers
                    .last()
                    .is_some_and(|l| matches!(l.kind, "kerberos" | "ntlmssp" | "spnego"))
        });
        if whole {
            return each;
        }
    }
    vec![decode(input)]
}

#[cfg(feature = "kerberos")]
/// Opens the encrypted parts of several messages (one paste, a capture, `decode --lines`) with
/// `keys`, each message's session keys offered to the others: the TGT's session key from an
/// AS-REP opens the next TGS-REQ's authenticator and the TGS-REP; the service ticket's session
/// key from that opens the AP-REQ's authenticator, and so on. Repeats while new keys appear.
pub fn decrypt_all(ds: &mut [Decoded], keys: &crate::kerberos::decrypt::Keys) {
    use crate::kerberos::crypto::Key;
    let many = ds.len() > 1;
    let add = |learnt: &mut Vec<(Key, String)>, key: &Key, origin: String| {
        if !learnt.iter().any(|(x, _)| x == key) {
            learnt.push((key.clone(), origin));
        }
    };
    // What the inputs carry themselves (a credential cache's session keys, a keytab's keys) is
    // offered to every message from the start.
    let mut learnt: Vec<(Key, String)> = Vec::new();
    for d in ds.iter() {
        for (key, origin) in &d.carried.learnt {
            add(&mut learnt, key, origin.clone());
        }
    }
    let carried: Vec<_> = ds
        .iter()
        .flat_map(|d| d.carried.keytab.iter().cloned())
        .collect();
    // How many learnt keys each message was last opened with.
    let mut seen: Vec<usize> = Vec::new();
    // Each round can only add keys; a chain of n messages needs at most n rounds.
    for _ in 0..ds.len().clamp(1, 16) {
        let before = learnt.len();
        for (i, d) in ds.iter_mut().enumerate() {
            // Again only when keys appeared since, and something is still closed.
            let closed = d.decryption.iter().any(|x| x.opened_with.is_none());
            if seen.get(i).is_some_and(|n| *n == learnt.len()) || (seen.len() > i && !closed) {
                continue;
            }
            if let Some(n) = seen.get_mut(i) {
                *n = learnt.len();
            } else {
                seen.push(learnt.len());
            }
            let mut k = keys.clone();
            k.learnt.extend(learnt.iter().cloned());
            k.keytab.extend(carried.iter().cloned());
            d.decrypt(&k);
            for (key, origin) in &d.learnt {
                let origin = if many {
                    format!("{origin} of message {}", i + 1)
                } else {
                    origin.clone()
                };
                add(&mut learnt, key, origin);
            }
        }
        if learnt.len() == before {
            break;
        }
    }
}

/// Where a Kerberos message starts in its layer: the first field named as one.
#[cfg(feature = "kerberos")]
fn message_start(f: &Field) -> Option<usize> {
    if crate::kerberos::message::MESSAGES
        .iter()
        .any(|(_, name, ..)| *name == f.name)
    {
        return Some(f.span.start());
    }
    f.children.iter().find_map(message_start)
}

/// Whether `bytes` look like a Negotiate token or a Kerberos message (GSS-API `0x60`, a bare
/// NegTokenInit or NegTokenResp, an APPLICATION tag). Also without the `kerberos` feature, so
/// that the main page can send such tokens to the Kerberos page.
pub fn looks_like_negotiate(bytes: &[u8]) -> bool {
    // 0x61: a bare Ticket (APPLICATION 1); 0x6a–0x7e: the KDC and AP messages, KRB-CRED, errors.
    matches!(bytes.first(), Some(0x60 | 0xa0 | 0xa1 | 0x61..=0x7e))
}

/// A KDC-PROXY-MESSAGE (MS-KKDCP §2.2.2): its fields, and where its `kerb-message` (a Kerberos
/// message with its 4-byte TCP record length, RFC 4120 §7.2.2) is.
///
/// ```text
/// KDC-PROXY-MESSAGE ::= SEQUENCE {
///     kerb-message    [0] OCTET STRING,
///     target-domain   [1] KERB-REALM OPTIONAL,
///     dclocator-hint  [2] INTEGER OPTIONAL }
/// ```
#[cfg(feature = "full-kerberos")]
fn kkdcp(bytes: &[u8]) -> Option<(Vec<Field>, Span)> {
    use crate::asn1;
    let seq = asn1::read(bytes, 0, bytes.len()).ok()?;
    if !seq.is_universal(asn1::SEQUENCE) || seq.end != bytes.len() {
        return None;
    }
    let kids = asn1::children(bytes, &seq).ok()?;
    let first = kids.first().filter(|k| k.is_context(0))?;
    let octets = asn1::read(bytes, first.content, first.end).ok()?;
    if !octets.is_universal(asn1::OCTET_STRING) {
        return None;
    }
    let inner = Span::new(octets.content, octets.end);
    tcp_record(inner.slice_bytes(bytes))?;
    let mut fields = vec![Field::new(
        "kerb-message",
        first.span(),
        Value::Bytes(inner.slice_bytes(bytes).to_vec()),
    )
    .spec("MS-KKDCP §2.2.2")
    .note("the Kerberos message with its 4-byte TCP length (RFC 4120 §7.2.2): decoded into the next layer")];
    for k in kids.iter().skip(1) {
        let Ok(v) = asn1::read(bytes, k.content, k.end) else {
            continue;
        };
        if k.is_context(1) {
            fields.push(
                Field::new(
                    "target-domain",
                    k.span(),
                    Value::Text(String::from_utf8_lossy(v.content(bytes)).into_owned()),
                )
                .note("the realm the proxy forwards to (in requests)"),
            );
        } else if k.is_context(2) {
            fields.push(
                Field::new(
                    "dclocator-hint",
                    k.span(),
                    Value::U64(
                        asn1::integer(v.content(bytes))
                            .and_then(|n| u64::try_from(n).ok())
                            .unwrap_or(0),
                    ),
                )
                .note("DsGetDcName flags for finding the KDC"),
            );
        }
    }
    Some((fields, inner))
}

/// A KDC-REQ or KDC-REP body without its APPLICATION tag (decoded with a warning).
#[cfg(feature = "kerberos")]
fn untagged_kdc(bytes: &[u8]) -> bool {
    #[cfg(feature = "full-kerberos")]
    return crate::asn1::read(bytes, 0, bytes.len())
        .is_ok_and(|t| crate::kerberos::message::untagged_kdc(bytes, &t).is_some());
    #[cfg(not(feature = "full-kerberos"))]
    {
        let _ = bytes;
        false
    }
}

/// The record length of a Kerberos message framed for TCP (RFC 4120 §7.2.2): 4 big-endian bytes
/// that count exactly the rest, the high bit clear, and a KDC message (APPLICATION 10–13, or
/// KRB-ERROR, 30) after them.
#[cfg(feature = "kerberos")]
fn tcp_record(bytes: &[u8]) -> Option<u32> {
    let head: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
    let len = u32::from_be_bytes(head);
    let rest = u32::try_from(bytes.len().checked_sub(4)?).ok()?;
    let kdc = matches!(bytes.get(4), Some(0x6a..=0x6d | 0x7e));
    (len == rest && len > 0 && kdc).then_some(len)
}

/// The NTLMSSP bytes inside whatever was pasted (header, base64 or hex), if that is what it holds.
pub fn ntlm_bytes(input: &str) -> Option<Vec<u8>> {
    decode(input)
        .layers
        .into_iter()
        .last()
        .filter(|l| l.kind == "ntlmssp")
        .map(|l| l.bytes)
}
