//! The server side of NTLM over HTTP, one state machine per TCP connection (MS-NTHT): the
//! CHALLENGE a connection was sent can only be answered on that connection.
//!
//! ```text
//!  ExpectNegotiate ──NEGOTIATE──► ExpectAuthenticate{challenge} ──AUTHENTICATE──► verdict
//!        ▲                                                             │
//!        └──────────────── a new handshake (any NEGOTIATE) ◄───────────┘
//! ```
//! Randomness (the server challenge) and time (the MsvAvTimestamp) are arguments.

use super::encode;
use super::flags as f;
use super::message::{self, Message, ResponseKind, VersionInfo};
use super::verify::verify;
use super::{avpair, crypto};
use crate::error::Error;
use serde::Serialize;

/// What the server says about itself in the CHALLENGE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerInfo {
    pub netbios_computer: String,
    pub netbios_domain: String,
    pub dns_computer: String,
    pub dns_domain: String,
    pub version: VersionInfo,
    /// Whether the CHALLENGE's TargetInfo carries MsvAvTimestamp: not from Windows NT, 2000, XP
    /// or Server 2003 (MS-NLMP appendix B, the product behavior notes on MsvAvTimestamp and the
    /// MIC, whose numbers change between revisions), so no client adds a MIC (3.1.5.1.2); from
    /// Vista and Server 2008 on, it does.
    pub timestamp: bool,
}

/// Windows Server 2003 SP1, as an IIS 6 server would announce (5.2, build 3790).
pub const SERVER_2003: VersionInfo = VersionInfo {
    major: 5,
    minor: 2,
    build: 3790,
    revision: 0x0f,
};

/// Windows Server 2022 (10.0, build 20348): today's server.
pub const SERVER_2022: VersionInfo = VersionInfo {
    major: 10,
    minor: 0,
    build: 20348,
    revision: 0x0f,
};

/// A pending handshake: what the AUTHENTICATE must answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub negotiate: Vec<u8>,
    pub challenge: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum NtlmServer {
    #[default]
    ExpectNegotiate,
    ExpectAuthenticate(Pending),
}

/// The verdict on an AUTHENTICATE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accepted {
        domain: String,
        user: String,
        kind: ResponseKind,
        /// ExportedSessionKey (MS-NLMP 3.1.5.1.2): the root of the signing and sealing keys.
        exported_session_key: Vec<u8>,
        /// The NegotiateFlags of the AUTHENTICATE.
        flags: u32,
    },
    /// `win32` is the SSPI status IIS logs (`sc-win32-status`).
    Rejected {
        domain: String,
        user: String,
        reason: String,
        win32: u32,
        cause: Cause,
    },
}

/// Which check refused an AUTHENTICATE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The message does not decode as an AUTHENTICATE.
    BadToken,
    /// An anonymous AUTHENTICATE (empty NT response).
    Anonymous,
    /// The lookup found no account that may log on (no such account, no domain controller).
    NotFound,
    /// The response does not match the account's password.
    WrongResponse,
    /// The response matches but the MIC does not.
    Mic,
    /// The response matches, and Windows refuses the account (disabled, expired, locked out,
    /// no network logon right): [`Found::refused`].
    Refused,
}

/// An account as the server's lookup finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub password: String,
    /// Why Windows refuses the logon once the response verifies (the reason and the status
    /// IIS logs), checked after the password as Windows does.
    pub refused: Option<(String, u32)>,
}

/// SSPI status codes as IIS logs them.
pub const SEC_E_LOGON_DENIED: u32 = 0x8009_030C;
pub const SEC_E_INVALID_TOKEN: u32 = 0x8009_0308;
pub const SEC_E_NO_AUTHENTICATING_AUTHORITY: u32 = 0x8009_0311;
/// What IIS logs on the intermediate (CHALLENGE) leg: 2148074254.
pub const SEC_I_CONTINUE_NEEDED_LOGGED: u32 = 0x8009_030E;

/// How the server finds an account: `Err(reason, win32)` when there is none to check the
/// response against (no such user, domain controller unreachable).
pub type Lookup<'a> = &'a dyn Fn(&str, &str) -> Result<Found, (String, u32)>;

/// The CHALLENGE flags for a client's NEGOTIATE flags: what the client asked for that NTLM
/// servers grant, plus what this server always sets.
pub fn challenge_flags(client: u32) -> u32 {
    let mut out = f::NTLM | f::TARGET_INFO | f::VERSION | f::TARGET_TYPE_DOMAIN;
    out |= if client & f::UNICODE != 0 {
        f::UNICODE
    } else {
        f::OEM
    };
    for bit in [
        f::REQUEST_TARGET,
        f::SIGN,
        f::SEAL,
        f::ALWAYS_SIGN,
        f::EXTENDED_SESSIONSECURITY,
        f::NEGOTIATE_128,
        f::NEGOTIATE_56,
        f::KEY_EXCH,
    ] {
        out |= client & bit;
    }
    if client & f::EXTENDED_SESSIONSECURITY == 0 {
        out |= client & f::LM_KEY;
    }
    out
}

