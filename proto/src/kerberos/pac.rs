//! The Windows PAC (MS-PAC), field by field with byte spans, and its signatures checked with the
//! keys at hand. Read by hand: the PAC is little-endian structures and NDR (MS-RPCE §2.2.6
//! type serialization) that no crate reads with byte spans.
//!
//! ```text
//! PACTYPE (MS-PAC §2.3)       uint32 cBuffers, uint32 Version (0), cBuffers × PAC_INFO_BUFFER
//! PAC_INFO_BUFFER (§2.4)      uint32 ulType, uint32 cbBufferSize, uint64 Offset (8-aligned)
//! KERB_VALIDATION_INFO (§2.5) NDR: common header (8), private header (8), referent, the
//!                             structure, then its deferred strings, group and SID arrays
//! PAC_CLIENT_INFO (§2.7)      FILETIME ClientId, uint16 NameLength, UTF-16LE Name
//! UPN_DNS_INFO (§2.10)        uint16 UpnLength, UpnOffset, DnsDomainNameLength, …Offset,
//!                             uint32 Flags [, uint16 SamNameLength, …Offset, SidLength, …Offset]
//! PAC_SIGNATURE_DATA (§2.8)   uint32 SignatureType, Signature [, uint16 RODCIdentifier]
//! PAC_ATTRIBUTES_INFO (§2.14) uint32 FlagsLength (bits), uint32 Flags
//! PAC_REQUESTOR (§2.15)       SID
//! ```
//! Signatures (MS-PAC §2.8): the server signature is a keyed checksum, key usage 17
//! (KERB_NON_KERB_CKSUM_SALT), under the service's key over the whole PAC with the server and
//! KDC signatures zeroed; the KDC signature one under krbtgt's key over the server signature;
//! the ticket signature (§2.8.3) one under krbtgt's key over the EncTicketPart whose PAC is
//! replaced by a single zero byte.

use super::crypto;
#[cfg(feature = "full-kerberos")]
use super::crypto::Key;
use crate::field::{Field, Value};
use crate::Span;

/// PAC buffer types (MS-PAC §2.4).
pub fn buffer_name(t: u32) -> &'static str {
    match t {
        1 => "KERB_VALIDATION_INFO (logon information: user, groups)",
        2 => "PAC_CREDENTIAL_INFO",
        6 => "server checksum",
        7 => "KDC (privilege server) checksum",
        10 => "PAC_CLIENT_INFO (client name and ticket time)",
        11 => "S4U_DELEGATION_INFO (constrained delegation)",
        12 => "UPN_DNS_INFO",
        13 => "client claims",
        14 => "device info",
        15 => "device claims",
        16 => "ticket checksum",
        17 => "PAC_ATTRIBUTES_INFO",
        18 => "PAC_REQUESTOR (the requesting account's SID)",
        19 => "full PAC checksum",
        _ => "unknown buffer type",
    }
}

#[cfg(feature = "full-kerberos")]
/// One PAC_INFO_BUFFER: its type and where its data is in the PAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buffer {
    pub ty: u32,
    pub data: Span,
}

#[cfg(feature = "full-kerberos")]
/// The buffers of a PAC (spans relative to the PAC's first byte).
pub fn buffers(pac: &[u8]) -> Vec<Buffer> {
    info_buffers(pac)
        .into_iter()
        .filter_map(|(_, ty, size, off)| {
            let off = usize::try_from(off).ok()?;
            let end = off.checked_add(size as usize).filter(|e| *e <= pac.len())?;
            Some(Buffer {
                ty,
                data: Span::new(off, end),
            })
        })
        .collect()
}

/// The PAC_INFO_BUFFER headers (MS-PAC §2.4) that are whole: (where the header is, ulType,
/// cbBufferSize, Offset). At most 64.
fn info_buffers(pac: &[u8]) -> Vec<(usize, u32, u32, u64)> {
    let count = le32(pac, 0).unwrap_or(0);
    (0..count.min(64) as usize)
        .map(|i| 8 + 16 * i)
        .map_while(|base| {
            Some((
                base,
                le32(pac, base)?,
                le32(pac, base + 4)?,
                le64(pac, base + 8)?,
            ))
        })
        .collect()
}

