//! The client side of NTLM (MS-NLMP 3.1.5.1): the NEGOTIATE, then the AUTHENTICATE that answers
//! a CHALLENGE. Randomness (client challenge, random session key) and time are arguments.
//!
//! ```text
//!  Start ──NEGOTIATE──► ExpectChallenge ──CHALLENGE / AUTHENTICATE──► Done
//! ```

use super::avpair::{self, AvPair};
use super::crypto;
use super::encode::{self, AuthenticateParts, MIC_OFFSET};
use super::flags as f;
use super::message::{self, Challenge, Message, VersionInfo};
use crate::error::Error;
use serde::Serialize;

/// Who the client is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub domain: String,
    pub password: String,
    pub workstation: String,
}

/// Which response the client computes: Windows' LmCompatibilityLevel, as the client side reads it
/// (Microsoft, "Network security: LAN Manager authentication level" and "LmCompatibilityLevel";
/// the responses per MS-NLMP 3.3.1 and 3.3.2, `NoLMResponseNTLMv1` for level 2). The defaults are
/// from those pages and secondary references (Microsoft's MS-NLMP does not list them):
///
/// | level | sends | NTLM2 session security (ESS) | default on |
/// |---|---|---|---|
/// | 0 | LM and NTLMv1 | never | Windows 2000, XP |
/// | 1 | LM and NTLMv1 | if the server agrees | |
/// | 2 | NTLMv1 only (the LM field repeats it) | if the server agrees | Server 2003 |
/// | 3, 4, 5 | NTLMv2 and LMv2 | (NTLMv2 has its own) | Vista, Server 2008 and later |
///
/// Levels 4 and 5 differ from 3 only on the domain controller (it refuses LM, then NTLMv1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// NTLMv2 (levels 3 to 5).
    V2,
    /// Level 1: asks for extended session security (the NTLM2 session response); LM and NTLMv1
    /// when the server does not grant it.
    V1Ess,
    /// Level 2: asks for extended session security; NTLMv1 in both fields when the server does
    /// not grant it (MS-NLMP 3.3.1 `NoLMResponseNTLMv1`).
    V1NtOnly,
    /// Level 0: LM and NTLMv1, never extended session security.
    V1,
}

impl Mode {
    /// The mode of an LmCompatibilityLevel (0 to 5; higher reads as 5).
    pub fn level(level: u8) -> Mode {
        match level {
            0 => Mode::V1,
            1 => Mode::V1Ess,
            2 => Mode::V1NtOnly,
            _ => Mode::V2,
        }
    }
}

/// The flags a Windows client of the IIS 6 era requests.
pub const CLIENT_FLAGS: u32 = f::UNICODE
    | f::OEM
    | f::REQUEST_TARGET
    | f::SIGN
    | f::ALWAYS_SIGN
    | f::NTLM
    | f::EXTENDED_SESSIONSECURITY
    | f::VERSION
    | f::NEGOTIATE_128
    | f::KEY_EXCH
    | f::NEGOTIATE_56;

/// Windows XP SP2 (5.1, build 2600), the Internet Explorer 6 client of the IIS 6 guide.
pub const WINDOWS_XP: VersionInfo = VersionInfo {
    major: 5,
    minor: 1,
    build: 2600,
    revision: 0x0f,
};

/// Windows 11 24H2 (10.0, build 26100): today's client.
pub const WINDOWS_11: VersionInfo = VersionInfo {
    major: 10,
    minor: 0,
    build: 26100,
    revision: 0x0f,
};

/// A Windows client as NTLM sees it: its version and its LmCompatibilityLevel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientOs {
    pub version: VersionInfo,
    pub level: u8,
}

impl ClientOs {
    /// Windows XP with its default level 0 (LM and NTLMv1; Microsoft, "LmCompatibilityLevel").
    pub const XP: ClientOs = ClientOs {
        version: WINDOWS_XP,
        level: 0,
    };
    /// Windows 11 with its default level 3 (NTLMv2; the default since Vista).
    pub const TODAY: ClientOs = ClientOs {
        version: WINDOWS_11,
        level: 3,
    };
}

