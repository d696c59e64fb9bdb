//! The Kerberos messages of RFC 4120 §5 decoded into a field tree with spans.
//!
//! The ASN.1 module is written here as data ([`Kind`], [`F`]): one walker reads any of its
//! structures with [`crate::asn1`], so every message, the encrypted parts once decrypted, and
//! PA-DATA values share one implementation (and one copy of the code in the wasm bundle). Hand
//! written, as the module doc of `asn1` explains.
//!
//! ```text
//! AP-REQ ::= [APPLICATION 14] SEQUENCE {                     (RFC 4120 §5.5.1)
//!     pvno [0] INTEGER (5), msg-type [1] INTEGER (14), ap-options [2] APOptions,
//!     ticket [3] Ticket, authenticator [4] EncryptedData }   -- Authenticator, key usage 11
//! Ticket ::= [APPLICATION 1] SEQUENCE {                      (§5.3)
//!     tkt-vno [0] INTEGER (5), realm [1] Realm, sname [2] PrincipalName,
//!     enc-part [3] EncryptedData }                           -- EncTicketPart, key usage 2
//! EncryptedData ::= SEQUENCE { etype [0] Int32, kvno [1] UInt32 OPTIONAL,
//!     cipher [2] OCTET STRING }                              (§5.2.9)
//! ```

use super::names;
use crate::asn1::{self, Tlv};
use crate::error::{Error, ErrorKind, Warning};
use crate::field::{Field, Value};
use crate::Span;

/// How a number is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Named {
    Plain,
    MsgType,
    NameType,
    Etype,
    PaType,
    ErrorCode,
    Checksum,
    AdType,
    AddrType,
}

