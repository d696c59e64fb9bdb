//! Decoding the three NTLM messages (MS-NLMP 2.2.1) into typed values and a field tree.
//!
//! ```text
//! NEGOTIATE_MESSAGE (2.2.1.1)          CHALLENGE_MESSAGE (2.2.1.2)      AUTHENTICATE_MESSAGE (2.2.1.3)
//!  0 Signature "NTLMSSP\0" (8)          0 Signature (8)                   0 Signature (8)
//!  8 MessageType = 1 (4)                8 MessageType = 2 (4)             8 MessageType = 3 (4)
//! 12 NegotiateFlags (4)                12 TargetNameFields (8)           12 LmChallengeResponseFields (8)
//! 16 DomainNameFields (8)              20 NegotiateFlags (4)             20 NtChallengeResponseFields (8)
//! 24 WorkstationFields (8)             24 ServerChallenge (8)            28 DomainNameFields (8)
//! 32 Version (8, with NEGOTIATE_VERSION) 32 Reserved (8)                 36 UserNameFields (8)
//! 40 Payload                           40 TargetInfoFields (8)           44 WorkstationFields (8)
//!                                      48 Version (8)                    52 EncryptedRandomSessionKeyFields (8)
//!                                      56 Payload                        60 NegotiateFlags (4)
//! fields = Len (2) | MaxLen (2) | BufferOffset (4)                      64 Version (8)
//!                                                                        72 MIC (16)
//!                                                                        88 Payload
//! ```
//! Hand-written, because no crate decodes NTLM with byte spans (`ntlmclient` parses without
//! them and drops the MIC; `sspi` keeps its messages private). Older clients send shorter fixed
//! parts (no Version, no MIC): where the payload starts says which fields exist.

use super::avpair::{self, AvPair};
use super::flags;
use super::reader::{oem, utf16le, Reader};
use super::version;
use crate::error::{Error, ErrorKind, Warning};
use crate::field::{Field, Value};
use crate::Span;
use serde::Serialize;

pub const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";

/// A security buffer descriptor: `Len | MaxLen | BufferOffset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SecBuf {
    pub len: u16,
    pub max_len: u16,
    pub offset: u32,
    /// Where the 8-byte descriptor is.
    pub at: usize,
}

