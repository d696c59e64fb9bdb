//! The files people hold Kerberos keys and tickets in, shown field by field with byte spans:
//! MIT credential caches (FILE ccache, versions 0x0503 and 0x0504, as `kinit` writes
//! `/tmp/krb5cc_*`) and keytabs (0x0502). Read by hand: no crate reads them with byte spans and
//! without I/O. KRB-CRED (`.kirbi`) is DER and is read by the message decoder.
//!
//! ```text
//! ccache     = uint16 version (0x0503 | 0x0504),
//!              [v4: uint16 header length, header tags (tag uint16, length uint16, value)],
//!              principal (the default client), credential*
//! principal  = uint32 name_type, uint32 count, counted realm, count × counted component
//! credential = principal client, principal server,
//!              keyblock (uint16 enctype [twice in v3], counted key),
//!              uint32 authtime, starttime, endtime, renew_till, uint8 is_skey,
//!              uint32 ticket_flags, addresses (uint32 n × (uint16 type, counted)),
//!              authdata (uint32 n × (uint16 type, counted)), counted ticket, counted second_ticket
//! counted    = uint32 length ‖ bytes                              (all integers big-endian)
//! ```
//! (MIT Kerberos documentation, "Credential cache file format"; keytab layout in
//! [`super::keytab`].)

use super::crypto::{etype_name, Key};
use super::keytab::Entry;
use crate::error::{Error, ErrorKind};
use crate::field::{Field, Value};
use crate::Span;

/// What a file's first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Keytab,
    Ccache,
}

/// Recognises a keytab (0x0502) or a credential cache (0x05 0x01–0x04).
pub fn kind(bytes: &[u8]) -> Option<FileKind> {
    match bytes.get(..2)? {
        [5, 2] if looks_like_keytab(bytes) => Some(FileKind::Keytab),
        [5, 1..=4] => Some(FileKind::Ccache),
        _ => None,
    }
}

/// 0x0502 opens both a keytab and a version-2 ccache: a keytab's first entry size is followed by
/// a 16-bit component count.
fn looks_like_keytab(bytes: &[u8]) -> bool {
    let size = bytes
        .get(2..6)
        .and_then(|b| b.try_into().ok())
        .map(i32::from_be_bytes);
    size.is_some_and(|s| {
        s != 0 && (s < 0 || usize::try_from(s).is_ok_and(|s| s + 6 <= bytes.len()))
    })
}

/// One credential of a ccache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cred {
    pub client: String,
    pub server: String,
    pub key: Key,
    pub authtime: u32,
    pub starttime: u32,
    pub endtime: u32,
    pub renew_till: u32,
    pub flags: u32,
    /// The DER Ticket, in the file.
    pub ticket: Span,
    /// A configuration entry (`X-CACHECONF:` realm), not a ticket.
    pub config: bool,
}

/// A credential cache: its version, default principal and credentials.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ccache {
    pub version: u16,
    pub default_principal: String,
    pub creds: Vec<Cred>,
}