/// What an element is.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Int(Named),
    /// KerberosString, Realm (GeneralString).
    Str,
    Octets,
    /// KerberosTime.
    Time,
    Flags(&'static [(u8, &'static str)]),
    Bool,
    /// A SEQUENCE of context-tagged fields.
    Seq(&'static [F]),
    /// A PrincipalName: a SEQUENCE shown as `HTTP/web01.contoso.com`.
    Principal,
    /// SEQUENCE OF, each item named.
    SeqOf(&'static str, &'static Kind),
    /// `[APPLICATION n]` around a structure, with the section that defines it.
    App(u32, &'static str, &'static Kind),
    /// A PA-DATA value: DER whose type the sibling `padata-type` gives.
    PaValue,
    /// KRB-ERROR `e-data`: METHOD-DATA when it parses as one.
    EData,
    /// AuthorizationData `ad-data`: typed by the sibling `ad-type` (nested AuthorizationData
    /// for AD-IF-RELEVANT, the Windows PAC for AD-WIN2K-PAC).
    AdData,
    /// A CHOICE of context-tagged alternatives (PA-FX-FAST-REQUEST, PA-FX-FAST-REPLY).
    #[cfg(feature = "full-kerberos")]
    Choice(&'static [F]),
}

/// One context-tagged field of a SEQUENCE.
#[derive(Clone, Copy, Debug)]
pub(crate) struct F {
    pub tag: u32,
    pub name: &'static str,
    pub kind: Kind,
    pub optional: bool,
    pub note: Option<&'static str>,
}

const fn f(tag: u32, name: &'static str, kind: Kind) -> F {
    F {
        tag,
        name,
        kind,
        optional: false,
        note: None,
    }
}
const fn opt(tag: u32, name: &'static str, kind: Kind) -> F {
    F {
        tag,
        name,
        kind,
        optional: true,
        note: None,
    }
}
const fn noted(mut x: F, note: &'static str) -> F {
    x.note = Some(note);
    x
}

const INT: Kind = Kind::Int(Named::Plain);
const ETYPE: Kind = Kind::Int(Named::Etype);

pub(crate) const PRINCIPAL_NAME: &[F] = &[
    f(0, "name-type", Kind::Int(Named::NameType)),
    f(1, "name-string", Kind::SeqOf("component", &Kind::Str)),
];

pub(crate) const ENCRYPTED_DATA: &[F] = &[
    f(0, "etype", ETYPE),
    opt(1, "kvno", INT),
    noted(
        f(2, "cipher", Kind::Octets),
        "the ciphertext: confounder, encrypted data and checksum",
    ),
];

pub(crate) const ENCRYPTION_KEY: &[F] = &[f(0, "keytype", ETYPE), f(1, "keyvalue", Kind::Octets)];

pub(crate) const CHECKSUM: &[F] = &[
    f(0, "cksumtype", Kind::Int(Named::Checksum)),
    f(1, "checksum", Kind::Octets),
];

pub(crate) const HOST_ADDRESS: &[F] = &[
    f(0, "addr-type", Kind::Int(Named::AddrType)),
    f(1, "address", Kind::Octets),
];

pub(crate) const AUTHORIZATION_DATA_ENTRY: &[F] = &[
    f(0, "ad-type", Kind::Int(Named::AdType)),
    f(1, "ad-data", Kind::AdData),
];

const ENC: Kind = Kind::Seq(ENCRYPTED_DATA);
const PRINCIPAL: Kind = Kind::Principal;
const ADDRESSES: Kind = Kind::SeqOf("HostAddress", &Kind::Seq(HOST_ADDRESS));
const AUTH_DATA: Kind = Kind::SeqOf("AuthorizationData", &Kind::Seq(AUTHORIZATION_DATA_ENTRY));

pub(crate) const TICKET_FIELDS: &[F] = &[
    f(0, "tkt-vno", INT),
    f(1, "realm", Kind::Str),
    noted(
        f(2, "sname", PRINCIPAL),
        "the service the ticket is for: its key encrypts enc-part",
    ),
    noted(
        f(3, "enc-part", ENC),
        "EncTicketPart under the service's long-term key (key usage 2): only the service can read it",
    ),
];
pub(crate) const TICKET: Kind = Kind::App(1, "RFC 4120 §5.3", &Kind::Seq(TICKET_FIELDS));

pub(crate) const PA_DATA: &[F] = &[
    f(1, "padata-type", Kind::Int(Named::PaType)),
    f(2, "padata-value", Kind::PaValue),
];
const PADATA: Kind = Kind::SeqOf("PA-DATA", &Kind::Seq(PA_DATA));

pub(crate) const KDC_REQ_BODY: &[F] = &[
    f(0, "kdc-options", Kind::Flags(names::KDC_OPTIONS)),
    opt(1, "cname", PRINCIPAL),
    f(2, "realm", Kind::Str),
    noted(
        opt(3, "sname", PRINCIPAL),
        "the service asked for: krbtgt/REALM in an AS-REQ, HTTP/<host> for a web site",
    ),
    opt(4, "from", Kind::Time),
    f(5, "till", Kind::Time),
    opt(6, "rtime", Kind::Time),
    f(7, "nonce", INT),
    noted(
        f(8, "etype", Kind::SeqOf("etype", &ETYPE)),
        "the encryption types the client accepts, preferred first",
    ),
    opt(9, "addresses", ADDRESSES),
    opt(10, "enc-authorization-data", ENC),
    opt(11, "additional-tickets", Kind::SeqOf("ticket", &TICKET)),
];

pub(crate) const KDC_REQ: &[F] = &[
    f(1, "pvno", INT),
    f(2, "msg-type", Kind::Int(Named::MsgType)),
    opt(3, "padata", PADATA),
    f(4, "req-body", Kind::Seq(KDC_REQ_BODY)),
];

pub(crate) const KDC_REP: &[F] = &[
    f(0, "pvno", INT),
    f(1, "msg-type", Kind::Int(Named::MsgType)),
    opt(2, "padata", PADATA),
    f(3, "crealm", Kind::Str),
    f(4, "cname", PRINCIPAL),
    f(5, "ticket", TICKET),
    noted(
        f(6, "enc-part", ENC),
        "EncKDCRepPart: the session key and the ticket's times, under the client's key (AS-REP, usage 3) or the TGT session key (TGS-REP, usage 8)",
    ),
];

pub(crate) const AP_REQ_FIELDS: &[F] = &[
    f(0, "pvno", INT),
    f(1, "msg-type", Kind::Int(Named::MsgType)),
    f(2, "ap-options", Kind::Flags(names::AP_OPTIONS)),
    f(3, "ticket", TICKET),
    noted(
        f(4, "authenticator", ENC),
        "the Authenticator under the ticket's session key (key usage 11): proves the client has the key, now",
    ),
];
pub(crate) const AP_REQ: Kind = Kind::App(14, "RFC 4120 §5.5.1", &Kind::Seq(AP_REQ_FIELDS));

pub(crate) const AP_REP_FIELDS: &[F] = &[
    f(0, "pvno", INT),
    f(1, "msg-type", Kind::Int(Named::MsgType)),
    noted(
        f(2, "enc-part", ENC),
        "EncAPRepPart under the session key (key usage 12): the server proves it could read the ticket",
    ),
];

pub(crate) const KRB_ERROR_FIELDS: &[F] = &[
    f(0, "pvno", INT),
    f(1, "msg-type", Kind::Int(Named::MsgType)),
    opt(2, "ctime", Kind::Time),
    opt(3, "cusec", INT),
    f(4, "stime", Kind::Time),
    f(5, "susec", INT),
    f(6, "error-code", Kind::Int(Named::ErrorCode)),
    opt(7, "crealm", Kind::Str),
    opt(8, "cname", PRINCIPAL),
    f(9, "realm", Kind::Str),
    f(10, "sname", PRINCIPAL),
    opt(11, "e-text", Kind::Str),
    opt(12, "e-data", Kind::EData),
];

pub(crate) const ETYPE_INFO2_ENTRY: &[F] = &[
    f(0, "etype", ETYPE),
    noted(
        opt(1, "salt", Kind::Str),
        "the salt for string-to-key; absent means the default (realm ‖ name components)",
    ),
    opt(2, "s2kparams", Kind::Octets),
];
pub(crate) const ETYPE_INFO_ENTRY: &[F] = &[f(0, "etype", ETYPE), opt(1, "salt", Kind::Octets)];
pub(crate) const PAC_REQUEST: &[F] = &[f(0, "include-pac", Kind::Bool)];
pub(crate) const PAC_OPTIONS: &[F] = &[f(
    0,
    "options",
    Kind::Flags(&[
        (0, "claims"),
        (1, "branch-aware"),
        (2, "forward-to-full-dc"),
        (3, "resource-based-constrained-delegation"),
    ]),
)];

pub(crate) const TRANSITED: &[F] = &[f(0, "tr-type", INT), f(1, "contents", Kind::Octets)];

pub(crate) const ENC_TICKET_PART: &[F] = &[
    f(0, "flags", Kind::Flags(names::TICKET_FLAGS)),
    noted(
        f(1, "key", Kind::Seq(ENCRYPTION_KEY)),
        "the session key the KDC made for this client and service",
    ),
    f(2, "crealm", Kind::Str),
    f(3, "cname", PRINCIPAL),
    f(4, "transited", Kind::Seq(TRANSITED)),
    f(5, "authtime", Kind::Time),
    opt(6, "starttime", Kind::Time),
    f(7, "endtime", Kind::Time),
    opt(8, "renew-till", Kind::Time),
    opt(9, "caddr", ADDRESSES),
    noted(
        opt(10, "authorization-data", AUTH_DATA),
        "Windows puts the PAC here (AD-IF-RELEVANT holding AD-WIN2K-PAC): the user's groups",
    ),
];

pub(crate) const AUTHENTICATOR: &[F] = &[
    f(0, "authenticator-vno", INT),
    f(1, "crealm", Kind::Str),
    f(2, "cname", PRINCIPAL),
    noted(
        opt(3, "cksum", Kind::Seq(CHECKSUM)),
        "for GSS-API (type 0x8003, RFC 4121 §4.1.1): channel bindings and the context flags (mutual, delegation…)",
    ),
    f(4, "cusec", INT),
    f(5, "ctime", Kind::Time),
    opt(6, "subkey", Kind::Seq(ENCRYPTION_KEY)),
    opt(7, "seq-number", INT),
    opt(8, "authorization-data", AUTH_DATA),
];

pub(crate) const LAST_REQ: &[F] = &[f(0, "lr-type", INT), f(1, "lr-value", Kind::Time)];

pub(crate) const ENC_KDC_REP_PART: &[F] = &[
    f(0, "key", Kind::Seq(ENCRYPTION_KEY)),
    f(1, "last-req", Kind::SeqOf("LastReq", &Kind::Seq(LAST_REQ))),
    f(2, "nonce", INT),
    opt(3, "key-expiration", Kind::Time),
    f(4, "flags", Kind::Flags(names::TICKET_FLAGS)),
    f(5, "authtime", Kind::Time),
    opt(6, "starttime", Kind::Time),
    f(7, "endtime", Kind::Time),
    opt(8, "renew-till", Kind::Time),
    f(9, "srealm", Kind::Str),
    f(10, "sname", PRINCIPAL),
    opt(11, "caddr", ADDRESSES),
    opt(12, "encrypted-pa-data", PADATA),
];

pub(crate) const ENC_AP_REP_PART: &[F] = &[
    f(0, "ctime", Kind::Time),
    f(1, "cusec", INT),
    opt(2, "subkey", Kind::Seq(ENCRYPTION_KEY)),
    opt(3, "seq-number", INT),
];

pub(crate) const KRB_CRED_FIELDS: &[F] = &[
    f(0, "pvno", INT),
    f(1, "msg-type", Kind::Int(Named::MsgType)),
    noted(
        f(2, "tickets", Kind::SeqOf("ticket", &TICKET)),
        "the forwarded tickets: a TGT when the client delegates",
    ),
    noted(
        f(3, "enc-part", ENC),
        "EncKrbCredPart under the session key (key usage 14): the tickets' session keys",
    ),
];

pub(crate) const KRB_CRED_INFO: &[F] = &[
    f(0, "key", Kind::Seq(ENCRYPTION_KEY)),
    opt(1, "prealm", Kind::Str),
    opt(2, "pname", PRINCIPAL),
    opt(3, "flags", Kind::Flags(names::TICKET_FLAGS)),
    opt(4, "authtime", Kind::Time),
    opt(5, "starttime", Kind::Time),
    opt(6, "endtime", Kind::Time),
    opt(7, "renew-till", Kind::Time),
    opt(8, "srealm", Kind::Str),
    opt(9, "sname", PRINCIPAL),
];

pub(crate) const ENC_KRB_CRED_PART: &[F] = &[
    f(
        0,
        "ticket-info",
        Kind::SeqOf("KrbCredInfo", &Kind::Seq(KRB_CRED_INFO)),
    ),
    opt(1, "nonce", INT),
    opt(2, "timestamp", Kind::Time),
    opt(3, "usec", INT),
];

/// FAST (RFC 6113 §5.4): the armor, the armored request and reply, and what they carry.
#[cfg(feature = "full-kerberos")]
pub(crate) const KRB_FAST_ARMOR: &[F] = &[
    noted(
        f(0, "armor-type", INT),
        "1 = FX_FAST_ARMOR_AP_REQUEST: an AP-REQ whose ticket (a TGT, or the host's) keys the armor",
    ),
    f(1, "armor-value", Kind::Octets),
];
#[cfg(feature = "full-kerberos")]
pub(crate) const KRB_FAST_ARMORED_REQ: &[F] = &[
    noted(
        opt(0, "armor", Kind::Seq(KRB_FAST_ARMOR)),
        "absent in a TGS-REQ: the PA-TGS-REQ's own AP-REQ is the armor (implicit armor)",
    ),
    f(1, "req-checksum", Kind::Seq(CHECKSUM)),
    noted(
        f(2, "enc-fast-req", ENC),
        "KrbFastReq under the armor key (key usage 51): the real padata and request body",
    ),
];
#[cfg(feature = "full-kerberos")]
pub(crate) const KRB_FAST_ARMORED_REP: &[F] = &[noted(
    f(0, "enc-fast-rep", ENC),
    "KrbFastResponse under the armor key (key usage 52): the padata and the strengthen-key",
)];
#[cfg(feature = "full-kerberos")]
pub(crate) const PA_FX_FAST_REQUEST: &[F] =
    &[f(0, "armored-data", Kind::Seq(KRB_FAST_ARMORED_REQ))];
#[cfg(feature = "full-kerberos")]
pub(crate) const PA_FX_FAST_REPLY: &[F] = &[f(0, "armored-data", Kind::Seq(KRB_FAST_ARMORED_REP))];
#[cfg(feature = "full-kerberos")]
pub(crate) const FAST_OPTIONS: &[(u8, &str)] = &[
    (0, "reserved"),
    (1, "hide-client-names"),
    (16, "kdc-follow-referrals"),
];
#[cfg(feature = "full-kerberos")]
pub(crate) const KRB_FAST_REQ: &[F] = &[
    f(0, "fast-options", Kind::Flags(FAST_OPTIONS)),
    f(1, "padata", PADATA),
    f(2, "req-body", Kind::Seq(KDC_REQ_BODY)),
];
#[cfg(feature = "full-kerberos")]
pub(crate) const KRB_FAST_FINISHED: &[F] = &[
    f(0, "timestamp", Kind::Time),
    f(1, "usec", INT),
    f(2, "crealm", Kind::Str),
    f(3, "cname", PRINCIPAL),
    f(4, "ticket-checksum", Kind::Seq(CHECKSUM)),
];
#[cfg(feature = "full-kerberos")]
pub(crate) const KRB_FAST_RESPONSE: &[F] = &[
    f(0, "padata", PADATA),
    noted(
        opt(1, "strengthen-key", Kind::Seq(ENCRYPTION_KEY)),
        "mixed with the reply key by KRB-FX-CF2(strengthen-key, reply key, \"strengthenkey\", \"replykey\") to key the enc-part",
    ),
    opt(2, "finished", Kind::Seq(KRB_FAST_FINISHED)),
    f(3, "nonce", INT),
];

/// S4U (MS-SFU §2.2): the user a service asks a ticket for (protocol transition).
#[cfg(feature = "full-kerberos")]
pub(crate) const PA_FOR_USER: &[F] = &[
    noted(
        f(0, "userName", PRINCIPAL),
        "the user the service wants a ticket for, without the user's password (S4U2Self)",
    ),
    f(1, "userRealm", Kind::Str),
    f(2, "cksum", Kind::Seq(CHECKSUM)),
    f(3, "auth-package", Kind::Str),
];
#[cfg(feature = "full-kerberos")]
pub(crate) const S4U_USER_ID: &[F] = &[
    f(0, "nonce", INT),
    opt(1, "cname", PRINCIPAL),
    f(2, "crealm", Kind::Str),
    opt(3, "subject-certificate", Kind::Octets),
    opt(
        4,
        "options",
        Kind::Flags(&[
            (1, "check-logon-hour-restrictions"),
            (2, "signed-with-kun-27"),
        ]),
    ),
];
#[cfg(feature = "full-kerberos")]
pub(crate) const PA_S4U_X509_USER: &[F] = &[
    f(0, "user-id", Kind::Seq(S4U_USER_ID)),
    f(1, "checksum", Kind::Seq(CHECKSUM)),
];

/// The structures authscope decodes without an APPLICATION tag (FAST's plaintexts), by name.
#[cfg(feature = "full-kerberos")]
pub(crate) const UNTAGGED: &[(&str, &str, &[F])] = &[
    ("KrbFastReq", "RFC 6113 §5.4.2", KRB_FAST_REQ),
    ("KrbFastResponse", "RFC 6113 §5.4.3", KRB_FAST_RESPONSE),
    ("PA-ENC-TS-ENC", "RFC 4120 §5.2.7.2", PA_ENC_TS_ENC),
];
#[cfg(feature = "full-kerberos")]
pub(crate) const PA_ENC_TS_ENC: &[F] = &[f(0, "patimestamp", Kind::Time), opt(1, "pausec", INT)];

/// Each top-level message: APPLICATION tag, name, section, structure.
pub(crate) const MESSAGES: &[(u32, &str, &str, &Kind)] = &[
    (1, "Ticket", "RFC 4120 §5.3", &Kind::Seq(TICKET_FIELDS)),
    (
        2,
        "Authenticator",
        "RFC 4120 §5.5.1",
        &Kind::Seq(AUTHENTICATOR),
    ),
    (
        3,
        "EncTicketPart",
        "RFC 4120 §5.3",
        &Kind::Seq(ENC_TICKET_PART),
    ),
    (10, "AS-REQ", "RFC 4120 §5.4.1", &Kind::Seq(KDC_REQ)),
    (11, "AS-REP", "RFC 4120 §5.4.2", &Kind::Seq(KDC_REP)),
    (12, "TGS-REQ", "RFC 4120 §5.4.1", &Kind::Seq(KDC_REQ)),
    (13, "TGS-REP", "RFC 4120 §5.4.2", &Kind::Seq(KDC_REP)),
    (14, "AP-REQ", "RFC 4120 §5.5.1", &Kind::Seq(AP_REQ_FIELDS)),
    (15, "AP-REP", "RFC 4120 §5.5.2", &Kind::Seq(AP_REP_FIELDS)),
    (
        25,
        "EncASRepPart",
        "RFC 4120 §5.4.2",
        &Kind::Seq(ENC_KDC_REP_PART),
    ),
    (
        26,
        "EncTGSRepPart",
        "RFC 4120 §5.4.2",
        &Kind::Seq(ENC_KDC_REP_PART),
    ),
    (
        27,
        "EncAPRepPart",
        "RFC 4120 §5.5.2",
        &Kind::Seq(ENC_AP_REP_PART),
    ),
    (
        30,
        "KRB-ERROR",
        "RFC 4120 §5.9.1",
        &Kind::Seq(KRB_ERROR_FIELDS),
    ),
    (
        22,
        "KRB-CRED",
        "RFC 4120 §5.8.1",
        &Kind::Seq(KRB_CRED_FIELDS),
    ),
    (
        29,
        "EncKrbCredPart",
        "RFC 4120 §5.8.1",
        &Kind::Seq(ENC_KRB_CRED_PART),
    ),
];

/// What the walk noticed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Walk {
    pub warnings: Vec<Warning>,
    /// Where the walk stopped, if it did.
    pub error: Option<Error>,
    /// The last `padata-type` read (it types the next `padata-value`).
    last_pa_type: Option<i64>,
    /// The last `ad-type` read (it types the next `ad-data`).
    last_ad_type: Option<i64>,
    /// Whether the message is a KDC reply (PA-FX-FAST holds a reply, not a request).
    reply: bool,
}

