//! MIT keytab files (format 0x0502, as `ktutil`, `kadmin ktadd` and `ktpass` write them), read
//! by hand: the format is a few length-prefixed fields and no crate reads it without I/O.
//!
//! ```text
//! file  = 0x05 0x02, then entries
//! entry = int32 size (negative: a hole of that many bytes), then
//!         uint16 num_components, counted realm, num_components × counted component,
//!         uint32 name_type, uint32 timestamp, uint8 vno8,
//!         uint16 keytype, counted key, [uint32 vno when the entry has room]
//! counted = uint16 length ‖ bytes   (all integers big-endian)
//! ```

use super::crypto::Key;
use crate::error::{Error, ErrorKind};

/// One key of a keytab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub realm: String,
    pub components: Vec<String>,
    pub name_type: u32,
    pub timestamp: u32,
    pub kvno: u32,
    pub key: Key,
}

impl Entry {
    /// `HTTP/web01.contoso.com@CONTOSO.COM`.
    pub fn principal(&self) -> String {
        format!("{}@{}", self.components.join("/"), self.realm)
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], Error> {
        let s = self
            .b
            .get(self.at..self.at + n)
            .ok_or_else(|| Error::new(ErrorKind::KeytabTruncated, self.b.len()))?;
        self.at += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }
    fn u16(&mut self) -> Result<u16, Error> {
        let s = self.take(2)?;
        Ok(s.try_into().map(u16::from_be_bytes).unwrap_or(0))
    }
    fn u32(&mut self) -> Result<u32, Error> {
        let s = self.take(4)?;
        Ok(s.try_into().map(u32::from_be_bytes).unwrap_or(0))
    }
    fn counted(&mut self) -> Result<Vec<u8>, Error> {
        let n = usize::from(self.u16()?);
        Ok(self.take(n)?.to_vec())
    }
}

/// Every key in a keytab file's bytes. An error's offset is a byte of the file.
pub fn parse(bytes: &[u8]) -> Result<Vec<Entry>, Error> {
    match bytes.get(..2) {
        Some([5, 2]) => {}
        Some([5, 1]) => return Err(Error::new(ErrorKind::KeytabVersion0501, 0)),
        _ => return Err(Error::new(ErrorKind::NotKeytab, 0)),
    }
    let mut r = Reader { b: bytes, at: 2 };
    let mut out = Vec::new();
    while r.at + 4 <= bytes.len() {
        let size = r.u32()? as i32;
        if size < 0 {
            r.take(size.unsigned_abs() as usize)?;
            continue;
        }
        if size == 0 {
            break;
        }
        let start = r.at;
        let end = start + size as usize;
        if end > bytes.len() {
            return Err(Error::new(ErrorKind::EntryPastEnd, start - 4));
        }
        let n = r.u16()?;
        let realm = String::from_utf8_lossy(&r.counted()?).into_owned();
        let mut components = Vec::new();
        for _ in 0..n {
            components.push(String::from_utf8_lossy(&r.counted()?).into_owned());
        }
        let name_type = r.u32()?;
        let timestamp = r.u32()?;
        let vno8 = r.u8()?;
        let keytype = r.u16()?;
        let key = r.counted()?;
        let kvno = if end >= r.at + 4 {
            r.u32()?
        } else {
            u32::from(vno8)
        };
        r.at = end;
        out.push(Entry {
            realm,
            components,
            name_type,
            timestamp,
            kvno,
            key: Key {
                etype: i32::from(keytype),
                bytes: key,
            },
        });
    }
    Ok(out)
}
