//! The public entry points exercised by the fuzz targets (`proto/fuzz/`) and by the corpus replay
//! test (`proto/tests/fuzz_corpus.rs`), so both run exactly the same code.
//!
//! Each takes arbitrary bytes and must return without panicking.

use crate::http::{self, Profile, Source};

/// Header values, one per line (the CLI's arguments), through the parser and every profile.
pub fn challenge(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let values: Vec<&str> = text.split('\n').collect();
    let source = Source::from_values(&values);
    run_all_profiles(&source);
}

/// A pasted block (status line, headers, obs-fold), through the parser and every profile.
pub fn paste(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    run_all_profiles(&Source::from_paste(&text));
}

/// `Authorization: Basic` decoding in both charsets.
pub fn basic_decode(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for cs in [crate::basic::Charset::Utf8, crate::basic::Charset::Latin1] {
        if let Ok(d) = crate::basic::decode(&text, cs) {
            assert!(d.token_span.end() <= text.len());
            assert!(d.user_bytes.end() <= d.bytes.len());
        }
    }
}

fn run_all_profiles(source: &Source) {
    let parsed = http::parse(source);
    for c in &parsed.challenges {
        assert!(c.span.end() <= source.text.len() && c.span.start() <= c.span.end());
        for p in &c.params {
            assert!(
                source.text.get(p.span.range()).is_some(),
                "param span not on char boundaries"
            );
        }
    }
    for d in &parsed.diagnostics {
        assert!(d.span.end() <= source.text.len());
    }
    for p in Profile::ALL {
        let choice = p.choose(source, &parsed);
        for s in &choice.seen {
            assert!(
                source.text.get(s.span.range()).is_some(),
                "seen span not on char boundaries"
            );
        }
        let _ = http::report_from(&parsed, &choice);
    }
}

/// Raw bytes as an NTLM message: every span of every field must lie inside the message.
pub fn ntlm(data: &[u8]) {
    let d = crate::ntlm::decode(data);
    check_spans(&d.fields, data.len());
}

fn check_spans(fields: &[crate::field::Field], len: usize) {
    for f in fields {
        assert!(f.span.end() <= len, "{} {:?} beyond {len}", f.name, f.span);
        check_spans(&f.children, len);
    }
}

/// Pasted text through the whole "decode anything" pipeline, and its JSON form.
pub fn decode(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let d = crate::decode::decode(&text);
    for l in &d.layers {
        check_spans(&l.fields, l.bytes.len());
    }
    let _ = d.to_json();
}

/// A site definition file (TOML with metabase names) through the parser and, when it parses,
/// one request through the engine.
pub fn site_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(site) = crate::iis::site_file::parse(&text, "fuzz") {
        let mut host = crate::iis::host::Host::new(site);
        let _ = host.handle(
            &crate::iis::Request::get("/lab/fuzz/", "web01", 1, 0),
            [0; 8],
        );
    }
}

#[cfg(feature = "kerberos")]
/// Raw bytes as a Negotiate token (GSS, SPNEGO, Kerberos) and as a bare Kerberos message, with
/// the search for encrypted parts and a decryption attempt with a fixed password: every span
/// inside its layer.
pub fn negotiate(data: &[u8]) {
    let p = crate::spnego::peel(data, crate::Span::new(0, data.len()));
    for l in &p.layers {
        check_spans(&l.fields, l.bytes.len());
    }
    let mut w = crate::kerberos::message::Walk::default();
    let (_, f) = crate::kerberos::message::decode_at(data, 0, data.len(), &mut w);
    check_spans(std::slice::from_ref(&f), data.len());
    for s in crate::kerberos::decrypt::find(data, 0) {
        assert!(s.cipher.end() <= data.len());
    }
    let keys = crate::kerberos::decrypt::Keys {
        password: Some("p".into()),
        ..Default::default()
    };
    let o = crate::kerberos::decrypt::open(data, 0, &keys);
    for l in &o.layers {
        check_spans(&l.fields, l.bytes.len());
    }
}