fn named_int(named: Named, v: i64) -> Value {
    let name = match named {
        Named::Plain => None,
        Named::MsgType => names::msg_type(v),
        Named::NameType => names::name_type(v),
        Named::Etype => Some(super::crypto::etype_name(v)),
        Named::PaType => names::padata_type(v),
        Named::ErrorCode => names::error_code(v).map(|(n, _)| n),
        Named::Checksum => Some(match v {
            0x8003 => "GSS-API checksum (RFC 4121)",
            15 => "hmac-sha1-96-aes128",
            16 => "hmac-sha1-96-aes256",
            -138 => "hmac-md5 (RC4-HMAC)",
            _ => "",
        })
        .filter(|s| !s.is_empty()),
        Named::AdType => Some(match v {
            1 => "AD-IF-RELEVANT",
            128 => "AD-WIN2K-PAC",
            141 => "KERB-AUTH-DATA-TOKEN-RESTRICTIONS",
            142 => "KERB-LOCAL",
            143 => "AD-AUTH-DATA-AP-OPTIONS",
            _ => "",
        })
        .filter(|s| !s.is_empty()),
        Named::AddrType => Some(match v {
            2 => "IPv4",
            20 => "NetBIOS",
            24 => "IPv6",
            _ => "",
        })
        .filter(|s| !s.is_empty()),
    };
    match (name, u64::try_from(v)) {
        (Some(n), _) => Value::Text(format!("{n} ({v})")),
        (None, Ok(u)) => Value::U64(u),
        (None, Err(_)) => Value::Text(v.to_string()),
    }
}