/// A reader that records the span of what it reads.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<Span, Error> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or_else(|| Error::new(ErrorKind::CcacheTruncated { what }, self.b.len()))?;
        let s = Span::new(self.at, end);
        self.at = end;
        Ok(s)
    }
    fn uint(&mut self, n: usize, what: &'static str) -> Result<(u32, Span), Error> {
        let s = self.take(n, what)?;
        let v = s
            .slice_bytes(self.b)
            .iter()
            .fold(0u32, |a, b| (a << 8) | u32::from(*b));
        Ok((v, s))
    }
    /// A field for an unsigned integer of `n` bytes.
    fn num(&mut self, n: usize, name: &'static str) -> Result<(u32, Field), Error> {
        let (v, s) = self.uint(n, name)?;
        Ok((v, Field::new(name, s, Value::U32(v))))
    }
    /// A 32-bit length, then that many bytes: (the bytes' span, the whole span).
    fn counted(&mut self, what: &'static str) -> Result<(Span, Span), Error> {
        let start = self.at;
        let (n, _) = self.uint(4, what)?;
        let body = self.take(n as usize, what)?;
        Ok((body, Span::new(start, body.end())))
    }
    fn time(&mut self, name: &'static str) -> Result<(u32, Field), Error> {
        let (v, s) = self.uint(4, name)?;
        let value = if v == 0 {
            Value::Text("0 (not set)".into())
        } else {
            Value::Time(crate::time::iso8601(i64::from(v)))
        };
        Ok((v, Field::new(name, s, value)))
    }
    fn text(&self, s: Span) -> String {
        String::from_utf8_lossy(s.slice_bytes(self.b)).into_owned()
    }
    fn principal(&mut self, name: &'static str) -> Result<(String, Field), Error> {
        let start = self.at;
        let (nt, nt_f) = self.num(4, "name_type")?;
        let (count, count_f) = self.num(4, "num_components")?;
        let (realm, realm_all) = self.counted("a principal's realm")?;
        let realm_s = self.text(realm);
        let mut kids = vec![
            nt_f.note(match nt {
                1 => "KRB5_NT_PRINCIPAL",
                2 => "KRB5_NT_SRV_INST",
                3 => "KRB5_NT_SRV_HST",
                _ => "name type (RFC 4120 §6.2)",
            }),
            count_f,
            Field::new("realm", realm_all, Value::Text(realm_s.clone())),
        ];
        let mut parts = Vec::new();
        // A count past what the file can hold stops at the file's end (each takes ≥ 4 bytes).
        for _ in 0..count.min(1024) {
            let (c, all) = self.counted("a principal's component")?;
            let t = self.text(c);
            kids.push(Field::new("component", all, Value::Text(t.clone())));
            parts.push(t);
        }
        let p = format!("{}@{realm_s}", parts.join("/"));
        Ok((
            p.clone(),
            Field::new(name, Span::new(start, self.at), Value::Text(p)).with(kids),
        ))
    }
}

/// Ticket flag names (RFC 4120 §5.3), bit 0 the most significant, as a ccache stores them.
fn flag_names(flags: u32) -> String {
    let set = super::names::flag_names(flags, super::names::TICKET_FLAGS);
    format!("{} (0x{flags:08x})", set.join(", "))
}

/// A credential cache's typed value and field tree; decoding stops at the first error, with what
/// was read before it kept.
pub fn ccache(bytes: &[u8]) -> (Ccache, Vec<Field>, Option<Error>) {
    let mut out = Ccache::default();
    let mut fields = Vec::new();
    let err = read_ccache(bytes, &mut out, &mut fields).err();
    (out, fields, err)
}

