//! Real MIT Kerberos 1.20 exchanges in every encryption type MIT makes (des3-cbc-sha1-kd,
//! aes128/256-cts-hmac-sha1-96, aes128-cts-hmac-sha256-128, aes256-cts-hmac-sha384-192,
//! rc4-hmac, rc4-hmac-exp, camellia128/256-cts-cmac): `kinit` (AS-REQ with PA-ENC-TIMESTAMP, AS-REP), `kvno`
//! (TGS-REQ and TGS-REP, FAST-armored as MIT does when the KDC offers FAST), and curl's Negotiate
//! AP-REQ, each opened end to end with the realm's keytabs and password, its credential caches
//! (versions 3 and 4) and the KRB-CRED impacket made from one
//! (`tests/fixtures/kerberos/mit-etypes/`, made by `tests/kerberos/make-etype-fixtures.sh`;
//! provenance in `tests/fixtures/README.md`).

#![cfg(feature = "full-kerberos")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proto::decode::{decode_all, decrypt_all, Decoded};
use proto::input::decode_file;
use proto::kerberos::decrypt::Keys;
use proto::kerberos::files;

const ETYPES: [(&str, i32); 9] = [
    ("des3-cbc-sha1", 16),
    ("aes128-cts-hmac-sha1-96", 17),
    ("aes256-cts-hmac-sha1-96", 18),
    ("aes128-cts-hmac-sha256-128", 19),
    ("aes256-cts-hmac-sha384-192", 20),
    ("arcfour-hmac", 23),
    ("arcfour-hmac-exp", 24),
    ("camellia128-cts-cmac", 25),
    ("camellia256-cts-cmac", 26),
];