/// The NEGOTIATE_MESSAGE.
pub fn negotiate(mode: Mode, version: &VersionInfo) -> Vec<u8> {
    let flags = match mode {
        Mode::V2 | Mode::V1Ess | Mode::V1NtOnly => CLIENT_FLAGS,
        Mode::V1 => CLIENT_FLAGS & !f::EXTENDED_SESSIONSECURITY,
    };
    encode::negotiate(flags, None, None, Some(version))
}

/// Random inputs of one AUTHENTICATE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entropy {
    pub client_challenge: [u8; 8],
    pub random_session_key: [u8; 16],
    /// The client's clock as a FILETIME, used when the CHALLENGE carries no MsvAvTimestamp.
    pub now_filetime: u64,
}

/// Why the client could not take a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ClientError {
    /// The CHALLENGE does not decode.
    BadChallenge(Error),
    /// The bytes decode, but not as a CHALLENGE_MESSAGE.
    NotChallenge,
    /// An input this state does not wait for.
    Unexpected {
        expected: &'static str,
        got: &'static str,
    },
    /// `Done` takes no input.
    Over,
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::BadChallenge(e) => write!(f, "the CHALLENGE does not decode: {e}"),
            ClientError::NotChallenge => write!(f, "that is not a CHALLENGE_MESSAGE"),
            ClientError::Unexpected { expected, got } => {
                write!(f, "expected {expected}, got {got}")
            }
            ClientError::Over => write!(f, "the handshake is over"),
        }
    }
}

impl std::error::Error for ClientError {}

/// The AUTHENTICATE_MESSAGE answering `challenge` (bytes as received), after `negotiate`.
pub fn authenticate(
    creds: &Credentials,
    mode: Mode,
    negotiate: &[u8],
    challenge: &[u8],
    e: &Entropy,
    version: &VersionInfo,
) -> Result<Vec<u8>, ClientError> {
    let d = message::decode(challenge);
    let c: Challenge = match d.message {
        Some(Message::Challenge(c)) => c,
        _ => {
            return Err(d
                .error
                .map_or(ClientError::NotChallenge, ClientError::BadChallenge))
        }
    };
    let requested = match message::decode(negotiate).message {
        Some(Message::Negotiate(n)) => n.flags,
        _ => CLIENT_FLAGS,
    };
    // Negotiated: what both sides set, with the server's choice of character set.
    let flags = (c.flags & requested)
        | (c.flags & (f::TARGET_INFO | f::TARGET_TYPE_DOMAIN | f::TARGET_TYPE_SERVER | f::VERSION));
    let unicode = flags & f::UNICODE != 0;
    let text = |s: &str| {
        if unicode {
            crypto::unicode(s)
        } else {
            s.as_bytes().to_vec()
        }
    };
    let sc = c.server_challenge;
    let timestamp = avpair::find(&c.target_info, avpair::MSV_AV_TIMESTAMP).and_then(AvPair::u64);
    let with_mic = mode == Mode::V2 && timestamp.is_some();

    let (lm, nt, kxkey) = match mode {
        Mode::V2 => {
            let key = crypto::ntowf_v2(&creds.password, &creds.user, &creds.domain);
            // The blob's pairs: the server's TargetInfo, plus MsvAvFlags announcing the MIC.
            let mut pairs: Vec<u8> = c
                .target_info
                .iter()
                .filter(|p| p.id != avpair::MSV_AV_EOL)
                .flat_map(|p| encode::av_pair(p.id, &p.value))
                .collect();
            if with_mic {
                pairs.extend(encode::av_pair(
                    avpair::MSV_AV_FLAGS,
                    &avpair::AV_FLAG_MIC.to_le_bytes(),
                ));
            }
            pairs.extend(encode::av_pair(avpair::MSV_AV_EOL, &[]));
            let temp = crypto::ntlm_v2_temp(
                timestamp.unwrap_or(e.now_filetime),
                &e.client_challenge,
                &pairs,
            );
            let (proof, sbk) = crypto::ntlm_v2_proof(&key, &sc, &temp);
            // With MsvAvTimestamp the client sends Z(24) instead of LMv2 (MS-NLMP 3.1.5.1.2).
            let lm = if timestamp.is_some() {
                vec![0; 24]
            } else {
                crypto::lm_v2(&key, &sc, &e.client_challenge).to_vec()
            };
            (lm, [&proof[..], &temp].concat(), sbk)
        }
        Mode::V1Ess | Mode::V1NtOnly | Mode::V1 => {
            let ess = mode != Mode::V1 && flags & f::EXTENDED_SESSIONSECURITY != 0;
            let (nt, lm, sbk) =
                crypto::ntlm_v1(&creds.password, &sc, ess.then_some(&e.client_challenge));
            // Level 2 without ESS: "Set LmChallengeResponse to NtChallengeResponse" (3.3.1).
            let lm = if mode == Mode::V1NtOnly && !ess {
                nt
            } else {
                lm
            };
            let kx = crypto::kxkey_v1(flags, &sbk, &lm, &sc, &crypto::lmowf_v1(&creds.password));
            (lm.to_vec(), nt.to_vec(), kx)
        }
    };
    let (exported, encrypted) = if flags & f::KEY_EXCH != 0 {
        (
            e.random_session_key,
            crypto::rc4(&kxkey, &e.random_session_key),
        )
    } else {
        (kxkey, Vec::new())
    };
    let mut msg = encode::authenticate(&AuthenticateParts {
        flags,
        lm_response: &lm,
        nt_response: &nt,
        domain: &text(&creds.domain),
        user: &text(&creds.user),
        workstation: &text(&creds.workstation),
        encrypted_random_session_key: &encrypted,
        version: Some(version),
        with_mic,
    });
    if with_mic {
        let mic = crypto::mic(&exported, negotiate, challenge, &msg);
        if let Some(slot) = msg.get_mut(MIC_OFFSET..MIC_OFFSET + 16) {
            slot.copy_from_slice(&mic);
        }
    }
    Ok(msg)
}