fn le16(b: &[u8], i: usize) -> Option<u16> {
    b.get(i..i + 2)?.try_into().ok().map(u16::from_le_bytes)
}
fn le32(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i + 4)?.try_into().ok().map(u32::from_le_bytes)
}
fn le64(b: &[u8], i: usize) -> Option<u64> {
    b.get(i..i + 8)?.try_into().ok().map(u64::from_le_bytes)
}

fn utf16(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .filter_map(|c| c.try_into().ok())
        .map(u16::from_le_bytes)
        .collect();
    String::from_utf16_lossy(&units)
}

#[cfg(feature = "full-kerberos")]
/// A binary SID (MS-DTYP §2.4.2.2) as `S-1-5-21-…`, and its length.
fn sid(b: &[u8]) -> Option<(String, usize)> {
    let rev = *b.first()?;
    let n = usize::from(*b.get(1)?);
    let auth = b
        .get(2..8)?
        .iter()
        .fold(0u64, |a, x| (a << 8) | u64::from(*x));
    let mut s = format!("S-{rev}-{auth}");
    for i in 0..n {
        s.push_str(&format!("-{}", le32(b, 8 + 4 * i)?));
    }
    Some((s, 8 + 4 * n))
}

#[cfg(feature = "full-kerberos")]
/// Well-known RIDs and SIDs a trainer meets in a PAC (MS-DTYP §2.4.2.4).
fn rid_name(rid: u32) -> Option<&'static str> {
    Some(match rid {
        500 => "Administrator",
        502 => "krbtgt",
        512 => "Domain Admins",
        513 => "Domain Users",
        514 => "Domain Guests",
        515 => "Domain Computers",
        516 => "Domain Controllers",
        518 => "Schema Admins",
        519 => "Enterprise Admins",
        520 => "Group Policy Creator Owners",
        572 => "Denied RODC Password Replication Group",
        _ => return None,
    })
}

#[cfg(feature = "full-kerberos")]
/// A cursor over an NDR stream (MS-RPCE §2.2.6, little-endian, 4-byte alignment for what the
/// PAC holds), spans in the caller's coordinates.
struct Ndr<'a> {
    b: &'a [u8],
    at: usize,
    base: usize,
}

#[cfg(feature = "full-kerberos")]
impl Ndr<'_> {
    fn align(&mut self, n: usize) {
        self.at = self.at.div_ceil(n) * n;
    }
    fn span(&self, start: usize) -> Span {
        Span::new(self.base + start, self.base + self.at.min(self.b.len()))
    }
    fn u16(&mut self) -> Option<(u16, Span)> {
        self.align(2);
        let s = self.at;
        let v = le16(self.b, s)?;
        self.at += 2;
        Some((v, self.span(s)))
    }
    fn u32(&mut self) -> Option<(u32, Span)> {
        self.align(4);
        let s = self.at;
        let v = le32(self.b, s)?;
        self.at += 4;
        Some((v, self.span(s)))
    }
    fn filetime(&mut self, name: &'static str) -> Option<Field> {
        self.align(4);
        let s = self.at;
        let v = le64(self.b, s)?;
        self.at += 8;
        let value = match v {
            0 => Value::Text("0 (none)".into()),
            0x7fff_ffff_ffff_ffff => Value::Text("never (0x7fffffffffffffff)".into()),
            _ => Value::Time(crate::time::filetime_iso8601(v)),
        };
        Some(Field::new(name, self.span(s), value))
    }
    /// An embedded pointer (its referent id, 0 for null) and a field for it named `name`; what it
    /// points to is deferred after the structure.
    fn pointer(&mut self, name: &'static str) -> Option<(u32, Field)> {
        let (p, s) = self.u32()?;
        Some((p, Field::new(name, s, Value::None)))
    }
    /// A deferred GROUP_MEMBERSHIP array (conformance count, then RelativeId and Attributes
    /// each): the count and a field per group.
    fn groups(&mut self) -> Option<(u32, Vec<Field>)> {
        let (n, _) = self.u32()?;
        let mut kids = Vec::new();
        for _ in 0..n.min(4096) {
            let s0 = self.at;
            let (rid, _) = self.u32()?;
            let (attrs, _) = self.u32()?;
            kids.push(group(self.span(s0), rid, attrs));
        }
        Some((n, kids))
    }
    /// RPC_UNICODE_STRING's header: (length in bytes, referent) and its field.
    fn unicode_header(&mut self, name: &'static str) -> Option<(u32, Field)> {
        let s = self.at;
        self.u16()?;
        self.u16()?;
        let (ptr, _) = self.u32()?;
        Some((ptr, Field::new(name, self.span(s), Value::None)))
    }
    /// The deferred conformant varying UTF-16 string of a non-null RPC_UNICODE_STRING.
    fn unicode_body(&mut self) -> Option<(String, Span)> {
        let (_max, _) = self.u32()?;
        let (_offset, _) = self.u32()?;
        let (count, _) = self.u32()?;
        let s = self.at;
        let n = usize::try_from(count).ok()?.checked_mul(2)?;
        let text = utf16(self.b.get(s..s.checked_add(n)?)?);
        self.at += n;
        Some((text, self.span(s)))
    }
    /// A deferred RPC_SID (conformance count, then the SID).
    fn rpc_sid(&mut self) -> Option<(String, Span)> {
        let (_count, _) = self.u32()?;
        let s = self.at;
        let (text, len) = sid(self.b.get(s..)?)?;
        self.at += len;
        Some((text, self.span(s)))
    }
}

