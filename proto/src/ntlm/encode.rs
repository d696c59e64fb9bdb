//! Building NTLM messages byte-exact (MS-NLMP 2.2.1): the fixed part, then the payload in the
//! order Windows uses (names first, then responses, then the session key), every security
//! buffer pointing at its bytes.

use super::message::{VersionInfo, SIGNATURE};

/// One AV_PAIR (MS-NLMP 2.2.2.1): AvId, AvLen, Value.
pub fn av_pair(id: u16, value: &[u8]) -> Vec<u8> {
    let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
    [&id.to_le_bytes()[..], &len.to_le_bytes(), value].concat()
}

/// The 8 bytes of a `VERSION`.
pub fn version_bytes(v: &VersionInfo) -> [u8; 8] {
    let b = v.build.to_le_bytes();
    [v.major, v.minor, b[0], b[1], 0, 0, 0, v.revision]
}

/// Lays out security buffers: descriptors are patched in once the payload offsets are known.
struct Builder {
    out: Vec<u8>,
    /// (descriptor position, payload bytes)
    pending: Vec<(usize, Vec<u8>)>,
}

impl Builder {
    fn new(message_type: u32) -> Builder {
        let mut out = SIGNATURE.to_vec();
        out.extend_from_slice(&message_type.to_le_bytes());
        Builder {
            out,
            pending: Vec::new(),
        }
    }
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }
    /// A descriptor whose payload is `data`.
    fn buffer(&mut self, data: Vec<u8>) {
        self.pending.push((self.out.len(), data));
        self.out.extend_from_slice(&[0; 8]);
    }
    fn finish(mut self, order: &[usize]) -> Vec<u8> {
        for &i in order {
            let Some((at, data)) = self.pending.get(i).cloned() else {
                continue;
            };
            let offset = u32::try_from(self.out.len()).unwrap_or(u32::MAX);
            let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
            let mut desc = [0u8; 8];
            for (d, b) in desc.iter_mut().zip(
                len.to_le_bytes()
                    .into_iter()
                    .chain(len.to_le_bytes())
                    .chain(offset.to_le_bytes()),
            ) {
                *d = b;
            }
            if let Some(d) = self.out.get_mut(at..at + 8) {
                d.copy_from_slice(&desc);
            }
            self.out.extend_from_slice(&data);
        }
        self.out
    }
}

/// NEGOTIATE_MESSAGE: flags, OEM domain and workstation (empty when `None`), optional version.
pub fn negotiate(
    flags: u32,
    domain: Option<&str>,
    workstation: Option<&str>,
    version: Option<&VersionInfo>,
) -> Vec<u8> {
    let mut b = Builder::new(1);
    b.u32(flags);
    b.buffer(domain.map(|d| d.as_bytes().to_vec()).unwrap_or_default());
    b.buffer(
        workstation
            .map(|w| w.as_bytes().to_vec())
            .unwrap_or_default(),
    );
    if let Some(v) = version {
        b.bytes(&version_bytes(v));
    }
    b.finish(&[0, 1])
}

/// CHALLENGE_MESSAGE: target name (already encoded), flags, server challenge, target info bytes.
pub fn challenge(
    flags: u32,
    target_name: &[u8],
    server_challenge: &[u8; 8],
    target_info: &[u8],
    version: Option<&VersionInfo>,
) -> Vec<u8> {
    let mut b = Builder::new(2);
    b.buffer(target_name.to_vec());
    b.u32(flags);
    b.bytes(server_challenge);
    b.bytes(&[0; 8]);
    b.buffer(target_info.to_vec());
    if let Some(v) = version {
        b.bytes(&version_bytes(v));
    }
    b.finish(&[0, 1])
}

/// The parts of an AUTHENTICATE_MESSAGE; strings already encoded (UTF-16LE or OEM per flags).
pub struct AuthenticateParts<'a> {
    pub flags: u32,
    pub lm_response: &'a [u8],
    pub nt_response: &'a [u8],
    pub domain: &'a [u8],
    pub user: &'a [u8],
    pub workstation: &'a [u8],
    pub encrypted_random_session_key: &'a [u8],
    pub version: Option<&'a VersionInfo>,
    /// Reserve the 16-byte MIC field (zeroed; compute and patch it at `MIC_OFFSET`).
    pub with_mic: bool,
}

/// Where the MIC sits in an AUTHENTICATE_MESSAGE that has one.
pub const MIC_OFFSET: usize = 72;

pub fn authenticate(p: &AuthenticateParts<'_>) -> Vec<u8> {
    let mut b = Builder::new(3);
    b.buffer(p.lm_response.to_vec());
    b.buffer(p.nt_response.to_vec());
    b.buffer(p.domain.to_vec());
    b.buffer(p.user.to_vec());
    b.buffer(p.workstation.to_vec());
    b.buffer(p.encrypted_random_session_key.to_vec());
    b.u32(p.flags);
    match (p.version, p.with_mic) {
        (Some(v), _) => b.bytes(&version_bytes(v)),
        (None, true) => b.bytes(&[0; 8]),
        (None, false) => {}
    }
    if p.with_mic {
        b.bytes(&[0; 16]);
    }
    // Domain, user, workstation, LM, NT, session key: the order of MS-NLMP 4.2's examples.
    b.finish(&[2, 3, 4, 0, 1, 5])
}
