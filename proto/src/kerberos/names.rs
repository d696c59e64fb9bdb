//! Names for the numbers Kerberos messages carry (RFC 4120 §7.5, IANA registries, MS-KILE):
//! message types, name types, PA-DATA types, error codes with what usually causes them, and
//! the bits of KDCOptions, TicketFlags and APOptions.

/// `msg-type` (RFC 4120 §7.5.7).
pub(super) fn msg_type(n: i64) -> Option<&'static str> {
    Some(match n {
        10 => "KRB_AS_REQ",
        11 => "KRB_AS_REP",
        12 => "KRB_TGS_REQ",
        13 => "KRB_TGS_REP",
        14 => "KRB_AP_REQ",
        15 => "KRB_AP_REP",
        20 => "KRB_SAFE",
        21 => "KRB_PRIV",
        22 => "KRB_CRED",
        30 => "KRB_ERROR",
        _ => return None,
    })
}

/// `name-type` (RFC 4120 §6.2).
pub(super) fn name_type(n: i64) -> Option<&'static str> {
    Some(match n {
        0 => "NT-UNKNOWN",
        1 => "NT-PRINCIPAL",
        2 => "NT-SRV-INST",
        3 => "NT-SRV-HST",
        4 => "NT-SRV-XHST",
        5 => "NT-UID",
        6 => "NT-X500-PRINCIPAL",
        7 => "NT-SMTP-NAME",
        10 => "NT-ENTERPRISE",
        -128 => "NT-MS-PRINCIPAL",
        -129 => "NT-MS-PRINCIPAL-AND-ID",
        -130 => "NT-ENT-PRINCIPAL-AND-ID",
        _ => return None,
    })
}

/// `padata-type` (RFC 4120 §7.5.2, IANA, MS-KILE §2.2).
pub(super) fn padata_type(n: i64) -> Option<&'static str> {
    Some(match n {
        1 => "PA-TGS-REQ",
        2 => "PA-ENC-TIMESTAMP",
        3 => "PA-PW-SALT",
        11 => "PA-ETYPE-INFO",
        16 => "PA-PK-AS-REQ",
        17 => "PA-PK-AS-REP",
        19 => "PA-ETYPE-INFO2",
        20 => "PA-SVR-REFERRAL-INFO",
        128 => "PA-PAC-REQUEST",
        129 => "PA-FOR-USER",
        130 => "PA-S4U-X509-USER",
        133 => "PA-FX-COOKIE",
        136 => "PA-FX-FAST",
        137 => "PA-FX-ERROR",
        138 => "PA-ENCRYPTED-CHALLENGE",
        149 => "PA-REQ-ENC-PA-REP",
        150 => "PA-AS-FRESHNESS",
        165 => "PA-SUPPORTED-ENCTYPES",
        167 => "PA-PAC-OPTIONS",
        _ => return None,
    })
}