#[cfg(feature = "full-kerberos")]
/// KERB_VALIDATION_INFO (MS-PAC §2.5): the account, its groups and extra SIDs.
fn validation_info(b: &[u8], base: usize) -> Vec<Field> {
    let mut out = Vec::new();
    let _ = validation_fields(b, base, &mut out);
    out
}

#[cfg(feature = "full-kerberos")]
fn validation_fields(b: &[u8], base: usize, out: &mut Vec<Field>) -> Option<()> {
    let span = |s: usize, e: usize| Span::new(base + s, base + e.min(b.len()));
    // MS-RPCE §2.2.6.1 and §2.2.6.2: common and private headers.
    out.push(
        Field::new(
            "CommonHeader",
            span(0, 8),
            Value::Bytes(b.get(..8)?.to_vec()),
        )
        .note("NDR type serialization version 1, little-endian (MS-RPCE §2.2.6.1)"),
    );
    out.push(Field::new(
        "ObjectBufferLength",
        span(8, 12),
        Value::U32(le32(b, 8)?),
    ));
    let mut r = Ndr { b, at: 16, base };
    let _referent = r.u32()?;
    for name in [
        "LogonTime",
        "LogoffTime",
        "KickOffTime",
        "PasswordLastSet",
        "PasswordCanChange",
        "PasswordMustChange",
    ] {
        out.push(r.filetime(name)?);
    }
    let mut strings = Vec::new();
    for name in [
        "EffectiveName",
        "FullName",
        "LogonScript",
        "ProfilePath",
        "HomeDirectory",
        "HomeDirectoryDrive",
    ] {
        let (ptr, f) = r.unicode_header(name)?;
        strings.push((ptr, out.len()));
        out.push(f);
    }
    let (v, s) = r.u16()?;
    out.push(Field::new("LogonCount", s, Value::U32(u32::from(v))));
    let (v, s) = r.u16()?;
    out.push(Field::new("BadPasswordCount", s, Value::U32(u32::from(v))));
    let (uid, uid_span) = r.u32()?;
    out.push(
        Field::new("UserId", uid_span, Value::U32(uid))
            .note("the account's RID: its SID is LogonDomainId-UserId"),
    );
    let (pg, s) = r.u32()?;
    out.push(named_rid("PrimaryGroupId", s, pg));
    let (group_count, s) = r.u32()?;
    out.push(Field::new("GroupCount", s, Value::U32(group_count)));
    let (groups_ptr, f) = r.pointer("GroupIds")?;
    let groups_at = out.len();
    out.push(f);
    let (flags, s) = r.u32()?;
    out.push(
        Field::new("UserFlags", s, Value::Text(format!("0x{flags:08x}")))
            .note("0x20: extra SIDs present (LOGON_EXTRA_SIDS); 0x200: resource groups present"),
    );
    let s0 = r.at;
    r.at += 16;
    out.push(Field::new(
        "UserSessionKey",
        r.span(s0),
        Value::Bytes(b.get(s0..s0 + 16)?.to_vec()),
    ));
    for name in ["LogonServer", "LogonDomainName"] {
        let (ptr, f) = r.unicode_header(name)?;
        strings.push((ptr, out.len()));
        out.push(f);
    }
    let (domain_ptr, f) = r.pointer("LogonDomainId")?;
    let domain_at = out.len();
    out.push(f);
    r.u32()?;
    r.u32()?;
    let (uac, s) = r.u32()?;
    out.push(
        Field::new("UserAccountControl", s, Value::Text(format!("0x{uac:08x}")))
            .note("MS-SAMR §2.2.1.12 USER_* account flags (not LDAP's userAccountControl bits): 0x10 USER_NORMAL_ACCOUNT, 0x200 USER_DONT_EXPIRE_PASSWORD"),
    );
    let (_, _) = r.u32()?; // SubAuthStatus
    r.filetime("LastSuccessfulILogon")?;
    r.filetime("LastFailedILogon")?;
    r.u32()?; // FailedILogonCount
    r.u32()?; // Reserved3
    let (sid_count, s) = r.u32()?;
    out.push(Field::new("SidCount", s, Value::U32(sid_count)));
    let (extra_ptr, f) = r.pointer("ExtraSids")?;
    let extra_at = out.len();
    out.push(f);
    let (res_dom_ptr, f) = r.pointer("ResourceGroupDomainSid")?;
    let res_dom_at = out.len();
    out.push(f);
    let (res_count, s) = r.u32()?;
    out.push(Field::new("ResourceGroupCount", s, Value::U32(res_count)));
    let (res_ptr, f) = r.pointer("ResourceGroupIds")?;
    let res_at = out.len();
    out.push(f);

    // Deferred referents, in the order of their pointers (MS-RPCE §2.2.6: NDR's embedded
    // pointer representation).
    let mut domain_sid = String::new();
    for (i, (ptr, at)) in strings.iter().enumerate() {
        if *ptr != 0 {
            let (text, s) = r.unicode_body()?;
            if let Some(f) = out.get_mut(*at) {
                f.value = Value::Text(text);
                f.children.push(
                    Field::new("Buffer", s, Value::None)
                        .note("the characters, deferred after the structure (NDR)"),
                );
            }
        }
        // The group array comes after the six strings before it (then LogonServer…).
        if i == 5 && groups_ptr != 0 {
            let (n, kids) = r.groups()?;
            if let Some(f) = out.get_mut(groups_at) {
                f.value = Value::Text(format!("{n} groups"));
                f.children = kids;
            }
        }
    }
    if domain_ptr != 0 {
        let (text, s) = r.rpc_sid()?;
        domain_sid = text.clone();
        if let Some(f) = out.get_mut(domain_at) {
            f.value = Value::Text(text);
            f.children.push(Field::new("Sid", s, Value::None));
        }
    }
    if extra_ptr != 0 {
        let (n, _) = r.u32()?;
        let mut ptrs = Vec::new();
        for _ in 0..n.min(4096) {
            let s0 = r.at;
            let (p, _) = r.u32()?;
            let (attrs, _) = r.u32()?;
            ptrs.push((p, attrs, r.span(s0)));
        }
        let mut kids = Vec::new();
        for (p, attrs, s) in ptrs {
            if p == 0 {
                continue;
            }
            let (text, ss) = r.rpc_sid()?;
            kids.push(
                Field::new("KERB_SID_AND_ATTRIBUTES", Span::new(s.start(), ss.end()), Value::Text(format!("{text} ({})", group_attrs(attrs))))
                    .note("an extra SID: a group from another domain, or S-1-18-1/S-1-18-2 (how the user authenticated)"),
            );
        }
        if let Some(f) = out.get_mut(extra_at) {
            f.value = Value::Text(format!("{} SIDs", kids.len()));
            f.children = kids;
        }
    }
    if res_dom_ptr != 0 {
        let (text, s) = r.rpc_sid()?;
        if let Some(f) = out.get_mut(res_dom_at) {
            f.value = Value::Text(text);
            f.span = s;
        }
    }
    if res_ptr != 0 {
        let (_, kids) = r.groups()?;
        if let Some(f) = out.get_mut(res_at) {
            f.children = kids;
        }
    }
    // The user's and groups' full SIDs, as whoami /all shows them.
    if !domain_sid.is_empty() {
        out.push(
            Field::new(
                "UserSid",
                uid_span,
                Value::Text(format!("{domain_sid}-{uid}")),
            )
            .note("LogonDomainId followed by UserId"),
        );
    }
    Some(())
}

