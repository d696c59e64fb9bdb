//! Replays the fuzz corpus (`proto/fuzz/corpus/<target>/`) through the same entry points the fuzz
//! targets call, plus a deterministic stream of generated inputs, as an ordinary test: no input
//! may panic (a panic in wasm kills the page).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod support;

use std::path::Path;

fn replay(target: &str, entry: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = e.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        entry(&data);
        n += 1;
    }
    n
}

#[test]
fn corpus_replays_without_panics() {
    assert!(replay("challenge", proto::fuzz_entries::challenge) >= 20);
    assert!(replay("paste", proto::fuzz_entries::paste) >= 5);
    assert!(replay("basic_decode", proto::fuzz_entries::basic_decode) >= 5);
    assert!(replay("ntlm", proto::fuzz_entries::ntlm) >= 3);
    assert!(replay("decode", proto::fuzz_entries::decode) >= 3);
    assert!(replay("site_file", proto::fuzz_entries::site_file) >= 2);
    assert!(replay("negotiate", proto::fuzz_entries::negotiate) >= 13);
    assert!(replay("keytab", proto::fuzz_entries::keytab) >= 1);
    assert!(replay("har", proto::fuzz_entries::har) >= 3);
    #[cfg(feature = "full-kerberos")]
    {
        assert!(replay("kerberos_file", proto::fuzz_entries::kerberos_file) >= 6);
        assert!(replay("pac", proto::fuzz_entries::pac) >= 2);
        assert!(replay("crypto", proto::fuzz_entries::crypto) >= 1);
    }
}

/// JSON-shaped bytes around a HAR skeleton, so the reader gets past `log.entries`.
#[test]
fn generated_har_does_not_panic() {
    const JSON: &[u8] = b"{}[]:,\"\\u0d83 0123456789.e-truefalsenull\x00\xff";
    let mut g = support::Gen(0x2545_F491_4F6C_DD1D);
    for _ in 0..20_000 {
        let mut data =
            br#"{"log":{"entries":[{"request":{"headers":[{"name":"Authorization","value":"NTLM "#
                .to_vec();
        data.extend(g.bytes(JSON, 64));
        proto::fuzz_entries::har(&data);
    }
}

/// Bytes biased towards the characters the grammars care about.
const ALPHABET: &[u8] =
    b"Basic realm=\"\\,'= \t\r\n:;NTLMnegotiate/+Digest nonce=x\xc3\xa4\xff\x00";

#[test]
fn generated_inputs_do_not_panic() {
    let mut g = support::Gen(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let data = g.bytes(ALPHABET, 64);
        proto::fuzz_entries::challenge(&data);
        proto::fuzz_entries::paste(&data);
        proto::fuzz_entries::basic_decode(&data);
        proto::fuzz_entries::ntlm(&data);
        proto::fuzz_entries::decode(&data);
    }
}

/// DER-shaped bytes: tags and lengths that nest, so the Kerberos walker goes deep.
#[test]
fn generated_der_does_not_panic() {
    const DER: &[u8] = b"\x60\x6e\x6a\x6b\x6c\x6d\x6f\x7e\x61\x30\xa0\xa1\xa2\xa3\xa4\xa5\x02\x04\x06\x18\x1b\x03\x01\x05\x0e\x80\x81\x82\x00\xff\x7f\x1f";
    let mut g = support::Gen(0x0123_4567_89AB_CDEF);
    for _ in 0..20_000 {
        let data = g.bytes(DER, 48);
        proto::fuzz_entries::negotiate(&data);
        proto::fuzz_entries::keytab(&data);
    }
}
