//! What travels in `Authorization: Negotiate` and `WWW-Authenticate: Negotiate` (RFC 4559):
//! GSS-API framing (RFC 2743 §3.1), SPNEGO (RFC 4178 §4.2, with MS-SPNG's NegTokenInit2) and
//! the Kerberos GSS token (RFC 4121 §4.1), peeled into layers with spans; the mechanism token
//! inside becomes its own layer (Kerberos, or NTLMSSP for the NTLM decoder).
//!
//! ```text
//! InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {     (RFC 2743 §3.1)
//!     thisMech MechType, innerContextToken ANY DEFINED BY thisMech }
//! NegotiationToken ::= CHOICE { negTokenInit [0] NegTokenInit,   (RFC 4178 §4.2)
//!                               negTokenResp [1] NegTokenResp }
//! NegTokenInit  ::= SEQUENCE { mechTypes [0] MechTypeList, reqFlags [1] ContextFlags OPTIONAL,
//!     mechToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }
//! NegTokenInit2 ::= SEQUENCE { mechTypes [0], reqFlags [1] OPTIONAL, mechToken [2] OPTIONAL,
//!     negHints [3] NegHints OPTIONAL, mechListMIC [4] OPTIONAL }   (MS-SPNG §2.2.1)
//! NegTokenResp  ::= SEQUENCE { negState [0] ENUMERATED OPTIONAL, supportedMech [1] MechType
//!     OPTIONAL, responseToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }
//! krb5 token    ::= [APPLICATION 0] { OID 1.2.840.113554.1.2.2, TOK_ID (2 bytes), message }
//! ```

use crate::asn1::{self, Tlv};
use crate::error::{Error, ErrorKind, Warning};
use crate::field::{Field, Layer, Value};
use crate::kerberos::message::{self, Walk};
#[cfg(feature = "kerberos")]
use crate::kerberos::realm::{Credential, Realm};
use crate::Span;

pub use crate::asn1::{KRB5_OID, MS_KRB5_OID, NTLMSSP_OID, SPNEGO_OID};

/// What the layers say, for the pages that act on a token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// `NegTokenInit`, `NegTokenInit2`, `NegTokenResp`, or empty for a bare mechanism token.
    pub spnego: &'static str,
    /// The mechanisms offered, dotted.
    pub mech_types: Vec<String>,
    /// The Kerberos message inside, if any: `AP-REQ`, `AP-REP`, `KRB-ERROR`…
    pub kerberos: Option<&'static str>,
    /// `accept-completed`, `accept-incomplete`, `reject`, `request-mic`.
    pub neg_state: Option<&'static str>,
    /// Whether the mechanism token is NTLMSSP.
    pub ntlm: bool,
}

/// Layers, warnings and where decoding stopped, for the layered report of whatever holds the
/// token (layer indexes are relative to the first layer pushed here).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Peeled {
    pub layers: Vec<Layer>,
    /// Each in the layer its `layer` names.
    pub warnings: Vec<Warning>,
    /// Where peeling stopped: the layer, and the error at an offset of that layer's bytes.
    pub error: Option<(usize, Error)>,
    pub summary: Summary,
    /// The NTLMSSP mechanism token, for the NTLM decoder, with its span in the last layer.
    pub ntlm_token: Option<(Vec<u8>, Span)>,
}

fn oid_field(name: &'static str, buf: &[u8], t: &Tlv) -> (Field, String) {
    let dotted = asn1::oid(t.content(buf)).unwrap_or_default();
    let shown = match asn1::oid_name(&dotted) {
        Some(n) => format!("{n} ({dotted})"),
        None => dotted.clone(),
    };
    (Field::new(name, t.span(), Value::Text(shown)), dotted)
}

fn neg_state_name(v: u8) -> Option<&'static str> {
    Some(match v {
        0 => "accept-completed",
        1 => "accept-incomplete",
        2 => "reject",
        3 => "request-mic",
        _ => return None,
    })
}

impl Peeled {
    fn warn(&mut self, message: impl Into<String>, layer: usize, offset: usize) {
        self.warnings
            .push(Warning::at(message, offset).in_layer(layer));
    }
    fn fail(&mut self, kind: ErrorKind, layer: usize, offset: usize) {
        self.asn1_fail(Error::new(kind, offset), layer);
    }
    fn asn1_fail(&mut self, e: Error, layer: usize) {
        if self.error.is_none() {
            self.error = Some((layer, e));
        }
    }
}