/// The TargetInfo an IIS server in a domain sends: its names, and the time as a FILETIME when
/// `info.timestamp` (MS-NLMP 2.2.2.1).
pub fn target_info(info: &ServerInfo, filetime: u64) -> Vec<u8> {
    let time = if info.timestamp {
        encode::av_pair(avpair::MSV_AV_TIMESTAMP, &filetime.to_le_bytes())
    } else {
        Vec::new()
    };
    [
        encode::av_pair(
            avpair::MSV_AV_NB_DOMAIN_NAME,
            &crypto::unicode(&info.netbios_domain),
        ),
        encode::av_pair(
            avpair::MSV_AV_NB_COMPUTER_NAME,
            &crypto::unicode(&info.netbios_computer),
        ),
        encode::av_pair(
            avpair::MSV_AV_DNS_DOMAIN_NAME,
            &crypto::unicode(&info.dns_domain),
        ),
        encode::av_pair(
            avpair::MSV_AV_DNS_COMPUTER_NAME,
            &crypto::unicode(&info.dns_computer),
        ),
        time,
        encode::av_pair(avpair::MSV_AV_EOL, &[]),
    ]
    .concat()
}

/// Seconds since the Unix epoch as a FILETIME.
pub fn filetime(unix: i64) -> u64 {
    u64::try_from(unix.saturating_add(11_644_473_600))
        .unwrap_or(0)
        .saturating_mul(10_000_000)
}

/// Why the server could not take a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ServerError {
    /// The NEGOTIATE does not decode.
    BadNegotiate(Error),
    /// A message of another type than the one this step takes.
    Unexpected {
        expected: &'static str,
        got: &'static str,
    },
    /// Nothing decoded and no error: no message at all.
    Empty,
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerError::BadNegotiate(e) => write!(f, "the NEGOTIATE does not decode: {e}"),
            ServerError::Unexpected { expected, got } => {
                write!(f, "expected a {expected}, got a {got}")
            }
            ServerError::Empty => write!(f, "empty message"),
        }
    }
}

impl std::error::Error for ServerError {}

impl NtlmServer {
    /// A NEGOTIATE arrived: answer with a CHALLENGE (the bytes to send) and wait for the
    /// AUTHENTICATE. Any state accepts a NEGOTIATE: it starts a new handshake.
    pub fn on_negotiate(
        self,
        negotiate: &[u8],
        info: &ServerInfo,
        server_challenge: [u8; 8],
        now: i64,
    ) -> Result<(NtlmServer, Vec<u8>), ServerError> {
        let d = message::decode(negotiate);
        let n = match (d.message, d.error) {
            (Some(Message::Negotiate(n)), _) => n,
            (_, Some(e)) => return Err(ServerError::BadNegotiate(e)),
            (Some(m), None) => {
                return Err(ServerError::Unexpected {
                    expected: "NEGOTIATE_MESSAGE",
                    got: m.type_name(),
                })
            }
            (None, None) => return Err(ServerError::Empty),
        };
        let flags = challenge_flags(n.flags);
        let name = if flags & f::UNICODE != 0 {
            crypto::unicode(&info.netbios_domain)
        } else {
            info.netbios_domain.as_bytes().to_vec()
        };
        let challenge = encode::challenge(
            flags,
            &name,
            &server_challenge,
            &target_info(info, filetime(now)),
            Some(&info.version),
        );
        let pending = Pending {
            negotiate: negotiate.to_vec(),
            challenge: challenge.clone(),
        };
        Ok((NtlmServer::ExpectAuthenticate(pending), challenge))
    }

    /// An AUTHENTICATE arrived. `None` when this connection sent no CHALLENGE (the handshake
    /// broke: keep-alive off, or a proxy that does not keep the connection point to point).
    pub fn on_authenticate(self, authenticate: &[u8], lookup: Lookup<'_>) -> Option<Verdict> {
        let NtlmServer::ExpectAuthenticate(p) = self else {
            return None;
        };
        let d = message::decode(authenticate);
        let a = match d.message {
            Some(Message::Authenticate(a)) => a,
            _ => {
                let reason = d
                    .error
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "not an AUTHENTICATE_MESSAGE".into());
                return Some(Verdict::Rejected {
                    domain: String::new(),
                    user: String::new(),
                    reason,
                    win32: SEC_E_INVALID_TOKEN,
                    cause: Cause::BadToken,
                });
            }
        };
        let (domain, user) = (a.domain.clone(), a.user.clone());
        // The checks in Windows' order: the response, then the account (Found::refused).
        let check = || -> Result<(ResponseKind, Vec<u8>), (String, u32, Cause)> {
            if a.nt_kind == ResponseKind::Empty {
                let why = "anonymous AUTHENTICATE".to_string();
                return Err((why, SEC_E_LOGON_DENIED, Cause::Anonymous));
            }
            let found = lookup(&domain, &user).map_err(|(r, w)| (r, w, Cause::NotFound))?;
            let v = verify(
                &found.password,
                None,
                None,
                Some(&p.negotiate),
                &p.challenge,
                authenticate,
            )
            .map_err(|e| (e.to_string(), SEC_E_INVALID_TOKEN, Cause::BadToken))?;
            let (why, cause) = if !v.response_matches {
                (
                    "the response does not match the account's password",
                    Cause::WrongResponse,
                )
            } else if v.mic_matches == Some(false) {
                (
                    "the MIC does not match: the messages were altered",
                    Cause::Mic,
                )
            } else if let Some((why, win32)) = found.refused {
                return Err((why, win32, Cause::Refused));
            } else {
                return Ok((v.kind, v.session_key.to_vec()));
            };
            Err((why.to_string(), SEC_E_LOGON_DENIED, cause))
        };
        Some(match check() {
            Ok((kind, exported_session_key)) => Verdict::Accepted {
                domain,
                user,
                kind,
                exported_session_key,
                flags: a.flags,
            },
            Err((reason, win32, cause)) => Verdict::Rejected {
                domain,
                user,
                reason,
                win32,
                cause,
            },
        })
    }
}