fn read_ccache(bytes: &[u8], out: &mut Ccache, fields: &mut Vec<Field>) -> Result<(), Error> {
    let mut r = Reader { b: bytes, at: 0 };
    let (version, vs) = r.uint(2, "file_format_version")?;
    fields.push(
        Field::new(
            "file_format_version",
            vs,
            Value::Text(format!("0x{version:04x}")),
        )
        .note("0x0504: MIT's FILE ccache version 4 (kinit's default); 0x0503: version 3"),
    );
    let version = u16::try_from(version).unwrap_or(0);
    out.version = version;
    if !matches!(version, 0x0503 | 0x0504) {
        return Err(Error::new(ErrorKind::CcacheVersion { version }, 0));
    }
    if version == 0x0504 {
        let start = r.at;
        let (len, lf) = r.num(2, "header_length")?;
        let end = start + 2 + len as usize;
        let mut kids = vec![lf];
        while r.at + 4 <= end {
            let tag_start = r.at;
            let (tag, _) = r.uint(2, "a header tag")?;
            let (n, _) = r.uint(2, "a header tag")?;
            if r.at + n as usize > end {
                return Err(Error::new(
                    ErrorKind::CcacheTruncated {
                        what: "the header (a tag runs past its length)",
                    },
                    tag_start,
                ));
            }
            let v = r.take(n as usize, "a header tag")?;
            let mut f = Field::new(
                "header_tag",
                Span::new(tag_start, v.end()),
                Value::Bytes(v.slice_bytes(bytes).to_vec()),
            );
            if tag == 1 {
                f = f.note("tag 1: the offset between this machine's clock and the KDC's (seconds, microseconds)");
            }
            kids.push(f);
        }
        r.at = end.min(bytes.len());
        fields.push(Field::new("header", Span::new(start, r.at), Value::None).with(kids));
    }
    let (p, pf) = r.principal("default_principal")?;
    out.default_principal = p;
    fields.push(pf.note("the client whose tickets these are (klist's \"Default principal\")"));
    while r.at < bytes.len() {
        let start = r.at;
        let mut kids = Vec::new();
        let (client, f) = r.principal("client")?;
        kids.push(f);
        let (server, f) = r.principal("server")?;
        let config = server.ends_with("@X-CACHECONF:");
        kids.push(f);
        let ks = r.at;
        let (etype, ef) = r.num(2, "enctype")?;
        let mut key_kids = vec![Field::new(
            "enctype",
            ef.span,
            Value::Text(format!("{} ({etype})", etype_name(i64::from(etype)))),
        )];
        if version == 0x0503 {
            let (_, f) = r.num(2, "enctype (repeated in version 3)")?;
            key_kids.push(f);
        }
        let (key, key_all) = r.counted("a key")?;
        key_kids.push(
            Field::new(
                "keyvalue",
                key_all,
                Value::Bytes(key.slice_bytes(bytes).to_vec()),
            )
            .note("the session key: whoever holds it and the ticket can use the ticket"),
        );
        kids.push(Field::new("keyblock", Span::new(ks, r.at), Value::None).with(key_kids));
        let (authtime, f) = r.time("authtime")?;
        kids.push(f);
        let (starttime, f) = r.time("starttime")?;
        kids.push(f);
        let (endtime, f) = r.time("endtime")?;
        kids.push(f);
        let (renew_till, f) = r.time("renew_till")?;
        kids.push(f);
        let (_, f) = r.num(1, "is_skey")?;
        kids.push(f.note("1: a user-to-user ticket encrypted in a session key"));
        let (flags, fs) = r.uint(4, "ticket_flags")?;
        kids.push(Field::new(
            "ticket_flags",
            fs,
            Value::Text(flag_names(flags)),
        ));
        for list in ["addresses", "authdata"] {
            let ls = r.at;
            let (n, nf) = r.num(4, list)?;
            let mut items = vec![nf];
            for _ in 0..n.min(1024) {
                let is = r.at;
                let (_, tf) = r.num(
                    2,
                    if list == "addresses" {
                        "addrtype"
                    } else {
                        "ad_type"
                    },
                )?;
                let (_, all) = r.counted(list)?;
                items.push(
                    Field::new(
                        if list == "addresses" {
                            "address"
                        } else {
                            "authdata"
                        },
                        Span::new(is, all.end()),
                        Value::None,
                    )
                    .with(vec![
                        tf,
                        Field::new(
                            "data",
                            all,
                            Value::Bytes(
                                bytes
                                    .get(all.start() + 4..all.end())
                                    .unwrap_or(&[])
                                    .to_vec(),
                            ),
                        ),
                    ]),
                );
            }
            kids.push(Field::new(list, Span::new(ls, r.at), Value::None).with(items));
        }
        let (ticket, all) = r.counted("a ticket")?;
        kids.push(
            Field::new(
                "ticket",
                all,
                Value::Bytes(ticket.slice_bytes(bytes).to_vec()),
            )
            .note(if config {
                "a configuration value, not a ticket"
            } else {
                "the Ticket (DER): decoded in its own layer"
            }),
        );
        let (_, all) = r.counted("a second ticket")?;
        kids.push(Field::new("second_ticket", all, Value::None).note("for user-to-user: empty"));
        let cred = Cred {
            client,
            server: server.clone(),
            key: Key {
                etype: i32::from(u16::try_from(etype).unwrap_or(0)),
                bytes: key.slice_bytes(bytes).to_vec(),
            },
            authtime,
            starttime,
            endtime,
            renew_till,
            flags,
            ticket,
            config,
        };
        let label = if config {
            // krb5_ccache_conf_data/NAME[/PRINCIPAL]@X-CACHECONF: with the value in `ticket`.
            let name = server.split('/').nth(1).unwrap_or("");
            format!(
                "configuration: {name} = {}",
                String::from_utf8_lossy(ticket.slice_bytes(bytes))
            )
        } else {
            format!("ticket for {server}")
        };
        fields
            .push(Field::new("credential", Span::new(start, r.at), Value::Text(label)).with(kids));
        out.creds.push(cred);
    }
    Ok(())
}

