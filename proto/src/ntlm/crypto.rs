//! NTLM's one-way functions, responses and keys (MS-NLMP 3.3 and 3.4.5), from RustCrypto's
//! `md4`, `md-5`, `hmac`, `des` and `rc4`. Each function is one line of the specification's
//! pseudocode; `verify` keeps every intermediate value for the page's derivation panel.

use des::cipher::{BlockCipherEncrypt, KeyInit};
use hmac::{Hmac, Mac};
use md4::{Digest, Md4};
use md5::Md5;

/// UNICODE(s): UTF-16LE.
pub fn unicode(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

pub fn md4(data: &[u8]) -> [u8; 16] {
    Md4::digest(data).into()
}

pub fn md5(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

pub fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    // HMAC accepts keys of any length.
    let Ok(mut mac) = <Hmac<Md5>>::new_from_slice(key) else {
        return [0; 16];
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// A 7-byte key spread over 8 bytes, one parity slot per byte (DES ignores the parity bits).
fn des_key(k7: &[u8]) -> [u8; 8] {
    let mut k = [0u8; 7];
    for (d, s) in k.iter_mut().zip(k7) {
        *d = *s;
    }
    let bits = u64::from_be_bytes([0, k[0], k[1], k[2], k[3], k[4], k[5], k[6]]);
    let mut out = [0u8; 8];
    for (i, o) in out.iter_mut().enumerate() {
        let shift = 49 - 7 * i;
        let seven = u8::try_from((bits >> shift) & 0x7f).unwrap_or(0);
        *o = seven << 1;
    }
    out
}

/// DES-ECB of one block with a 7-byte key.
pub fn des(k7: &[u8], data: &[u8; 8]) -> [u8; 8] {
    let key = des_key(k7);
    let cipher = des::Des::new(&key.into());
    let mut block = (*data).into();
    cipher.encrypt_block(&mut block);
    block.into()
}

/// DESL(K, D) (MS-NLMP 6): three DES encryptions of D under the 16-byte K split 7/7/2+zeros.
pub fn desl(k: &[u8; 16], d: &[u8; 8]) -> [u8; 24] {
    let mut third = [0u8; 7];
    third[..2].copy_from_slice(&k[14..16]);
    let mut out = [0u8; 24];
    out[..8].copy_from_slice(&des(&k[0..7], d));
    out[8..16].copy_from_slice(&des(&k[7..14], d));
    out[16..].copy_from_slice(&des(&third, d));
    out
}

/// RC4K(K, D): RC4 of D under K.
pub fn rc4(key: &[u8; 16], data: &[u8]) -> Vec<u8> {
    use rc4::{KeyInit as _, StreamCipher};
    let mut out = data.to_vec();
    // RC4 takes keys of any length up to 256 bytes; 16 always fits.
    if let Ok(mut c) = rc4::Rc4::new_from_slice(key) {
        c.apply_keystream(&mut out);
    }
    out
}

/// LMOWFv1 (MS-NLMP 3.3.1): DES of "KGS!@#$%" under the upper-cased, 14-byte OEM password.
pub fn lmowf_v1(password: &str) -> [u8; 16] {
    let mut p = [0u8; 14];
    for (d, c) in p.iter_mut().zip(upcase(password).chars()) {
        *d = u8::try_from(u32::from(c)).unwrap_or(b'?');
    }
    let magic = b"KGS!@#$%";
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&des(&p[..7], magic));
    out[8..].copy_from_slice(&des(&p[7..], magic));
    out
}

/// NTOWFv1 (MS-NLMP 3.3.1): MD4(UNICODE(password)).
pub fn ntowf_v1(password: &str) -> [u8; 16] {
    md4(&unicode(password))
}

/// NTOWFv2 (MS-NLMP 3.3.2): HMAC_MD5(NTOWFv1, UNICODE(Uppercase(user) ‖ domain)).
pub fn ntowf_v2(password: &str, user: &str, domain: &str) -> [u8; 16] {
    hmac_md5(
        &ntowf_v1(password),
        &[&unicode(&format!("{}{}", upcase(user), domain))],
    )
}

/// The server's MIC over `message` (MS-NLMP 3.4.4.2, with extended session security): what
/// SPNEGO's mechListMIC carries (MS-SPNG 3.1.5.1). `seq` is the server's sequence number; with
/// NTLMSSP_NEGOTIATE_KEY_EXCH the checksum goes through a fresh RC4 handle of the sealing key.
pub fn server_mic(exported: &[u8], flags: u32, seq: u32, message: &[u8]) -> [u8; 16] {
    signature(exported, flags, seq, message, false)
}

/// The client's MIC over `message`, with the client-to-server keys (to check the mechListMIC a
/// client sends).
pub fn client_mic(exported: &[u8], flags: u32, seq: u32, message: &[u8]) -> [u8; 16] {
    signature(exported, flags, seq, message, true)
}

fn signature(exported: &[u8], flags: u32, seq: u32, message: &[u8], client: bool) -> [u8; 16] {
    let (sign, seal): (&[u8], &[u8]) = if client {
        (
            b"session key to client-to-server signing key magic constant\0",
            b"session key to client-to-server sealing key magic constant\0",
        )
    } else {
        (
            b"session key to server-to-client signing key magic constant\0",
            b"session key to server-to-client sealing key magic constant\0",
        )
    };
    const NEGOTIATE_128: u32 = 0x2000_0000;
    const NEGOTIATE_56: u32 = 0x8000_0000;
    const KEY_EXCH: u32 = 0x4000_0000;
    let sign_key = md5(&[exported, sign].concat());
    let seal_len = if flags & NEGOTIATE_128 != 0 {
        16
    } else if flags & NEGOTIATE_56 != 0 {
        7
    } else {
        5
    };
    let seal_key = md5(&[exported.get(..seal_len).unwrap_or(exported), seal].concat());
    let digest = hmac_md5(&sign_key, &[&seq.to_le_bytes(), message]);
    let mut checksum = [0u8; 8];
    checksum.copy_from_slice(&digest[..8]);
    if flags & KEY_EXCH != 0 {
        let sealed = rc4(&seal_key, &checksum);
        checksum.copy_from_slice(sealed.get(..8).unwrap_or(&[0; 8]));
    }
    let mut out = [0u8; 16];
    out[..4].copy_from_slice(&1u32.to_le_bytes());
    out[4..12].copy_from_slice(&checksum);
    out[12..].copy_from_slice(&seq.to_le_bytes());
    out
}

/// Upper-casing as Windows does it (`RtlUpcaseUnicodeString`): one character for one. Rust's
/// `str::to_uppercase` applies the full Unicode mapping, which turns "ß" into "SS" and would give
/// a user called "Straße" a different NTOWFv2 from the one Windows computes.
pub fn upcase(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut u = c.to_uppercase();
            match (u.next(), u.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        })
        .collect()
}

/// NTLMv1 responses (MS-NLMP 3.3.1): (NtChallengeResponse, LmChallengeResponse, SessionBaseKey).
/// With extended session security the NT response answers MD5(ServerChallenge ‖
/// ClientChallenge)[0..8] and the LM field carries the client challenge.
pub fn ntlm_v1(
    password: &str,
    server_challenge: &[u8; 8],
    client_challenge: Option<&[u8; 8]>,
) -> ([u8; 24], [u8; 24], [u8; 16]) {
    let nt = ntowf_v1(password);
    let (nt_resp, lm_resp) = match client_challenge {
        Some(cc) => {
            let h = md5(&[&server_challenge[..], &cc[..]].concat());
            let mut c8 = [0u8; 8];
            c8.copy_from_slice(&h[..8]);
            let mut lm = [0u8; 24];
            lm[..8].copy_from_slice(cc);
            (desl(&nt, &c8), lm)
        }
        None => (
            desl(&nt, server_challenge),
            desl(&lmowf_v1(password), server_challenge),
        ),
    };
    (nt_resp, lm_resp, md4(&nt))
}

/// The NTLMv2 "temp" (MS-NLMP 3.3.2): the client's blob.
pub fn ntlm_v2_temp(time: u64, client_challenge: &[u8; 8], server_name: &[u8]) -> Vec<u8> {
    let mut t = vec![1u8, 1, 0, 0, 0, 0, 0, 0];
    t.extend_from_slice(&time.to_le_bytes());
    t.extend_from_slice(client_challenge);
    t.extend_from_slice(&[0; 4]);
    t.extend_from_slice(server_name);
    t.extend_from_slice(&[0; 4]);
    t
}

/// NTLMv2 from the blob: (NTProofStr, SessionBaseKey).
pub fn ntlm_v2_proof(
    response_key_nt: &[u8; 16],
    server_challenge: &[u8; 8],
    temp: &[u8],
) -> ([u8; 16], [u8; 16]) {
    let proof = hmac_md5(response_key_nt, &[server_challenge, temp]);
    let key = hmac_md5(response_key_nt, &[&proof]);
    (proof, key)
}

/// LMv2 (MS-NLMP 3.3.2): HMAC_MD5(LMOWFv2, ServerChallenge ‖ ClientChallenge) ‖ ClientChallenge.
pub fn lm_v2(
    response_key_lm: &[u8; 16],
    server_challenge: &[u8; 8],
    client_challenge: &[u8; 8],
) -> [u8; 24] {
    let mut out = [0u8; 24];
    out[..16].copy_from_slice(&hmac_md5(
        response_key_lm,
        &[server_challenge, client_challenge],
    ));
    out[16..].copy_from_slice(client_challenge);
    out
}

/// KXKEY (MS-NLMP 3.4.5.1) for NTLMv1; NTLMv2's key exchange key is its SessionBaseKey.
pub fn kxkey_v1(
    flags: u32,
    session_base_key: &[u8; 16],
    lm_response: &[u8],
    server_challenge: &[u8; 8],
    lmowf: &[u8; 16],
) -> [u8; 16] {
    use super::flags as f;
    let lm8: [u8; 8] = lm_response
        .get(..8)
        .and_then(|s| s.try_into().ok())
        .unwrap_or([0; 8]);
    let mut out = [0u8; 16];
    if flags & f::EXTENDED_SESSIONSECURITY != 0 {
        return hmac_md5(session_base_key, &[server_challenge, &lm8]);
    }
    if flags & f::LM_KEY != 0 {
        out[..8].copy_from_slice(&des(&lmowf[..7], &lm8));
        let k2 = [lmowf[7], 0xbd, 0xbd, 0xbd, 0xbd, 0xbd, 0xbd];
        out[8..].copy_from_slice(&des(&k2, &lm8));
        return out;
    }
    if flags & f::REQUEST_NON_NT_SESSION_KEY != 0 {
        out[..8].copy_from_slice(&lmowf[..8]);
        return out;
    }
    *session_base_key
}

/// MIC (MS-NLMP 3.1.5.1.2): HMAC_MD5(ExportedSessionKey, NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE),
/// the AUTHENTICATE's MIC field zeroed.
pub fn mic(
    exported_session_key: &[u8; 16],
    negotiate: &[u8],
    challenge: &[u8],
    authenticate_zeroed: &[u8],
) -> [u8; 16] {
    hmac_md5(
        exported_session_key,
        &[negotiate, challenge, authenticate_zeroed],
    )
}

#[cfg(test)]
mod tests {
    //! MS-NLMP 4.2 known answers: user "User", domain "Domain", password "Password", server
    //! challenge 0123456789abcdef, client challenge aa…aa, time 0, random session key 55…55.
    use super::*;
    use crate::field::hex;

    const SC: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
    const CC: [u8; 8] = [0xaa; 8];
    const RSK: [u8; 16] = [0x55; 16];

    #[test]
    fn upcase_maps_one_character_to_one_like_windows() {
        assert_eq!(upcase("Straße café"), "STRAßE CAFÉ");
        assert_eq!(upcase("user"), "USER");
        // NTOWFv2 keys on that form, not on the full mapping's "STRASSE".
        assert_eq!(
            ntowf_v2("p", "straße", "D"),
            hmac_md5(&ntowf_v1("p"), &[&unicode("STRAßED")])
        );
        assert_ne!(ntowf_v2("p", "straße", "D"), ntowf_v2("p", "strasse", "D"));
    }

    #[test]
    fn ms_nlmp_4_2_2_ntlmv1() {
        assert_eq!(
            hex(&lmowf_v1("Password")),
            "e52cac67419a9a224a3b108f3fa6cb6d"
        );
        assert_eq!(
            hex(&ntowf_v1("Password")),
            "a4f49c406510bdcab6824ee7c30fd852"
        );
        let (nt, lm, sbk) = ntlm_v1("Password", &SC, None);
        assert_eq!(hex(&nt), "67c43011f30298a2ad35ece64f16331c44bdbed927841f94");
        assert_eq!(hex(&lm), "98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13");
        assert_eq!(hex(&sbk), "d87262b0cde4b1cb7499becccdf10784");
        let lmowf = lmowf_v1("Password");
        let kx = kxkey_v1(0xe202_8233, &sbk, &lm, &SC, &lmowf);
        assert_eq!(hex(&kx), "d87262b0cde4b1cb7499becccdf10784");
        assert_eq!(hex(&rc4(&kx, &RSK)), "518822b1b3f350c8958682ecbb3e3cb7");
        let kx_lm = kxkey_v1(
            0xe202_8233 | super::super::flags::LM_KEY,
            &sbk,
            &lm,
            &SC,
            &lmowf,
        );
        assert_eq!(hex(&kx_lm), "b09e379f7fbecb1eaf0afdcb0383c8a0");
        let kx_non_nt = kxkey_v1(
            0xe202_8233 | super::super::flags::REQUEST_NON_NT_SESSION_KEY,
            &sbk,
            &lm,
            &SC,
            &lmowf,
        );
        assert_eq!(hex(&kx_non_nt), "e52cac67419a9a220000000000000000");
    }

    #[test]
    fn ms_nlmp_4_2_3_ntlmv1_with_extended_session_security() {
        let (nt, lm, sbk) = ntlm_v1("Password", &SC, Some(&CC));
        assert_eq!(hex(&nt), "7537f803ae367128ca458204bde7caf81e97ed2683267232");
        assert_eq!(hex(&lm), "aaaaaaaaaaaaaaaa00000000000000000000000000000000");
        let kx = kxkey_v1(0x820a_8233, &sbk, &lm, &SC, &lmowf_v1("Password"));
        assert_eq!(hex(&kx), "eb93429a8bd952f8b89c55b87f475edc");
    }

    #[test]
    fn ms_nlmp_4_2_4_ntlmv2() {
        let key = ntowf_v2("Password", "User", "Domain");
        assert_eq!(hex(&key), "0c868a403bfd7a93a3001ef22ef02e3f");
        assert_eq!(
            hex(&lm_v2(&key, &SC, &CC)),
            "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa"
        );
        let server_name = [
            &[0x02u8, 0x00, 0x0c, 0x00][..],
            &unicode("Domain"),
            &[0x01, 0x00, 0x0c, 0x00],
            &unicode("Server"),
            &[0, 0, 0, 0],
        ]
        .concat();
        let temp = ntlm_v2_temp(0, &CC, &server_name);
        assert_eq!(
            hex(&temp),
            "01010000000000000000000000000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000"
        );
        let (proof, sbk) = ntlm_v2_proof(&key, &SC, &temp);
        assert_eq!(hex(&proof), "68cd0ab851e51c96aabc927bebef6a1c");
        assert_eq!(hex(&sbk), "8de40ccadbc14a82f15cb0ad0de95ca3");
        assert_eq!(hex(&rc4(&sbk, &RSK)), "c5dad2544fc9799094ce1ce90bc9d03e");
    }
}