fn file(etype: &str, name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../tests/fixtures/kerberos/mit-etypes/{etype}/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn keytab(etype: &str, name: &str) -> Vec<proto::kerberos::keytab::Entry> {
    proto::kerberos::keytab::parse(&file(etype, name)).unwrap()
}

/// kinit's and kvno's messages (the first six lines) and curl's Authorization header.
fn exchange(etype: &str) -> String {
    let ex = String::from_utf8(file(etype, "exchange.txt")).unwrap();
    let mut lines: Vec<&str> = ex.lines().take(6).collect();
    let neg = String::from_utf8(file(etype, "negotiate.txt")).unwrap();
    lines.push(neg.trim());
    lines.join("\n")
}

fn parts(ds: &[Decoded]) -> Vec<(String, i32, Result<String, String>)> {
    ds.iter()
        .flat_map(|d| d.decryption.iter())
        .map(|x| {
            (
                x.part.to_string(),
                x.etype,
                x.opened_with
                    .clone()
                    .ok_or(x.failure.clone().unwrap_or_default()),
            )
        })
        .collect()
}

#[test]
fn every_part_of_every_etype_opens_with_the_realms_keys_and_password() {
    for (name, etype) in ETYPES {
        let mut ds = decode_all(&exchange(name));
        assert_eq!(ds.len(), 7, "{name}: one message per line");
        for d in &ds {
            assert!(d.error.is_none(), "{name}: {:?}", d.error);
        }
        let mut keys = Keys {
            password: Some("Builder2".into()),
            ..Keys::default()
        };
        keys.keytab.extend(keytab(name, "http.keytab"));
        keys.keytab.extend(keytab(name, "krbtgt.keytab"));
        decrypt_all(&mut ds, &keys);
        let p = parts(&ds);
        let names: Vec<&str> = p.iter().map(|(n, ..)| n.as_str()).collect();
        // AS-REQ with preauth; AS-REP (TGT, enc-part); TGS-REQ (TGT, authenticator, FAST
        // request); TGS-REP (ticket, FAST reply, enc-part); AP-REQ (ticket, authenticator).
        assert_eq!(
            names,
            [
                "PA-ENC-TS-ENC",
                "EncTicketPart",
                "EncASRepPart",
                "EncTicketPart",
                "Authenticator",
                "KrbFastReq",
                "EncTicketPart",
                "KrbFastResponse",
                "EncTGSRepPart",
                "EncTicketPart",
                "Authenticator"
            ],
            "{name}"
        );
        for (part, e, r) in &p {
            assert_eq!(*e, etype, "{name} {part}");
            assert!(r.is_ok(), "{name} {part}: {r:?}");
        }
        // The TGS-REP opens with the FAST reply key under usage 9 (the TGS-REQ had a subkey).
        let rep = ds[5]
            .decryption
            .iter()
            .find(|x| x.part == "EncTGSRepPart")
            .unwrap();
        assert_eq!(rep.key_usage, 9, "{name}");
        assert!(rep.opened_with.as_ref().unwrap().contains("FAST reply key"));
        // The AP-REQ's authenticator is the client's: bob, in the realm.
        let ap = &ds[6];
        let auth = ap
            .layers
            .iter()
            .find(|l| l.label == "Authenticator")
            .unwrap();
        assert_eq!(
            auth.find("cname").unwrap().value.display(),
            "bob@CONTOSO.TEST",
            "{name}"
        );
    }
}

#[test]
fn a_wrong_password_and_no_keys_say_what_is_missing() {
    let name = "camellia128-cts-cmac";
    let mut ds = decode_all(&exchange(name));
    decrypt_all(
        &mut ds,
        &Keys {
            password: Some("wrong".into()),
            ..Keys::default()
        },
    );
    let p = parts(&ds);
    let as_rep = p.iter().find(|(n, ..)| n == "EncASRepPart").unwrap();
    assert!(as_rep
        .2
        .as_ref()
        .unwrap_err()
        .contains("integrity check fails"));
    let tgt = p.iter().find(|(n, ..)| n == "EncTicketPart").unwrap();
    assert!(
        tgt.2
            .as_ref()
            .unwrap_err()
            .contains("krbtgt/CONTOSO.TEST@CONTOSO.TEST"),
        "{tgt:?}"
    );
}

#[test]
fn credential_caches_list_their_tickets_and_their_session_keys_open_the_exchange() {
    for (name, etype) in ETYPES {
        for (f, version) in [("ccache", 0x0504), ("ccache-v3", 0x0503)] {
            let (cc, fields, err) = files::ccache(&file(name, f));
            assert!(err.is_none(), "{name} {f}: {err:?}");
            assert_eq!(cc.version, version);
            assert_eq!(cc.default_principal, "bob@CONTOSO.TEST");
            let tickets: Vec<&files::Cred> = cc.creds.iter().filter(|c| !c.config).collect();
            assert!(!tickets.is_empty());
            assert_eq!(tickets[0].server, "krbtgt/CONTOSO.TEST@CONTOSO.TEST");
            assert!(tickets
                .iter()
                .all(|c| c.key.etype == etype && c.endtime > c.authtime));
            // Spans: every field lies inside the file, children inside their parent.
            fn inside(f: &proto::field::Field, len: usize) {
                assert!(f.span.end() <= len, "{}", f.name);
                for c in &f.children {
                    assert!(c.span.start() >= f.span.start() && c.span.end() <= f.span.end());
                    inside(c, len);
                }
            }
            for x in &fields {
                inside(x, file(name, f).len());
            }
        }
        // The first kinit's ccache holds the TGT kvno used: its session key opens the TGS
        // exchange without the krbtgt key, down to the FAST reply and the service session key.
        let mut ds = decode_all(
            &String::from_utf8(file(name, "exchange.txt"))
                .unwrap()
                .lines()
                .skip(4)
                .take(2)
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let mut cc = decode_file(&file(name, "ccache"));
        assert_eq!(cc.len(), 1);
        let keys = Keys {
            learnt: cc.remove(0).carried.learnt,
            ..Keys::default()
        };
        decrypt_all(&mut ds, &keys);
        let p = parts(&ds);
        for part in [
            "Authenticator",
            "KrbFastReq",
            "KrbFastResponse",
            "EncTGSRepPart",
        ] {
            let x = p.iter().find(|(n, ..)| n == part).unwrap();
            assert!(x.2.is_ok(), "{name} {part}: {x:?}");
        }
    }
}

#[test]
fn a_kirbi_made_from_the_ccache_opens_in_clear_and_its_keys_open_the_ap_req() {
    for (name, _) in ETYPES {
        let mut ds = decode_file(&file(name, "cred.kirbi"));
        assert!(ds[0].holds_keys());
        decrypt_all(&mut ds, &Keys::default());
        let p = parts(&ds);
        let cred = p.iter().find(|(n, ..)| n == "EncKrbCredPart").unwrap();
        assert_eq!(cred.1, 0);
        assert!(cred.2.is_ok());
        // Its session keys, offered to curl's AP-REQ, open the authenticator.
        let learnt = ds[0].learnt.clone();
        assert!(learnt.len() >= 2, "{name}: {learnt:?}");
        let neg = String::from_utf8(file(name, "negotiate.txt")).unwrap();
        let mut ap = decode_all(&neg);
        decrypt_all(
            &mut ap,
            &Keys {
                learnt,
                ..Keys::default()
            },
        );
        let p = parts(&ap);
        let a = p.iter().find(|(n, ..)| n == "Authenticator").unwrap();
        assert!(a.2.as_ref().unwrap().contains("KRB-CRED"), "{a:?}");
    }
}

#[test]
fn a_keytab_file_is_shown_entry_by_entry() {
    let ds = decode_file(&file("aes256-cts-hmac-sha384-192", "http.keytab"));
    let d = &ds[0];
    assert_eq!(d.layers[0].kind, "keytab");
    let entry = d.layers[0]
        .fields
        .iter()
        .find(|f| f.name == "entry")
        .unwrap();
    assert_eq!(entry.value.display(), "HTTP/localhost@CONTOSO.TEST kvno 2");
    assert!(entry
        .find("keytype")
        .unwrap()
        .value
        .display()
        .contains("aes256-cts-hmac-sha384-192"));
    assert_eq!(d.carried.keytab.len(), 1);
}

#[test]
fn truncated_and_mangled_files_are_errors_with_offsets_not_panics() {
    let cc = file("arcfour-hmac", "ccache");
    let (_, fields, _) = files::ccache(&cc);
    // A cut between two credentials leaves a whole, shorter cache.
    let ends: Vec<usize> = fields.iter().map(|f| f.span.end()).collect();
    for cut in 0..cc.len() {
        let (_, _, err) = files::ccache(&cc[..cut]);
        if cut > 0 && !ends.contains(&cut) {
            let err = err.unwrap_or_else(|| panic!("cut at {cut}"));
            assert!(err.offset <= cut);
        }
        let _ = decode_file(&cc[..cut]);
    }
    let kt = file("arcfour-hmac", "http.keytab");
    for cut in 0..kt.len() {
        let _ = decode_file(&kt[..cut]);
    }
    let mut bad = cc.clone();
    bad[1] = 2; // version 0x0502 read as a ccache: not a keytab either (no entry size fits)
    let _ = decode_file(&bad);
}

#[test]
fn pac_signatures_verify_in_every_etype_and_a_changed_pac_does_not() {
    for (name, _) in ETYPES {
        let neg = String::from_utf8(file(name, "negotiate.txt")).unwrap();
        let mut ds = decode_all(&neg);
        let mut keys = Keys::default();
        keys.keytab.extend(keytab(name, "http.keytab"));
        keys.keytab.extend(keytab(name, "krbtgt.keytab"));
        decrypt_all(&mut ds, &keys);
        let ticket = ds[0]
            .decryption
            .iter()
            .find(|x| x.part == "EncTicketPart")
            .unwrap();
        // MIT 1.20 signs its PACs with the server, KDC and ticket signatures.
        assert_eq!(ticket.checks.len(), 3, "{name}: {:?}", ticket.checks);
        for c in &ticket.checks {
            assert!(
                c.contains(": valid with the keytab's key for"),
                "{name}: {c}"
            );
        }
        assert!(ticket.checks[0].contains("HTTP/localhost@CONTOSO.TEST (kvno 2)"));
        assert!(ticket.checks[1].contains("krbtgt/CONTOSO.TEST@CONTOSO.TEST (kvno 1)"));
    }
}

/// A ticket with a Windows-style PAC made by impacket's ticketer (logon information with
/// groups and an extra SID, client info, UPN_DNS_INFO with SamName and SID, attributes,
/// requestor), under the aes256 realm's HTTP/localhost key.
#[test]
fn a_windows_style_pac_is_decoded_buffer_by_buffer_and_its_server_signature_checked() {
    let cc = std::fs::read(format!(
        "{}/../tests/fixtures/kerberos/mit-etypes/aes256-cts-hmac-sha1-96/impacket-silver.ccache",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut ds = decode_file(&cc);
    let mut keys = Keys::default();
    keys.keytab
        .extend(keytab("aes256-cts-hmac-sha1-96", "http.keytab"));
    decrypt_all(&mut ds, &keys);
    let d = &ds[0];
    let enc = d
        .layers
        .iter()
        .find(|l| l.label == "EncTicketPart")
        .unwrap();
    let v = |n: &str| enc.find(n).unwrap_or_else(|| panic!("{n}")).value.display();
    assert_eq!(v("EffectiveName"), "alice");
    assert_eq!(v("UserId"), "1104");
    assert_eq!(v("PrimaryGroupId"), "512 (Domain Admins)");
    assert_eq!(v("LogonDomainName"), "CONTOSO.TEST");
    assert_eq!(
        v("UserSid"),
        "S-1-5-21-1004336348-1177238915-682003330-1104"
    );
    let groups = enc.find("GroupIds").unwrap();
    let rids: Vec<String> = groups.children.iter().map(|g| g.value.display()).collect();
    assert_eq!(rids.len(), 3);
    assert!(rids[1].starts_with("513 (Domain Users)"));
    assert!(v("KERB_SID_AND_ATTRIBUTES").starts_with("S-1-18-1 "));
    assert_eq!(v("Upn"), "alice@contoso.test");
    assert_eq!(v("SamName"), "alice");
    assert_eq!(v("Name"), "alice");
    // Every PAC field lies inside the plaintext.
    fn inside(f: &proto::field::Field, len: usize) {
        assert!(f.span.end() <= len, "{} {:?}", f.name, f.span);
        for c in &f.children {
            inside(c, len);
        }
    }
    for f in &enc.fields {
        inside(f, enc.bytes.len());
    }
    let checks = &d.decryption[0].checks;
    assert!(
        checks[0].starts_with("server signature (hmac-sha1-96-aes256): valid with"),
        "{checks:?}"
    );
    assert!(
        checks[1].contains("not checked: no krbtgt key"),
        "{checks:?}"
    );
}

#[test]
fn a_pac_changed_after_signing_fails_its_server_signature() {
    // The PAC of curl's ticket, re-signed nowhere: flip a byte of the client name and encrypt
    // the ticket again under the service key, as a forger without the KDC's key would.
    use proto::kerberos::crypto::{decrypt, encrypt};
    let name = "aes256-cts-hmac-sha1-96";
    let kt = keytab(name, "http.keytab");
    let neg = String::from_utf8(file(name, "negotiate.txt")).unwrap();
    let d = &decode_all(&neg)[0];
    let krb = d.layers.iter().find(|l| l.kind == "kerberos").unwrap();
    let at = krb.find("AP-REQ").unwrap().span.start();
    let sealed = proto::kerberos::decrypt::find(&krb.bytes, at);
    let t = &sealed[0];
    let cipher = t.cipher.slice_bytes(&krb.bytes);
    let mut plain = decrypt(&kt[0].key, 2, cipher).unwrap();
    let name_at = plain.windows(6).position(|w| w == b"b\0o\0b\0").unwrap();
    plain[name_at] = b'e';
    let forged = encrypt(&kt[0].key, 2, &[9; 16], &plain).unwrap();
    assert_eq!(forged.len(), cipher.len());
    let mut bytes = krb.bytes.clone();
    bytes[t.cipher.start()..t.cipher.end()].copy_from_slice(&forged);
    let o = proto::kerberos::decrypt::open(
        &bytes,
        at,
        &Keys {
            keytab: kt,
            ..Keys::default()
        },
    );
    assert!(
        o.outcomes[0]
            .checks
            .first()
            .is_some_and(|c| c.contains("INVALID")),
        "{:?}",
        o.outcomes[0]
    );
}

/// MS-KKDCP messages wrapped by latchset's kdcproxy (`tests/fixtures/make_kkdcp.py`): the
/// KDC-PROXY-MESSAGE, then the TCP record length, then the Kerberos message, each a layer.
#[test]
fn kkdcp_messages_unwrap_to_the_kdc_message() {
    let text = std::fs::read_to_string(format!(
        "{}/../tests/fixtures/kerberos/kkdcp.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let ds = decode_all(&text);
    assert_eq!(ds.len(), 2);
    for (d, want) in ds.iter().zip(["Kerberos AS-REQ", "Kerberos TGS-REP"]) {
        assert!(d.error.is_none(), "{:?}", d.error);
        let kinds: Vec<&str> = d.layers.iter().map(|l| l.kind).collect();
        assert_eq!(kinds, ["header", "hex", "kkdcp", "tcp-record", "kerberos"]);
        assert_eq!(d.layers[4].label, want);
    }
    assert_eq!(
        ds[0].layers[2]
            .find("target-domain")
            .unwrap()
            .value
            .display(),
        "CONTOSO.TEST"
    );
}

/// An AS-REQ and a TGS-REP without their APPLICATION tag (the SEQUENCE inside), as some
/// libraries' test data hold them: decoded with a warning, and the reply still decrypts.
#[test]
fn untagged_kdc_bodies_decode_with_a_warning_and_decrypt() {
    let name = "aes128-cts-hmac-sha1-96";
    let ex = String::from_utf8(file(name, "exchange.txt")).unwrap();
    let lines: Vec<&str> = ex.lines().collect();
    let strip = |line: &str| -> String {
        let d = proto::decode::decode(line);
        let krb = d.layers.iter().find(|l| l.kind == "kerberos").unwrap();
        // The APPLICATION tag's header is 2–4 bytes: the SEQUENCE starts at the first 0x30.
        let at = krb.bytes.iter().position(|b| *b == 0x30).unwrap();
        proto::field::hex(&krb.bytes[at..])
    };
    for (line, name_) in [(lines[2], "AS-REQ"), (lines[3], "AS-REP")] {
        let d = proto::decode::decode(&strip(line));
        assert!(d.error.is_none(), "{:?}", d.error);
        assert_eq!(d.layers.last().unwrap().label, format!("Kerberos {name_}"));
        assert!(
            d.warnings
                .iter()
                .any(|w| w.message.contains("tag is missing")),
            "{:?}",
            d.warnings
        );
    }
    let mut ds = decode_all(&strip(lines[3]));
    decrypt_all(
        &mut ds,
        &Keys {
            password: Some("Builder2".into()),
            ..Keys::default()
        },
    );
    let p = parts(&ds);
    assert!(
        p.iter().any(|(n, _, r)| n == "EncASRepPart" && r.is_ok()),
        "{p:?}"
    );
}

/// A HAR file whose entries carry the exchange's headers: each token is a message, and the
/// keytab opens curl's AP-REQ inside it.
#[test]
fn a_har_file_is_read_header_by_header() {
    let name = "aes128-cts-hmac-sha256-128";
    let neg = String::from_utf8(file(name, "negotiate.txt")).unwrap();
    let value = neg.trim().split_once(": ").unwrap().1;
    let entry = |status: u16, req: &str, resp: &str| {
        format!(
            r#"{{"startedDateTime":"2026-11-29T21:00:00Z","time":1,"request":{{"method":"GET","url":"http://localhost/","httpVersion":"HTTP/1.1","headers":[{req}],"cookies":[],"queryString":[],"headersSize":-1,"bodySize":0}},"response":{{"status":{status},"statusText":"","httpVersion":"HTTP/1.1","headers":[{resp}],"cookies":[],"content":{{"size":0,"mimeType":"text/html"}},"redirectURL":"","headersSize":-1,"bodySize":0}},"cache":{{}},"timings":{{"send":0,"wait":0,"receive":0}}}}"#
        )
    };
    let har = format!(
        r#"{{"log":{{"version":"1.2","creator":{{"name":"t","version":"1"}},"entries":[{},{}]}}}}"#,
        entry(
            401,
            "",
            r#"{"name":"WWW-Authenticate","value":"Negotiate"}"#
        ),
        entry(
            200,
            &format!(r#"{{"name":"Authorization","value":"{value}"}}"#),
            ""
        )
    );
    let mut ds = decode_file(har.as_bytes());
    assert_eq!(ds.len(), 1, "the bare `Negotiate` offer is not a message");
    assert_eq!(ds[0].layers[0].label, "HAR entry: request header");
    assert!(ds[0].warnings[0]
        .message
        .starts_with("from HAR entry 2 (GET http://localhost/ → 200)"));
    let mut keys = Keys::default();
    keys.keytab.extend(keytab(name, "http.keytab"));
    decrypt_all(&mut ds, &keys);
    assert!(
        parts(&ds).iter().all(|(_, _, r)| r.is_ok()),
        "{:?}",
        parts(&ds)
    );
}

/// MIT's S4U2Self request (kvno -U bob as HTTP/localhost): PA-FOR-USER and PA-S4U-X509-USER
/// decoded, in the clear padata and inside FAST's KrbFastReq.
#[test]
fn s4u_padata_is_decoded() {
    let name = "aes256-cts-hmac-sha384-192";
    let text = String::from_utf8(file(name, "s4u.txt")).unwrap();
    let mut ds = decode_all(&text);
    let mut keys = Keys::default();
    keys.keytab.extend(keytab(name, "http.keytab"));
    keys.keytab.extend(keytab(name, "krbtgt.keytab"));
    decrypt_all(&mut ds, &keys);
    let tgs = ds
        .iter()
        .find(|d| d.layers.iter().any(|l| l.label == "Kerberos TGS-REQ"))
        .unwrap();
    let krb = tgs.layers.iter().find(|l| l.kind == "kerberos").unwrap();
    assert_eq!(krb.find("userName").unwrap().value.display(), "bob");
    assert_eq!(
        krb.find("userRealm").unwrap().value.display(),
        "CONTOSO.TEST"
    );
    assert!(krb.find("user-id").is_some());
    let fast = tgs.layers.iter().find(|l| l.label == "KrbFastReq").unwrap();
    assert!(fast.find("userName").is_some());
    for x in &tgs.decryption {
        assert!(x.opened_with.is_some(), "{x:?}");
    }
}
