//! camellia128-cts-cmac and camellia256-cts-cmac (RFC 6803, etypes 25 and 26), over RustCrypto's
//! `camellia`, `cmac`, `pbkdf2` and `sha1`. The Kerberos framing (the SP 800-108 feedback KDF, CBC
//! with ciphertext stealing) is the RFC's, by hand; CTS is shared with AES (`crypto::cts_*`).
//!
//! ```text
//! KDF-FEEDBACK-CMAC(key, c): K(0) = 16 zero bytes,
//!   K(i) = CMAC(key, K(i-1) ‖ i ‖ c ‖ 00 ‖ k)   (i and k, the key's bits, as 4 BE bytes)
//!   DK = first k bits of K(1) ‖ K(2) ‖ …
//! saltp = etype name ‖ 00 ‖ salt ("camellia128-cts-cmac" or "camellia256-cts-cmac")
//! tkey = PBKDF2-HMAC-SHA1(pw, saltp, 32768 by default)    key = DK(tkey, "kerberos")
//! Ke = DK(key, usage‖AA)  Ki = DK(key, usage‖55)  Kc = DK(key, usage‖99)
//! out = CTS(Ke, conf‖plain) ‖ CMAC(Ki, conf‖plain)    checksum 17/18 = CMAC(Kc, data)
//! ```

use super::crypto::{
    cts_decrypt_with, cts_encrypt_with, usage_constant, Block16, CryptoError, Key, SaltpStringToKey,
};
use cmac::{Cmac, KeyInit, Mac};

pub const CAMELLIA128_CTS_CMAC: i32 = 25;
pub const CAMELLIA256_CTS_CMAC: i32 = 26;

/// CMAC-Camellia of the concatenated `parts` under a 16- or 32-byte key.
fn cmac(key: &[u8], parts: &[&[u8]]) -> Result<[u8; 16], CryptoError> {
    fn run<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> Result<[u8; 16], CryptoError> {
        let mut m = <M as KeyInit>::new_from_slice(key).map_err(|_| CryptoError::BadKey)?;
        for p in parts {
            m.update(p);
        }
        let out = m.finalize().into_bytes();
        let mut b = [0u8; 16];
        for (d, s) in b.iter_mut().zip(out.iter()) {
            *d = *s;
        }
        Ok(b)
    }
    match key.len() {
        16 => run::<Cmac<camellia::Camellia128>>(key, parts),
        32 => run::<Cmac<camellia::Camellia256>>(key, parts),
        _ => Err(CryptoError::BadKey),
    }
}

/// KDF-FEEDBACK-CMAC (RFC 6803 §2; NIST SP 800-108 §5.2): a key of the same length as `key`.
pub fn dk(key: &[u8], constant: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let bits = u32::try_from(key.len() * 8).unwrap_or(0).to_be_bytes();
    let mut prev = [0u8; 16];
    let mut out = Vec::with_capacity(key.len() + 16);
    let mut i: u32 = 1;
    while out.len() < key.len() {
        prev = cmac(key, &[&prev, &i.to_be_bytes(), constant, &[0], &bits])?;
        out.extend_from_slice(&prev);
        i += 1;
    }
    out.truncate(key.len());
    Ok(out)
}

/// RFC 6803 §3 string-to-key (iterations from the s2kparams, 32768 by default).
pub fn string_to_key(
    etype: i32,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Result<SaltpStringToKey, CryptoError> {
    let len = match etype {
        CAMELLIA128_CTS_CMAC => 16,
        CAMELLIA256_CTS_CMAC => 32,
        _ => return Err(CryptoError::UnsupportedEtype),
    };
    let saltp = SaltpStringToKey::saltp(etype, salt);
    let mut tkey = vec![0u8; len];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, &saltp, iterations, &mut tkey);
    let key = dk(&tkey, b"kerberos")?;
    Ok(SaltpStringToKey {
        saltp,
        iterations,
        pbkdf2: tkey,
        key,
    })
}

fn check_len(key: &Key) -> Result<(), CryptoError> {
    let want = if key.etype == CAMELLIA128_CTS_CMAC {
        16
    } else {
        32
    };
    if key.bytes.len() == want {
        Ok(())
    } else {
        Err(CryptoError::BadKey)
    }
}

/// RFC 6803 §4 encryption (RFC 3961 §5.3's profile with CMAC as the integrity hash).
pub fn encrypt(
    key: &Key,
    usage: u32,
    confounder: &[u8; 16],
    plain: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    check_len(key)?;
    let ke = dk(&key.bytes, &usage_constant(usage, 0xaa))?;
    let ki = dk(&key.bytes, &usage_constant(usage, 0x55))?;
    let mut data = confounder.to_vec();
    data.extend_from_slice(plain);
    let mut out = cts_encrypt_with(&Block16::camellia(&ke)?, &data)?;
    out.extend_from_slice(&cmac(&ki, &[&data])?);
    Ok(out)
}