#[cfg(feature = "full-kerberos")]
fn named_rid(name: &'static str, s: Span, rid: u32) -> Field {
    let v = match rid_name(rid) {
        Some(n) => Value::Text(format!("{rid} ({n})")),
        None => Value::U32(rid),
    };
    Field::new(name, s, v)
}

#[cfg(feature = "full-kerberos")]
fn group_attrs(a: u32) -> String {
    let mut v = Vec::new();
    for (bit, n) in [
        (1, "mandatory"),
        (2, "enabled by default"),
        (4, "enabled"),
        (0x2000_0000, "resource"),
    ] {
        if a & bit != 0 {
            v.push(n);
        }
    }
    format!("0x{a:x}: {}", v.join(", "))
}

#[cfg(feature = "full-kerberos")]
fn group(s: Span, rid: u32, attrs: u32) -> Field {
    let name = match rid_name(rid) {
        Some(n) => format!("{rid} ({n}), {}", group_attrs(attrs)),
        None => format!("{rid}, {}", group_attrs(attrs)),
    };
    Field::new("GROUP_MEMBERSHIP", s, Value::Text(name))
}

#[cfg(feature = "full-kerberos")]
/// UPN_DNS_INFO (MS-PAC §2.10).
fn upn_dns(b: &[u8], base: usize) -> Vec<Field> {
    let mut out = Vec::new();
    let span = |s: usize, e: usize| Span::new(base + s, base + e);
    let text = |name: &'static str, len_at: usize, out: &mut Vec<Field>, as_sid: bool| {
        let (Some(len), Some(off)) = (le16(b, len_at), le16(b, len_at + 2)) else {
            return;
        };
        let (len, off) = (usize::from(len), usize::from(off));
        let Some(bytes) = b.get(off..off + len) else {
            return;
        };
        let v = if as_sid {
            sid(bytes).map(|(s, _)| s).unwrap_or_default()
        } else {
            utf16(bytes)
        };
        out.push(Field::new(name, span(off, off + len), Value::Text(v)));
    };
    text("Upn", 0, &mut out, false);
    text("DnsDomainName", 4, &mut out, false);
    let Some(flags) = le32(b, 8) else {
        return out;
    };
    out.push(
        Field::new("Flags", span(8, 12), Value::Text(format!("0x{flags:x}"))).note(
            "bit 0: the account has no UPN (this one is made up); bit 1: SamName and Sid follow",
        ),
    );
    if flags & 2 != 0 {
        text("SamName", 12, &mut out, false);
        text("Sid", 16, &mut out, true);
    }
    out
}