fn stop(w: &mut Walk, e: Error) {
    if w.error.is_none() {
        w.error = Some(e);
    }
}

/// Reads one element of `kind` at `t`, naming it `name`; the field spans `span` (the element,
/// or its context tag around it).
fn element(buf: &[u8], t: &Tlv, name: &'static str, kind: &Kind, w: &mut Walk) -> Field {
    let span = t.span();
    let content = t.content(buf);
    let mut field = Field::new(name, span, Value::None);
    let expect = |w: &mut Walk, ok: bool, expected: &'static str| {
        if !ok {
            let found = t.tag_name();
            stop(
                w,
                Error::new(
                    ErrorKind::UnexpectedTag { expected, found }.in_field(name),
                    t.start,
                ),
            );
        }
        ok
    };
    match kind {
        Kind::Int(named) => {
            if expect(w, t.is_universal(asn1::INTEGER), "an INTEGER") {
                match asn1::integer(content) {
                    Some(v) => {
                        if *named == Named::PaType {
                            w.last_pa_type = Some(v);
                        }
                        if *named == Named::AdType {
                            w.last_ad_type = Some(v);
                        }
                        field.value = named_int(*named, v);
                        if *named == Named::ErrorCode {
                            field.note = names::error_code(v).map(|(_, why)| why);
                        }
                    }
                    None => stop(
                        w,
                        Error::new(
                            ErrorKind::IntegerTooLong { len: content.len() }.in_field(name),
                            t.content,
                        ),
                    ),
                }
            }
        }
        Kind::Str => {
            if expect(
                w,
                t.class == asn1::Class::Universal && matches!(t.tag, 27 | 12 | 22 | 19),
                "a GeneralString",
            ) {
                field.value = Value::Text(String::from_utf8_lossy(content).into_owned());
            }
        }
        Kind::Octets => {
            if expect(w, t.is_universal(asn1::OCTET_STRING), "an OCTET STRING") {
                field.value = Value::Bytes(content.to_vec());
            }
        }
        Kind::Bool => {
            if expect(w, t.is_universal(1), "a BOOLEAN") {
                field.value = Value::Bool(content.first().is_some_and(|b| *b != 0));
            }
        }
        Kind::Time => {
            if expect(w, t.is_universal(asn1::GENERALIZED_TIME), "a KerberosTime") {
                match asn1::generalized_time(content) {
                    Some(s) => field.value = Value::Time(crate::time::iso8601(s)),
                    None => stop(
                        w,
                        Error::new(ErrorKind::BadKerberosTime.in_field(name), t.content),
                    ),
                }
            }
        }
        Kind::Flags(table) => {
            if expect(w, t.is_universal(asn1::BIT_STRING), "a BIT STRING") {
                let v = asn1::bits32(content).unwrap_or(0);
                let set = names::flag_names(v, table);
                field.value = Value::Text(format!(
                    "{} (0x{v:08x})",
                    if set.is_empty() {
                        "none".to_string()
                    } else {
                        set.join(", ")
                    }
                ));
                field.children = set
                    .into_iter()
                    .map(|n| Field::new(n, t.content_span(), Value::Bool(true)))
                    .collect();
            }
        }
        Kind::Seq(fields) => {
            if expect(w, t.is_universal(asn1::SEQUENCE), "a SEQUENCE") {
                field.children = sequence(buf, t, fields, w);
            }
        }
        #[cfg(feature = "full-kerberos")]
        Kind::Choice(alternatives) => {
            let alt = alternatives
                .iter()
                .find(|a| t.class == asn1::Class::Context && a.tag == t.tag && t.constructed);
            if expect(w, alt.is_some(), "one of the CHOICE's context tags") {
                if let Some(a) = alt {
                    field.value = Value::Text(a.name.to_string());
                    match asn1::read(buf, t.content, t.end) {
                        Ok(inner) => {
                            let f = element(buf, &inner, a.name, &a.kind, w);
                            field.children.push(f);
                        }
                        Err(e) => stop(w, Error::new(e.kind.in_field(name), e.offset)),
                    }
                }
            }
        }
        Kind::Principal => {
            if expect(w, t.is_universal(asn1::SEQUENCE), "a PrincipalName") {
                field.children = sequence(buf, t, PRINCIPAL_NAME, w);
                let parts: Vec<String> = field
                    .find("name-string")
                    .map(|n| n.children.iter().map(|c| c.value.display()).collect())
                    .unwrap_or_default();
                field.value = Value::Text(parts.join("/"));
            }
        }
        Kind::SeqOf(item, inner) => {
            if expect(w, t.is_universal(asn1::SEQUENCE), "a SEQUENCE OF") {
                match asn1::children(buf, t) {
                    Ok(kids) => {
                        for k in kids {
                            if w.error.is_some() {
                                break;
                            }
                            field.children.push(element(buf, &k, item, inner, w));
                        }
                    }
                    Err(e) => stop(w, Error::new(e.kind.in_field(name), e.offset)),
                }
            }
        }
        Kind::App(n, spec, inner) => {
            if expect(
                w,
                t.is_application(*n) && t.constructed,
                "its [APPLICATION] tag",
            ) {
                field.spec = Some(spec);
                match asn1::read(buf, t.content, t.end) {
                    Ok(i) => {
                        let f = element(buf, &i, name, inner, w);
                        field.value = f.value;
                        field.children = f.children;
                        if i.end != t.end {
                            w.warnings.push(Warning::new(
                                format!("{name}: bytes after the structure"),
                                Span::new(i.end, t.end),
                            ));
                        }
                    }
                    Err(e) => stop(w, Error::new(e.kind.in_field(name), e.offset)),
                }
            }
        }
        Kind::PaValue => {
            if expect(w, t.is_universal(asn1::OCTET_STRING), "an OCTET STRING") {
                field.value = Value::Bytes(content.to_vec());
                let inner: Option<&'static Kind> = match w.last_pa_type {
                    Some(1) => Some(&AP_REQ),
                    Some(2) => Some(&ENC),
                    Some(11) => Some(&Kind::SeqOf(
                        "ETYPE-INFO-ENTRY",
                        &Kind::Seq(ETYPE_INFO_ENTRY),
                    )),
                    Some(19) => Some(&Kind::SeqOf(
                        "ETYPE-INFO2-ENTRY",
                        &Kind::Seq(ETYPE_INFO2_ENTRY),
                    )),
                    Some(128) => Some(&Kind::Seq(PAC_REQUEST)),
                    #[cfg(feature = "full-kerberos")]
                    Some(129) => Some(&Kind::Seq(PA_FOR_USER)),
                    #[cfg(feature = "full-kerberos")]
                    Some(130) => Some(&Kind::Seq(PA_S4U_X509_USER)),
                    #[cfg(feature = "full-kerberos")]
                    Some(136) if w.reply => Some(&Kind::Choice(PA_FX_FAST_REPLY)),
                    #[cfg(feature = "full-kerberos")]
                    Some(136) => Some(&Kind::Choice(PA_FX_FAST_REQUEST)),
                    Some(138) => Some(&ENC),
                    Some(167) => Some(&Kind::Seq(PAC_OPTIONS)),
                    _ => None,
                };
                if let (Some(k), false) = (inner, content.is_empty()) {
                    match asn1::read(buf, t.content, t.end) {
                        Ok(i) => {
                            let f = element(buf, &i, "value", k, w);
                            field.children.push(f);
                        }
                        Err(e) => stop(w, Error::new(e.kind.in_field(name), e.offset)),
                    }
                }
            }
        }
        Kind::AdData => {
            if expect(w, t.is_universal(asn1::OCTET_STRING), "an OCTET STRING") {
                field.value = Value::Bytes(content.to_vec());
                match w.last_ad_type {
                    Some(1) => {
                        if let Ok(i) = asn1::read(buf, t.content, t.end) {
                            field.children.push(element(
                                buf,
                                &i,
                                "AuthorizationData",
                                &AUTH_DATA,
                                w,
                            ));
                        }
                    }
                    Some(128) => field.children = super::pac::fields(t.content, content),
                    _ => {}
                }
            }
        }
        Kind::EData => {
            if expect(w, t.is_universal(asn1::OCTET_STRING), "an OCTET STRING") {
                field.value = Value::Bytes(content.to_vec());
                // METHOD-DATA when it is one (KDC_ERR_PREAUTH_REQUIRED lists the etypes and
                // salts); anything else stays bytes. A failure here is not the message's.
                if let Ok(i) = asn1::read(buf, t.content, t.end) {
                    let mut probe = Walk::default();
                    let f = element(buf, &i, "METHOD-DATA", &PADATA, &mut probe);
                    if probe.error.is_none() {
                        field.children.push(f);
                        w.warnings.extend(probe.warnings);
                    }
                }
            }
        }
    }
    field
}

