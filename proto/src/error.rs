//! The one error and the one warning every decoder returns: NTLM, DER (and so SPNEGO and
//! Kerberos), `Authorization: Basic`, HAR and keytab files.
//!
//! Why one type and not one per decoder: the pages and the CLI show a decoder's result the same
//! way whatever it decoded (a message, the byte it points at, the layer it is in), and the
//! decoders nest (a HAR holds a Negotiate token holding a Kerberos message): with one type an
//! error passes from the inner decoder to the outer one as it is, instead of being flattened
//! into a string on the way. The kinds stay typed (`Truncated { field }`,
//! `UnexpectedTag { expected, found }`) so that tests and callers match on what went wrong,
//! never on text; the text is written once, here.
//!
//! This module is a leaf: it imports nothing of the crate but [`Span`].

use crate::Span;
use serde::Serialize;
use std::fmt;

/// What went wrong, grouped by the decoder that reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum ErrorKind {
    // NTLM (MS-NLMP §2.2): one bounds-checked reader over the message.
    /// The message ends inside `field`.
    Truncated { field: &'static str },
    /// `field` points outside the message.
    OutOfBounds { field: &'static str },
    /// Not `NTLMSSP\0`.
    BadSignature,
    /// A MessageType other than 1, 2 or 3 (`expected` 0), or not the one expected.
    UnexpectedMessage { expected: u32, got: u32 },

    // DER (X.690 §8, §10), and the SPNEGO and Kerberos structures read with it.
    #[cfg(feature = "kerberos")]
    /// The buffer ends inside an identifier or length.
    HeaderTruncated,
    #[cfg(feature = "kerberos")]
    /// The length announces more contents than are left.
    ContentsTruncated { announced: usize, left: usize },
    #[cfg(feature = "kerberos")]
    /// Length octet 0x80: BER's indefinite form, which DER forbids (X.690 §10.1).
    IndefiniteLength,
    #[cfg(feature = "kerberos")]
    /// A length in more than four octets.
    LengthTooLong { octets: usize },
    #[cfg(feature = "kerberos")]
    /// A length with leading zeros or in long form below 128 (DER's minimal encoding, X.690
    /// §10.1).
    LengthNotMinimal,
    #[cfg(feature = "kerberos")]
    /// A tag number that does not fit 32 bits.
    TagTooLarge,
    #[cfg(feature = "kerberos")]
    /// An element other than the one the structure requires here.
    UnexpectedTag {
        expected: &'static str,
        found: String,
    },
    #[cfg(feature = "kerberos")]
    /// An EXPLICIT (context) tag in primitive form.
    PrimitiveExplicitTag,
    #[cfg(feature = "kerberos")]
    /// An INTEGER longer than the 8 bytes read here.
    IntegerTooLong { len: usize },
    #[cfg(feature = "kerberos")]
    /// A KerberosTime that is not `YYYYMMDDHHMMSSZ`.
    BadKerberosTime,
    #[cfg(feature = "kerberos")]
    /// A tag that starts no Kerberos message.
    NotKerberosMessage { found: String },
    #[cfg(feature = "kerberos")]
    /// A NegotiationToken whose choice is neither `[0]` nor `[1]`.
    NotNegotiationToken { found: String },
    #[cfg(feature = "kerberos")]
    /// A GSS-API token whose mechanism (`oid`, by name when known) is neither SPNEGO nor
    /// Kerberos.
    UnknownMechanism { oid: String },
    #[cfg(feature = "kerberos")]
    /// A Kerberos GSS token too short for its TOK_ID (RFC 4121 §4.1).
    NoTokId,
    #[cfg(feature = "kerberos")]
    /// `kind`, inside the element named `field`.
    InField {
        field: &'static str,
        kind: Box<ErrorKind>,
    },

    // `Authorization: Basic` (RFC 7617).
    /// The value does not start with `Basic`.
    NotBasic,
    /// `Basic` with nothing after it.
    MissingToken,
    /// The token is not base64; `reason` is the base64 decoder's.
    BadBase64 {
        #[serde(serialize_with = "as_text")]
        reason: base64::DecodeError,
    },
    /// The decoded text has no `:`.
    NoColon,

    // HAR (JSON, RFC 8259).
    #[cfg(feature = "kerberos")]
    /// Not JSON where JSON was expected: `problem` says what.
    JsonSyntax { problem: &'static str },
    #[cfg(feature = "kerberos")]
    /// Not the `expected` byte.
    JsonExpected { expected: char },
    #[cfg(feature = "kerberos")]
    /// The file ended `place` ("too early", "inside a string").
    JsonTruncated { place: &'static str },
    #[cfg(feature = "kerberos")]
    /// JSON without the `missing` key (`log`, `entries`) a HAR file has there, or (`None`) no
    /// JSON at all: an empty file.
    NotHar { missing: Option<&'static str> },
    #[cfg(feature = "kerberos")]
    /// Nesting deeper than the reader accepts.
    TooDeep,

    // Keytab files (MIT krb5 `keytab.txt`, version 0x0502).
    #[cfg(feature = "kerberos")]
    /// Not `0x05 0x02` at the start.
    NotKeytab,
    #[cfg(feature = "kerberos")]
    /// Version 0x0501 (native byte order), which is not read.
    KeytabVersion0501,
    #[cfg(feature = "kerberos")]
    /// An entry's size reaches past the end of the file.
    EntryPastEnd,
    #[cfg(feature = "kerberos")]
    /// The file ends inside an entry.
    KeytabTruncated,
    #[cfg(feature = "full-kerberos")]
    /// A credential cache ends inside `what`.
    CcacheTruncated { what: &'static str },
    #[cfg(feature = "full-kerberos")]
    /// A credential cache of a version that is not read (1 and 2: native byte order).
    CcacheVersion { version: u16 },
}

/// A field that has `Display` but no `Serialize`, as its text.
fn as_text<T: fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// How an error's text places its offset: the decoders wrote it differently, and users and
/// tests read that text.
enum Placement {
    /// `at byte N: …` (DER).
    #[cfg(feature = "kerberos")]
    Before,
    /// `… (byte N)` (NTLM bounds, HAR).
    After,
    /// The message says where itself, or nothing.
    Inside,
}

impl ErrorKind {
    fn placement(&self) -> Placement {
        use ErrorKind::*;
        match self {
            Truncated { .. } | OutOfBounds { .. } => Placement::After,
            #[cfg(feature = "kerberos")]
            JsonSyntax { .. }
            | JsonExpected { .. }
            | JsonTruncated { .. }
            | NotHar { .. }
            | TooDeep => Placement::After,
            #[cfg(feature = "full-kerberos")]
            CcacheTruncated { .. } => Placement::After,
            #[cfg(feature = "kerberos")]
            HeaderTruncated
            | ContentsTruncated { .. }
            | IndefiniteLength
            | LengthTooLong { .. }
            | LengthNotMinimal
            | TagTooLarge
            | UnexpectedTag { .. }
            | PrimitiveExplicitTag
            | IntegerTooLong { .. }
            | BadKerberosTime
            | NotKerberosMessage { .. }
            | NotNegotiationToken { .. }
            | UnknownMechanism { .. }
            | NoTokId => Placement::Before,
            #[cfg(feature = "kerberos")]
            InField { kind, .. } => kind.placement(),
            _ => Placement::Inside,
        }
    }

    /// `self` inside the element named `field` (`ticket: expected a SEQUENCE, found …`).
    #[cfg(feature = "kerberos")]
    pub fn in_field(self, field: &'static str) -> ErrorKind {
        ErrorKind::InField {
            field,
            kind: Box::new(self),
        }
    }
}

/// The message without its position (what a layered report shows next to its own).
impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ErrorKind::*;
        match self {
            Truncated { field } => write!(f, "the message ends inside {field}"),
            OutOfBounds { field } => write!(f, "{field} points outside the message"),
            BadSignature => write!(
                f,
                "not an NTLMSSP message: the signature is not \"NTLMSSP\\0\""
            ),
            UnexpectedMessage { expected: 0, got } => write!(
                f,
                "MessageType {got} is none of NEGOTIATE (1), CHALLENGE (2), AUTHENTICATE (3)"
            ),
            UnexpectedMessage { expected, got } => {
                write!(f, "expected MessageType {expected}, got {got}")
            }
            #[cfg(feature = "kerberos")]
            HeaderTruncated => write!(f, "the data ends inside a header"),
            #[cfg(feature = "kerberos")]
            ContentsTruncated { announced, left } => {
                write!(f, "{announced} bytes of contents announced, {left} left")
            }
            #[cfg(feature = "kerberos")]
            IndefiniteLength => write!(
                f,
                "indefinite length (0x80): BER allows it, DER does not"
            ),
            #[cfg(feature = "kerberos")]
            LengthTooLong { octets } => write!(f, "a length in {octets} octets (at most 4 here)"),
            #[cfg(feature = "kerberos")]
            LengthNotMinimal => write!(f, "a length not in its shortest form (DER requires it)"),
            #[cfg(feature = "kerberos")]
            TagTooLarge => write!(f, "a tag number larger than 32 bits"),
            #[cfg(feature = "kerberos")]
            UnexpectedTag { expected, found } => write!(f, "expected {expected}, found {found}"),
            #[cfg(feature = "kerberos")]
            PrimitiveExplicitTag => write!(f, "an EXPLICIT tag must be constructed"),
            #[cfg(feature = "kerberos")]
            IntegerTooLong { len } => write!(f, "an INTEGER of {len} bytes"),
            #[cfg(feature = "kerberos")]
            BadKerberosTime => write!(f, "not a KerberosTime (YYYYMMDDHHMMSSZ)"),
            #[cfg(feature = "kerberos")]
            NotKerberosMessage { found } => write!(
                f,
                "{found} is not the tag of a Kerberos message ([APPLICATION 10] AS-REQ … [APPLICATION 30] KRB-ERROR)"
            ),
            #[cfg(feature = "kerberos")]
            NotNegotiationToken { found } => write!(
                f,
                "{found} is neither negTokenInit [0] nor negTokenResp [1]"
            ),
            #[cfg(feature = "kerberos")]
            UnknownMechanism { oid } => write!(f, "thisMech {oid} is not SPNEGO or Kerberos"),
            #[cfg(feature = "kerberos")]
            NoTokId => write!(f, "the Kerberos GSS token ends before its TOK_ID"),
            #[cfg(feature = "kerberos")]
            InField { field, kind } => write!(f, "{field}: {kind}"),
            NotBasic => write!(
                f,
                "not a Basic credential (it should start with \"Basic \")"
            ),
            MissingToken => write!(f, "\"Basic\" with no credentials after it"),
            BadBase64 { reason } => write!(f, "not valid base64: {reason}"),
            NoColon => write!(
                f,
                "the decoded text has no ':' between user-id and password"
            ),
            #[cfg(feature = "kerberos")]
            JsonSyntax { problem } => f.write_str(problem),
            #[cfg(feature = "kerberos")]
            JsonExpected { expected } => write!(f, "expected '{expected}'"),
            #[cfg(feature = "kerberos")]
            JsonTruncated { place } => write!(f, "the file ends {place}"),
            #[cfg(feature = "kerberos")]
            NotHar {
                missing: Some(key),
            } => write!(f, "no \"{key}\" here: not a HAR file"),
            #[cfg(feature = "kerberos")]
            NotHar { missing: None } => write!(f, "the file is empty"),
            #[cfg(feature = "kerberos")]
            TooDeep => write!(f, "nested too deeply"),
            #[cfg(feature = "full-kerberos")]
            CcacheTruncated { what } => write!(f, "the credential cache ends inside {what}"),
            #[cfg(feature = "full-kerberos")]
            CcacheVersion { version } => write!(
                f,
                "a version 0x{version:04x} credential cache: versions 0x0503 and 0x0504 are read (1 and 2 are in native byte order; `kinit` has written version 4 since MIT 1.3)"
            ),
            #[cfg(feature = "kerberos")]
            NotKeytab => write!(f, "not a keytab: it does not start with 0x05 0x02"),
            #[cfg(feature = "kerberos")]
            KeytabVersion0501 => write!(
                f,
                "a version 0x0501 keytab (native byte order): only 0x0502 is read"
            ),
            // These two name their byte in the text, which is older than the offset field.
            #[cfg(feature = "kerberos")]
            EntryPastEnd | KeytabTruncated => Ok(()),
        }
    }
}

/// A decoding error at a byte offset of the input the decoder was given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Error {
    pub kind: ErrorKind,
    pub offset: usize,
}

impl Error {
    #[cold]
    pub fn new(kind: ErrorKind, offset: usize) -> Error {
        Error { kind, offset }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.offset;
        match &self.kind {
            #[cfg(feature = "kerberos")]
            ErrorKind::EntryPastEnd => write!(f, "an entry at byte {at} runs past the end"),
            #[cfg(feature = "kerberos")]
            ErrorKind::KeytabTruncated => {
                write!(f, "the keytab ends at byte {at} inside an entry")
            }
            kind => match kind.placement() {
                #[cfg(feature = "kerberos")]
                Placement::Before => write!(f, "at byte {at}: {kind}"),
                Placement::After => write!(f, "{kind} (byte {at})"),
                Placement::Inside => write!(f, "{kind}"),
            },
        }
    }
}

impl std::error::Error for Error {}

/// How much a warning matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Level {
    /// Legal, or tolerated, but worth knowing (a missing MIC, trailing bytes).
    Warning,
    /// For learners: nothing is wrong.
    Note,
}

/// Something a learner or an administrator should look at, at `span` of layer `layer`.
///
/// A decoder that reads one buffer reports layer 0; the layered decoders (`spnego`, `decode`)
/// set the layer the span is in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub level: Level,
    pub message: String,
    pub layer: usize,
    pub span: Span,
}

impl Warning {
    /// A [`Level::Warning`] at `span` of layer 0.
    pub fn new(message: impl Into<String>, span: Span) -> Warning {
        Warning {
            level: Level::Warning,
            message: message.into(),
            layer: 0,
            span,
        }
    }

    /// A warning about the single byte position `offset` (an empty span there).
    pub fn at(message: impl Into<String>, offset: usize) -> Warning {
        Warning::new(message, Span::new(offset, offset))
    }

    /// Where it points: the first byte of its span.
    pub fn offset(&self) -> usize {
        self.span.start()
    }

    /// The same warning, counted in layer `layer`.
    pub fn in_layer(mut self, layer: usize) -> Warning {
        self.layer = layer;
        self
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
