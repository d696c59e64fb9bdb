//! authscope's Kerberos decoder and crypto against an independent implementation, picky-krb
//! (Devolutions, crates.io; a dev-dependency only): every message, real (MIT Kerberos, curl)
//! and simulated (the realm of every walkthrough toggle), must read the same in both, and AES
//! ciphertexts must decrypt the same.

#![cfg(feature = "kerberos")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use picky_krb::crypto::CipherSuite;
use picky_krb::data_types::{EncryptedData, PrincipalName};
use picky_krb::messages::{ApReq, AsRep, AsReq, KrbError, TgsRep, TgsReq};
use proto::decode::decode;
use proto::field::Layer;
use support::unhex;

fn names(p: &PrincipalName) -> String {
    p.name_string
        .0
         .0
        .iter()
        .map(|s| String::from_utf8_lossy(s.0.as_bytes()).into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn int(bytes: &[u8]) -> i64 {
    proto::asn1::integer(bytes).unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// (etype, kvno, cipher hex) of picky's EncryptedData.
fn enc(e: &EncryptedData) -> (i64, Option<i64>, String) {
    (
        int(e.etype.0.as_signed_bytes_be()),
        e.kvno.0.as_ref().map(|k| int(k.0.as_signed_bytes_be())),
        hex(&e.cipher.0 .0),
    )
}

/// Our reading of the same: the field named `name` (depth first) under `under`.
fn ours_enc(l: &Layer, path: &[&str]) -> (i64, Option<i64>, String) {
    let mut f = l.find(path[0]).unwrap();
    for p in &path[1..] {
        f = f.find(p).unwrap();
    }
    let num = |n: &str| {
        f.find(n).map(|x| {
            let t = x.value.display();
            // "aes256-cts-hmac-sha1-96 (18)" or "2"
            let digits = t
                .rsplit_once('(')
                .map_or(t.clone(), |(_, d)| d.trim_end_matches(')').to_string());
            digits.parse::<i64>().unwrap()
        })
    };
    (
        num("etype").unwrap(),
        num("kvno"),
        f.find("cipher").unwrap().value.display(),
    )
}

fn principal(l: &Layer, name: &str) -> String {
    let v = l.find(name).unwrap().value.display();
    v.split('@').next().unwrap().to_string()
}

/// Compares one message; returns its name.
fn compare(bytes: &[u8]) -> &'static str {
    let hexed = hex(bytes);
    let d = decode(&hexed);
    assert!(d.error.is_none(), "{:?}", d.error);
    let l = d.layers.last().unwrap();
    match bytes[0] {
        0x6a => {
            let m: AsReq = picky_asn1_der::from_bytes(bytes).unwrap();
            let body = &m.0.req_body.0;
            assert_eq!(
                principal(l, "sname"),
                names(&body.sname.0.as_ref().unwrap().0)
            );
            let etypes: Vec<i64> = body
                .etype
                .0
                 .0
                .iter()
                .map(|e| int(e.as_signed_bytes_be()))
                .collect();
            let ours = l.find("req-body").unwrap().find("etype").unwrap();
            assert_eq!(ours.children.len(), etypes.len());
            "AS-REQ"
        }
        0x6c => {
            let m: TgsReq = picky_asn1_der::from_bytes(bytes).unwrap();
            let body = &m.0.req_body.0;
            let sname = names(&body.sname.0.as_ref().unwrap().0);
            let ours = l
                .find("req-body")
                .unwrap()
                .find("sname")
                .unwrap()
                .value
                .display();
            assert!(ours.starts_with(&sname), "{ours} vs {sname}");
            let pa: Vec<i64> =
                m.0.padata
                    .0
                    .as_ref()
                    .unwrap()
                    .0
                     .0
                    .iter()
                    .map(|p| int(p.padata_type.0.as_signed_bytes_be()))
                    .collect();
            assert_eq!(pa[0], 1);
            "TGS-REQ"
        }
        0x6b | 0x6d => {
            let rep = if bytes[0] == 0x6b {
                picky_asn1_der::from_bytes::<AsRep>(bytes).unwrap().0
            } else {
                picky_asn1_der::from_bytes::<TgsRep>(bytes).unwrap().0
            };
            assert_eq!(principal(l, "cname"), names(&rep.cname.0));
            let ticket = &rep.ticket.0 .0;
            let ours_sname = l
                .find("ticket")
                .unwrap()
                .find("sname")
                .unwrap()
                .value
                .display();
            assert_eq!(
                ours_sname.split('@').next().unwrap(),
                names(&ticket.sname.0)
            );
            assert_eq!(
                ours_enc(l, &["ticket", "enc-part"]),
                enc(&ticket.enc_part.0)
            );
            let ours_rep_enc = {
                let top = &l.fields[0];
                let e = top.children.iter().find(|c| c.name == "enc-part").unwrap();
                let num = |n: &str| {
                    e.find(n).map(|x| {
                        let t = x.value.display();
                        t.rsplit_once('(')
                            .map_or(t.clone(), |(_, d)| d.trim_end_matches(')').to_string())
                            .parse::<i64>()
                            .unwrap()
                    })
                };
                (
                    num("etype").unwrap(),
                    num("kvno"),
                    e.find("cipher").unwrap().value.display(),
                )
            };
            assert_eq!(ours_rep_enc, enc(&rep.enc_part.0));
            if bytes[0] == 0x6b {
                "AS-REP"
            } else {
                "TGS-REP"
            }
        }
        0x6e => {
            let m: ApReq = picky_asn1_der::from_bytes(bytes).unwrap();
            assert_eq!(
                ours_enc(l, &["ticket", "enc-part"]),
                enc(&m.0.ticket.0 .0.enc_part.0)
            );
            assert_eq!(ours_enc(l, &["authenticator"]), enc(&m.0.authenticator.0));
            "AP-REQ"
        }
        0x7e => {
            let m: KrbError = picky_asn1_der::from_bytes(bytes).unwrap();
            let code = l.find("error-code").unwrap().value.display();
            assert!(code.ends_with(&format!("({})", m.0.error_code.0)), "{code}");
            assert_eq!(principal(l, "sname"), names(&m.0.sname.0));
            "KRB-ERROR"
        }
        b => panic!("unexpected message {b:02x}"),
    }
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/fixtures/kerberos/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn mit_messages_read_the_same_in_picky_krb() {
    let mut seen = Vec::new();
    for line in fixture("mit-kdc-exchange.txt").lines() {
        let b = unhex(line.split_once(' ').unwrap().1);
        seen.push(compare(&b));
    }
    assert!(seen.contains(&"AS-REP") && seen.contains(&"KRB-ERROR") && seen.contains(&"TGS-REP"));
    // curl's AP-REQ, unwrapped from SPNEGO and GSS.
    let d = decode(fixture("mit-curl-negotiate.txt").trim());
    let krb = d.layers.last().unwrap();
    let at = krb.find("AP-REQ").unwrap().span.start();
    assert_eq!(compare(&krb.bytes[at..]), "AP-REQ");
    // impacket's requests and MIT's answers to them.
    let v: serde_json::Value = serde_json::from_str(&fixture("impacket-kerberos.json")).unwrap();
    for e in v["kdc_exchanges"].as_array().unwrap() {
        compare(&unhex(e["request"].as_str().unwrap()));
        compare(&unhex(e["reply"].as_str().unwrap()));
    }
}

#[test]
fn every_simulated_message_reads_the_same_and_decrypts_the_same() {
    use proto::walkthrough::kerberos::{key_of, run, Scenario};
    let mut count = 0;
    for bits in 0..32u32 {
        let s = Scenario {
            not_logged_on: bits & 1 != 0,
            spn_missing: bits & 2 != 0,
            unc_content: bits & 4 != 0,
            not_trusted: bits & 8 != 0,
            clock_skew: bits & 16 != 0,
            aes: true,
            now: 1_795_768_552,
            ..Scenario::default()
        };
        let w = run(&s);
        for step in w.steps.iter().filter(|s| s.token.is_some()) {
            let b = base64::Engine::decode(
                &base64::engine::general_purpose::STANDARD,
                step.token.as_ref().unwrap(),
            )
            .unwrap();
            if matches!(b[0], 0x6a..=0x7e) {
                compare(&b);
                count += 1;
            }
        }
        // picky's AES opens the service ticket with the service key the walkthrough shows.
        let service_key = key_of(&w, "WEB01$'s key (the service key)").unwrap();
        for step in w.steps.iter().filter(|s| s.label.starts_with("TGS-REP")) {
            let b = base64::Engine::decode(
                &base64::engine::general_purpose::STANDARD,
                step.token.as_ref().unwrap(),
            )
            .unwrap();
            let rep: TgsRep = picky_asn1_der::from_bytes(&b).unwrap();
            let cipher = &rep.0.ticket.0 .0.enc_part.0.cipher.0 .0;
            let theirs = CipherSuite::Aes256CtsHmacSha196
                .cipher()
                .decrypt(&service_key.bytes, 2, cipher)
                .unwrap();
            let ours = proto::kerberos::crypto::decrypt(&service_key, 2, cipher).unwrap();
            assert_eq!(theirs, ours);
        }
    }
    assert!(count > 60, "{count}");
}

#[test]
fn checksums_agree_with_picky_krb() {
    use picky_krb::crypto::ChecksumSuite;
    for (etype, suite) in [
        (17, ChecksumSuite::HmacSha196Aes128),
        (18, ChecksumSuite::HmacSha196Aes256),
    ] {
        let key =
            proto::kerberos::crypto::string_to_key(etype, "Builder2", "CONTOSO.COMbob").unwrap();
        for data in [&b""[..], b"req-body", &[7u8; 300]] {
            let (_, ours) = proto::kerberos::crypto::checksum(&key, 6, data).unwrap();
            let theirs = suite.hasher().checksum(&key.bytes, 6, data).unwrap();
            assert_eq!(ours, theirs, "{etype}");
        }
    }
}

#[test]
fn string_to_key_agrees_with_picky_krb() {
    for (pw, salt) in [
        ("Builder2", "CONTOSO.COMbob"),
        ("p\u{e4}ss", "EXAMPLE.ORGx"),
    ] {
        for (etype, suite) in [
            (17, CipherSuite::Aes128CtsHmacSha196),
            (18, CipherSuite::Aes256CtsHmacSha196),
        ] {
            let ours = proto::kerberos::crypto::string_to_key(etype, pw, salt).unwrap();
            let theirs = suite
                .cipher()
                .generate_key_from_password(pw.as_bytes(), salt.as_bytes())
                .unwrap();
            assert_eq!(ours.bytes, theirs, "{etype} {pw}");
        }
    }
}