/// Peel `bytes` (the decoded token, which came from `source` in the previous layer).
pub fn peel(bytes: &[u8], source: Span) -> Peeled {
    let mut p = Peeled::default();
    match bytes.first() {
        Some(0x60) => gss(&mut p, bytes.to_vec(), source),
        Some(0xa0 | 0xa1) => spnego(&mut p, bytes.to_vec(), source),
        _ => kerberos(&mut p, bytes.to_vec(), source, false),
    }
    p
}

/// `[APPLICATION 0]` thisMech innerContextToken: a layer, then the inner token's.
fn gss(p: &mut Peeled, buf: Vec<u8>, source: Span) {
    let layer = p.layers.len();
    let outer = match asn1::read(&buf, 0, buf.len()) {
        Ok(t) => t,
        Err(e) => {
            p.layers.push(Layer {
                kind: "gss",
                label: "GSS-API token",
                source,
                bytes: buf.clone(),
                fields: Vec::new(),
            });
            p.asn1_fail(e, layer);
            return;
        }
    };
    let mut fields = Vec::new();
    let mech = asn1::read(&buf, outer.content, outer.end);
    let (mech_field, dotted, inner_at) = match mech {
        Ok(m) if m.is_universal(asn1::OID) => {
            let (f, d) = oid_field("thisMech", &buf, &m);
            (Some(f), d, m.end)
        }
        Ok(m) => {
            p.fail(
                ErrorKind::UnexpectedTag {
                    expected: "an OBJECT IDENTIFIER",
                    found: m.tag_name(),
                }
                .in_field("thisMech"),
                layer,
                m.start,
            );
            (None, String::new(), m.end)
        }
        Err(e) => {
            p.asn1_fail(e, layer);
            (None, String::new(), outer.end)
        }
    };
    let inner = Span::new(inner_at.min(outer.end), outer.end);
    let mut top = Field::new("InitialContextToken", outer.span(), Value::None)
        .spec("RFC 2743 §3.1")
        .note("[APPLICATION 0]: the GSS-API framing of a first token");
    top.children.extend(mech_field);
    top.children.push(
        Field::new("innerContextToken", inner, Value::None)
            .note("the mechanism's own token: decoded in the next layer"),
    );
    fields.push(top);
    if outer.end < buf.len() {
        p.warn("bytes after the GSS-API token", layer, outer.end);
    }
    p.layers.push(Layer {
        kind: "gss",
        label: "GSS-API InitialContextToken",
        source,
        bytes: buf.clone(),
        fields,
    });
    if p.error.is_some() {
        return;
    }
    let inner_bytes = inner.slice_bytes(&buf).to_vec();
    match dotted.as_str() {
        SPNEGO_OID => spnego(p, inner_bytes, inner),
        KRB5_OID | MS_KRB5_OID => {
            // A bare Kerberos GSS token: the GSS header is this layer; the TOK_ID and message
            // follow in the inner token.
            kerberos_inner(p, buf.clone(), inner, layer);
        }
        other => p.fail(
            ErrorKind::UnknownMechanism {
                oid: asn1::oid_name(other).unwrap_or(other).to_string(),
            },
            layer,
            inner.start(),
        ),
    }
}

/// TOK_ID names (RFC 4121 §4.1).
fn tok_id_name(id: u16) -> &'static str {
    match id {
        0x0100 => "KRB_AP_REQ (01 00)",
        0x0200 => "KRB_AP_REP (02 00)",
        0x0300 => "KRB_ERROR (03 00)",
        0x0400 => "KRB_TGT_REQ (04 00, user-to-user)",
        _ => "unknown",
    }
}

