//! authscope's Kerberos encryption against impacket's (an independent implementation), byte for
//! byte: string-to-key, encrypt with a fixed confounder, decrypt
//! (`tests/fixtures/kerberos/impacket-crypto.json`, provenance in `tests/fixtures/README.md`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod support;

use proto::kerberos::crypto::{decrypt, encrypt, string_to_key, CryptoError};
use support::unhex;

#[test]
fn keys_and_ciphertexts_match_impacket() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/kerberos/impacket-crypto.json"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 36);
    for c in cases {
        let etype = c["etype"].as_i64().unwrap() as i32;
        let key = string_to_key(
            etype,
            c["password"].as_str().unwrap(),
            c["salt"].as_str().unwrap(),
        )
        .unwrap();
        assert_eq!(key.bytes, unhex(c["key"].as_str().unwrap()), "{c}");
        let usage = c["usage"].as_u64().unwrap() as u32;
        let mut confounder = [0u8; 16];
        let conf = unhex(c["confounder"].as_str().unwrap());
        confounder[..conf.len()].copy_from_slice(&conf);
        let plain = unhex(c["plain"].as_str().unwrap());
        let cipher = unhex(c["cipher"].as_str().unwrap());
        assert_eq!(
            encrypt(&key, usage, &confounder, &plain).unwrap(),
            cipher,
            "{c}"
        );
        // DES and DES3 pad to 8 bytes with zeros; the plaintext keeps the padding.
        let opened = decrypt(&key, usage, &cipher).unwrap();
        assert!(
            opened.starts_with(&plain)
                && opened.len() - plain.len() < 8
                && opened[plain.len()..].iter().all(|b| *b == 0),
            "{c}"
        );
        // Single DES does not use the key usage (RFC 3961 §6.2).
        if !matches!(etype, 1 | 3) {
            assert_eq!(
                decrypt(&key, usage + 1, &cipher),
                Err(CryptoError::Integrity),
                "{c}"
            );
        }
    }
}
