//! A simulated realm: a KDC with its accounts and their keys, making the real DER messages of
//! RFC 4120 (AS, TGS and AP exchanges) with real encryption, deterministically from the inputs
//! it is given (time, and a seed for the randomness). The walkthrough plays them; each opens in
//! the decoder and decrypts with the keys the realm reports.
//!
//! ```text
//!  Browser ── AS-REQ (PA-ENC-TIMESTAMP) ──► KDC ── AS-REP: TGT + EncASRepPart (client key)
//!  Browser ── TGS-REQ (AP-REQ with TGT) ──► KDC ── TGS-REP: ticket for HTTP/host (service key)
//!                                                 └ KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN
//!  Browser ── Negotiate: SPNEGO(AP-REQ) ──► IIS ── 200 + Negotiate: SPNEGO(AP-REP)
//! ```

use super::crypto::{self, usage, Key};
use super::keytab::Entry;
use crate::asn1::write::*;
use crate::asn1::KRB5_OID;

/// An account the KDC knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Account {
    /// `bob`, `WEB01$`, `svc-web`.
    pub name: String,
    pub password: String,
    /// Service principal names registered on the account (`HTTP/web01.contoso.com`).
    pub spns: Vec<String>,
    pub kvno: u32,
    /// "Trusted for delegation" in Active Directory Users and Computers.
    pub trusted_for_delegation: bool,
}

impl Account {
    pub(crate) fn new(name: &str, password: &str, spns: &[&str]) -> Account {
        Account {
            name: name.into(),
            password: password.into(),
            spns: spns.iter().map(|s| s.to_string()).collect(),
            kvno: 2,
            trusted_for_delegation: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Realm {
    /// `CONTOSO.COM`.
    pub name: String,
    /// The encryption type of every key (23: RC4-HMAC, Windows Server 2003's; 18: AES256).
    pub etype: i32,
    pub accounts: Vec<Account>,
    /// Randomness for confounders, session keys and nonces.
    pub seed: u64,
    counter: u64,
}

/// A ticket and its session key, as the client holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Credential {
    pub ticket: Vec<u8>,
    pub session_key: Key,
    /// `krbtgt/CONTOSO.COM`, `HTTP/web01.contoso.com`.
    pub service: String,
    pub flags: u32,
}

/// One exchange with the KDC: the request, the reply (or KRB-ERROR), and what the client got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Exchange {
    pub request: Vec<u8>,
    pub reply: Vec<u8>,
    /// `None` when the reply is a KRB-ERROR.
    pub credential: Option<Credential>,
    /// The KRB-ERROR code, if any.
    pub error: Option<i64>,
}

impl Exchange {
    fn granted(
        request: Vec<u8>,
        reply: Vec<u8>,
        ticket: Vec<u8>,
        session_key: Key,
        service: String,
        flags: u32,
    ) -> Exchange {
        Exchange {
            request,
            reply,
            credential: Some(Credential {
                ticket,
                session_key,
                service,
                flags,
            }),
            error: None,
        }
    }
}

/// Ticket flags (RFC 4120 §5.3), bit 0 = 0x80000000.
pub(crate) const FORWARDABLE: u32 = 0x4000_0000;
pub(crate) const RENEWABLE: u32 = 0x0080_0000;
pub(crate) const INITIAL: u32 = 0x0040_0000;
pub(crate) const PRE_AUTHENT: u32 = 0x0020_0000;
pub(crate) const OK_AS_DELEGATE: u32 = 0x0004_0000;

/// A ticket lives ten hours (Active Directory's default).
const LIFETIME: i64 = 10 * 3600;

fn principal(name_type: i64, parts: &[&str]) -> Vec<u8> {
    seq(&[
        ctx(0, int(name_type)),
        ctx(
            1,
            seq(&parts.iter().map(|p| general_string(p)).collect::<Vec<_>>()),
        ),
    ])
}

fn enc_data(etype: i32, kvno: Option<u32>, cipher: &[u8]) -> Vec<u8> {
    let mut f = vec![ctx(0, int(i64::from(etype)))];
    if let Some(k) = kvno {
        f.push(ctx(1, int(i64::from(k))));
    }
    f.push(ctx(2, octets(cipher)));
    seq(&f)
}

fn enc_key(k: &Key) -> Vec<u8> {
    seq(&[ctx(0, int(i64::from(k.etype))), ctx(1, octets(&k.bytes))])
}

fn pa_data(kind: i64, value: Vec<u8>) -> Vec<u8> {
    seq(&[ctx(1, int(kind)), ctx(2, octets(&value))])
}

impl Realm {
    pub(crate) fn new(name: &str, etype: i32, accounts: Vec<Account>, seed: u64) -> Realm {
        Realm {
            name: name.into(),
            etype,
            accounts,
            seed,
            counter: 0,
        }
    }

