//! The glossary: the terms the narrations use, each defined in a sentence or two with where the
//! definition is written down. The page lists them (`index.html#/glossary`) and links a term's
//! first use in a narration to its entry (`link_terms`).

/// One entry: the term as narrations write it and its anchor. What it means and its source are
/// `meaning(id)`'s (apart, so that a page that only links terms does not carry the definitions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub term: &'static str,
    pub id: &'static str,
}

/// The entries, in alphabetical order.
pub const TERMS: &[Term] = &[
    Term {
        term: "AP-REP",
        id: "ap-rep",
    },
    Term {
        term: "AP-REQ",
        id: "ap-req",
    },
    Term {
        term: "AUTHENTICATE",
        id: "authenticate",
    },
    Term {
        term: "AuthFlags",
        id: "authflags",
    },
    Term {
        term: "Basic",
        id: "basic",
    },
    Term {
        term: "CHALLENGE",
        id: "challenge",
    },
    Term {
        term: "domain controller",
        id: "domain-controller",
    },
    Term {
        term: "keep-alive",
        id: "keep-alive",
    },
    Term {
        term: "KDC",
        id: "kdc",
    },
    Term {
        term: "Kerberos",
        id: "kerberos",
    },
    Term {
        term: "LmCompatibilityLevel",
        id: "lmcompatibilitylevel",
    },
    Term {
        term: "Local intranet",
        id: "local-intranet",
    },
    Term {
        term: "MIC",
        id: "mic",
    },
    Term {
        term: "NEGOTIATE",
        id: "negotiate-message",
    },
    Term {
        term: "Negotiate",
        id: "negotiate",
    },
    Term {
        term: "NTLM",
        id: "ntlm",
    },
    Term {
        term: "NTLMv2",
        id: "ntlmv2",
    },
    Term {
        term: "pass-through",
        id: "pass-through",
    },
    Term {
        term: "SPN",
        id: "spn",
    },
    Term {
        term: "SPNEGO",
        id: "spnego",
    },
    Term {
        term: "sub-status",
        id: "sub-status",
    },
    Term {
        term: "TGT",
        id: "tgt",
    },
    Term {
        term: "service ticket",
        id: "service-ticket",
    },
];

/// What the term of `id` means, and where that is written down.
pub fn meaning(id: &str) -> Option<(&'static str, &'static str)> {
    match id {
        "ap-rep" => Some((
            "The service's answer to an AP-REQ when the client asked for mutual authentication: proof that the server could decrypt the ticket. In HTTP it comes back in WWW-Authenticate: Negotiate with the 200.",
            "RFC 4120 §3.2.4; RFC 4559 §4.3",
        )),
        "ap-req" => Some((
            "What a Kerberos client sends a service: the service ticket and an authenticator encrypted with the ticket's session key. In HTTP it travels inside SPNEGO in Authorization: Negotiate.",
            "RFC 4120 §3.2.2, §5.5.1; RFC 4559 §4.2",
        )),
        "authenticate" => Some((
            "NTLM's third message, from the client: the user and domain names and the responses computed from the password hash and the server's challenge. It answers one challenge only, but it can be relayed while its handshake is live and its response cracked offline.",
            "MS-NLMP 2.2.1.3, 3.1.5.1.2",
        )),
        "authflags" => Some((
            "The IIS 6 metabase property that enables authentication methods for a node: 1 Anonymous, 2 Basic, 4 Integrated Windows (NTLM and Negotiate), 16 Digest, 64 .NET Passport.",
            "IIS 6.0 metabase reference, AuthFlags",
        )),
        "basic" => Some((
            "The HTTP scheme that sends user:password in base64 with every request: readable by anyone on the path unless the connection is HTTPS.",
            "RFC 7617",
        )),
        "challenge" => Some((
            "NTLM's second message, from the server: its 8-byte random challenge, its flags and its target information (the server's names; since Windows Vista and Windows Server 2008 also a timestamp, which makes clients add a MIC).",
            "MS-NLMP 2.2.1.2",
        )),
        "domain-controller" => Some((
            "A Windows server that holds a domain's accounts. IIS cannot check an NTLM response to a domain account itself: it passes it to a domain controller (pass-through authentication), which answers valid or not.",
            "MS-NLMP 3.1.5.1.2; MS-APDS",
        )),
        "keep-alive" => Some((
            "Reusing one TCP connection for several requests. NTLM needs it: the handshake authenticates the connection, so NEGOTIATE, CHALLENGE and AUTHENTICATE must travel on the same one.",
            "RFC 9112 §9.3; MS-NTHT",
        )),
        "kdc" => Some((
            "The Kerberos Key Distribution Center, on Windows every domain controller: it issues the TGT (authentication service) and service tickets (ticket-granting service).",
            "RFC 4120 §1",
        )),
        "kerberos" => Some((
            "The ticket protocol Windows domains use by default: the client gets a ticket for the service from the KDC and shows it to the service, which never sees the password.",
            "RFC 4120; MS-KILE",
        )),
        "lmcompatibilitylevel" => Some((
            "The Windows setting (0–5) that decides which NTLM responses a client sends (LM and NTLMv1 at 0, NTLMv2 only from 3) and which a domain controller accepts (4: no LM, 5: no LM or NTLMv1).",
            "Microsoft, \"Network security: LAN Manager authentication level\"",
        )),
        "local-intranet" => Some((
            "Internet Explorer's security zone for the organisation's sites, by default those named without a dot (http://web01/). Integrated logon is automatic there only.",
            "Microsoft, KB 182569 (Internet Explorer security zones registry entries: \"Include all local (intranet) sites not listed in other zones\")",
        )),
        "mic" => Some((
            "The Message Integrity Code of an NTLM AUTHENTICATE: an HMAC over all three messages, sent when the server's CHALLENGE carries a timestamp, so that the messages cannot be altered on the way.",
            "MS-NLMP 2.2.1.3, 3.1.5.1.2",
        )),
        "negotiate-message" => Some((
            "NTLM's first message, from the client: the flags it supports. The server answers with a CHALLENGE.",
            "MS-NLMP 2.2.1.1",
        )),
        "negotiate" => Some((
            "The HTTP scheme that carries SPNEGO tokens: Kerberos when client and server can, otherwise NTLM inside SPNEGO.",
            "RFC 4559; RFC 4178",
        )),
        "ntlm" => Some((
            "NT LAN Manager, Windows' challenge/response protocol (IIS's \"Integrated Windows authentication\" without Kerberos): the server sends a challenge, the client answers with a response computed from the password's hash.",
            "MS-NLMP; MS-NTHT",
        )),
        "ntlmv2" => Some((
            "The NTLM response computed with HMAC-MD5 over the challenge, a client challenge, a timestamp and the server's target information; Windows sends it at LmCompatibilityLevel 3 and above.",
            "MS-NLMP 3.3.2",
        )),
        "pass-through" => Some((
            "How a member server checks an NTLM logon of a domain account: it passes the challenge and response to a domain controller over its secure channel (Netlogon) and takes its verdict.",
            "MS-APDS 3.1; MS-NRPC",
        )),
        "spn" => Some((
            "A Service Principal Name such as HTTP/web01.contoso.com: the name the client asks the KDC a ticket for. It must be registered on the one account the service runs as (setspn), or Kerberos fails.",
            "MS-KILE; Microsoft, \"Service principal names\" (setspn)",
        )),
        "spnego" => Some((
            "The GSS-API mechanism that lets both sides agree on a mechanism (Kerberos or NTLM) and then carries its tokens; the Negotiate scheme's tokens are SPNEGO.",
            "RFC 4178",
        )),
        "sub-status" => Some((
            "The number after the status in IIS's log and error pages: 401.1 logon failed, 401.2 refused by the server's configuration (no method allowed or offered), 401.3 refused by an ACL.",
            "Microsoft, \"IIS status codes\"; the IIS 6 guide",
        )),
        "tgt" => Some((
            "The ticket-granting ticket: the ticket the KDC gives at logon, with which the client asks for service tickets without the password.",
            "RFC 4120 §1.1, §3.1",
        )),
        "service-ticket" => Some((
            "A ticket for one service (its SPN), encrypted with that service account's key: the service decrypts it to learn who the client is.",
            "RFC 4120 §3.3, §5.3",
        )),
        _ => None,
    }
}