/// The fields of a PAC at `at` in its buffer's coordinates.
pub(crate) fn fields(at: usize, pac: &[u8]) -> Vec<Field> {
    let span = |a: usize, b: usize| Span::new(at + a, at + b.min(pac.len()));
    let mut out = Vec::new();
    let Some(count) = le32(pac, 0) else {
        return out;
    };
    out.push(Field::new("cBuffers", span(0, 4), Value::U32(count)).spec("MS-PAC §2.3"));
    out.push(Field::new(
        "Version",
        span(4, 8),
        Value::U32(le32(pac, 4).unwrap_or(0)),
    ));
    for (base, ty, size, off) in info_buffers(pac) {
        let mut b = Field::new(
            "PAC_INFO_BUFFER",
            span(base, base + 16),
            Value::Text(format!("{} ({ty})", buffer_name(ty))),
        )
        .spec("MS-PAC §2.4");
        let (off, size) = (usize::try_from(off).unwrap_or(usize::MAX), size as usize);
        b.children.push(Field::new(
            "cbBufferSize",
            span(base + 4, base + 8),
            Value::U64(size as u64),
        ));
        b.children.push(Field::new(
            "Offset",
            span(base + 8, base + 16),
            Value::U64(off as u64),
        ));
        if let Some(data) = off.checked_add(size).and_then(|e| pac.get(off..e)) {
            let mut d = Field::new("buffer", span(off, off + size), Value::None);
            let base = at + off;
            match ty {
                #[cfg(feature = "full-kerberos")]
                1 => d.children = validation_info(data, base),
                10 if data.len() >= 10 => {
                    if let Some(t) = le64(data, 0) {
                        d.children.push(
                            Field::new(
                                "ClientId",
                                Span::new(base, base + 8),
                                Value::Time(crate::time::filetime_iso8601(t)),
                            )
                            .note("the ticket's authtime"),
                        );
                    }
                    let n = usize::from(le16(data, 8).unwrap_or(0));
                    d.children.push(Field::new(
                        "Name",
                        Span::new(base + 10, base + 10 + n.min(data.len().saturating_sub(10))),
                        Value::Text(utf16(data.get(10..10 + n).unwrap_or(&[]))),
                    ));
                }
                #[cfg(feature = "full-kerberos")]
                12 => d.children = upn_dns(data, base),
                6 | 7 | 16 | 19 => {
                    let t = le32(data, 0).unwrap_or(0);
                    d.children.push(Field::new(
                        "SignatureType",
                        Span::new(base, base + 4.min(data.len())),
                        Value::Text(format!(
                            "{} ({})",
                            crypto::cksumtype_name(i64::from(t as i32)),
                            t as i32
                        )),
                    ));
                    let len = sig_len(t as i32).unwrap_or(data.len().saturating_sub(4));
                    d.children.push(Field::new(
                        "Signature",
                        Span::new(base + 4.min(data.len()), base + (4 + len).min(data.len())),
                        Value::Bytes(data.get(4..4 + len).unwrap_or(&[]).to_vec()),
                    ));
                    if data.len() >= 4 + len + 2 {
                        d.children.push(Field::new("RODCIdentifier", Span::new(base + 4 + len, base + 6 + len), Value::U32(u32::from(le16(data, 4 + len).unwrap_or(0)))).note("a read-only domain controller's krbtgt number: its own krbtgt key signed this"));
                    }
                }
                17 => {
                    let flags = le32(data, 4).unwrap_or(0);
                    d.children.push(Field::new("Flags", Span::new(base, base + data.len()), Value::Text(format!("0x{flags:x}"))).note("bit 0: the client asked for a PAC; bit 1: the PAC was given without being asked for (MS-PAC §2.14)"));
                }
                #[cfg(feature = "full-kerberos")]
                18 => {
                    if let Some((s, len)) = sid(data) {
                        d.children.push(Field::new("Sid", Span::new(base, base + len), Value::Text(s)).note("the account that asked for the TGT; the KDC checks it against the client (CVE-2021-42287)"));
                    }
                }
                _ => {}
            }
            b.children.push(d);
        }
        out.push(b);
    }
    out
}