/// A Kerberos GSS token whose framing is in `buf` (layer `gss_layer`) and whose inner token
/// (TOK_ID ‖ message) is `inner`: the Kerberos layer.
fn kerberos_inner(p: &mut Peeled, buf: Vec<u8>, inner: Span, gss_layer: usize) {
    let bytes = inner.slice_bytes(&buf).to_vec();
    let layer = p.layers.len();
    let mut fields = Vec::new();
    let Some(id) = bytes
        .get(..2)
        .and_then(|b| b.try_into().ok())
        .map(u16::from_be_bytes)
    else {
        p.fail(ErrorKind::NoTokId, gss_layer, inner.end());
        return;
    };
    fields.push(
        Field::new(
            "TOK_ID",
            Span::new(0, 2),
            Value::Text(tok_id_name(id).into()),
        )
        .spec("RFC 4121 §4.1"),
    );
    let mut w = Walk::default();
    let (name, f) = message::decode_at(&bytes, 2, bytes.len(), &mut w);
    fields.push(f);
    finish_kerberos(p, layer, name, w);
    p.layers.push(Layer {
        kind: "kerberos",
        label: label_of(name),
        source: inner,
        bytes,
        fields,
    });
}

fn label_of(name: Option<&'static str>) -> &'static str {
    match name {
        Some("AP-REQ") => "Kerberos AP-REQ",
        Some("AP-REP") => "Kerberos AP-REP",
        Some("KRB-ERROR") => "Kerberos KRB-ERROR",
        Some("AS-REQ") => "Kerberos AS-REQ",
        Some("AS-REP") => "Kerberos AS-REP",
        Some("TGS-REQ") => "Kerberos TGS-REQ",
        Some("TGS-REP") => "Kerberos TGS-REP",
        Some(n) => n,
        None => "Kerberos message",
    }
}

fn finish_kerberos(p: &mut Peeled, layer: usize, name: Option<&'static str>, w: Walk) {
    p.summary.kerberos = name;
    for x in w.warnings {
        p.warnings.push(x.in_layer(layer));
    }
    if let Some(e) = w.error {
        p.asn1_fail(e, layer);
    }
}

/// A Kerberos message not inside a GSS token (a KDC exchange, or a bare AP-REQ).
fn kerberos(p: &mut Peeled, buf: Vec<u8>, source: Span, _in_gss: bool) {
    let layer = p.layers.len();
    let mut w = Walk::default();
    let (name, f) = message::decode_at(&buf, 0, buf.len(), &mut w);
    let failed = w.error.is_some();
    finish_kerberos(p, layer, name, w);
    if let Some(end) = f.span.end().checked_sub(0).filter(|e| *e < buf.len()) {
        if !failed {
            p.warn("bytes after the Kerberos message", layer, end);
        }
    }
    p.layers.push(Layer {
        kind: "kerberos",
        label: label_of(name),
        source,
        bytes: buf,
        fields: vec![f],
    });
}

/// A NegotiationToken: the SPNEGO layer, then the mechanism token's.
fn spnego(p: &mut Peeled, buf: Vec<u8>, source: Span) {
    let layer = p.layers.len();
    let mut fields = Vec::new();
    let mut label = "SPNEGO";
    let mut mech_token: Option<Span> = None;
    let result = (|| -> Result<(), Error> {
        let choice = asn1::read(&buf, 0, buf.len())?;
        let seq = asn1::read(&buf, choice.content, choice.end)?;
        if !seq.is_universal(asn1::SEQUENCE) {
            return Err(Error::new(
                ErrorKind::UnexpectedTag {
                    expected: "a SEQUENCE",
                    found: seq.tag_name(),
                },
                seq.start,
            ));
        }
        let kids = asn1::children(&buf, &seq)?;
        let init = choice.is_context(0);
        if !init && !choice.is_context(1) {
            return Err(Error::new(
                ErrorKind::NotNegotiationToken {
                    found: choice.tag_name(),
                },
                0,
            ));
        }
        // NegTokenInit2 (MS-SPNG) has negHints [3] as a SEQUENCE where NegTokenInit has the
        // mechListMIC as an OCTET STRING.
        let init2 = init
            && kids.iter().any(|k| {
                k.is_context(3)
                    && asn1::read(&buf, k.content, k.end)
                        .is_ok_and(|i| i.is_universal(asn1::SEQUENCE))
            });
        let (name, spec) = match (init, init2) {
            (true, true) => ("NegTokenInit2", "MS-SPNG §2.2.1"),
            (true, false) => ("NegTokenInit", "RFC 4178 §4.2.1"),
            _ => ("NegTokenResp", "RFC 4178 §4.2.2"),
        };
        label = match name {
            "NegTokenInit2" => "SPNEGO NegTokenInit2",
            "NegTokenInit" => "SPNEGO NegTokenInit",
            _ => "SPNEGO NegTokenResp",
        };
        p.summary.spnego = name;
        let mut top = Field::new(name, choice.span(), Value::None).spec(spec);
        for k in kids {
            let inner = asn1::read(&buf, k.content, k.end)?;
            let content = inner.content(&buf);
            let f = match (init, init2, k.tag) {
                (true, _, 0) => {
                    let mut f = Field::new("mechTypes", k.span(), Value::None)
                        .note("the mechanisms the client can use, preferred first");
                    for m in asn1::children(&buf, &inner)? {
                        let (of, dotted) = oid_field("MechType", &buf, &m);
                        p.summary.mech_types.push(dotted);
                        f.children.push(of);
                    }
                    f.value = Value::Text(
                        f.children
                            .iter()
                            .map(|c| c.value.display())
                            .collect::<Vec<_>>()
                            .join(", "),
                    );
                    f
                }
                (true, _, 1) => Field::new(
                    "reqFlags",
                    k.span(),
                    Value::Text(format!(
                        "0x{:02x}",
                        asn1::bits32(content).unwrap_or(0) >> 24
                    )),
                ),
                (true, _, 2) | (false, _, 2) => {
                    mech_token = Some(inner.content_span());
                    Field::new(
                        if init { "mechToken" } else { "responseToken" },
                        k.span(),
                        Value::Bytes(content.to_vec()),
                    )
                    .note("the chosen mechanism's token: decoded in the next layer")
                }
                (true, true, 3) => {
                    let mut f = Field::new("negHints", k.span(), Value::None);
                    for h in asn1::children(&buf, &inner)? {
                        let v = asn1::read(&buf, h.content, h.end)?;
                        let name = if h.is_context(0) {
                            "hintName"
                        } else {
                            "hintAddress"
                        };
                        f.children.push(
                            Field::new(
                                name,
                                h.span(),
                                Value::Text(String::from_utf8_lossy(v.content(&buf)).into_owned()),
                            )
                            .note("Windows servers send \"not_defined_in_RFC4178@please_ignore\""),
                        );
                    }
                    f
                }
                (true, false, 3) | (true, true, 4) | (false, _, 3) => {
                    Field::new("mechListMIC", k.span(), Value::Bytes(content.to_vec())).note(
                        "a MIC over the mechTypes list, so that a downgrade cannot go unnoticed",
                    )
                }
                (false, _, 0) => {
                    let v = content.first().copied().unwrap_or(255);
                    p.summary.neg_state = neg_state_name(v);
                    if v == 2 {
                        p.warn(
                            "negState reject: the server refused every mechanism offered",
                            layer,
                            k.start,
                        );
                    }
                    Field::new(
                        "negState",
                        k.span(),
                        Value::Text(format!("{} ({v})", neg_state_name(v).unwrap_or("unknown"))),
                    )
                }
                (false, _, 1) => {
                    let (mut f, _) = oid_field("supportedMech", &buf, &inner);
                    f.span = k.span();
                    f
                }
                _ => {
                    p.warn(
                        format!("an element {} SPNEGO does not define here", k.tag_name()),
                        layer,
                        k.start,
                    );
                    continue;
                }
            };
            top.children.push(f);
        }
        fields.push(top);
        if choice.end < buf.len() {
            p.warn("bytes after the SPNEGO token", layer, choice.end);
        }
        Ok(())
    })();
    if let Err(e) = result {
        p.asn1_fail(e, layer);
    }
    // Why NTLM: a client that lists NTLMSSP first could not get a Kerberos ticket.
    if p.summary
        .mech_types
        .first()
        .is_some_and(|m| m == NTLMSSP_OID)
    {
        p.warn("NTLMSSP is the client's first choice: it found no Kerberos ticket for this service (an SPN missing or unreachable KDC) or was told not to use Kerberos, and falls back to NTLM", layer, 0);
    }
    p.layers.push(Layer {
        kind: "spnego",
        label,
        source,
        bytes: buf.clone(),
        fields,
    });
    if p.error.is_some() {
        return;
    }
    let Some(span) = mech_token else {
        return;
    };
    let token = span.slice_bytes(&buf).to_vec();
    if token.starts_with(b"NTLMSSP\0") {
        p.summary.ntlm = true;
        p.ntlm_token = Some((token, span));
    } else if token.first() == Some(&0x60) {
        // A Kerberos GSS token: its framing and message form one layer.
        let layer = p.layers.len();
        match asn1::read(&token, 0, token.len()).and_then(|o| {
            let m = asn1::read(&token, o.content, o.end)?;
            Ok((o, m))
        }) {
            Ok((o, m)) => {
                let (mech, _) = oid_field("thisMech", &token, &m);
                let inner = Span::new(m.end, o.end);
                let before = p.layers.len();
                kerberos_inner(p, token.clone(), inner, layer);
                // Put the framing in front of the message, in the mechanism token's buffer.
                if let Some(l) = p.layers.get_mut(before) {
                    let shift = inner.start();
                    for f in &mut l.fields {
                        shift_spans(f, shift);
                    }
                    let mut frame = Field::new("krb5 token", o.span(), Value::None)
                        .spec("RFC 4121 §4.1")
                        .note("[APPLICATION 0] with the Kerberos OID, then TOK_ID and the message");
                    frame.children.push(mech);
                    frame.children.append(&mut l.fields);
                    l.fields = vec![frame];
                    l.bytes = token;
                    l.source = span;
                }
                let shift = inner.start();
                for w in p.warnings.iter_mut().filter(|w| w.layer == before) {
                    w.span = Span::new(w.span.start() + shift, w.span.end() + shift);
                }
                if let Some((_, e)) = p.error.as_mut().filter(|(l, _)| *l == before) {
                    e.offset += shift;
                }
            }
            Err(e) => {
                p.layers.push(Layer {
                    kind: "kerberos",
                    label: "Kerberos GSS token",
                    source: span,
                    bytes: token,
                    fields: Vec::new(),
                });
                p.asn1_fail(e, layer);
            }
        }
    } else if !token.is_empty() {
        kerberos(p, token, span, false);
    }
}

fn shift_spans(f: &mut Field, by: usize) {
    f.span = Span::new(f.span.start() + by, f.span.end() + by);
    for c in &mut f.children {
        shift_spans(c, by);
    }
}

/// The NegTokenInit a Windows browser sends (RFC 4178 §4.2.1, in its GSS-API framing §3.1):
/// offering MS Kerberos, Kerberos and NTLMSSP, with `krb5_token` (a Kerberos GSS token, RFC 4121
/// §4.1) as the optimistic mechToken.
pub fn neg_token_init(krb5_token: &[u8]) -> Vec<u8> {
    use crate::asn1::write::{ctx, octets, oid, seq, tlv};
    let init = tlv(
        0xa0,
        &seq(&[
            ctx(0, seq(&[oid(MS_KRB5_OID), oid(KRB5_OID), oid(NTLMSSP_OID)])),
            ctx(2, octets(krb5_token)),
        ]),
    );
    let mut inner = oid(SPNEGO_OID);
    inner.extend_from_slice(&init);
    tlv(0x60, &inner)
}

// Written here, not in `kerberos::realm`, so that Kerberos does not import SPNEGO: the layers
// go one way (asn1 ← kerberos ← spnego ← decode).
#[cfg(feature = "kerberos")]
impl Realm {
    /// `Authorization: Negotiate` for a service ticket, as Windows sends it: SPNEGO NegTokenInit
    /// offering MS Kerberos, Kerberos and NTLMSSP, with the AP-REQ (mutual authentication). When
    /// the ticket is ok-as-delegate (the server is trusted for delegation) and `tgt` is given,
    /// the browser delegates: the deleg flag, and the TGT forwarded in a KRB-CRED.
    pub(crate) fn negotiate_token(
        &mut self,
        cred: &Credential,
        user: &str,
        now: i64,
        tgt: Option<&Credential>,
    ) -> Vec<u8> {
        neg_token_init(&self.krb5_token(cred, user, now, tgt))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::asn1::write::*;

    /// NegTokenInit2 as Windows SMB and some HTTP servers send it first: negHints with the
    /// well-known "not_defined_in_RFC4178@please_ignore" (MS-SPNG §2.2.1), written by hand.
    #[test]
    fn neg_token_init2_is_told_from_neg_token_init_by_its_hints() {
        let init2 = tlv(
            0xa0,
            &seq(&[
                ctx(0, seq(&[oid(MS_KRB5_OID), oid(KRB5_OID), oid(NTLMSSP_OID)])),
                ctx(
                    3,
                    seq(&[ctx(
                        0,
                        general_string("not_defined_in_RFC4178@please_ignore"),
                    )]),
                ),
            ]),
        );
        let mut inner = oid(SPNEGO_OID);
        inner.extend_from_slice(&init2);
        let token = tlv(0x60, &inner);
        let p = peel(&token, Span::new(0, token.len()));
        assert!(p.error.is_none(), "{:?}", p.error);
        assert_eq!(p.summary.spnego, "NegTokenInit2");
        assert_eq!(p.summary.mech_types.len(), 3);
        let l = p.layers.last().unwrap();
        assert_eq!(
            l.find("hintName").unwrap().value.display(),
            "not_defined_in_RFC4178@please_ignore"
        );
        assert_eq!(
            l.find("mechTypes").unwrap().children[0].value.display(),
            "MS Kerberos 5 (legacy Windows OID) (1.2.840.48018.1.2.2)"
        );
        // An unknown mechanism is shown by its number; NEGOEX by name.
        let init = tlv(
            0xa0,
            &seq(&[ctx(
                0,
                seq(&[oid("1.2.3.4.5"), oid("1.3.6.1.4.1.311.2.2.30")]),
            )]),
        );
        let p = peel(&init, Span::new(0, init.len()));
        let l = p.layers.last().unwrap();
        let m: Vec<String> = l
            .find("mechTypes")
            .unwrap()
            .children
            .iter()
            .map(|c| c.value.display())
            .collect();
        assert_eq!(m, ["1.2.3.4.5", "NEGOEX (1.3.6.1.4.1.311.2.2.30)"]);
        assert_eq!(p.summary.spnego, "NegTokenInit");
    }
}

#[cfg(all(test, feature = "kerberos"))]
mod realm_tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use crate::kerberos::crypto;
    use crate::kerberos::decrypt::{open, Keys};
    use crate::kerberos::realm::{Account, Realm, OK_AS_DELEGATE};

    fn contoso() -> Realm {
        let mut web = Account::new(
            "WEB01$",
            "machine-password",
            &["HOST/web01", "HOST/web01.contoso.com"],
        );
        web.trusted_for_delegation = true;
        Realm::new(
            "CONTOSO.COM",
            crypto::RC4_HMAC,
            vec![Account::new("bob", "Builder2", &[]), web],
            42,
        )
    }

    #[test]
    fn the_three_exchanges_make_messages_that_decrypt_and_a_service_accepts() {
        let mut r = contoso();
        let now = 1_795_768_552;
        let a = r.as_exchange("bob", "Builder2", now);
        assert!(a.error.is_none());
        let o = open(
            &a.reply,
            0,
            &Keys {
                password: Some("Builder2".into()),
                ..Keys::default()
            },
        );
        assert!(
            o.outcomes
                .iter()
                .any(|x| x.sealed.what == "EncASRepPart" && x.result.is_ok()),
            "{:?}",
            o.outcomes
        );
        let tgt = a.credential.unwrap();
        let t = r.tgs_exchange("bob", &tgt, "HTTP/web01.contoso.com", now);
        let svc = t.credential.unwrap();
        assert!(svc.flags & OK_AS_DELEGATE != 0);
        let web = r.find_spn("HTTP/web01.contoso.com").unwrap().clone();
        let keytab = r.keytab(&web);
        let token = r.negotiate_token(&svc, "bob", now, Some(&tgt));
        let peeled = crate::spnego::peel(&token, crate::Span::new(0, token.len()));
        assert!(peeled.error.is_none(), "{:?}", peeled.error);
        assert_eq!(peeled.summary.kerberos, Some("AP-REQ"));
        let krb = peeled.layers.last().unwrap();
        let at = krb
            .fields
            .iter()
            .find_map(|f| f.find("AP-REQ"))
            .unwrap()
            .span
            .start();
        let ok = crate::kerberos::service::accept(
            &krb.bytes,
            at,
            &keytab,
            now,
            &mut Default::default(),
            1,
        )
        .unwrap();
        assert_eq!(ok.client, "bob@CONTOSO.COM");
        assert!(ok.delegated);
        // No SPN for the short alias: the KDC says so.
        let e = r.tgs_exchange("bob", &tgt, "HTTP/intranet.contoso.com", now);
        assert_eq!(e.error, Some(7));
        // A wrong password: pre-authentication fails.
        assert_eq!(r.as_exchange("bob", "builder2", now).error, Some(24));
    }
}