#[cfg(feature = "full-kerberos")]
/// A file dropped on the Decoder (credential cache, keytab, KRB-CRED, KKDCP, a saved message) and
/// its decryption with the keys it carries and a fixed key of every etype: every span inside its
/// layer, every decryption record pointing at a layer that exists.
pub fn kerberos_file(data: &[u8]) {
    let mut ds = crate::input::decode_file(data);
    // Keys of every etype (a password would cost a string-to-key per part: the `negotiate`
    // target covers it).
    let mut keys = crate::kerberos::decrypt::Keys::default();
    for etype in [1, 3, 16, 17, 18, 19, 20, 23, 24, 25, 26] {
        let len = match etype {
            1 | 3 => 8,
            16 => 24,
            17 | 19 | 23 | 24 | 25 => 16,
            _ => 32,
        };
        keys.raw.push(crate::kerberos::crypto::Key {
            etype,
            bytes: vec![0x42; len],
        });
    }
    crate::decode::decrypt_all(&mut ds, &keys);
    for d in &ds {
        for l in &d.layers {
            check_spans(&l.fields, l.bytes.len());
        }
        for x in &d.decryption {
            assert!(x.layer < d.layers.len());
            assert!(x.plaintext_layer.is_none_or(|p| p < d.layers.len()));
        }
        let _ = d.to_json();
    }
}

#[cfg(feature = "full-kerberos")]
/// Raw bytes as a PAC: its fields (spans inside it) and its signatures checked.
pub fn pac(data: &[u8]) {
    let f = crate::kerberos::pac::fields(0, data);
    check_spans(&f, data.len());
    let key = crate::kerberos::crypto::Key {
        etype: 18,
        bytes: vec![1; 32],
    };
    let _ = crate::kerberos::pac::verify(
        data,
        Some((&key, "k")),
        &[(key.clone(), "k".into())],
        Some(data),
    );
}

#[cfg(feature = "full-kerberos")]
/// Every etype's decrypt, checksum, PRF and KRB-FX-CF2 on arbitrary bytes and key lengths.
pub fn crypto(data: &[u8]) {
    use crate::kerberos::crypto::{self, Key};
    let (head, rest) = data.split_at(data.len().min(33));
    for etype in [1, 3, 16, 17, 18, 19, 20, 23, 24, 25, 26] {
        let key = Key {
            etype,
            bytes: head.to_vec(),
        };
        let _ = crypto::decrypt(&key, 2, rest);
        let _ = crypto::checksum(&key, 17, rest);
        let _ = crypto::verify_checksum(&key, 17, i64::from(etype), rest, head);
        let _ = crypto::prf(&key, rest);
        let _ = crypto::cf2(&key, &key, b"a", b"b");
    }
}

#[cfg(feature = "kerberos")]
/// A keytab file's bytes.
pub fn keytab(data: &[u8]) {
    let _ = crate::kerberos::keytab::parse(data);
}

#[cfg(feature = "kerberos")]
/// Raw bytes through the DER reader, element by element and into every constructed one: every
/// element lies inside its parent.
pub fn der(data: &[u8]) {
    fn walk(data: &[u8], at: usize, end: usize, depth: usize) {
        let mut pos = at;
        while pos < end && depth < 64 {
            let Ok(t) = crate::asn1::read(data, pos, end) else {
                return;
            };
            assert!(t.start == pos && t.content <= t.end && t.end <= end);
            let _ = crate::asn1::integer(t.content(data));
            let _ = crate::asn1::oid(t.content(data));
            let _ = crate::asn1::generalized_time(t.content(data));
            if t.constructed {
                walk(data, t.content, t.end, depth + 1);
            }
            pos = t.end;
        }
    }
    walk(data, 0, data.len(), 0);
}

#[cfg(feature = "kerberos")]
/// HAR files: the reader, every entry, the exchanges, their steps and the exports.
pub fn har(data: &[u8]) {
    let Ok(mut r) = crate::har::Reader::new(data) else {
        return;
    };
    let mut all = Vec::new();
    while let Some(e) = r.next_entry() {
        match e {
            Ok(e) => {
                assert!(e.span.end() <= data.len());
                all.push(e)
            }
            Err(err) => {
                assert!(err.offset <= data.len());
                break;
            }
        }
    }
    for x in crate::har::exchanges(&all) {
        let _ = crate::export::mermaid(&x.steps, &[]);
        for s in &x.steps {
            if let Some(h) = &s.http {
                let _ = crate::export::curl(h, "http://h");
            }
        }
    }
}