/// The length of a checksum of type `t` (MS-PAC §2.8).
fn sig_len(t: i32) -> Option<usize> {
    Some(match t {
        15 | 16 => 12,
        -138 | 17 | 18 | 19 => 16,
        12 => 20,
        20 => 24,
        _ => return None,
    })
}

#[cfg(feature = "full-kerberos")]
/// What checking a PAC's signatures found: one line per signature (MS-PAC §2.8).
pub fn verify(
    pac: &[u8],
    service: Option<(&Key, &str)>,
    kdc: &[(Key, String)],
    ticket_with_zero_pac: Option<&[u8]>,
) -> Vec<String> {
    let bufs = buffers(pac);
    // A signature buffer's type and, when its type is a keyed checksum authscope knows and the
    // buffer holds it whole, where the signature is.
    let sig = |ty: u32| -> Option<(i32, Option<Span>)> {
        let b = bufs.iter().find(|b| b.ty == ty)?;
        let t = le32(pac, b.data.start())? as i32;
        let span = sig_len(t)
            .filter(|len| 4 + len <= b.data.len())
            .map(|len| Span::new(b.data.start() + 4, b.data.start() + 4 + len));
        Some((t, span))
    };
    // The server signature covers the PAC with the server and KDC signatures zeroed (the full
    // PAC signature, made first, is covered as it is); the full PAC signature covers it with all
    // three zeroed (MS-PAC §2.8.1, §2.8.5).
    let zero = |types: &[u32]| {
        let mut z = pac.to_vec();
        for ty in types {
            if let Some((_, Some(s))) = sig(*ty) {
                if let Some(x) = z.get_mut(s.start()..s.end()) {
                    x.fill(0);
                }
            }
        }
        z
    };
    let check = |key: &Key, t: i32, data: &[u8], given: &[u8]| {
        crypto::verify_checksum(key, 17, i64::from(t), data, given)
    };
    let word = |r: Result<bool, crypto::CryptoError>, who: &str| match r {
        Ok(true) => format!("valid with {who}"),
        Ok(false) => format!("INVALID with {who}: the PAC was changed, or signed with another key"),
        Err(e) => format!("not checked with {who}: {e}"),
    };
    let name = |t: i32| crypto::cksumtype_name(i64::from(t));
    let mut out = Vec::new();
    if let Some((t, s)) = sig(6) {
        let line = match (s, service) {
            (None, _) => {
                "not checked: not a keyed checksum authscope knows, or cut short".to_string()
            }
            (Some(s), Some((key, who))) => {
                word(check(key, t, &zero(&[6, 7]), s.slice_bytes(pac)), who)
            }
            (Some(_), None) => "not checked: no key for the service".into(),
        };
        out.push(format!("server signature ({}): {line}", name(t)));
    }
    for (ty, what, data) in [
        (
            7u32,
            "KDC signature",
            sig(6)
                .and_then(|(_, s)| s)
                .map(|s| s.slice_bytes(pac).to_vec()),
        ),
        (
            16,
            "ticket signature",
            ticket_with_zero_pac.map(<[u8]>::to_vec),
        ),
        (19, "full PAC signature", Some(zero(&[6, 7, 19]))),
    ] {
        let Some((t, s)) = sig(ty) else { continue };
        let Some(s) = s else {
            out.push(format!(
                "{what} ({}): not checked: not a keyed checksum authscope knows, or cut short",
                name(t)
            ));
            continue;
        };
        let given = s.slice_bytes(pac);
        let keys: Vec<&(Key, String)> = kdc
            .iter()
            .filter(|(k, _)| crypto::cksumtype_of(k.etype) == Some(i64::from(t)))
            .collect();
        let line = match (keys.first(), &data) {
            (Some(_), Some(d)) => {
                let mut line = String::new();
                for (k, who) in &keys {
                    line = word(check(k, t, d, given), who);
                    if line.starts_with("valid") {
                        break;
                    }
                }
                line
            }
            (None, _) => "not checked: no krbtgt key of its type".into(),
            (_, None) => "not checked: the EncTicketPart could not be rebuilt, or the server signature is missing".into(),
        };
        out.push(format!("{what} ({}): {line}", name(t)));
    }
    out
}

