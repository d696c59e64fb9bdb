//! Permalinks: the page's state in the URL fragment (`#/ntlm?variant=dc-down&step=4`), never in
//! the query, so it is not sent to the server, and never with a secret unless the user opts in.
//!
//! ```text
//! fragment = "#/" route [ "?" param *( "&" param ) ]
//! param    = name "=" value        ; value percent-encoded (RFC 3986 unreserved kept)
//! ```
//!
//! What may go into a link is decided here, so that every page obeys the same rule:
//! [`Link::set`] refuses the names in [`SECRET`] (passwords never go into a link), and a token
//! goes in only through [`Link::set_token`], which the page calls after the user has confirmed
//! the warning of [`token_warning`].

/// Parameter names that never go into a link, whatever a page asks.
pub const SECRET: &[&str] = &["password", "pass", "pw", "secret", "key", "keytab"];

/// A parsed fragment: the route and its parameters, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Link {
    pub route: String,
    pub params: Vec<(String, String)>,
}

impl Link {
    /// Reads `#/route?a=1&b=2` (the leading `#` and `/` optional). Malformed escapes are kept as
    /// they are; nothing here fails.
    pub fn parse(fragment: &str) -> Link {
        let f = fragment.trim_start_matches('#').trim_start_matches('/');
        let (route, query) = match f.find(['?', '&']) {
            Some(i) => (f.get(..i).unwrap_or(""), f.get(i + 1..).unwrap_or("")),
            None => (f, ""),
        };
        // `#scenario=ntlm&step=2` (the embed page's links): parameters only.
        let (route, query) = if route.contains('=') {
            ("", f)
        } else {
            (route, query)
        };
        let params = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (unescape(k), unescape(v)),
                None => (unescape(p), String::new()),
            })
            .collect();
        Link {
            route: route.to_string(),
            params,
        }
    }

    pub fn new(route: &str) -> Link {
        Link {
            route: route.to_string(),
            params: Vec::new(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A parameter as a number.
    pub fn number(&self, name: &str) -> Option<usize> {
        self.get(name)?.parse().ok()
    }

    /// Sets (or, with an empty value, removes) a parameter. Names in [`SECRET`] and `token` are
    /// refused: the link stays as it was and `false` is returned.
    pub fn set(&mut self, name: &str, value: &str) -> bool {
        if name == "token" || SECRET.contains(&name.to_ascii_lowercase().as_str()) {
            return false;
        }
        self.put(name, value);
        true
    }

    /// Puts a pasted token into the link: only after the user confirmed [`token_warning`].
    pub fn set_token(&mut self, token: &str) {
        self.put("token", token);
    }

    fn put(&mut self, name: &str, value: &str) {
        self.params.retain(|(k, _)| k != name);
        if !value.is_empty() {
            self.params.push((name.to_string(), value.to_string()));
        }
    }

    /// The fragment, `#/route?…`.
    pub fn fragment(&self) -> String {
        let mut out = if self.route.is_empty() {
            "#".to_string()
        } else {
            format!("#/{}", self.route)
        };
        for (i, (k, v)) in self.params.iter().enumerate() {
            if i > 0 {
                out.push('&');
            } else if !self.route.is_empty() {
                out.push('?');
            }
            out.push_str(&escape(k));
            if !v.is_empty() {
                out.push('=');
                out.push_str(&escape(v));
            }
        }
        out
    }
}

/// What the page says before a token goes into a link (the user must confirm it).
pub fn token_warning(text: &str) -> &'static str {
    if crate::decode::decode(text).credential_equivalent() {
        "This is an NTLM AUTHENTICATE message: anyone with the link can crack its response offline to recover the password (it cannot be replayed later: its challenge was single-use). Put it in the link only for a test account."
    } else {
        "The token goes into the link: anyone with the link can read it. Challenges and NEGOTIATE messages hold no secret, but names and hosts may be private."
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (c, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut l = Link::new("ntlm");
        assert!(l.set("variant", "dc-down"));
        assert!(l.set("user", "CONTOSO\\bob & co=1"));
        assert!(l.set("step", "4"));
        let f = l.fragment();
        assert_eq!(
            f,
            "#/ntlm?variant=dc-down&user=CONTOSO%5Cbob%20%26%20co%3D1&step=4"
        );
        assert_eq!(Link::parse(&f), l);
        assert_eq!(Link::parse(&f).number("step"), Some(4));
        // Old links and plain routes.
        assert_eq!(Link::parse("#/basic"), Link::new("basic"));
        assert_eq!(Link::parse("").route, "");
        assert_eq!(Link::parse("#/a?x=%zz&y").get("x"), Some("%zz"));
        // The embed page's links have no route.
        let e = Link::parse("#scenario=ntlm&step=3&autoplay");
        assert_eq!(e.route, "");
        assert_eq!(e.get("scenario"), Some("ntlm"));
        assert_eq!(e.get("autoplay"), Some(""));
        assert_eq!(e.fragment(), "#scenario=ntlm&step=3&autoplay");
    }

    #[test]
    fn secrets_never_go_in() {
        let mut l = Link::new("basic");
        for name in ["password", "Password", "key", "token"] {
            assert!(!l.set(name, "Wonderland"), "{name}");
        }
        assert!(!l.fragment().contains("Wonderland"));
        l.set_token("NTLM TlRMTVNTUAABAAAA");
        assert_eq!(
            Link::parse(&l.fragment()).get("token"),
            Some("NTLM TlRMTVNTUAABAAAA")
        );
        // Emptying a parameter removes it.
        l.set("step", "2");
        l.set("step", "");
        assert_eq!(l.get("step"), None);
    }

    #[test]
    fn warns_about_authenticate_messages() {
        let auth = format!("NTLM {}", crate::ntlm::samples::AUTHENTICATE_V2);
        assert!(token_warning(&auth).contains("crack"));
        let chal = format!("NTLM {}", crate::ntlm::samples::CHALLENGE_V2);
        assert!(!token_warning(&chal).contains("crack"));
    }
}