/// A keytab's entries and field tree (MIT keytab format 0x0502, layout in [`super::keytab`]).
pub fn keytab(bytes: &[u8]) -> (Vec<Entry>, Vec<Field>, Option<Error>) {
    let (entries, err) = match super::keytab::parse(bytes) {
        Ok(e) => (e, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let mut fields = vec![Field::new(
        "file_format_version",
        Span::new(0, bytes.len().min(2)),
        Value::Text("0x0502".into()),
    )];
    let mut r = Reader { b: bytes, at: 2 };
    let mut i = 0usize;
    // Spans only: the values were checked by `keytab::parse`; a short read ends the walk.
    let _ = (|| -> Result<(), Error> {
        while r.at + 4 <= bytes.len() {
            let start = r.at;
            let (size, size_span) = r.uint(4, "an entry size")?;
            let size = size as i32;
            if size == 0 {
                break;
            }
            let end = (start + 4)
                .saturating_add(size.unsigned_abs() as usize)
                .min(bytes.len());
            if size < 0 {
                fields.push(
                    Field::new(
                        "hole",
                        Span::new(start, end),
                        Value::U32(size.unsigned_abs()),
                    )
                    .note("a deleted entry"),
                );
                r.at = end;
                continue;
            }
            let Some(e) = entries.get(i) else { break };
            i += 1;
            let mut kids = vec![Field::new(
                "size",
                size_span,
                Value::U32(size.unsigned_abs()),
            )];
            let (n, f) = r.num(2, "num_components")?;
            kids.push(f);
            let counted16 = |r: &mut Reader, name: &'static str| -> Result<Field, Error> {
                let s0 = r.at;
                let (len, _) = r.uint(2, name)?;
                let body = r.take(len as usize, name)?;
                Ok(Field::new(
                    name,
                    Span::new(s0, body.end()),
                    Value::Text(r.text(body)),
                ))
            };
            kids.push(counted16(&mut r, "realm")?);
            for _ in 0..n {
                kids.push(counted16(&mut r, "component")?);
            }
            let (_, f) = r.num(4, "name_type")?;
            kids.push(f);
            let (_, f) = r.time("timestamp")?;
            kids.push(f);
            let (_, f) = r.num(1, "vno8")?;
            kids.push(f.note("the key version, modulo 256 (the 32-bit kvno after the key wins)"));
            let (_, ks) = r.uint(2, "keytype")?;
            kids.push(Field::new(
                "keytype",
                ks,
                Value::Text(format!(
                    "{} ({})",
                    etype_name(i64::from(e.key.etype)),
                    e.key.etype
                )),
            ));
            let s0 = r.at;
            let (len, _) = r.uint(2, "key")?;
            let body = r.take(len as usize, "key")?;
            kids.push(
                Field::new("key", Span::new(s0, body.end()), Value::Bytes(e.key.bytes.clone()))
                    .note("a long-term key: it opens every ticket for this principal, and a user's is as good as the password"),
            );
            if r.at + 4 <= end {
                let (_, f) = r.num(4, "kvno")?;
                kids.push(f);
            }
            // Fields that run past the entry's size: the spans stop here.
            if r.at > end {
                break;
            }
            fields.push(
                Field::new(
                    "entry",
                    Span::new(start, end),
                    Value::Text(format!("{} kvno {}", e.principal(), e.kvno)),
                )
                .with(kids),
            );
            r.at = end;
        }
        Ok(())
    })();
    (entries, fields, err)
}