impl SecBuf {
    pub fn target(&self) -> Span {
        let start = usize::try_from(self.offset).unwrap_or(usize::MAX);
        Span::new(start, start.saturating_add(usize::from(self.len)))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    pub major: u8,
    pub minor: u8,
    pub build: u16,
    pub revision: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Negotiate {
    pub flags: u32,
    pub domain: Option<String>,
    pub workstation: Option<String>,
    pub version: Option<VersionInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub flags: u32,
    pub target_name: Option<String>,
    pub server_challenge: [u8; 8],
    pub target_info: Vec<AvPair>,
    /// The TargetInfo bytes as sent (NTLMv2 echoes them in its blob).
    pub target_info_raw: Vec<u8>,
    pub version: Option<VersionInfo>,
}

/// What kind of response a buffer holds (MS-NLMP 3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ResponseKind {
    Empty,
    LmV1,
    LmV2,
    /// With extended session security the LM field carries the client challenge, then zeros.
    ClientChallengeOnly,
    /// Z(24): an NTLMv2 client that saw MsvAvTimestamp sends no LM response (MS-NLMP 3.1.5.1.2).
    Zeroed,
    NtlmV1,
    /// NTLMv1 computed over the NTLM2 session challenge (extended session security).
    NtlmV1Ess,
    NtlmV2,
    Unknown,
}

impl ResponseKind {
    pub fn name(self) -> &'static str {
        match self {
            ResponseKind::Empty => "empty",
            ResponseKind::LmV1 => "LMv1",
            ResponseKind::LmV2 => "LMv2",
            ResponseKind::ClientChallengeOnly => {
                "client challenge (NTLMv1 with extended session security)"
            }
            ResponseKind::Zeroed => {
                "Z(24): not sent, as NTLMv2 clients do when the CHALLENGE carries MsvAvTimestamp"
            }
            ResponseKind::NtlmV1 => "NTLMv1",
            ResponseKind::NtlmV1Ess => {
                "NTLMv1 with extended session security (NTLM2 session response)"
            }
            ResponseKind::NtlmV2 => "NTLMv2",
            ResponseKind::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NtlmV2Blob {
    pub nt_proof_str: [u8; 16],
    /// `NTLMv2_CLIENT_CHALLENGE` (the "temp" of MS-NLMP 3.3.2), as sent.
    pub client_blob: Vec<u8>,
    pub timestamp: u64,
    pub client_challenge: [u8; 8],
    pub av_pairs: Vec<AvPair>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticate {
    pub flags: u32,
    pub lm_response: Vec<u8>,
    pub nt_response: Vec<u8>,
    pub lm_kind: ResponseKind,
    pub nt_kind: ResponseKind,
    pub domain: String,
    pub user: String,
    pub workstation: String,
    pub encrypted_random_session_key: Vec<u8>,
    pub version: Option<VersionInfo>,
    pub mic: Option<[u8; 16]>,
    /// Where the MIC is (it is zeroed there when the MIC is computed).
    pub mic_offset: Option<usize>,
    pub ntlmv2: Option<NtlmV2Blob>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    Negotiate(Negotiate),
    Challenge(Challenge),
    Authenticate(Authenticate),
}

impl Message {
    pub fn type_name(&self) -> &'static str {
        match self {
            Message::Negotiate(_) => "NEGOTIATE_MESSAGE",
            Message::Challenge(_) => "CHALLENGE_MESSAGE",
            Message::Authenticate(_) => "AUTHENTICATE_MESSAGE",
        }
    }
}

/// The outcome of decoding: the message if it decoded, the fields read (even when decoding
/// stopped), warnings, and the error that stopped it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub message: Option<Message>,
    pub fields: Vec<Field>,
    pub warnings: Vec<Warning>,
    pub error: Option<Error>,
}

struct Ctx<'a> {
    r: Reader<'a>,
    fields: Vec<Field>,
    warnings: Vec<Warning>,
    /// Targets of security buffers seen so far (name, span) for the overlap check.
    targets: Vec<(&'static str, Span)>,
}

/// Decode one NTLMSSP message.
pub fn decode(buf: &[u8]) -> Decoded {
    let mut c = Ctx {
        r: Reader::new(buf),
        fields: Vec::new(),
        warnings: Vec::new(),
        targets: Vec::new(),
    };
    let result = c.message();
    let (message, error) = match result {
        Ok(m) => (Some(m), None),
        Err(e) => (None, Some(e)),
    };
    Decoded {
        message,
        fields: c.fields,
        warnings: c.warnings,
        error,
    }
}

fn u32v(n: impl TryInto<u32>) -> Value {
    Value::U32(n.try_into().unwrap_or(u32::MAX))
}

impl Ctx<'_> {
    fn warn(&mut self, offset: usize, message: impl Into<String>) {
        self.warnings.push(Warning::at(message, offset));
    }

    fn message(&mut self) -> Result<Message, Error> {
        let sig: [u8; 8] = self.r.fixed(0, "Signature")?;
        if &sig != SIGNATURE {
            return Err(Error::new(ErrorKind::BadSignature, 0));
        }
        self.fields.push(
            Field::new(
                "Signature",
                Span::new(0, 8),
                Value::Text("NTLMSSP\\0".into()),
            )
            .spec("MS-NLMP 2.2.1"),
        );
        let t = self.r.u32_named(8, "MessageType")?;
        let name = match t {
            1 => "NtLmNegotiate (1)",
            2 => "NtLmChallenge (2)",
            3 => "NtLmAuthenticate (3)",
            _ => "unknown",
        };
        self.fields.push(Field::new(
            "MessageType",
            Span::new(8, 12),
            Value::Text(name.into()),
        ));
        match t {
            1 => self.negotiate().map(Message::Negotiate),
            2 => self.challenge().map(Message::Challenge),
            3 => self.authenticate().map(Message::Authenticate),
            got => Err(Error::new(
                ErrorKind::UnexpectedMessage { expected: 0, got },
                8,
            )),
        }
    }