#[cfg(all(test, feature = "full-kerberos"))]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::cast_possible_truncation
    )]
    use super::*;

    /// A PAC with client info and the server, KDC and full PAC signatures, signed as MS-PAC §2.8
    /// orders it: the full PAC signature first (all three zeroed), then the server signature
    /// over the PAC holding it, then the KDC signature over the server signature.
    fn signed(svc: &Key, kdc: &Key) -> Vec<u8> {
        let client = [vec![0u8; 8], vec![6, 0], b"b\0o\0b\0".to_vec()].concat();
        let sig = |t: i32| [t.to_le_bytes().to_vec(), vec![0; 12]].concat();
        let bufs: Vec<(u32, Vec<u8>)> =
            vec![(10, client), (19, sig(16)), (6, sig(16)), (7, sig(16))];
        let mut pac = Vec::new();
        pac.extend((bufs.len() as u32).to_le_bytes());
        pac.extend(0u32.to_le_bytes());
        let head = 8 + 16 * bufs.len();
        let mut data: Vec<u8> = Vec::new();
        let mut at = Vec::new();
        for (ty, b) in &bufs {
            let off = head + data.len();
            pac.extend(ty.to_le_bytes());
            pac.extend((b.len() as u32).to_le_bytes());
            pac.extend((off as u64).to_le_bytes());
            at.push(off);
            data.extend(b);
            // Each buffer starts on an 8-byte boundary (MS-PAC §2.4).
            while (head + data.len()) % 8 != 0 {
                data.push(0);
            }
        }
        pac.extend(data);
        let sum = |k: &Key, d: &[u8]| crypto::checksum(k, 17, d).unwrap().1;
        let full = sum(kdc, &pac);
        pac[at[1] + 4..at[1] + 16].copy_from_slice(&full);
        let server = sum(svc, &pac);
        pac[at[2] + 4..at[2] + 16].copy_from_slice(&server);
        let kdc_sig = sum(kdc, &server);
        pac[at[3] + 4..at[3] + 16].copy_from_slice(&kdc_sig);
        pac
    }

    #[test]
    fn the_server_signature_covers_the_full_pac_signature_and_each_checks() {
        let svc = Key {
            etype: 18,
            bytes: vec![3; 32],
        };
        let kdc = Key {
            etype: 18,
            bytes: vec![5; 32],
        };
        let pac = signed(&svc, &kdc);
        let lines = verify(
            &pac,
            Some((&svc, "svc")),
            &[(kdc.clone(), "krbtgt".into())],
            None,
        );
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("server signature (hmac-sha1-96-aes256): valid with svc"),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with("KDC signature (hmac-sha1-96-aes256): valid with krbtgt"),
            "{lines:?}"
        );
        assert!(
            lines[2].starts_with("full PAC signature (hmac-sha1-96-aes256): valid with krbtgt"),
            "{lines:?}"
        );
        // A changed client name breaks the server and full signatures, not the KDC's.
        let mut bad = pac.clone();
        let i = bad.windows(2).position(|w| w == b"b\0").unwrap();
        bad[i] = b'e';
        let lines = verify(&bad, Some((&svc, "svc")), &[(kdc, "krbtgt".into())], None);
        assert!(
            lines[0].contains("INVALID") && lines[2].contains("INVALID"),
            "{lines:?}"
        );
        assert!(lines[1].contains("valid with"), "{lines:?}");
    }

    #[test]
    fn an_unkeyed_or_short_signature_is_not_called_valid() {
        let svc = Key {
            etype: 18,
            bytes: vec![3; 32],
        };
        let mut pac = signed(&svc, &svc);
        // The server signature's type turned into rsa-md5 (7): unkeyed, nothing is checked.
        let at = buffers(&pac)
            .iter()
            .find(|b| b.ty == 6)
            .unwrap()
            .data
            .start();
        pac[at..at + 4].copy_from_slice(&7i32.to_le_bytes());
        let lines = verify(&pac, Some((&svc, "svc")), &[], None);
        assert!(lines[0].contains("not checked"), "{lines:?}");
        assert_eq!(
            crypto::verify_checksum(&svc, 17, 7, b"x", &[0; 16]),
            Err(crypto::CryptoError::Unkeyed)
        );
        assert_eq!(
            crypto::string_to_key_steps(18, "p", "s", Some(0)).map(|_| ()),
            Err(crypto::CryptoError::BadIterations)
        );
        assert_eq!(
            crypto::string_to_key_steps(18, "p", "s", Some(u32::MAX)).map(|_| ()),
            Err(crypto::CryptoError::BadIterations)
        );
    }
}
