//! Real Kerberos and Negotiate tokens made by MIT Kerberos 1.20 (Debian's krb5-kdc and
//! krb5-user) and curl 7.88 (`curl --negotiate`), decoded with spans and decrypted with the
//! throwaway realm's keytab and password (`tests/fixtures/kerberos/`, provenance in
//! `tests/fixtures/README.md`).

#![cfg(feature = "kerberos")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proto::decode::decode;
use proto::kerberos::decrypt::{open, Keys, Opened};
use proto::kerberos::keytab;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../tests/fixtures/kerberos/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn text(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

/// The label of the innermost layer of `input`, which must decode without error.
fn innermost(input: &str) -> String {
    let d = decode(input);
    assert!(d.error.is_none(), "{:?}", d.error);
    d.layers.last().unwrap().label.to_string()
}

fn keys() -> Keys {
    Keys {
        keytab: keytab::parse(&fixture("mit-http.keytab")).unwrap(),
        ..Keys::default()
    }
}

/// Opens the AP-REQ inside `krb` (a decoded layer's bytes) with the keytab; every part
/// must decrypt. Returns where the AP-REQ starts and what was opened.
fn open_ap_req(krb: &proto::field::Layer) -> (usize, Opened) {
    let at = krb.find("AP-REQ").unwrap().span.start();
    let o = open(&krb.bytes, at, &keys());
    assert!(
        o.outcomes.iter().all(|x| x.result.is_ok()),
        "{:?}",
        o.outcomes
    );
    (at, o)
}

#[test]
fn the_keytab_lists_the_service_keys() {
    let k = keytab::parse(&fixture("mit-http.keytab")).unwrap();
    let names: Vec<(String, i32, u32)> = k
        .iter()
        .map(|e| (e.principal(), e.key.etype, e.kvno))
        .collect();
    assert_eq!(
        names,
        [
            ("HTTP/localhost@CONTOSO.TEST".to_string(), 18, 2),
            ("HTTP/localhost@CONTOSO.TEST".to_string(), 17, 2),
            ("HTTP/localhost@CONTOSO.TEST".to_string(), 23, 2),
        ]
    );
    assert!(keytab::parse(b"\x05\x01").is_err());
    assert!(keytab::parse(&fixture("mit-http.keytab")[..40]).is_err());
}

#[test]
fn curl_negotiate_token_peels_into_gss_spnego_and_an_ap_req_with_spans() {
    let header = text("mit-curl-negotiate.txt");
    let d = decode(header.trim());
    let kinds: Vec<&str> = d.layers.iter().map(|l| l.kind).collect();
    assert_eq!(kinds, ["header", "base64", "gss", "spnego", "kerberos"]);
    assert!(d.error.is_none(), "{:?}", d.error);
    let n = d.negotiate.as_ref().unwrap();
    assert_eq!(n.spnego, "NegTokenInit");
    assert_eq!(n.mech_types, ["1.2.840.113554.1.2.2"]);
    assert_eq!(n.kerberos, Some("AP-REQ"));
    let krb = &d.layers[4];
    // The layer is the mechToken's bytes in the SPNEGO layer.
    assert_eq!(krb.source.slice_bytes(&d.layers[3].bytes), &krb.bytes[..]);
    let sname = krb.find("sname").unwrap();
    assert_eq!(sname.value.display(), "HTTP/localhost@CONTOSO.TEST");
    // Every span lies inside its layer and names DER that starts with the field's tag.
    fn check(f: &proto::field::Field, len: usize) {
        assert!(f.span.end() <= len, "{} {:?}", f.name, f.span);
        for c in &f.children {
            assert!(
                c.span.start() >= f.span.start() && c.span.end() <= f.span.end(),
                "{} in {}",
                c.name,
                f.name
            );
            check(c, len);
        }
    }
    for l in &d.layers[2..] {
        for f in &l.fields {
            check(f, l.bytes.len());
        }
    }
    // [3] ticket: the field starts at its context tag.
    let ticket = krb.find("ticket").unwrap();
    assert_eq!(krb.bytes[ticket.span.start()], 0xa3);
    assert_eq!(
        krb.find("etype").unwrap().value.display(),
        "aes256-cts-hmac-sha1-96 (18)"
    );
}

#[test]
fn the_ap_req_decrypts_with_the_keytab() {
    let d = decode(text("mit-curl-negotiate.txt").trim());
    let krb = &d.layers[4];
    // The AP-REQ starts after the GSS framing and TOK_ID.
    let (at, o) = open_ap_req(krb);
    let ticket = &o.layers[0];
    assert_eq!(ticket.label, "EncTicketPart");
    assert_eq!(
        ticket.find("cname").unwrap().value.display(),
        "bob@CONTOSO.TEST"
    );
    assert!(ticket.find("authtime").is_some() && ticket.find("key").is_some());
    let auth = &o.layers[1];
    assert_eq!(auth.label, "Authenticator");
    assert_eq!(
        auth.find("cname").unwrap().value.display(),
        "bob@CONTOSO.TEST"
    );
    // curl asks for mutual authentication: the GSS checksum's flags say so.
    let flags = auth.find("Flags").unwrap().value.display();
    assert!(flags.contains("mutual"), "{flags}");
    assert_eq!(auth.find("Lgth").unwrap().value.display(), "16");
    // Without the right key: a clear reason, and nothing decrypted.
    let o = open(&krb.bytes, at, &Keys::default());
    assert!(o.layers.is_empty());
    assert!(o.outcomes[0]
        .result
        .as_ref()
        .unwrap_err()
        .contains("no key"));
}

fn kdc_messages() -> Vec<(char, Vec<u8>)> {
    text("mit-kdc-exchange.txt")
        .lines()
        .map(|l| {
            let (dir, hex) = l.split_once(' ').unwrap();
            let b = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            (dir.chars().next().unwrap(), b)
        })
        .collect()
}

#[test]
fn a_kdc_exchange_decodes_message_by_message() {
    let names: Vec<String> = kdc_messages()
        .iter()
        .map(|(_, b)| {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            innermost(&hex)
        })
        .collect();
    assert_eq!(
        names,
        [
            "Kerberos AS-REQ",
            "Kerberos AS-REP",
            "Kerberos TGS-REQ",
            "Kerberos TGS-REP",
            "Kerberos TGS-REQ",
            "Kerberos KRB-ERROR",
            "Kerberos TGS-REQ",
            "Kerberos KRB-ERROR",
        ]
    );
    let hex: String = kdc_messages()[5]
        .1
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    let d = decode(&hex);
    let e = d.layers.last().unwrap().find("error-code").unwrap();
    assert_eq!(e.value.display(), "KDC_ERR_S_PRINCIPAL_UNKNOWN (7)");
    assert!(e.note.unwrap().contains("setspn"));
}

#[test]
fn the_as_rep_opens_with_the_password_and_its_salt_and_the_service_ticket_with_the_keytab() {
    let msgs = kdc_messages();
    let as_rep = &msgs[1].1;
    let o = open(
        as_rep,
        0,
        &Keys {
            password: Some("Builder2".into()),
            ..Keys::default()
        },
    );
    let part = o
        .outcomes
        .iter()
        .find(|x| x.sealed.what == "EncASRepPart")
        .unwrap();
    assert_eq!(part.sealed.salt, "CONTOSO.TESTbob");
    assert!(part.result.is_ok(), "{:?}", part.result);
    assert!(part
        .steps
        .iter()
        .any(|(l, _)| l.starts_with("tkey = PBKDF2")));
    // MIT sends the AS-REP's part as an EncTGSRepPart: the layer says what it is, the outcome why.
    let layer = o
        .layers
        .iter()
        .find(|l| l.label == "EncTGSRepPart")
        .unwrap();
    assert!(part.result.as_ref().unwrap().contains("APPLICATION 26"));
    assert_eq!(
        layer.find("sname").unwrap().value.display(),
        "krbtgt/CONTOSO.TEST@CONTOSO.TEST"
    );
    assert_eq!(o.session_keys.len(), 1);
    // The TGS-REP carries the ticket for HTTP/localhost: the service's keytab opens it.
    let o = open(&msgs[3].1, 0, &keys());
    let t = o
        .layers
        .iter()
        .find(|l| l.label == "EncTicketPart")
        .unwrap();
    assert_eq!(t.find("cname").unwrap().value.display(), "bob@CONTOSO.TEST");
    // A wrong password fails the integrity check.
    let o = open(
        as_rep,
        0,
        &Keys {
            password: Some("builder2".into()),
            ..Keys::default()
        },
    );
    assert!(o.layers.is_empty());
}

#[test]
fn pyspnego_negotiate_with_ntlm_inside_nests_the_ntlm_layer() {
    let v: serde_json::Value =
        serde_json::from_slice(&fixture("pyspnego-negotiate-ntlm.json")).unwrap();
    let tokens: Vec<String> = v["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["base64"].as_str().unwrap().to_string())
        .collect();
    let labels = |t: &str| -> Vec<&'static str> {
        decode(&format!("Negotiate {t}"))
            .layers
            .iter()
            .map(|l| l.label)
            .collect()
    };
    assert_eq!(
        labels(&tokens[0]),
        [
            "Pasted text",
            "base64",
            "GSS-API InitialContextToken",
            "SPNEGO NegTokenInit",
            "NEGOTIATE_MESSAGE"
        ]
    );
    assert_eq!(
        labels(&tokens[1])[2..],
        ["SPNEGO NegTokenResp", "CHALLENGE_MESSAGE"]
    );
    assert_eq!(
        labels(&tokens[2])[2..],
        ["SPNEGO NegTokenResp", "AUTHENTICATE_MESSAGE"]
    );
    let first = decode(&format!("Negotiate {}", tokens[0]));
    assert!(first
        .warnings
        .iter()
        .any(|w| w.message.contains("falls back to NTLM")));
    let d = decode(&format!("Negotiate {}", tokens[2]));
    // The NTLM layer's source is the responseToken's contents in the SPNEGO layer.
    let (spnego, ntlm) = (&d.layers[2], &d.layers[3]);
    assert_eq!(ntlm.source.slice_bytes(&spnego.bytes), &ntlm.bytes[..]);
    assert!(d.warnings[0].message.contains("cracked offline"));
    assert!(d.warnings[0].message.contains("cannot be replayed later"));
    assert!(spnego.find("mechListMIC").is_some());
    let last = decode(&format!("Negotiate {}", tokens[3]));
    assert_eq!(last.negotiate.unwrap().neg_state, Some("accept-completed"));
}

#[test]
fn the_service_accepts_curl_s_ap_req_once_and_refuses_replays_skew_and_wrong_keys() {
    use proto::kerberos::service::{accept, ReplayCache};
    let d = decode(text("mit-curl-negotiate.txt").trim());
    let krb = &d.layers[4];
    let at = krb.find("AP-REQ").unwrap().span.start();
    let keytab = keys().keytab;
    // The authenticator's ctime: 2026-11-27T08:42:18Z.
    let now = 1_795_768_938;
    let mut cache = ReplayCache::default();
    let ok = accept(&krb.bytes, at, &keytab, now, &mut cache, 7).unwrap();
    assert_eq!(ok.client, "bob@CONTOSO.TEST");
    assert_eq!(ok.service, "HTTP/localhost@CONTOSO.TEST");
    assert!(ok.mutual && ok.ap_rep.is_some());
    // The AP-REP decodes, and opens with the session key to the authenticator's time.
    let ap_rep = ok.ap_rep.unwrap();
    let keys = Keys {
        raw: vec![ok.session_key.clone()],
        ..Keys::default()
    };
    let o = open(&ap_rep, 0, &keys);
    assert_eq!(o.layers[0].label, "EncAPRepPart");
    assert_eq!(
        o.layers[0].find("ctime").unwrap().value.display(),
        "2026-11-27T08:42:18Z"
    );
    let err = accept(&krb.bytes, at, &keytab, now, &mut cache, 7).unwrap_err();
    assert_eq!(err.name(), "KRB_AP_ERR_REPEAT");
    let err = accept(
        &krb.bytes,
        at,
        &keytab,
        now + 301,
        &mut ReplayCache::default(),
        7,
    )
    .unwrap_err();
    assert_eq!(err.name(), "KRB_AP_ERR_SKEW");
    let err = accept(&krb.bytes, at, &[], now, &mut ReplayCache::default(), 7).unwrap_err();
    assert_eq!(err.name(), "KRB_AP_ERR_NOT_US");
    let mut stale = keytab.clone();
    for e in &mut stale {
        e.kvno = 1;
    }
    let err = accept(&krb.bytes, at, &stale, now, &mut ReplayCache::default(), 7).unwrap_err();
    assert_eq!(err.name(), "KRB_AP_ERR_BADKEYVER");
    let mut wrong = keytab.clone();
    for e in &mut wrong {
        e.key.bytes.iter_mut().for_each(|b| *b ^= 1);
    }
    let err = accept(&krb.bytes, at, &wrong, now, &mut ReplayCache::default(), 7).unwrap_err();
    assert_eq!(err.name(), "KRB_AP_ERR_MODIFIED");
}

#[test]
fn impacket_tokens_decode_decrypt_and_are_accepted() {
    let v: serde_json::Value = serde_json::from_slice(&fixture("impacket-kerberos.json")).unwrap();
    // impacket's AS-REQ and MIT's AS-REP; impacket's TGS-REQ and MIT's refusal of it.
    let ex = v["kdc_exchanges"].as_array().unwrap();
    let labels: Vec<String> = ex
        .iter()
        .flat_map(|e| [e["request"].as_str().unwrap(), e["reply"].as_str().unwrap()])
        .map(innermost)
        .collect();
    assert_eq!(
        labels,
        [
            "Kerberos AS-REQ",
            "Kerberos AS-REP",
            "Kerberos TGS-REQ",
            "Kerberos KRB-ERROR"
        ]
    );
    let err = decode(ex[1]["reply"].as_str().unwrap());
    assert_eq!(
        err.layers
            .last()
            .unwrap()
            .find("error-code")
            .unwrap()
            .value
            .display(),
        "KRB_AP_ERR_INAPP_CKSUM (50)"
    );
    // The Negotiate token: SPNEGO whose mechToken is a bare AP-REQ (no GSS framing), as
    // impacket builds it.
    let d = decode(&format!("Negotiate {}", v["negotiate"].as_str().unwrap()));
    assert!(d.error.is_none(), "{:?}", d.error);
    let n = d.negotiate.as_ref().unwrap();
    assert_eq!(n.mech_types, ["1.2.840.48018.1.2.2"]);
    assert_eq!(n.kerberos, Some("AP-REQ"));
    let krb = d.layers.last().unwrap();
    let (at, _) = open_ap_req(krb);
    let now = v["authenticator_ctime_unix"].as_i64().unwrap();
    let ok = proto::kerberos::service::accept(
        &krb.bytes,
        at,
        &keys().keytab,
        now,
        &mut Default::default(),
        1,
    )
    .unwrap();
    assert_eq!(ok.client, "bob@CONTOSO.TEST");
    // impacket asks for no mutual authentication: no AP-REP.
    assert!(!ok.mutual && ok.ap_rep.is_none());
}

#[test]
fn a_tcp_framed_kdc_message_shows_its_record_length_as_a_layer() {
    // The AS-REQ as it travels on port 88/TCP (RFC 4120 §7.2.2): 4 bytes of length first.
    let (_, as_req) = &kdc_messages()[0];
    let mut framed = u32::try_from(as_req.len()).unwrap().to_be_bytes().to_vec();
    framed.extend_from_slice(as_req);
    let hex: String = framed.iter().map(|x| format!("{x:02x}")).collect();
    let d = decode(&hex);
    assert!(d.error.is_none(), "{:?}", d.error);
    let tcp = d.layers.iter().find(|l| l.kind == "tcp-record").unwrap();
    let len = tcp.find("record length").unwrap();
    assert_eq!((len.span.start(), len.span.end()), (0, 4));
    assert_eq!(len.value.display(), format!("{}", as_req.len()));
    assert_eq!(d.layers.last().unwrap().label, "Kerberos AS-REQ");
    // A length that does not count the rest is no frame: the bytes stay as they are.
    framed[3] ^= 1;
    let hex: String = framed.iter().map(|x| format!("{x:02x}")).collect();
    assert!(decode(&hex).layers.iter().all(|l| l.kind != "tcp-record"));
}

#[test]
fn a_bare_ticket_decodes() {
    // The service ticket inside curl's AP-REQ, on its own (as `klist` tools and Rubeus show it).
    let d = decode(&text("mit-curl-negotiate.txt"));
    let krb = d.layers.iter().find(|l| l.kind == "kerberos").unwrap();
    let ticket = krb.find("ticket").unwrap();
    // The field spans its context tag [3]; the Ticket is what the tag wraps.
    let tagged = &krb.bytes[ticket.span.start()..ticket.span.end()];
    let header = if tagged[1] & 0x80 == 0 {
        2
    } else {
        2 + usize::from(tagged[1] & 0x7f)
    };
    let bytes = &tagged[header..];
    assert_eq!(bytes[0], 0x61, "APPLICATION 1");
    let hex: String = bytes.iter().map(|x| format!("{x:02x}")).collect();
    assert_eq!(innermost(&hex), "Ticket");
    let t = decode(&hex);
    assert!(t.layers.last().unwrap().find("sname").is_some());
}