/// The fields of a SEQUENCE, matched to `schema` by context tag.
fn sequence(buf: &[u8], t: &Tlv, schema: &'static [F], w: &mut Walk) -> Vec<Field> {
    let kids = match asn1::children(buf, t) {
        Ok(k) => k,
        Err(e) => {
            stop(w, e);
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let mut next = 0usize;
    for k in kids {
        if w.error.is_some() {
            return out;
        }
        let pos = schema
            .iter()
            .position(|s| k.class == asn1::Class::Context && s.tag == k.tag);
        let Some(pos) = pos else {
            w.warnings.push(Warning::new(
                format!("an element {} this structure does not define", k.tag_name()),
                k.span(),
            ));
            continue;
        };
        if pos < next {
            w.warnings.push(Warning::new(
                format!("{} out of order", schema.get(pos).map_or("", |s| s.name)),
                k.span(),
            ));
        }
        for missing in schema.get(next..pos).unwrap_or(&[]) {
            if !missing.optional {
                w.warnings.push(Warning::at(
                    format!("the mandatory {} is missing", missing.name),
                    k.start,
                ));
            }
        }
        next = next.max(pos + 1);
        let Some(spec) = schema.get(pos) else {
            continue;
        };
        if !k.constructed {
            stop(
                w,
                Error::new(ErrorKind::PrimitiveExplicitTag.in_field(spec.name), k.start),
            );
            return out;
        }
        match asn1::read(buf, k.content, k.end) {
            Ok(inner) => {
                let mut f = element(buf, &inner, spec.name, &spec.kind, w);
                // The field spans its context tag too: a click on [3] selects the ticket.
                f.span = k.span();
                if f.note.is_none() {
                    f.note = spec.note;
                }
                out.push(f);
            }
            Err(e) => {
                stop(w, Error::new(e.kind.in_field(spec.name), e.offset));
                return out;
            }
        }
    }
    for missing in schema.get(next..).unwrap_or(&[]) {
        if !missing.optional && w.error.is_none() {
            w.warnings.push(Warning::at(
                format!("the mandatory {} is missing", missing.name),
                t.end,
            ));
        }
    }
    // Principal names as users write them: HTTP/web01.contoso.com@CONTOSO.COM.
    for (name, realm) in [("sname", "realm"), ("cname", "crealm"), ("sname", "srealm")] {
        let r = out
            .iter()
            .find(|f| f.name == realm)
            .map(|f| f.value.display());
        if let (Some(r), Some(p)) = (r, out.iter_mut().find(|f| f.name == name)) {
            if let Value::Text(t) = &mut p.value {
                t.push('@');
                t.push_str(&r);
            }
        }
    }
    out
}

/// The message that starts at `at` in `buf` (ending at `end`): its name and its field tree.
pub(crate) fn decode_at(
    buf: &[u8],
    at: usize,
    end: usize,
    w: &mut Walk,
) -> (Option<&'static str>, Field) {
    let t = match asn1::read(buf, at, end) {
        Ok(t) => t,
        Err(e) => {
            let span = crate::Span::new(at, end.min(buf.len()));
            stop(w, e);
            return (None, Field::new("Kerberos message", span, Value::None));
        }
    };
    #[cfg(feature = "full-kerberos")]
    if let Some((name, schema)) = untagged_kdc(buf, &t) {
        w.reply = matches!(name, "AS-REP" | "TGS-REP");
        w.warnings.push(Warning::at(
            format!("the {name}'s [APPLICATION {}] tag is missing: decoded as a bare KDC-{} body (RFC 4120 §5.4), as some libraries' test data hold it", if name == "AS-REQ" { 10 } else if name == "AS-REP" { 11 } else if name == "TGS-REQ" { 12 } else { 13 }, if name.ends_with("REQ") { "REQ" } else { "REP" }),
            at,
        ));
        let f = element(buf, &t, name, &Kind::Seq(schema), w);
        return (Some(name), f);
    }
    let Some((n, name, spec, inner)) = MESSAGES
        .iter()
        .find(|(n, ..)| t.is_application(*n) && t.constructed)
    else {
        stop(
            w,
            Error::new(
                ErrorKind::NotKerberosMessage {
                    found: t.tag_name(),
                },
                at,
            ),
        );
        return (None, Field::new("Kerberos message", t.span(), Value::None));
    };
    w.reply = matches!(n, 11 | 13 | 30);
    let f = element(buf, &t, name, &Kind::App(*n, spec, inner), w);
    (Some(name), f)
}

#[cfg(feature = "full-kerberos")]
/// A KDC-REQ or KDC-REP body without its APPLICATION tag: a SEQUENCE whose `pvno` is 5 and whose
/// `msg-type` names the message (`[1] 5, [2] 10|12` for a request, `[0] 5, [1] 11|13` for a reply).
pub(crate) fn untagged_kdc(buf: &[u8], t: &Tlv) -> Option<(&'static str, &'static [F])> {
    if !t.is_universal(asn1::SEQUENCE) || !t.constructed {
        return None;
    }
    let kids = asn1::children(buf, t).ok()?;
    let num = |i: usize| -> Option<(u32, i64)> {
        let k = kids.get(i)?;
        if k.class != asn1::Class::Context {
            return None;
        }
        let v = asn1::read(buf, k.content, k.end).ok()?;
        v.is_universal(asn1::INTEGER)
            .then(|| asn1::integer(v.content(buf)))
            .flatten()
            .map(|n| (k.tag, n))
    };
    match (num(0)?, num(1)?) {
        ((1, 5), (2, 10)) => Some(("AS-REQ", KDC_REQ)),
        ((1, 5), (2, 12)) => Some(("TGS-REQ", KDC_REQ)),
        ((0, 5), (1, 11)) => Some(("AS-REP", KDC_REP)),
        ((0, 5), (1, 13)) => Some(("TGS-REP", KDC_REP)),
        _ => None,
    }
}

#[cfg(feature = "full-kerberos")]
/// An untagged structure (`UNTAGGED`: FAST's KrbFastReq and KrbFastResponse) at the start of
/// `buf`, as a decrypted part holds it.
pub(crate) fn decode_untagged(
    buf: &[u8],
    name: &str,
    w: &mut Walk,
) -> Option<(&'static str, Field)> {
    let (name, spec, schema) = UNTAGGED.iter().find(|(n, ..)| *n == name)?;
    let t = asn1::read(buf, 0, buf.len()).ok()?;
    let f = element(buf, &t, name, &Kind::Seq(schema), w).spec(spec);
    Some((name, f))
}