/// An error code's name, and what usually causes it in a browser-to-IIS setting.
pub(super) fn error_code(n: i64) -> Option<(&'static str, &'static str)> {
    Some(match n {
        0 => ("KDC_ERR_NONE", "No error."),
        1 => ("KDC_ERR_NAME_EXP", "The client's entry in the database has expired."),
        2 => ("KDC_ERR_SERVICE_EXP", "The server's entry in the database has expired."),
        3 => ("KDC_ERR_BAD_PVNO", "A protocol version other than 5."),
        6 => ("KDC_ERR_C_PRINCIPAL_UNKNOWN", "The KDC does not know the client's name: a typo, a user in another realm, or a disabled account's name."),
        7 => ("KDC_ERR_S_PRINCIPAL_UNKNOWN", "No account holds the requested service principal name: the site is reached by a host name or FQDN with no SPN registered (setspn -A HTTP/<name> <account>); the browser falls back to NTLM."),
        8 => ("KDC_ERR_PRINCIPAL_NOT_UNIQUE", "Two accounts hold the same SPN (setspn -X finds duplicates); the KDC cannot choose whose key to use."),
        13 => ("KDC_ERR_BADOPTION", "The KDC cannot do what an option asks: e.g. a forwardable or delegated ticket for an account marked \"sensitive and cannot be delegated\", or constrained delegation not allowed."),
        12 => ("KDC_ERR_POLICY", "A policy forbids it, e.g. logon hours or workstation restrictions, or a smart card is required."),
        14 => ("KDC_ERR_ETYPE_NOSUPP", "No encryption type in common: the client, the account or the KDC allows only types the others lack (DES disabled, AES keys not yet generated after a password change)."),
        15 => ("KDC_ERR_SUMTYPE_NOSUPP", "The KDC does not support the checksum type."),
        16 => ("KDC_ERR_PADATA_TYPE_NOSUPP", "The KDC does not support the pre-authentication type (often PKINIT, smart cards)."),
        18 => ("KDC_ERR_CLIENT_REVOKED", "The client's credentials were revoked: the account is disabled, expired or locked out."),
        23 => ("KDC_ERR_KEY_EXPIRED", "The password has expired; the user must change it."),
        24 => ("KDC_ERR_PREAUTH_FAILED", "Pre-authentication failed: the password is wrong."),
        25 => ("KDC_ERR_PREAUTH_REQUIRED", "The KDC wants pre-authentication (PA-ENC-TIMESTAMP) first: the normal first answer to an AS-REQ without it, not a failure."),
        26 => ("KDC_ERR_SERVER_NOMATCH", "The ticket names another server than the request."),
        31 => ("KRB_AP_ERR_BAD_INTEGRITY", "A checksum failed: the message was modified, or the wrong key was used."),
        32 => ("KRB_AP_ERR_TKT_EXPIRED", "The ticket has expired; the client should get a new one (klist purge, or log off and on)."),
        33 => ("KRB_AP_ERR_TKT_NYV", "The ticket is not yet valid: clocks disagree."),
        34 => ("KRB_AP_ERR_REPEAT", "A replay: this authenticator was seen before."),
        35 => ("KRB_AP_ERR_NOT_US", "The ticket is for another service."),
        36 => ("KRB_AP_ERR_BADMATCH", "The ticket and the authenticator name different clients."),
        37 => ("KRB_AP_ERR_SKEW", "The clocks of client and server differ by more than the allowed skew (five minutes by default): fix the time service."),
        38 => ("KRB_AP_ERR_BADADDR", "The ticket is bound to addresses the request does not come from (a NAT between client and server)."),
        41 => ("KRB_AP_ERR_MODIFIED", "The service could not decrypt the ticket: the SPN belongs to another account than the one the service runs as (a duplicate or misplaced SPN, or an application pool running as a different identity, LocalService or a local account), or its password changed."),
        44 => ("KRB_AP_ERR_BADKEYVER", "The ticket is encrypted with a key version the service no longer has (a stale keytab)."),
        45 => ("KRB_AP_ERR_NOKEY", "The service has no key of the ticket's encryption type."),
        46 => ("KRB_AP_ERR_MUT_FAIL", "Mutual authentication failed: the AP-REP does not check out."),
        50 => ("KRB_AP_ERR_INAPP_CKSUM", "An inappropriate type of checksum: e.g. a TGS-REQ authenticator without a keyed checksum of the request body, which MIT's KDC requires."),
        52 => ("KRB_ERR_RESPONSE_TOO_BIG", "The reply does not fit UDP: the client retries over TCP (normal with large PACs)."),
        60 => ("KRB_ERR_GENERIC", "A generic error; e-text or e-data may say more."),
        68 => ("KDC_ERR_WRONG_REALM", "The request went to a KDC of another realm: a referral."),
        _ => return None,
    })
}

/// KDCOptions bits (RFC 4120 §5.4.1), by bit number.
pub(super) const KDC_OPTIONS: &[(u8, &str)] = &[
    (1, "forwardable"),
    (2, "forwarded"),
    (3, "proxiable"),
    (4, "proxy"),
    (5, "allow-postdate"),
    (6, "postdated"),
    (8, "renewable"),
    (14, "cname-in-addl-tkt"),
    (15, "canonicalize"),
    (26, "disable-transited-check"),
    (27, "renewable-ok"),
    (28, "enc-tkt-in-skey"),
    (30, "renew"),
    (31, "validate"),
];

/// TicketFlags bits (RFC 4120 §5.3, RFC 6806), by bit number.
pub(crate) const TICKET_FLAGS: &[(u8, &str)] = &[
    (1, "forwardable"),
    (2, "forwarded"),
    (3, "proxiable"),
    (4, "proxy"),
    (5, "may-postdate"),
    (6, "postdated"),
    (7, "invalid"),
    (8, "renewable"),
    (9, "initial"),
    (10, "pre-authent"),
    (11, "hw-authent"),
    (12, "transited-policy-checked"),
    (13, "ok-as-delegate"),
    (15, "enc-pa-rep (RFC 6806; Windows: name-canonicalize)"),
    (16, "anonymous (RFC 6112)"),
];

/// APOptions bits (RFC 4120 §5.5.1).
pub(super) const AP_OPTIONS: &[(u8, &str)] = &[(1, "use-session-key"), (2, "mutual-required")];

/// The names of the bits set in `v` (bit 0 = 0x80000000).
pub(crate) fn flag_names(v: u32, table: &[(u8, &'static str)]) -> Vec<&'static str> {
    table
        .iter()
        .filter(|(bit, _)| v & (0x8000_0000u32 >> bit) != 0)
        .map(|(_, n)| *n)
        .collect()
}
