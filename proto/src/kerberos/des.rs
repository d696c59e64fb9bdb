//! Single and triple DES for Kerberos: des-cbc-crc and des-cbc-md5 (RFC 3961 §6.2, etypes 1 and 3,
//! legacy: removed from MIT Kerberos 1.18 and off by default since Windows 7 and Server 2008 R2)
//! and des3-cbc-sha1-kd (RFC 3961 §6.3, etype 16), over RustCrypto's `des`, `md-5` and `sha1`.
//! The Kerberos framing (the DES fan-fold string-to-key, parity and weak-key correction, DES3
//! random-to-key and DK, the CBC chaining, the modified CRC-32) is the RFC's pseudocode, by hand.
//!
//! ```text
//! des-cbc-crc / des-cbc-md5 (RFC 3961 §6.2)       des3-cbc-sha1-kd (RFC 3961 §6.3)
//! s = pw ‖ salt, padded with zeros to 8           tkey = random-to-key(168-fold(pw ‖ salt))
//! t = fan-fold(s) (2nd, 4th… blocks reversed)       key  = DK(tkey, "kerberos")
//! t = correct(parity(t))                           Ke = DK(key, usage‖AA), Ki = DK(key, usage‖55)
//! key = correct(last block of DES-CBC(t, iv t, s)) P = conf(8) ‖ plain ‖ zeros to 8
//! P = conf(8) ‖ cksum ‖ plain ‖ zeros to 8         out = 3DES-CBC(Ke, 0, P) ‖ HMAC-SHA1(Ki, P)
//!   cksum = CRC-32 (4, iv = key) or MD5 (16, iv 0) of P with cksum zeroed
//! out = DES-CBC(key, iv, P)                        checksum 12 = HMAC-SHA1(DK(key, usage‖99), data)
//! ```
//! Key usage does not enter single DES (RFC 3961 §6.2): any key usage opens it.

use super::crypto::{hmac_sha1, n_fold, usage_constant, CryptoError, Key};
use des::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};

pub const DES_CBC_CRC: i32 = 1;
pub const DES_CBC_MD5: i32 = 3;
pub const DES3_CBC_SHA1_KD: i32 = 16;

/// DES or triple DES (EDE3), by key length.
enum Cipher8 {
    Single(des::Des),
    Triple(Box<des::TdesEde3>),
}

impl Cipher8 {
    fn new(key: &[u8]) -> Result<Cipher8, CryptoError> {
        match key.len() {
            8 => des::Des::new_from_slice(key)
                .map(Cipher8::Single)
                .map_err(|_| CryptoError::BadKey),
            24 => des::TdesEde3::new_from_slice(key)
                .map(|c| Cipher8::Triple(Box::new(c)))
                .map_err(|_| CryptoError::BadKey),
            _ => Err(CryptoError::BadKey),
        }
    }
    fn encrypt(&self, block: &mut [u8; 8]) {
        let mut b = (*block).into();
        match self {
            Cipher8::Single(c) => c.encrypt_block(&mut b),
            Cipher8::Triple(c) => c.encrypt_block(&mut b),
        }
        *block = b.into();
    }
    fn decrypt(&self, block: &mut [u8; 8]) {
        let mut b = (*block).into();
        match self {
            Cipher8::Single(c) => c.decrypt_block(&mut b),
            Cipher8::Triple(c) => c.decrypt_block(&mut b),
        }
        *block = b.into();
    }
}

fn block(data: &[u8]) -> [u8; 8] {
    let mut b = [0u8; 8];
    for (d, s) in b.iter_mut().zip(data) {
        *d = *s;
    }
    b
}

/// CBC over whole 8-byte blocks (the caller pads).
fn cbc_encrypt(c: &Cipher8, iv: [u8; 8], data: &[u8]) -> Vec<u8> {
    let mut prev = iv;
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks(8) {
        let mut b = block(chunk);
        for (x, p) in b.iter_mut().zip(prev) {
            *x ^= p;
        }
        c.encrypt(&mut b);
        out.extend_from_slice(&b);
        prev = b;
    }
    out
}

