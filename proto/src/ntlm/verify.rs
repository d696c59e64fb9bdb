//! "Check with a password": recompute an AUTHENTICATE's response, keys and MIC from the
//! password and the messages, keeping every intermediate value for the page and the CLI.
//! Nothing here leaves the machine it runs on.

use super::crypto;
use super::flags;
use super::message::{self, Authenticate, Challenge, Message, ResponseKind};
use crate::error::Error;
use crate::field::hex;
use serde::Serialize;

/// Why a check could not be made (a wrong password is not an error: it is a result).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum VerifyError {
    /// `message` (`CHALLENGE_MESSAGE`, `AUTHENTICATE_MESSAGE`) does not decode.
    Decode { message: &'static str, error: Error },
    /// The bytes decode, but not as `expected`.
    NotThe { expected: &'static str },
    /// The AUTHENTICATE carries no NT response of a kind that can be checked.
    NoNtResponse { kind: ResponseKind },
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::Decode { message, error } => {
                write!(f, "the {message} does not decode: {error}")
            }
            VerifyError::NotThe { expected } => write!(f, "that is not an {expected}"),
            VerifyError::NoNtResponse { kind } => {
                write!(f, "there is no NT response to check ({})", kind.name())
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// One derived value, with the formula that made it (MS-NLMP 3.3 notation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Derived {
    pub name: &'static str,
    pub formula: &'static str,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub kind: ResponseKind,
    pub user: String,
    pub domain: String,
    pub steps: Vec<Derived>,
    /// Whether the NT response matches the password.
    pub response_matches: bool,
    /// Whether the MIC matches: `None` when there is no MIC or no NEGOTIATE to compute it over.
    pub mic_matches: Option<bool>,
    /// [`Verification::session_key`] in hex, for the report.
    pub exported_session_key: String,
    pub notes: Vec<String>,
    /// The ExportedSessionKey computed from the password (what a server keeps when the
    /// response matches).
    #[serde(skip)]
    pub session_key: [u8; 16],
}

fn decode_as<T>(
    bytes: &[u8],
    what: &'static str,
    pick: impl Fn(Message) -> Option<T>,
) -> Result<T, VerifyError> {
    let d = message::decode(bytes);
    if let Some(error) = d.error {
        return Err(VerifyError::Decode {
            message: what,
            error,
        });
    }
    d.message
        .and_then(pick)
        .ok_or(VerifyError::NotThe { expected: what })
}

/// Check `authenticate` (answering `challenge`) against `password`. `user` and `domain` default to
/// the ones in the AUTHENTICATE message; `negotiate` is needed only for the MIC.
pub fn verify(
    password: &str,
    user: Option<&str>,
    domain: Option<&str>,
    negotiate: Option<&[u8]>,
    challenge: &[u8],
    authenticate: &[u8],
) -> Result<Verification, VerifyError> {
    let c: Challenge = decode_as(challenge, "CHALLENGE_MESSAGE", |m| match m {
        Message::Challenge(c) => Some(c),
        _ => None,
    })?;
    let a: Authenticate = decode_as(authenticate, "AUTHENTICATE_MESSAGE", |m| match m {
        Message::Authenticate(a) => Some(a),
        _ => None,
    })?;
    let user = user.unwrap_or(&a.user).to_string();
    let domain = domain.unwrap_or(&a.domain).to_string();
    let sc = c.server_challenge;
    let mut steps = Vec::new();
    let mut notes = Vec::new();
    let mut push = |name, formula, value: &[u8]| {
        steps.push(Derived {
            name,
            formula,
            value: hex(value),
        })
    };
    let (response_matches, kxkey) = match (a.nt_kind, &a.ntlmv2) {
        (ResponseKind::NtlmV2, Some(v2)) => {
            let key = crypto::ntowf_v2(password, &user, &domain);
            push("NTOWFv2", "HMAC_MD5(MD4(UNICODE(Passwd)), UNICODE(ConcatenationOf(Uppercase(User), UserDom)))", &key);
            push(
                "temp",
                "the client's NTLMv2_CLIENT_CHALLENGE, as sent",
                &v2.client_blob,
            );
            let (proof, sbk) = crypto::ntlm_v2_proof(&key, &sc, &v2.client_blob);
            push(
                "NTProofStr",
                "HMAC_MD5(ResponseKeyNT, ConcatenationOf(CHALLENGE_MESSAGE.ServerChallenge, temp))",
                &proof,
            );
            push(
                "SessionBaseKey",
                "HMAC_MD5(ResponseKeyNT, NTProofStr)",
                &sbk,
            );
            push("KeyExchangeKey", "SessionBaseKey (NTLMv2)", &sbk);
            if a.lm_kind == ResponseKind::LmV2 {
                let lm = crypto::lm_v2(&key, &sc, &v2.client_challenge);
                push("LMv2 response", "HMAC_MD5(ResponseKeyLM, ServerChallenge ‖ ChallengeFromClient) ‖ ChallengeFromClient", &lm);
                if lm.as_slice() != a.lm_response.as_slice() {
                    notes.push("the LMv2 response does not match".into());
                }
            }
            (proof == v2.nt_proof_str, sbk)
        }
        (ResponseKind::NtlmV1 | ResponseKind::NtlmV1Ess, _) => {
            let nt = crypto::ntowf_v1(password);
            let lmowf = crypto::lmowf_v1(password);
            push("NTOWFv1", "MD4(UNICODE(Passwd))", &nt);
            push("LMOWFv1", "DES(UpperCase(Passwd)[0..7], \"KGS!@#$%\") ‖ DES(UpperCase(Passwd)[7..14], \"KGS!@#$%\")", &lmowf);
            let cc: Option<[u8; 8]> = (a.nt_kind == ResponseKind::NtlmV1Ess).then(|| {
                a.lm_response
                    .get(..8)
                    .and_then(|s| s.try_into().ok())
                    .unwrap_or([0; 8])
            });
            let (resp, _, sbk) = crypto::ntlm_v1(password, &sc, cc.as_ref());
            push(
                "NtChallengeResponse",
                if cc.is_some() {
                    "DESL(ResponseKeyNT, MD5(ServerChallenge ‖ ClientChallenge)[0..7])"
                } else {
                    "DESL(ResponseKeyNT, ServerChallenge)"
                },
                &resp,
            );
            push("SessionBaseKey", "MD4(ResponseKeyNT)", &sbk);
            let kx = crypto::kxkey_v1(a.flags, &sbk, &a.lm_response, &sc, &lmowf);
            push(
                "KeyExchangeKey",
                "KXKEY(SessionBaseKey, LmChallengeResponse, ServerChallenge) (MS-NLMP 3.4.5.1)",
                &kx,
            );
            (resp.as_slice() == a.nt_response.as_slice(), kx)
        }
        _ => return Err(VerifyError::NoNtResponse { kind: a.nt_kind }),
    };
    let exported: [u8; 16] =
        if a.flags & flags::KEY_EXCH != 0 && a.encrypted_random_session_key.len() == 16 {
            let k: [u8; 16] = a
                .encrypted_random_session_key
                .as_slice()
                .try_into()
                .unwrap_or([0; 16]);
            let e: [u8; 16] = crypto::rc4(&kxkey, &k)
                .as_slice()
                .try_into()
                .unwrap_or([0; 16]);
            push(
                "ExportedSessionKey",
                "RC4K(KeyExchangeKey, EncryptedRandomSessionKey) (NTLMSSP_NEGOTIATE_KEY_EXCH)",
                &e,
            );
            e
        } else {
            push(
                "ExportedSessionKey",
                "KeyExchangeKey (no key exchange)",
                &kxkey,
            );
            kxkey
        };
    let mic_matches = match (a.mic, a.mic_offset, negotiate) {
        (Some(m), Some(at), Some(neg)) if m != [0; 16] => {
            let mut zeroed = authenticate.to_vec();
            if let Some(slot) = zeroed.get_mut(at..at + 16) {
                slot.fill(0);
            }
            let computed = crypto::mic(&exported, neg, challenge, &zeroed);
            push("MIC", "HMAC_MD5(ExportedSessionKey, NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE with MIC zeroed)", &computed);
            Some(computed == m)
        }
        (Some(m), _, None) if m != [0; 16] => {
            notes.push("paste the NEGOTIATE_MESSAGE too to check the MIC".into());
            None
        }
        _ => None,
    };
    if !response_matches {
        notes.push(format!(
            "the response does not match: the password is wrong, or the user or domain differ from what the client used ({domain}\\{user})"
        ));
    }
    Ok(Verification {
        kind: a.nt_kind,
        user,
        domain,
        steps,
        response_matches,
        mic_matches,
        exported_session_key: hex(&exported),
        notes,
        session_key: exported,
    })
}