/// The client as a state machine, for drivers that step it with what arrives.
///
/// ```text
///  Start ──Begin──► ExpectChallenge{negotiate} ──Challenge──► Done
///   (sends NEGOTIATE)                  (sends AUTHENTICATE)
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NtlmClient {
    Start {
        creds: Credentials,
        mode: Mode,
        version: VersionInfo,
    },
    ExpectChallenge {
        creds: Credentials,
        mode: Mode,
        version: VersionInfo,
        negotiate: Vec<u8>,
    },
    Done,
}

/// What the client is given.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    Begin,
    /// The CHALLENGE as received, and the randomness the AUTHENTICATE needs.
    Challenge {
        bytes: &'a [u8],
        entropy: Entropy,
    },
}

impl NtlmClient {
    /// A client that says it is Windows XP ([`WINDOWS_XP`]).
    pub fn new(creds: Credentials, mode: Mode) -> NtlmClient {
        NtlmClient::Start {
            creds,
            mode,
            version: WINDOWS_XP,
        }
    }

    /// The same client, saying it is `version` (before it has sent anything).
    pub fn with_version(self, version: VersionInfo) -> NtlmClient {
        match self {
            NtlmClient::Start { creds, mode, .. } => NtlmClient::Start {
                creds,
                mode,
                version,
            },
            other => other,
        }
    }

    /// Consume the state and an input; returns the next state and the message to send.
    pub fn step(self, input: Input<'_>) -> Result<(NtlmClient, Vec<u8>), ClientError> {
        match (self, input) {
            (
                NtlmClient::Start {
                    creds,
                    mode,
                    version,
                },
                Input::Begin,
            ) => {
                let negotiate = negotiate(mode, &version);
                Ok((
                    NtlmClient::ExpectChallenge {
                        creds,
                        mode,
                        version,
                        negotiate: negotiate.clone(),
                    },
                    negotiate,
                ))
            }
            (
                NtlmClient::ExpectChallenge {
                    creds,
                    mode,
                    version,
                    negotiate,
                },
                Input::Challenge { bytes, entropy },
            ) => {
                let auth = authenticate(&creds, mode, &negotiate, bytes, &entropy, &version)?;
                Ok((NtlmClient::Done, auth))
            }
            (NtlmClient::Start { .. }, Input::Challenge { .. }) => Err(ClientError::Unexpected {
                expected: "Begin (nothing was sent yet)",
                got: "a CHALLENGE",
            }),
            (NtlmClient::ExpectChallenge { .. }, Input::Begin) => Err(ClientError::Unexpected {
                expected: "a CHALLENGE",
                got: "Begin",
            }),
            (NtlmClient::Done, _) => Err(ClientError::Over),
        }
    }
}