fn cbc_decrypt(c: &Cipher8, iv: [u8; 8], data: &[u8]) -> Vec<u8> {
    let mut prev = iv;
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks(8) {
        let cb = block(chunk);
        let mut b = cb;
        c.decrypt(&mut b);
        for (x, p) in b.iter_mut().zip(prev) {
            *x ^= p;
        }
        out.extend_from_slice(&b);
        prev = cb;
    }
    out
}

fn pad8(data: &mut Vec<u8>) {
    while data.len() % 8 != 0 {
        data.push(0);
    }
}

/// Odd parity in each byte's low bit (FIPS 46-3).
fn fix_parity(key: &mut [u8]) {
    for b in key {
        let high = *b & 0xfe;
        *b = if high.count_ones() % 2 == 0 {
            high | 1
        } else {
            high
        };
    }
}

/// The four weak and twelve semi-weak DES keys (FIPS 74 §3.6), with parity.
const WEAK: [[u8; 8]; 16] = [
    [0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01],
    [0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe],
    [0xe0, 0xe0, 0xe0, 0xe0, 0xf1, 0xf1, 0xf1, 0xf1],
    [0x1f, 0x1f, 0x1f, 0x1f, 0x0e, 0x0e, 0x0e, 0x0e],
    [0x01, 0xfe, 0x01, 0xfe, 0x01, 0xfe, 0x01, 0xfe],
    [0xfe, 0x01, 0xfe, 0x01, 0xfe, 0x01, 0xfe, 0x01],
    [0x1f, 0xe0, 0x1f, 0xe0, 0x0e, 0xf1, 0x0e, 0xf1],
    [0xe0, 0x1f, 0xe0, 0x1f, 0xf1, 0x0e, 0xf1, 0x0e],
    [0x01, 0xe0, 0x01, 0xe0, 0x01, 0xf1, 0x01, 0xf1],
    [0xe0, 0x01, 0xe0, 0x01, 0xf1, 0x01, 0xf1, 0x01],
    [0x1f, 0xfe, 0x1f, 0xfe, 0x0e, 0xfe, 0x0e, 0xfe],
    [0xfe, 0x1f, 0xfe, 0x1f, 0xfe, 0x0e, 0xfe, 0x0e],
    [0x01, 0x1f, 0x01, 0x1f, 0x01, 0x0e, 0x01, 0x0e],
    [0x1f, 0x01, 0x1f, 0x01, 0x0e, 0x01, 0x0e, 0x01],
    [0xe0, 0xfe, 0xe0, 0xfe, 0xf1, 0xfe, 0xf1, 0xfe],
    [0xfe, 0xe0, 0xfe, 0xe0, 0xfe, 0xf1, 0xfe, 0xf1],
];

/// RFC 3961 §6.2 `key_correction`: parity, then a weak key has its last byte XORed with F0.
fn key_correction(key: &mut [u8; 8]) {
    fix_parity(key);
    if WEAK.contains(key) {
        key[7] ^= 0xf0;
    }
}

/// Every step of a DES string-to-key, for the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesStringToKey {
    /// `password ‖ salt`, zero-padded to 8 bytes.
    pub s: Vec<u8>,
    /// The fan-folded 56 bits with parity, corrected (`tempkey`).
    pub folded: [u8; 8],
    /// The last block of DES-CBC(tempkey, iv = tempkey, s), corrected.
    pub key: [u8; 8],
}