    fn flags_field(&mut self, at: usize) -> Result<u32, Error> {
        let v = self.r.u32_named(at, "NegotiateFlags")?;
        let bits = flags::FLAGS
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let byte = at + i / 8;
                Field::new(
                    f.name,
                    Span::new(byte, byte + 1),
                    Value::Bool(v & f.bit != 0),
                )
                .note(f.meaning)
            })
            .collect();
        self.fields.push(
            Field::new(
                "NegotiateFlags",
                Span::new(at, at + 4),
                Value::Text(format!("0x{v:08x}")),
            )
            .spec("MS-NLMP 2.2.2.5")
            .with(bits),
        );
        Ok(v)
    }

    /// A `…Fields` descriptor named `name` at `at`; its target is checked and recorded.
    fn secbuf(
        &mut self,
        at: usize,
        name: &'static str,
        target: &'static str,
    ) -> Result<SecBuf, Error> {
        let len = self
            .r
            .u16(at)
            .map_err(|_| Error::new(ErrorKind::Truncated { field: name }, at))?;
        let max_len = self
            .r
            .u16(at + 2)
            .map_err(|_| Error::new(ErrorKind::Truncated { field: name }, at))?;
        let offset = self
            .r
            .u32(at + 4)
            .map_err(|_| Error::new(ErrorKind::Truncated { field: name }, at))?;
        let sb = SecBuf {
            len,
            max_len,
            offset,
            at,
        };
        let t = sb.target();
        let note = if len == 0 {
            "empty".to_string()
        } else {
            format!("{target} at bytes {}–{}", t.start(), t.end())
        };
        self.fields.push(
            Field::new(name, Span::new(at, at + 8), Value::Text(note))
                .spec("MS-NLMP 2.2.1")
                .with(vec![
                    Field::new(sub(name, "Len"), Span::new(at, at + 2), u32v(len)),
                    Field::new(
                        sub(name, "MaxLen"),
                        Span::new(at + 2, at + 4),
                        u32v(max_len),
                    ),
                    Field::new(
                        sub(name, "BufferOffset"),
                        Span::new(at + 4, at + 8),
                        Value::U32(offset),
                    ),
                ]),
        );
        if len > 0 {
            if t.end() > self.r.len() {
                self.warn(
                    at,
                    format!(
                        "{name} points outside the message: bytes {}–{} of a {}-byte message",
                        t.start(),
                        t.end(),
                        self.r.len()
                    ),
                );
            }
            if let Some((other, _)) = self
                .targets
                .iter()
                .find(|(_, s)| s.start() < t.end() && t.start() < s.end())
            {
                let other = *other;
                self.warn(at, format!("{target} overlaps {other}"));
            }
            self.targets.push((target, t));
        }
        if max_len != len {
            self.warn(
                at + 2,
                format!(
                    "{name}: MaxLen {max_len} differs from Len {len} (MS-NLMP says they are equal)"
                ),
            );
        }
        Ok(sb)
    }

    /// The target of `sb`, clipped to the message.
    fn target_bytes(&self, sb: &SecBuf) -> (Span, Vec<u8>) {
        let t = sb.target();
        let end = t.end().min(self.r.len());
        let start = t.start().min(end);
        let s = Span::new(start, end);
        (s, self.r.bytes(s).map(<[u8]>::to_vec).unwrap_or_default())
    }

    fn text_field(&mut self, sb: &SecBuf, name: &'static str, unicode: bool) -> String {
        let (span, bytes) = self.target_bytes(sb);
        if bytes.is_empty() {
            return String::new();
        }
        if unicode && bytes.len() % 2 == 1 {
            self.warn(span.start(), format!("{name} has an odd length for UTF-16"));
        }
        let text = if unicode {
            utf16le(&bytes)
        } else {
            oem(&bytes)
        };
        self.fields.push(
            Field::new(name, span, Value::Text(text.clone()))
                .note(if unicode {
                    "UTF-16LE (NTLMSSP_NEGOTIATE_UNICODE)"
                } else {
                    "OEM code page"
                })
                .spec("MS-NLMP 2.2.1"),
        );
        text
    }

    fn version(&mut self, at: usize, present: bool) -> Result<Option<VersionInfo>, Error> {
        if !present {
            return Ok(None);
        }
        let b: [u8; 8] = self.r.fixed(at, "Version")?;
        let [major, minor, b0, b1, _, _, _, revision] = b;
        let build = u16::from_le_bytes([b0, b1]);
        let v = VersionInfo {
            major,
            minor,
            build,
            revision,
        };
        self.fields.push(
            Field::new(
                "Version",
                Span::new(at, at + 8),
                Value::Text(version::windows_name(major, minor, build)),
            )
            .spec("MS-NLMP 2.2.2.10")
            .note("for debugging only: nothing checks it")
            .with(vec![
                Field::new("ProductMajorVersion", Span::new(at, at + 1), u32v(major)),
                Field::new(
                    "ProductMinorVersion",
                    Span::new(at + 1, at + 2),
                    u32v(minor),
                ),
                Field::new("ProductBuild", Span::new(at + 2, at + 4), u32v(build)),
                Field::new(
                    "Reserved",
                    Span::new(at + 4, at + 7),
                    Value::Bytes(b.get(4..7).unwrap_or(&[]).to_vec()),
                ),
                Field::new(
                    "NTLMRevisionCurrent",
                    Span::new(at + 7, at + 8),
                    Value::Text(format!(
                        "0x{revision:02x} {}",
                        version::revision_name(revision)
                    )),
                ),
            ]),
        );
        Ok(Some(v))
    }

    /// The lowest offset of the non-empty buffers: where the payload starts.
    fn payload_start(&self, bufs: &[SecBuf]) -> usize {
        bufs.iter()
            .filter(|b| b.len > 0)
            .map(|b| usize::try_from(b.offset).unwrap_or(usize::MAX))
            .min()
            .unwrap_or(self.r.len())
    }

    fn negotiate(&mut self) -> Result<Negotiate, Error> {
        let fl = self.flags_field(12)?;
        if self.r.len() < 32 {
            self.warn(16, "a short NEGOTIATE without DomainNameFields and WorkstationFields (very old clients)");
            return Ok(Negotiate {
                flags: fl,
                domain: None,
                workstation: None,
                version: None,
            });
        }
        let d = self.secbuf(16, "DomainNameFields", "DomainName")?;
        let w = self.secbuf(24, "WorkstationFields", "Workstation")?;
        let start = self.payload_start(&[d, w]);
        let version = self.version(
            32,
            fl & flags::VERSION != 0 && start >= 40 && self.r.len() >= 40,
        )?;
        // NEGOTIATE strings are always OEM.
        let domain = (d.len > 0).then(|| self.text_field(&d, "DomainName", false));
        let workstation = (w.len > 0).then(|| self.text_field(&w, "Workstation", false));
        Ok(Negotiate {
            flags: fl,
            domain,
            workstation,
            version,
        })
    }

    fn challenge(&mut self) -> Result<Challenge, Error> {
        let tn = self.secbuf(12, "TargetNameFields", "TargetName")?;
        let fl = self.flags_field(20)?;
        let server_challenge: [u8; 8] = self.r.fixed(24, "ServerChallenge")?;
        self.fields.push(
            Field::new(
                "ServerChallenge",
                Span::new(24, 32),
                Value::Bytes(server_challenge.to_vec()),
            )
            .note(
                "8 random bytes the client must answer; a replayed or constant one is a red flag",
            ),
        );
        let unicode = fl & flags::UNICODE != 0;
        let mut ti = None;
        if self.r.len() >= 48 {
            let reserved: [u8; 8] = self.r.fixed(32, "Reserved")?;
            self.fields.push(Field::new(
                "Reserved",
                Span::new(32, 40),
                Value::Bytes(reserved.to_vec()),
            ));
            ti = Some(self.secbuf(40, "TargetInfoFields", "TargetInfo")?);
        }
        let bufs: Vec<SecBuf> = std::iter::once(tn).chain(ti).collect();
        let start = self.payload_start(&bufs);
        let version = self.version(
            48,
            fl & flags::VERSION != 0 && start >= 56 && self.r.len() >= 56,
        )?;
        let target_name = (tn.len > 0).then(|| self.text_field(&tn, "TargetName", unicode));
        let mut target_info = Vec::new();
        let mut target_info_raw = Vec::new();
        if let Some(ti) = ti.filter(|t| t.len > 0) {
            let (span, bytes) = self.target_bytes(&ti);
            target_info_raw = bytes;
            let mut children = Vec::new();
            let r = Reader::new(self.r.buf);
            let res = avpair::decode(&r, span, &mut children);
            self.fields.push(
                Field::new("TargetInfo", span, Value::None)
                    .spec("MS-NLMP 2.2.2.1")
                    .with(children),
            );
            target_info = res?;
            if avpair::find(&target_info, avpair::MSV_AV_TIMESTAMP).is_none() {
                self.warn(span.start(), "TargetInfo has no MsvAvTimestamp: clients then send no MIC, so the messages are not integrity-protected");
            }
        } else if fl & flags::TARGET_INFO != 0 {
            self.warn(40, "NTLMSSP_NEGOTIATE_TARGET_INFO is set but there is no TargetInfo: NTLMv2 clients need it");
        }
        Ok(Challenge {
            flags: fl,
            target_name,
            server_challenge,
            target_info,
            target_info_raw,
            version,
        })
    }

    fn authenticate(&mut self) -> Result<Authenticate, Error> {
        let lm = self.secbuf(12, "LmChallengeResponseFields", "LmChallengeResponse")?;
        let nt = self.secbuf(20, "NtChallengeResponseFields", "NtChallengeResponse")?;
        let d = self.secbuf(28, "DomainNameFields", "DomainName")?;
        let u = self.secbuf(36, "UserNameFields", "UserName")?;
        let w = self.secbuf(44, "WorkstationFields", "Workstation")?;
        let k = if self.r.len() >= 60 {
            Some(self.secbuf(
                52,
                "EncryptedRandomSessionKeyFields",
                "EncryptedRandomSessionKey",
            )?)
        } else {
            None
        };
        let fl = if self.r.len() >= 64 {
            self.flags_field(60)?
        } else {
            0
        };
        let bufs: Vec<SecBuf> = [lm, nt, d, u, w].into_iter().chain(k).collect();
        let start = self.payload_start(&bufs);
        let version = self.version(64, start >= 72 && self.r.len() >= 72)?;
        let (mic, mic_offset) = if start >= 88 && self.r.len() >= 88 {
            let m: [u8; 16] = self.r.fixed(72, "MIC")?;
            self.fields.push(
                Field::new("MIC", Span::new(72, 88), Value::Bytes(m.to_vec()))
                    .spec("MS-NLMP 2.2.1.3")
                    .note("HMAC-MD5 over NEGOTIATE, CHALLENGE and AUTHENTICATE (this field zeroed), keyed with the exported session key"),
            );
            (Some(m), Some(72))
        } else {
            (None, None)
        };
        let unicode = fl & flags::UNICODE != 0;
        let domain = self.text_field(&d, "DomainName", unicode);
        let user = self.text_field(&u, "UserName", unicode);
        let workstation = self.text_field(&w, "Workstation", unicode);
        let (lm_span, lm_response) = self.target_bytes(&lm);
        let (nt_span, nt_response) = self.target_bytes(&nt);
        let ess = fl & flags::EXTENDED_SESSIONSECURITY != 0;
        let nt_kind = match nt_response.len() {
            0 => ResponseKind::Empty,
            24 if ess => ResponseKind::NtlmV1Ess,
            24 => ResponseKind::NtlmV1,
            n if n >= 48 => ResponseKind::NtlmV2,
            _ => ResponseKind::Unknown,
        };
        let lm_kind = match lm_response.len() {
            0 => ResponseKind::Empty,
            24 if lm_response.iter().all(|b| *b == 0) => ResponseKind::Zeroed,
            24 if nt_kind == ResponseKind::NtlmV2 => ResponseKind::LmV2,
            24 if ess
                && lm_response
                    .get(8..)
                    .is_some_and(|z| z.iter().all(|b| *b == 0)) =>
            {
                ResponseKind::ClientChallengeOnly
            }
            24 => ResponseKind::LmV1,
            1 if lm_response.first() == Some(&0) => ResponseKind::Empty,
            _ => ResponseKind::Unknown,
        };
        if !lm_response.is_empty() {
            let note = match lm_kind {
                ResponseKind::LmV2 => {
                    "LMv2: HMAC-MD5 of the challenges (16 bytes) then the client challenge (8)"
                }
                ResponseKind::LmV1 => {
                    "LMv1: DES of the server challenge with the LM hash, trivially cracked"
                }
                _ => "",
            };
            let mut f = Field::new(
                "LmChallengeResponse",
                lm_span,
                Value::Bytes(lm_response.clone()),
            )
            .spec("MS-NLMP 2.2.2.3")
            .note(if note.is_empty() {
                lm_kind.name()
            } else {
                note
            });
            if lm_kind == ResponseKind::LmV2 {
                f = f.with(vec![
                    Field::new(
                        "Response",
                        Span::new(lm_span.start(), lm_span.start() + 16),
                        Value::Bytes(lm_response.get(..16).unwrap_or(&[]).to_vec()),
                    ),
                    Field::new(
                        "ChallengeFromClient",
                        Span::new(lm_span.start() + 16, lm_span.end()),
                        Value::Bytes(lm_response.get(16..).unwrap_or(&[]).to_vec()),
                    ),
                ]);
            }
            self.fields.push(f);
        }
        let mut ntlmv2 = None;
        if nt_kind == ResponseKind::NtlmV2 {
            let (f, blob) = self.ntlmv2(nt_span, &nt_response)?;
            self.fields.push(f);
            ntlmv2 = Some(blob);
        } else if !nt_response.is_empty() {
            self.fields.push(
                Field::new(
                    "NtChallengeResponse",
                    nt_span,
                    Value::Bytes(nt_response.clone()),
                )
                .spec("MS-NLMP 2.2.2.6")
                .note(nt_kind.name()),
            );
        }
        let key = k.map(|k| self.target_bytes(&k)).unwrap_or_default();
        if !key.1.is_empty() {
            self.fields.push(Field::new("EncryptedRandomSessionKey", key.0, Value::Bytes(key.1.clone())).note("RC4 of the random session key under the key exchange key (NTLMSSP_NEGOTIATE_KEY_EXCH)"));
        }
        // What to look at.
        match nt_kind {
            ResponseKind::NtlmV1 | ResponseKind::NtlmV1Ess => self.warn(nt_span.start(), format!("{} in use: it can be cracked offline quickly; require NTLMv2 (LmCompatibilityLevel 5)", nt_kind.name())),
            _ => {}
        }
        if lm_kind == ResponseKind::LmV1 {
            self.warn(
                lm_span.start(),
                "LMv1 response in use: the LM hash is weak and this response reveals it",
            );
        }
        let anonymous = nt_response.is_empty() && lm_kind == ResponseKind::Empty;
        if anonymous || fl & flags::ANONYMOUS != 0 {
            self.warn(
                20,
                "anonymous AUTHENTICATE: no user credentials are proved; IIS maps it to no user",
            );
        }
        if let Some(b) = &ntlmv2 {
            let mic_flag = avpair::find(&b.av_pairs, avpair::MSV_AV_FLAGS)
                .and_then(AvPair::u32)
                .is_some_and(|v| v & avpair::AV_FLAG_MIC != 0);
            match (mic.is_some(), mic_flag) {
                (false, true) => self.warn(72, "MsvAvFlags says a MIC is present but the message has no MIC field"),
                (true, false) => self.warn(72, "a MIC field is present but MsvAvFlags does not announce it (the server may ignore it)"),
                (false, false) => self.warn(12, "no MIC: the three messages are not integrity-protected (older client, or the MIC was stripped)"),
                (true, true) => {}
            }
        }
        if !anonymous && user.is_empty() {
            self.warn(36, "empty UserName");
        }
        Ok(Authenticate {
            flags: fl,
            lm_response,
            nt_response,
            lm_kind,
            nt_kind,
            domain,
            user,
            workstation,
            encrypted_random_session_key: key.1,
            version,
            mic,
            mic_offset,
            ntlmv2,
        })
    }

    /// `NTLMv2_RESPONSE` (MS-NLMP 2.2.2.8): NTProofStr (16) then `NTLMv2_CLIENT_CHALLENGE`:
    /// RespType (1) | HiRespType (1) | Reserved1 (2) | Reserved2 (4) | TimeStamp (8) |
    /// ChallengeFromClient (8) | Reserved3 (4) | AvPairs.
    fn ntlmv2(&mut self, s: Span, b: &[u8]) -> Result<(Field, NtlmV2Blob), Error> {
        let r = Reader::new(self.r.buf);
        let at = s.start();
        let nt_proof_str: [u8; 16] = r.fixed(at, "NTProofStr")?;
        let resp = r.u8(at + 16)?;
        let hi = r.u8(at + 17)?;
        let timestamp = r.u64(at + 24)?;
        let client_challenge: [u8; 8] = r.fixed(at + 32, "ChallengeFromClient")?;
        let mut pairs_fields = Vec::new();
        let pairs = avpair::decode(&r, Span::new(at + 44, s.end()), &mut pairs_fields);
        let pairs_end = pairs_fields.last().map_or(at + 44, |f| f.span.end());
        let mut blob_children = vec![
            Field::new("RespType", Span::new(at + 16, at + 17), u32v(resp)),
            Field::new("HiRespType", Span::new(at + 17, at + 18), u32v(hi)),
            Field::new(
                "Reserved1",
                Span::new(at + 18, at + 20),
                Value::Bytes(b.get(18..20).unwrap_or(&[]).to_vec()),
            ),
            Field::new(
                "Reserved2",
                Span::new(at + 20, at + 24),
                Value::Bytes(b.get(20..24).unwrap_or(&[]).to_vec()),
            ),
            Field::new(
                "TimeStamp",
                Span::new(at + 24, at + 32),
                Value::Time(crate::time::filetime_iso8601(timestamp)),
            )
            .note("the client's clock (FILETIME, UTC)"),
            Field::new(
                "ChallengeFromClient",
                Span::new(at + 32, at + 40),
                Value::Bytes(client_challenge.to_vec()),
            ),
            Field::new(
                "Reserved3",
                Span::new(at + 40, at + 44),
                Value::Bytes(b.get(40..44).unwrap_or(&[]).to_vec()),
            ),
            Field::new("AvPairs", Span::new(at + 44, pairs_end), Value::None)
                .spec("MS-NLMP 2.2.2.1")
                .with(pairs_fields),
        ];
        if pairs_end < s.end() {
            blob_children.push(Field::new(
                "Padding",
                Span::new(pairs_end, s.end()),
                Value::Bytes(b.get(pairs_end - at..).unwrap_or(&[]).to_vec()),
            ));
        }
        let field = Field::new("NtChallengeResponse", s, Value::Text("NTLMv2".into()))
            .spec("MS-NLMP 2.2.2.8")
            .with(vec![
                Field::new(
                    "NTProofStr",
                    Span::new(at, at + 16),
                    Value::Bytes(nt_proof_str.to_vec()),
                )
                .note("HMAC-MD5(NTOWFv2, ServerChallenge ‖ the blob below)"),
                Field::new(
                    "NTLMv2_CLIENT_CHALLENGE",
                    Span::new(at + 16, s.end()),
                    Value::None,
                )
                .spec("MS-NLMP 2.2.2.7")
                .with(blob_children),
            ]);
        if resp != 1 || hi != 1 {
            self.warn(
                at + 16,
                format!("RespType/HiRespType are {resp}/{hi}, not 1/1"),
            );
        }
        let av_pairs = match pairs {
            Ok(p) => p,
            Err(e) => {
                self.warn(
                    e.offset,
                    format!("the NTLMv2 blob's AV_PAIRs are cut short: {e}"),
                );
                Vec::new()
            }
        };
        let blob = NtlmV2Blob {
            nt_proof_str,
            client_blob: b.get(16..).unwrap_or(&[]).to_vec(),
            timestamp,
            client_challenge,
            av_pairs,
        };
        Ok((field, blob))
    }
}

/// `DomainNameFields` + `Len` → `DomainNameLen` (MS-NLMP's names for the sub-fields).
fn sub(fields: &'static str, part: &'static str) -> &'static str {
    macro_rules! names {
        ($($f:literal => $base:literal),*) => {
            match (fields, part) {
                $(($f, "Len") => concat!($base, "Len"), ($f, "MaxLen") => concat!($base, "MaxLen"), ($f, "BufferOffset") => concat!($base, "BufferOffset"),)*
                _ => part,
            }
        };
    }
    names!(
        "DomainNameFields" => "DomainName",
        "WorkstationFields" => "Workstation",
        "TargetNameFields" => "TargetName",
        "TargetInfoFields" => "TargetInfo",
        "LmChallengeResponseFields" => "LmChallengeResponse",
        "NtChallengeResponseFields" => "NtChallengeResponse",
        "UserNameFields" => "UserName",
        "EncryptedRandomSessionKeyFields" => "EncryptedRandomSessionKey"
    )
}