    /// Deterministic bytes: MD5(seed ‖ counter), as many as asked.
    fn random(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            self.counter += 1;
            let mut input = self.seed.to_be_bytes().to_vec();
            input.extend_from_slice(&self.counter.to_be_bytes());
            out.extend_from_slice(&crate::ntlm::crypto::md5(&input));
        }
        out.truncate(n);
        out
    }

    fn confounder(&mut self) -> [u8; 16] {
        let mut c = [0u8; 16];
        c.copy_from_slice(&self.random(16));
        c
    }

    fn session_key(&mut self) -> Key {
        let len = if self.etype == crypto::AES128_CTS_HMAC_SHA1_96
            || self.etype == crypto::AES128_CTS_HMAC_SHA256_128
            || self.etype == crypto::RC4_HMAC
        {
            16
        } else {
            32
        };
        Key {
            etype: self.etype,
            bytes: self.random(len),
        }
    }

    fn account(&self, name: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The account holding `spn` (`HTTP/web01.contoso.com`; `HOST/x` covers `HTTP/x`, as in
    /// Active Directory), or `krbtgt` for the realm's TGS.
    ///
    /// The exact SPN wins: `HTTP/x` registered on a service account (`setspn -A`) is found before
    /// the computer's `HOST/x` (Active Directory's `sPNMappings` apply only when no account holds
    /// the SPN itself).
    pub(crate) fn find_spn(&self, spn: &str) -> Option<&Account> {
        let host_form = spn
            .split_once('/')
            .map(|(_, h)| format!("HOST/{h}"))
            .unwrap_or_default();
        let holds = |name: &str| {
            self.accounts
                .iter()
                .find(|a| a.spns.iter().any(|s| s.eq_ignore_ascii_case(name)))
        };
        holds(spn).or_else(|| holds(&host_form))
    }

    /// The salt Active Directory uses: `REALM` ‖ user name, or for a computer account `REALM` ‖
    /// `host` ‖ its lower-case name without `$` ‖ `.` ‖ lower-case realm.
    pub(crate) fn salt(&self, account: &Account) -> String {
        match account.name.strip_suffix('$') {
            Some(host) => format!(
                "{}host{}.{}",
                self.name,
                host.to_ascii_lowercase(),
                self.name.to_ascii_lowercase()
            ),
            None => format!("{}{}", self.name, account.name),
        }
    }

    /// An account's long-term key.
    pub(crate) fn key(&self, account: &Account) -> Key {
        crypto::string_to_key(self.etype, &account.password, &self.salt(account)).unwrap_or(Key {
            etype: self.etype,
            bytes: Vec::new(),
        })
    }

    /// The keys `account`'s services hold, one entry per principal they answer to: each SPN,
    /// and for `HOST/x` also `HTTP/x` (Active Directory maps HTTP onto HOST).
    pub(crate) fn keytab(&self, account: &Account) -> Vec<Entry> {
        let mut names: Vec<String> = Vec::new();
        for spn in &account.spns {
            names.push(spn.clone());
            if let Some(h) = spn.strip_prefix("HOST/") {
                names.push(format!("HTTP/{h}"));
            }
        }
        names
            .iter()
            .map(|spn| Entry {
                realm: self.name.clone(),
                components: spn.split('/').map(str::to_string).collect(),
                name_type: 2,
                timestamp: 0,
                kvno: account.kvno,
                key: self.key(account),
            })
            .collect()
    }

    fn krbtgt(&self) -> Account {
        self.account("krbtgt").cloned().unwrap_or_else(|| {
            Account::new(
                "krbtgt",
                "krbtgt-secret",
                &[&format!("krbtgt/{}", self.name)],
            )
        })
    }

    fn ticket(
        &mut self,
        service: &Account,
        sname: &[&str],
        client: &str,
        flags: u32,
        session: &Key,
        now: i64,
    ) -> Vec<u8> {
        let enc = app(
            3,
            seq(&[
                ctx(0, bits32(flags)),
                ctx(1, enc_key(session)),
                ctx(2, general_string(&self.name)),
                ctx(3, principal(1, &[client])),
                ctx(4, seq(&[ctx(0, int(1)), ctx(1, octets(b""))])),
                ctx(5, time(now)),
                ctx(6, time(now)),
                ctx(7, time(now + LIFETIME)),
            ]),
        );
        let c = self.confounder();
        let cipher =
            crypto::encrypt(&self.key(service), usage::TICKET, &c, &enc).unwrap_or_default();
        app(
            1,
            seq(&[
                ctx(0, int(5)),
                ctx(1, general_string(&self.name)),
                ctx(2, principal(2, sname)),
                ctx(3, enc_data(self.etype, Some(service.kvno), &cipher)),
            ]),
        )
    }

    fn req_body(&mut self, cname: Option<&str>, sname: &[&str], now: i64, nonce: u32) -> Vec<u8> {
        let mut f = vec![ctx(0, bits32(0x4081_0010))];
        if let Some(c) = cname {
            f.push(ctx(1, principal(1, &[c])));
        }
        f.push(ctx(2, general_string(&self.name)));
        f.push(ctx(3, principal(2, sname)));
        f.push(ctx(5, time(now + LIFETIME)));
        f.push(ctx(7, int(i64::from(nonce))));
        f.push(ctx(8, seq(&[int(i64::from(self.etype))])));
        seq(&f)
    }

    fn enc_rep_part(
        &self,
        tag: u8,
        session: &Key,
        nonce: u32,
        flags: u32,
        sname: &[&str],
        now: i64,
    ) -> Vec<u8> {
        app(
            tag,
            seq(&[
                ctx(0, enc_key(session)),
                ctx(1, seq(&[seq(&[ctx(0, int(0)), ctx(1, time(now))])])),
                ctx(2, int(i64::from(nonce))),
                ctx(4, bits32(flags)),
                ctx(5, time(now)),
                ctx(6, time(now)),
                ctx(7, time(now + LIFETIME)),
                ctx(9, general_string(&self.name)),
                ctx(10, principal(2, sname)),
            ]),
        )
    }

    /// `[APPLICATION tag] SEQUENCE { pvno [0] 5, msg-type [1] tag, fields… }`: the shape of
    /// every reply, AP and credential message.
    fn message(tag: u8, fields: &[Vec<u8>]) -> Vec<u8> {
        let mut all = vec![ctx(0, int(5)), ctx(1, int(i64::from(tag)))];
        all.extend_from_slice(fields);
        app(tag, seq(&all))
    }

    fn krb_error(&self, code: i64, sname: &[&str], now: i64, text: &str) -> Vec<u8> {
        Self::message(
            30,
            &[
                ctx(4, time(now)),
                ctx(5, int(0)),
                ctx(6, int(code)),
                ctx(9, general_string(&self.name)),
                ctx(10, principal(2, sname)),
                ctx(11, general_string(text)),
            ],
        )
    }

    /// `request` answered with a KRB-ERROR `code`.
    fn refused(
        &self,
        request: Vec<u8>,
        code: i64,
        sname: &[&str],
        now: i64,
        text: &str,
    ) -> Exchange {
        Exchange {
            request,
            reply: self.krb_error(code, sname, now, text),
            credential: None,
            error: Some(code),
        }
    }

    fn nonce(&mut self) -> u32 {
        let r = self.random(4);
        let r: [u8; 4] = r.try_into().unwrap_or_default();
        u32::from_be_bytes(r) & 0x7fff_ffff
    }

    /// The AS exchange for `user` with `password` (what the user typed, or the cached logon):
    /// a TGT, or `KDC_ERR_PREAUTH_FAILED` / `KDC_ERR_C_PRINCIPAL_UNKNOWN`.
    pub(crate) fn as_exchange(&mut self, user: &str, password: &str, now: i64) -> Exchange {
        let nonce = self.nonce();
        let tgs_name = self.name.clone();
        let sname = ["krbtgt", tgs_name.as_str()];
        let typed = Account::new(user, password, &[]);
        let client_key = self.key(&typed);
        let ts = seq(&[ctx(0, time(now)), ctx(1, int(0))]);
        let c = self.confounder();
        let enc_ts =
            crypto::encrypt(&client_key, usage::PA_ENC_TIMESTAMP, &c, &ts).unwrap_or_default();
        let body = self.req_body(Some(user), &sname, now, nonce);
        let request = app(
            10,
            seq(&[
                ctx(1, int(5)),
                ctx(2, int(10)),
                ctx(
                    3,
                    seq(&[
                        pa_data(2, enc_data(self.etype, None, &enc_ts)),
                        pa_data(128, seq(&[ctx(0, crate::asn1::write::tlv(0x01, &[0xff]))])),
                    ]),
                ),
                ctx(4, body),
            ]),
        );
        let Some(account) = self.account(user).cloned() else {
            return self.refused(request, 6, &sname, now, "client not found");
        };
        if self.key(&account) != client_key {
            return self.refused(request, 24, &sname, now, "pre-authentication failed");
        }
        let session = self.session_key();
        let flags = FORWARDABLE | RENEWABLE | INITIAL | PRE_AUTHENT;
        let krbtgt = self.krbtgt();
        let ticket = self.ticket(&krbtgt, &sname, user, flags, &session, now);
        let enc = self.enc_rep_part(25, &session, nonce, flags, &sname, now);
        let c = self.confounder();
        let cipher = crypto::encrypt(&client_key, usage::AS_REP, &c, &enc).unwrap_or_default();
        let salt = self.salt(&account);
        let etype_info2 = seq(&[seq(&[
            ctx(0, int(i64::from(self.etype))),
            ctx(1, general_string(&salt)),
        ])]);
        let reply = Self::message(
            11,
            &[
                ctx(2, seq(&[pa_data(19, etype_info2)])),
                ctx(3, general_string(&self.name)),
                ctx(4, principal(1, &[user])),
                ctx(5, ticket.clone()),
                ctx(6, enc_data(self.etype, Some(account.kvno), &cipher)),
            ],
        );
        Exchange::granted(
            request,
            reply,
            ticket,
            session,
            format!("krbtgt/{}", self.name),
            flags,
        )
    }

    /// An AP-REQ presenting `cred` for `user`, with its authenticator under the session key
    /// (`auth_usage`: 7 inside a TGS-REQ, 11 for a service) and, for a service, the GSS
    /// checksum with `gss_flags` (RFC 4121 §4.1.1).
    #[allow(clippy::too_many_arguments)]
    fn ap_req(
        &mut self,
        cred: &Credential,
        user: &str,
        now: i64,
        auth_usage: u32,
        gss_flags: Option<u32>,
        deleg: Option<&Credential>,
        body: Option<&[u8]>,
    ) -> Vec<u8> {
        let mut a = vec![
            ctx(0, int(5)),
            ctx(1, general_string(&self.name)),
            ctx(2, principal(1, &[user])),
        ];
        if let Some(flags) = gss_flags {
            let mut ck = 16u32.to_le_bytes().to_vec();
            ck.extend_from_slice(&[0; 16]);
            ck.extend_from_slice(&flags.to_le_bytes());
            if let Some(tgt) = deleg {
                let cred_msg = self.krb_cred(tgt, user, &cred.session_key);
                ck.extend_from_slice(&1u16.to_le_bytes());
                ck.extend_from_slice(&u16::try_from(cred_msg.len()).unwrap_or(0).to_le_bytes());
                ck.extend_from_slice(&cred_msg);
            }
            a.push(ctx(3, seq(&[ctx(0, int(0x8003)), ctx(1, octets(&ck))])));
        }
        // A TGS-REQ's authenticator carries a keyed checksum of the request body (RFC 4120
        // §5.4.1): MIT refuses one without it (KRB_AP_ERR_INAPP_CKSUM).
        if let Some(b) = body {
            if let Ok((kind, sum)) =
                crypto::checksum(&cred.session_key, usage::TGS_REQ_BODY_CHECKSUM, b)
            {
                a.push(ctx(3, seq(&[ctx(0, int(kind)), ctx(1, octets(&sum))])));
            }
        }
        a.push(ctx(4, int(123_456)));
        a.push(ctx(5, time(now)));
        if gss_flags.is_some() {
            a.push(ctx(7, int(i64::from(self.nonce()))));
        }
        let authenticator = app(2, seq(&a));
        let c = self.confounder();
        let cipher =
            crypto::encrypt(&cred.session_key, auth_usage, &c, &authenticator).unwrap_or_default();
        let options = if gss_flags.is_some_and(|f| f & 2 != 0) {
            0x2000_0000
        } else {
            0
        };
        Self::message(
            14,
            &[
                ctx(2, bits32(options)),
                ctx(3, cred.ticket.clone()),
                ctx(4, enc_data(cred.session_key.etype, None, &cipher)),
            ],
        )
    }

    /// The TGS exchange: a service ticket for `spn` (`HTTP/web01.contoso.com`) with the TGT, or
    /// `KDC_ERR_S_PRINCIPAL_UNKNOWN` when no account holds the SPN.
    pub(crate) fn tgs_exchange(
        &mut self,
        user: &str,
        tgt: &Credential,
        spn: &str,
        now: i64,
    ) -> Exchange {
        let nonce = self.nonce();
        let parts: Vec<&str> = spn.split('/').collect();
        let body = self.req_body(None, &parts, now, nonce);
        let ap = self.ap_req(
            tgt,
            user,
            now,
            usage::TGS_REQ_AUTHENTICATOR,
            None,
            None,
            Some(&body),
        );
        let request = app(
            12,
            seq(&[
                ctx(1, int(5)),
                ctx(2, int(12)),
                ctx(3, seq(&[pa_data(1, ap)])),
                ctx(4, body),
            ]),
        );
        let Some(service) = self.find_spn(spn).cloned() else {
            return self.refused(
                request,
                7,
                &parts,
                now,
                "server not found in Kerberos database",
            );
        };
        let session = self.session_key();
        let mut flags = FORWARDABLE | RENEWABLE | PRE_AUTHENT;
        if service.trusted_for_delegation {
            flags |= OK_AS_DELEGATE;
        }
        let ticket = self.ticket(&service, &parts, user, flags, &session, now);
        let enc = self.enc_rep_part(26, &session, nonce, flags, &parts, now);
        let c = self.confounder();
        let cipher =
            crypto::encrypt(&tgt.session_key, usage::TGS_REP, &c, &enc).unwrap_or_default();
        let reply = Self::message(
            13,
            &[
                ctx(3, general_string(&self.name)),
                ctx(4, principal(1, &[user])),
                ctx(5, ticket.clone()),
                ctx(6, enc_data(self.etype, None, &cipher)),
            ],
        );
        Exchange::granted(request, reply, ticket, session, spn.into(), flags)
    }

    /// KRB-CRED (RFC 4120 §5.8) forwarding `tgt` to a service, its EncKrbCredPart under the
    /// service ticket's session key (key usage 14).
    fn krb_cred(&mut self, tgt: &Credential, user: &str, key: &Key) -> Vec<u8> {
        let tgs = format!("krbtgt/{}", self.name);
        let sname: Vec<&str> = tgs.split('/').collect();
        let info = seq(&[
            ctx(0, enc_key(&tgt.session_key)),
            ctx(1, general_string(&self.name)),
            ctx(2, principal(1, &[user])),
            ctx(3, bits32(tgt.flags | 0x2000_0000)),
            ctx(8, general_string(&self.name)),
            ctx(9, principal(2, &sname)),
        ]);
        let enc = app(29, seq(&[ctx(0, seq(&[info]))]));
        let c = self.confounder();
        let cipher = crypto::encrypt(key, 14, &c, &enc).unwrap_or_default();
        Self::message(
            22,
            &[
                ctx(2, seq(std::slice::from_ref(&tgt.ticket))),
                ctx(3, enc_data(key.etype, None, &cipher)),
            ],
        )
    }

    /// The Kerberos GSS-API token (RFC 4121 §4.1: `[APPLICATION 0]`, the Kerberos OID, TOK_ID
    /// 01 00, the AP-REQ) for a service ticket, with mutual authentication. When the ticket is
    /// ok-as-delegate (the server is trusted for delegation) and `tgt` is given, the browser
    /// delegates: the deleg flag, and the TGT forwarded in a KRB-CRED. SPNEGO wraps it
    /// (`spnego::neg_token_init`; `Realm::negotiate_token` does both).
    pub(crate) fn krb5_token(
        &mut self,
        cred: &Credential,
        user: &str,
        now: i64,
        tgt: Option<&Credential>,
    ) -> Vec<u8> {
        // GSS flags: mutual | replay | sequence | integ | conf, and deleg when allowed.
        let mut flags = 2 | 4 | 8 | 16 | 32;
        let deleg = tgt.filter(|_| cred.flags & OK_AS_DELEGATE != 0);
        if deleg.is_some() {
            flags |= 1;
        }
        let ap = self.ap_req(
            cred,
            user,
            now,
            usage::AP_REQ_AUTHENTICATOR,
            Some(flags),
            deleg,
            None,
        );
        super::service::gss_krb5([1, 0], &ap, KRB5_OID)
    }
}