/// `mit_des_string_to_key` (RFC 3961 §6.2): the 7 low bits of each byte fan-folded, every other
/// block bit-reversed, then a DES-CBC checksum of the string under that key.
pub fn des_string_to_key(password: &[u8], salt: &[u8]) -> DesStringToKey {
    let mut s = password.to_vec();
    s.extend_from_slice(salt);
    pad8(&mut s);
    if s.is_empty() {
        s = vec![0; 8];
    }
    let mut t = [0u8; 8];
    for (i, chunk) in s.chunks(8).enumerate() {
        let b = block(chunk);
        // Odd blocks: the 7 low bits, moved up over the parity bit. Even blocks: the 56-bit
        // string reversed, i.e. byte 7 - j with its 7 low bits mirrored.
        let mut v = b.map(|x| x << 1);
        if i % 2 == 1 {
            v = b.map(|x| (x & 0x7f).reverse_bits());
            v.reverse();
        }
        for (x, y) in t.iter_mut().zip(v) {
            *x ^= y;
        }
    }
    key_correction(&mut t);
    let folded = t;
    let mut key = [0u8; 8];
    if let Ok(c) = Cipher8::new(&t) {
        let out = cbc_encrypt(&c, t, &s);
        key = block(out.get(out.len().saturating_sub(8)..).unwrap_or(&[]));
    }
    key_correction(&mut key);
    DesStringToKey { s, folded, key }
}

/// The modified CRC-32 of des-cbc-crc and checksum type 1 (RFC 3961 §6.1.3): ISO 3309's
/// polynomial, reflected, with neither the initial nor the final inversion; little-endian.
pub fn crc32(data: &[u8]) -> [u8; 4] {
    let mut crc: u32 = 0;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    crc.to_le_bytes()
}

/// Single DES encryption (RFC 3961 §6.2.1 and §6.2.3): `confounder` is 8 bytes.
pub fn des_encrypt(key: &Key, confounder: &[u8], plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let c = Cipher8::new(&key.bytes)?;
    let crc = key.etype == DES_CBC_CRC;
    let sum_len = if crc { 4 } else { 16 };
    let mut p = confounder.get(..8).ok_or(CryptoError::TooShort)?.to_vec();
    p.extend(std::iter::repeat_n(0, sum_len));
    p.extend_from_slice(plain);
    pad8(&mut p);
    let sum = if crc {
        crc32(&p).to_vec()
    } else {
        crate::ntlm::crypto::md5(&p).to_vec()
    };
    if let Some(slot) = p.get_mut(8..8 + sum_len) {
        slot.copy_from_slice(&sum);
    }
    let iv = if crc { block(&key.bytes) } else { [0; 8] };
    Ok(cbc_encrypt(&c, iv, &p))
}

/// The inverse of [`des_encrypt`]: the plaintext after confounder and checksum, padding kept.
pub fn des_decrypt(key: &Key, cipher: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let c = Cipher8::new(&key.bytes)?;
    let crc = key.etype == DES_CBC_CRC;
    let sum_len = if crc { 4 } else { 16 };
    if cipher.len() < 8 + sum_len || cipher.len() % 8 != 0 {
        return Err(CryptoError::TooShort);
    }
    let iv = if crc { block(&key.bytes) } else { [0; 8] };
    let mut p = cbc_decrypt(&c, iv, cipher);
    let given = p.get(8..8 + sum_len).unwrap_or(&[]).to_vec();
    if let Some(slot) = p.get_mut(8..8 + sum_len) {
        slot.fill(0);
    }
    let sum = if crc {
        crc32(&p).to_vec()
    } else {
        crate::ntlm::crypto::md5(&p).to_vec()
    };
    if sum != given {
        return Err(CryptoError::Integrity);
    }
    Ok(p.get(8 + sum_len..).unwrap_or(&[]).to_vec())
}

/// rsa-md5-des (checksum type 8, RFC 3961 §6.2.5): DES-CBC under the key XOR F0F0…F0 of a
/// confounder and MD5(confounder ‖ data); verified by decrypting it.
pub fn verify_md5_des(key: &Key, data: &[u8], given: &[u8]) -> Result<bool, CryptoError> {
    let mut k = key.bytes.clone();
    for b in &mut k {
        *b ^= 0xf0;
    }
    let c = Cipher8::new(&k)?;
    if given.len() != 24 {
        return Ok(false);
    }
    let p = cbc_decrypt(&c, [0; 8], given);
    let conf = p.get(..8).unwrap_or(&[]);
    Ok(crate::ntlm::crypto::md5(&[conf, data].concat()).get(..) == p.get(8..))
}

