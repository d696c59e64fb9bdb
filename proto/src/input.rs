//! A file dropped on the Decoder or given to `authscope decode FILE`, recognised by its first
//! bytes: an MIT credential cache or keytab ([`crate::kerberos::files`]), a HAR file
//! ([`crate::har`]: every authentication token of every entry), DER (a `.kirbi`), or text (a
//! paste: [`crate::decode::decode_all`]).

use crate::decode::{decode, decode_all, Decoded, Failure, Warning};
use crate::field::{hex, Layer};
use crate::Span;

/// A file dropped on the Decoder or given to `authscope decode FILE`: an MIT credential cache or
/// keytab (shown field by field, its keys offered to every other input), a DER Kerberos message
/// (a binary `.kirbi` is a KRB-CRED), or text (a paste: [`decode_all`]).
pub fn decode_file(bytes: &[u8]) -> Vec<Decoded> {
    use crate::kerberos::files::{self, FileKind};
    if let Some(kind) = files::kind(bytes) {
        let mut d = Decoded::default();
        let mut tickets = Vec::new();
        let (kind, label, fields, err, warning) = match kind {
            FileKind::Ccache => {
                let (cc, fields, err) = files::ccache(bytes);
                for c in cc.creds.iter().filter(|c| !c.config) {
                    d.carried.learnt.push((
                        c.key.clone(),
                        format!(
                            "the session key of the credential cache's ticket for {}",
                            c.server
                        ),
                    ));
                    // Each ticket in its own layer, decoded (and opened with a keytab).
                    let p = crate::spnego::peel(c.ticket.slice_bytes(bytes), c.ticket);
                    tickets.extend(p.layers);
                }
                let label = if cc.version == 0x0503 {
                    "MIT credential cache (version 3)"
                } else {
                    "MIT credential cache (version 4)"
                };
                (
                    "ccache",
                    label,
                    fields,
                    err,
                    "A credential cache holds session keys: whoever has the file can use its tickets until they expire. authscope keeps them in memory only.",
                )
            }
            FileKind::Keytab => {
                let (entries, fields, err) = files::keytab(bytes);
                d.carried.keytab = entries;
                (
                    "keytab",
                    "MIT keytab (0x0502)",
                    fields,
                    err,
                    "A keytab holds long-term keys: anyone with it can decrypt the principal's tickets and impersonate it. authscope keeps them in memory only.",
                )
            }
        };
        d.layers.push(Layer {
            kind,
            label,
            source: Span::new(0, bytes.len()),
            bytes: bytes.to_vec(),
            fields,
        });
        d.layers.extend(tickets);
        d.warnings.push(Warning::at(warning, 0));
        d.error = err.map(|e| Failure {
            message: e.to_string(),
            layer: 0,
            offset: e.offset,
        });
        d.decoded_layers = d.layers.len();
        return vec![d];
    }
    // A HAR file (the browser's developer tools): every authentication header of every entry, in
    // order, each a message, so that the keys one reveals open the others.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        if let Ok(entries) = crate::har::entries(bytes) {
            let ds = har_tokens(&entries);
            if !ds.is_empty() {
                return ds;
            }
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => decode_all(text),
        // Binary DER (a .kirbi, a message saved from Wireshark): as hex.
        Err(_) => {
            let mut d = decode(&hex(bytes));
            if let Some(l) = d.layers.first_mut() {
                l.label = "File (binary, shown as hex)";
            }
            vec![d]
        }
    }
}

/// The keys a file holds, to open other messages with: a keytab's, a credential cache's session
/// keys, a KRB-CRED's (a `.kirbi`, binary or base64) session keys. Empty when it holds none.
pub fn keys_in_file(bytes: &[u8]) -> crate::kerberos::decrypt::Keys {
    let mut ds = decode_file(bytes);
    crate::decode::decrypt_all(&mut ds, &crate::kerberos::decrypt::Keys::default());
    let mut keys = crate::kerberos::decrypt::Keys::default();
    for d in ds {
        keys.keytab.extend(d.carried.keytab);
        keys.learnt.extend(d.carried.learnt);
        keys.learnt.extend(d.learnt);
    }
    keys
}

/// The `Authorization` and `WWW-Authenticate` headers carrying a token (NTLM, Negotiate,
/// Kerberos) in a HAR's entries, decoded one by one, each labelled with its entry.
fn har_tokens(entries: &[crate::har::Entry]) -> Vec<Decoded> {
    let mut out = Vec::new();
    for e in entries {
        let sent = e
            .request_values("authorization")
            .into_iter()
            .map(|v| ("Authorization", v));
        let back = e
            .response_values("www-authenticate")
            .into_iter()
            .map(|v| ("WWW-Authenticate", v));
        for (name, value) in sent.chain(back) {
            // A bare scheme offers a handshake; only values with a token are messages.
            let Some((scheme, token)) = value.trim().split_once(' ') else {
                continue;
            };
            if !["ntlm", "negotiate", "kerberos"].contains(&scheme.to_ascii_lowercase().as_str())
                || token.trim().is_empty()
            {
                continue;
            }
            let mut d = decode(&format!("{name}: {}", value.trim()));
            if let Some(l) = d.layers.first_mut() {
                l.label = if name == "Authorization" {
                    "HAR entry: request header"
                } else {
                    "HAR entry: response header"
                };
            }
            d.warnings.insert(
                0,
                Warning {
                    level: crate::error::Level::Note,
                    message: format!(
                        "from HAR entry {} ({} {} → {})",
                        e.index + 1,
                        e.method,
                        e.url,
                        e.status
                    ),
                    layer: 0,
                    span: Span::new(0, 0),
                },
            );
            out.push(d);
        }
    }
    out
}