/// The inverse of [`encrypt`]: the plaintext without its confounder.
pub fn decrypt(key: &Key, usage: u32, cipher: &[u8]) -> Result<Vec<u8>, CryptoError> {
    check_len(key)?;
    if cipher.len() < 16 + 16 {
        return Err(CryptoError::TooShort);
    }
    let ke = dk(&key.bytes, &usage_constant(usage, 0xaa))?;
    let ki = dk(&key.bytes, &usage_constant(usage, 0x55))?;
    let (body, mac) = cipher.split_at(cipher.len() - 16);
    let data = cts_decrypt_with(&Block16::camellia(&ke)?, body)?;
    if cmac(&ki, &[&data])?.as_slice() != mac {
        return Err(CryptoError::Integrity);
    }
    Ok(data.get(16..).unwrap_or(&[]).to_vec())
}

/// cmac-camellia128 and cmac-camellia256 (checksum types 17 and 18): CMAC under Kc.
pub fn checksum(key: &Key, usage: u32, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    check_len(key)?;
    let kc = dk(&key.bytes, &usage_constant(usage, 0x99))?;
    Ok(cmac(&kc, &[data])?.to_vec())
}

/// The Camellia PRF (RFC 6803 §4): CMAC of the input under DK(key, "prf").
pub fn prf(key: &Key, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    check_len(key)?;
    Ok(cmac(&dk(&key.bytes, b"prf")?, &[data])?.to_vec())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        crate::field::unhex(s).unwrap()
    }

    fn key(bytes: &str) -> Key {
        let b = unhex(bytes);
        Key {
            etype: if b.len() == 16 {
                CAMELLIA128_CTS_CMAC
            } else {
                CAMELLIA256_CTS_CMAC
            },
            bytes: b,
        }
    }

    #[test]
    fn rfc6803_string_to_key_and_derived_keys() {
        // RFC 6803 §10: string-to-key of "password", salt "ATHENA.MIT.EDUraeburn", 1 iteration,
        // then Kc, Ke and Ki of usage 2.
        let k128 = string_to_key(25, b"password", b"ATHENA.MIT.EDUraeburn", 1).unwrap();
        assert_eq!(k128.key, unhex("57d0297298ffd9d35de5a47fb4bde24b"));
        let k256 = string_to_key(26, b"password", b"ATHENA.MIT.EDUraeburn", 1).unwrap();
        assert_eq!(
            k256.key,
            unhex("b9d6828b2056b7be656d88a123b1fac68214ac2b727ecf5f69afe0c4df2a6d2c")
        );
        // MIT's t_str2key.c: the same password with 2 and 1200 iterations.
        assert_eq!(
            string_to_key(25, b"password", b"ATHENA.MIT.EDUraeburn", 1200)
                .unwrap()
                .key,
            unhex("8e571145452855575fd916e7b04487aa")
        );
        for (base, c, e, i) in [
            (
                "57d0297298ffd9d35de5a47fb4bde24b",
                "d155775a209d05f02b38d42a389e5a56",
                "64df83f85a532f17577d8c37035796ab",
                "3e4fbdf30fb8259c425cb6c96f1f4635",
            ),
            (
                "b9d6828b2056b7be656d88a123b1fac68214ac2b727ecf5f69afe0c4df2a6d2c",
                "e467f9a9552bc7d3155a6220af9c19220eeed4ff78b0d1e6a1544991461a9e50",
                "412aefc362a7285fc3966c6a5181e7605ae675235b6d549fbfc9ab6630a4c604",
                "fa624fa0e523993fa388aefdc67e67ebcd8c08e8a0246b1d73b0d1dd9fc582b0",
            ),
        ] {
            let b = unhex(base);
            assert_eq!(dk(&b, &unhex("0000000299")).unwrap(), unhex(c));
            assert_eq!(dk(&b, &unhex("00000002aa")).unwrap(), unhex(e));
            assert_eq!(dk(&b, &unhex("0000000255")).unwrap(), unhex(i));
        }
    }

    #[test]
    fn rfc6803_encryption_and_checksums() {
        // RFC 6803 §10 sample encryptions (with the key usages of its erratum 3836).
        for (k, usage, conf, plain, ct) in [
            ("1dc46a8d763f4f93742bcba3387576c3", 0, "b69822a19a6b09c0ebc8557d1f1b6c0a", &b""[..],
             "c466f1871069921edb7c6fde244a52db0ba10edc197bdb8006658ca3ccce6eb8"),
            ("5027bc231d0f3a9d23333f1ca6fdbe7c", 1, "6f2fc3c2a166fd8898967a83de9596d9", b"1",
             "842d21fd950311c0dd464a3f4be8d6da88a56d559c9b47d3f9a85067af661559b8"),
            ("a1bb61e805f9ba6dde8fdbddc05cdea0", 2, "a5b4a71e077aeef93c8763c18fdb1f10", b"9 bytesss",
             "619ff072e36286ff0a28deb3a352ec0d0edf5c5160d663c901758ccf9d1ed33d71db8f23aabf8348a0"),
            ("2ca27a5faf5532244506434e1cef6676", 3, "19fee40d810c524b5b22f01874c693da", b"13 bytes byte",
             "b8eca3167ae6315512e59f98a7c500205e5f63ff3bb389af1c41a21d640d8615c9ed3fbeb05ab6acb67689b5ea"),
            ("7824f8c16f83ff354c6bf7515b973f43", 4, "ca7a7ab4be192dabd603506db19c39e2", b"30 bytes bytes bytes bytes byt",
             "a26a3905a4ffd5816b7b1e27380d08090c8ec1f304496e1abdcd2bdcd1dffc660989e117a713ddbb57a4146c1587cba4356665591d2240282f5842b105a5"),
            ("b61c86cc4e5d2757545ad423399fb7031ecab913cbb900bd7a3c6dd8bf92015b", 0, "3cbbd2b45917941067f96599bb98926c", b"",
             "03886d03310b47a6d8f06d7b94d1dd837ecce315ef652aff620859d94a259266"),
            ("1b97fe0a190e2021eb30753e1b6e1e77b0754b1d684610355864104963463833", 1, "def487fcebe6de6346d4da4521bba2d2", b"1",
             "2c9c1570133c99bf6a34bc1b0212002fd194338749db4135497a347cfcd9d18a12"),
            ("32164c5b434d1d1538e4cfd9be8040fe8c4ac7acc4b93d3314d2133668147a05", 2, "ad4ff904d34e555384b14100fc465f88", b"9 bytesss",
             "9c6de75f812de7ed0d28b2963557a115640998275b0af5152709913ff52a2a9c8e63b872f92e64c839"),
            ("b038b132cd8e06612267fab7170066d88aeccba0b744bfc60dc89bca182d0715", 3, "cf9bca6df1144e0c0af9b8f34c90d514", b"13 bytes byte",
             "eeec85a9813cdc536772ab9b42defc5706f726e975dde05a87eb5406ea324ca185c9986b42aabe794b84821bee"),
            ("ccfcd349bf4c6677e86e4b02b8eab924a546ac731cf9bf6989b996e7d6bfbba7", 4, "644def38da35007275878d216855e228", b"30 bytes bytes bytes bytes byt",
             "0e44680985855f2d1f1812529ca83bfd8e349de6fd9ada0baaa048d68e265febf34ad1255a344999ad37146887a6c6845731ac7f46376a0504cd06571474"),
        ] {
            let k = key(k);
            let mut c = [0u8; 16];
            c.copy_from_slice(&unhex(conf));
            let out = encrypt(&k, usage, &c, plain).unwrap();
            assert_eq!(out, unhex(ct), "usage {usage}");
            assert_eq!(decrypt(&k, usage, &out).unwrap(), plain);
            assert_eq!(decrypt(&k, usage + 1, &out), Err(CryptoError::Integrity));
        }
        for (k, usage, data, mic) in [
            (
                "1dc46a8d763f4f93742bcba3387576c3",
                7,
                &b"abcdefghijk"[..],
                "1178e6c5c47a8c1ae0c4b9c7d4eb7b6b",
            ),
            (
                "5027bc231d0f3a9d23333f1ca6fdbe7c",
                8,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                "d1b34f7004a731f23a0c00bf6c3f753a",
            ),
            (
                "b61c86cc4e5d2757545ad423399fb7031ecab913cbb900bd7a3c6dd8bf92015b",
                9,
                b"123456789",
                "87a12cfd2b96214810f01c826e7744b1",
            ),
            (
                "32164c5b434d1d1538e4cfd9be8040fe8c4ac7acc4b93d3314d2133668147a05",
                10,
                b"!@#$%^&*()!@#$%^&*()!@#$%^&*()",
                "3fa0b42355e52b189187294aa252ab64",
            ),
        ] {
            let k = key(k);
            let sum = checksum(&k, usage, data).unwrap();
            assert_eq!(sum, unhex(mic));
        }
    }
}