/// DES3 random-to-key (RFC 3961 §6.3.1): each 7 bytes become 8, the eighth byte collecting the
/// low bits of the seven, then odd parity.
pub fn des3_random_to_key(r: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(24);
    for seven in r.chunks(7).take(3) {
        let mut k = [0u8; 8];
        for (d, s) in k.iter_mut().zip(seven) {
            *d = *s;
        }
        k[7] = k
            .iter()
            .take(7)
            .enumerate()
            .fold(0u8, |acc, (i, b)| acc | ((b & 1) << (i + 1)));
        fix_parity(&mut k);
        out.extend_from_slice(&k);
    }
    out
}

/// DK for DES3 (RFC 3961 §5.1): random-to-key of the first 168 bits of the chain
/// E(n-fold(constant, 64)), E(E(…)), … under the key.
pub fn des3_dk(key: &[u8], constant: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let c = Cipher8::new(key)?;
    let mut b = block(&n_fold(constant, 8));
    let mut out = Vec::with_capacity(24);
    while out.len() < 21 {
        c.encrypt(&mut b);
        out.extend_from_slice(&b);
    }
    out.truncate(21);
    Ok(des3_random_to_key(&out))
}

/// Every step of a DES3 string-to-key, for the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Des3StringToKey {
    /// random-to-key(168-fold(password ‖ salt)) (`tkey`).
    pub folded: Vec<u8>,
    /// DK(tkey, "kerberos").
    pub key: Vec<u8>,
}

/// DES3 string-to-key (RFC 3961 §6.3.1).
pub fn des3_string_to_key(password: &[u8], salt: &[u8]) -> Result<Des3StringToKey, CryptoError> {
    let s = [password, salt].concat();
    let folded = des3_random_to_key(&n_fold(&s, 21));
    let key = des3_dk(&folded, b"kerberos")?;
    Ok(Des3StringToKey { folded, key })
}

/// des3-cbc-sha1-kd encryption (RFC 3961 §6.3 with §5.3's simplified profile).
pub fn des3_encrypt(
    key: &Key,
    usage: u32,
    confounder: &[u8],
    plain: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let ke = des3_dk(&key.bytes, &usage_constant(usage, 0xaa))?;
    let ki = des3_dk(&key.bytes, &usage_constant(usage, 0x55))?;
    let mut p = confounder.get(..8).ok_or(CryptoError::TooShort)?.to_vec();
    p.extend_from_slice(plain);
    pad8(&mut p);
    let mut out = cbc_encrypt(&Cipher8::new(&ke)?, [0; 8], &p);
    out.extend(hmac_sha1(&ki, &p));
    Ok(out)
}

/// The inverse of [`des3_encrypt`]: the plaintext after the confounder, padding kept.
pub fn des3_decrypt(key: &Key, usage: u32, cipher: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if cipher.len() < 8 + 20 || (cipher.len() - 20) % 8 != 0 {
        return Err(CryptoError::TooShort);
    }
    let ke = des3_dk(&key.bytes, &usage_constant(usage, 0xaa))?;
    let ki = des3_dk(&key.bytes, &usage_constant(usage, 0x55))?;
    let (body, mac) = cipher.split_at(cipher.len() - 20);
    let p = cbc_decrypt(&Cipher8::new(&ke)?, [0; 8], body);
    if hmac_sha1(&ki, &p).as_slice() != mac {
        return Err(CryptoError::Integrity);
    }
    Ok(p.get(8..).unwrap_or(&[]).to_vec())
}

/// hmac-sha1-des3-kd (checksum type 12): HMAC-SHA1 under Kc = DK(key, usage ‖ 99).
pub fn des3_checksum(key: &Key, usage: u32, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let kc = des3_dk(&key.bytes, &usage_constant(usage, 0x99))?;
    Ok(hmac_sha1(&kc, data).to_vec())
}