/// The entry of `id`.
pub fn by_id(id: &str) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.id == id)
}

/// A narration cut into pieces: plain text, or a term's first use with its entry. A term
/// counts where it stands as a whole word (case as written: `NEGOTIATE` the message, `Negotiate`
/// the scheme); longer terms win over shorter ones at the same place; each term is linked once.
pub fn link_terms(text: &str) -> Vec<(&str, Option<&'static Term>)> {
    let mut out = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    let mut rest = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    let word = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
    while i < text.len() {
        if !text.is_char_boundary(i) || (i > 0 && word(bytes.get(i - 1))) {
            i += 1;
            continue;
        }
        let hit = TERMS
            .iter()
            .filter(|t| !used.contains(&t.id))
            .filter(|t| text.get(i..).is_some_and(|s| s.starts_with(t.term)))
            .filter(|t| !word(bytes.get(i + t.term.len())))
            .max_by_key(|t| t.term.len());
        match hit {
            Some(t) => {
                if rest < i {
                    out.push((text.get(rest..i).unwrap_or(""), None));
                }
                out.push((text.get(i..i + t.term.len()).unwrap_or(""), Some(t)));
                used.push(t.id);
                i += t.term.len();
                rest = i;
            }
            None => i += 1,
        }
    }
    if rest < text.len() {
        out.push((text.get(rest..).unwrap_or(""), None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_linked_once_as_whole_words_with_their_case() {
        let parts = link_terms(
            "IIS answers 401.2 with WWW-Authenticate: NTLM; NTLMv2 follows, then NTLM again.",
        );
        let linked: Vec<&str> = parts
            .iter()
            .filter(|p| p.1.is_some())
            .map(|p| p.0)
            .collect();
        assert_eq!(linked, ["NTLM", "NTLMv2"]);
        assert_eq!(
            parts.iter().map(|p| p.0).collect::<String>(),
            "IIS answers 401.2 with WWW-Authenticate: NTLM; NTLMv2 follows, then NTLM again."
        );
        // The message and the scheme are told apart by their case; no match inside a word.
        let parts = link_terms("NEGOTIATE, then Negotiate; SPNEGOx is no term");
        let ids: Vec<&str> = parts.iter().filter_map(|p| p.1.map(|t| t.id)).collect();
        assert_eq!(ids, ["negotiate-message", "negotiate"]);
        assert!(link_terms("").is_empty());
        assert_eq!(link_terms("é NTLM").len(), 2);
    }

    #[test]
    fn every_entry_has_a_source_and_a_unique_anchor() {
        for t in TERMS {
            let (meaning, source) = meaning(t.id).unwrap_or_default();
            assert!(!source.is_empty() && !meaning.is_empty(), "{}", t.term);
            assert_eq!(TERMS.iter().filter(|u| u.id == t.id).count(), 1, "{}", t.id);
            assert_eq!(by_id(t.id), Some(t));
        }
    }
}