/// The DES3 PRF (RFC 3961 §6.3): 3DES-CBC under DK(key, "prf") of SHA-1(input) truncated to
/// 16 bytes.
pub fn des3_prf(key: &Key, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    use sha1::{Digest, Sha1};
    let kp = des3_dk(&key.bytes, b"prf")?;
    let h = Sha1::digest(data);
    Ok(cbc_encrypt(
        &Cipher8::new(&kp)?,
        [0; 8],
        h.get(..16).unwrap_or(&[]),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        crate::field::unhex(s).unwrap()
    }

    #[test]
    fn rfc3961_des_string_to_key() {
        // RFC 3961 Appendix A.2 (mit_des_string_to_key).
        for (pw, salt, key) in [
            (
                &b"password"[..],
                &b"ATHENA.MIT.EDUraeburn"[..],
                "cbc22fae235298e3",
            ),
            (b"potatoe", b"WHITEHOUSE.GOVdanny", "df3d32a74fd92a01"),
            (
                b"\xf0\x9d\x84\x9e",
                b"EXAMPLE.COMpianist",
                "4ffb26bab0cd9413",
            ),
            (
                b"\xc3\x9f",
                b"ATHENA.MIT.EDUJuri\xc5\xa1i\xc4\x87",
                "62c81a5232b5e69d",
            ),
        ] {
            assert_eq!(des_string_to_key(pw, salt).key.to_vec(), unhex(key));
        }
    }

    #[test]
    fn rfc3961_des3_string_to_key_and_dk() {
        // RFC 3961 Appendix A.4 (DES3 string-to-key) and A.3 (DES3 DK).
        for (pw, salt, key) in [
            (
                &b"password"[..],
                &b"ATHENA.MIT.EDUraeburn"[..],
                "850bb51358548cd05e86768c313e3bfef7511937dcf72c3e",
            ),
            (
                b"potatoe",
                b"WHITEHOUSE.GOVdanny",
                "dfcd233dd0a43204ea6dc437fb15e061b02979c1f74f377a",
            ),
            (
                b"penny",
                b"EXAMPLE.COMbuckaroo",
                "6d2fcdf2d6fbbc3ddcadb5da5710a23489b0d3b69d5d9d4a",
            ),
        ] {
            assert_eq!(des3_string_to_key(pw, salt).unwrap().key, unhex(key));
        }
        assert_eq!(
            des3_dk(
                &unhex("dce06b1f64c857a11c3db57c51899b2cc1791008ce973b92"),
                &unhex("0000000155")
            )
            .unwrap(),
            unhex("925179d04591a79b5d3192c4a7e9c289b049c71f6ee604cd")
        );
        assert_eq!(
            des3_dk(
                &unhex("5e13d31c70ef765746578531cb51c15bf11ca82c97cee9f2"),
                &unhex("00000001aa")
            )
            .unwrap(),
            unhex("9e58e5a146d9942a101c469845d67a20e3c4259ed913f207")
        );
    }

    #[test]
    fn rfc3961_modified_crc32() {
        // RFC 3961 Appendix A.5.
        for (data, crc) in [
            (&b"foo"[..], "33bc3273"),
            (b"test0123456789", "d6883eb8"),
            (b"MASSACHVSETTS INSTITVTE OF TECHNOLOGY", "f78041e3"),
            (b"\x80\x00", "4b98833b"),
            (b"\x00\x08", "3288db0e"),
            (b"\x00\x80", "2083b8ed"),
            (b"\x80", "2083b8ed"),
            (b"\x80\x00\x00\x00", "3bb659ed"),
            (b"\x00\x00\x00\x01", "96300777"),
        ] {
            assert_eq!(crc32(data).to_vec(), unhex(crc));
        }
    }

    #[test]
    fn broken_inputs_are_errors_not_panics() {
        let k = Key {
            etype: DES_CBC_MD5,
            bytes: vec![1; 8],
        };
        for n in 0..40 {
            let _ = des_decrypt(&k, &vec![7; n]);
            let _ = des3_decrypt(
                &Key {
                    etype: DES3_CBC_SHA1_KD,
                    bytes: vec![1; 24],
                },
                2,
                &vec![7; n],
            );
        }
        assert_eq!(
            des_decrypt(
                &Key {
                    etype: DES_CBC_CRC,
                    bytes: vec![1; 5]
                },
                &[0; 16]
            ),
            Err(CryptoError::BadKey)
        );
    }
}
