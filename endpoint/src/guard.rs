//! Who may drive `authscope serve`: the `Host` allow-list (against DNS rebinding) and the
//! same-origin tests of the relay (against other sites' pages).
//!
//! A page on any site can make a browser send requests to 127.0.0.1, and by DNS rebinding
//! (its own name answering 127.0.0.1) even read the answers. What the page cannot choose is the
//! `Host` header, which carries its own name (RFC 9110 §7.2), nor the `Origin` header of a
//! cross-origin request (Fetch, "append a request `Origin` header"), nor `Sec-Fetch-Site`
//! (Fetch Metadata, W3C). So:
//! - every request whose `Host` (or absolute-form target, RFC 9112 §3.2.2) is not a name of this
//!   server is refused before routing: 127.0.0.1, localhost and [::1] with the port it listens
//!   on, the address it was told to listen on, and the names given with `--allow-host`;
//! - the relay also refuses a request whose `Origin` is not the origin of its own `Host`, and one
//!   whose `Sec-Fetch-Site` says another site made it (a same-origin `fetch` GET carries no
//!   `Origin`; a cross-origin one always does).

use std::net::IpAddr;

/// One `--allow-host` entry: a name with any port, or with one port.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Allowed {
    name: String,
    port: Option<u16>,
}

/// The names under which this server may be addressed.
#[derive(Clone, Debug)]
pub struct Hosts {
    port: u16,
    /// Names that must come with this server's port (loopback names and the listen address).
    own: Vec<String>,
    allowed: Vec<Allowed>,
}

/// Splits `host[:port]` (IPv6 literals in brackets) into a lower-case name and its port.
fn split_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let authority = authority.trim();
    if authority.is_empty() || authority.contains(['@', '/', ' ', '\\']) {
        return None;
    }
    let (name, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (format!("[{}]", inside.to_ascii_lowercase()), port)
    } else {
        match authority.rsplit_once(':') {
            Some((n, p)) => (n.to_ascii_lowercase(), Some(p)),
            None => (authority.to_ascii_lowercase(), None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    (!name.is_empty()).then_some((name, port))
}

/// An IP address as it is written in a `Host` header (IPv6 in brackets).
fn host_form(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

impl Hosts {
    /// The names of a server listening on `listen` (`--host`, as given) and `port`, plus the
    /// `--allow-host` entries (`NAME` for any port, `NAME:PORT` for one).
    pub fn new(listen: &str, port: u16, allow: &[String]) -> Result<Hosts, String> {
        let mut own: Vec<String> = vec!["127.0.0.1".into(), "localhost".into(), "[::1]".into()];
        let listen = match listen.parse::<IpAddr>() {
            Ok(ip) if ip.is_unspecified() => None,
            Ok(ip) => Some(host_form(ip)),
            Err(_) => Some(listen.to_ascii_lowercase()).filter(|l| !l.is_empty()),
        };
        if let Some(l) = listen {
            if !own.contains(&l) {
                own.push(l);
            }
        }
        let allowed = allow
            .iter()
            .map(|a| {
                split_authority(a)
                    .map(|(name, port)| Allowed { name, port })
                    .ok_or_else(|| format!("--allow-host {a:?}: give NAME or NAME:PORT"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Hosts { port, own, allowed })
    }

    /// Whether `authority` (a `Host` value) names this server.
    pub fn admits(&self, authority: &str) -> bool {
        let Some((name, port)) = split_authority(authority) else {
            return false;
        };
        let own_port = port == Some(self.port) || (port.is_none() && self.port == 80);
        (own_port && self.own.contains(&name))
            || self
                .allowed
                .iter()
                .any(|a| a.name == name && (a.port.is_none() || a.port == port))
    }

    /// The first line of a refusal, or `None` when the request may be routed: exactly one
    /// `Host`, naming this server, and an absolute-form target (if any) naming it too.
    pub fn refusal(&self, req: &hyper::Request<hyper::body::Incoming>) -> Option<String> {
        let mut hosts = req.headers().get_all(hyper::header::HOST).iter();
        let host = match (hosts.next(), hosts.next()) {
            (Some(h), None) => h.to_str().unwrap_or(""),
            (None, _) => return Some("a request needs a Host header".into()),
            (Some(_), Some(_)) => return Some("more than one Host header".into()),
        };
        if !self.admits(host) {
            return Some(format!(
                "this server does not answer to that Host name (start it with --allow-host NAME to add one); it answers to {}",
                self.describe()
            ));
        }
        if let Some(a) = req.uri().authority() {
            if !self.admits(a.as_str()) {
                return Some("the request target names another server".into());
            }
        }
        None
    }

    /// The admitted names, for messages.
    pub fn describe(&self) -> String {
        let mut names: Vec<String> = self
            .own
            .iter()
            .map(|n| format!("{n}:{}", self.port))
            .collect();
        names.extend(self.allowed.iter().map(|a| match a.port {
            Some(p) => format!("{}:{p}", a.name),
            None => a.name.clone(),
        }));
        names.join(", ")
    }
}

/// Whether an `Origin` header value is the origin of a request whose `Host` is `host`: the same
/// authority (default ports left out as browsers write them) over http or https.
pub fn same_origin(origin: &str, host: &str) -> bool {
    let (scheme, rest) = match origin.split_once("://") {
        Some((s, r)) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {
            (s.to_ascii_lowercase(), r)
        }
        _ => return false,
    };
    let default = if scheme == "https" { 443 } else { 80 };
    let norm =
        |a: &str| split_authority(a).map(|(name, port)| (name, port.filter(|p| *p != default)));
    match (norm(rest), norm(host)) {
        (Some(o), Some(h)) => o == h,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_need_the_listening_port() {
        let h = Hosts::new("127.0.0.1", 8080, &[]).unwrap_or_else(|e| panic!("{e}"));
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
        ] {
            assert!(h.admits(ok), "{ok}");
        }
        for no in [
            "attacker.example:8080",
            "attacker.example",
            "127.0.0.1",
            "127.0.0.1:9090",
            "localhost.:8080",
            "127.0.0.1:8080@evil",
            "",
            "[::1",
            "127.0.0.1:80x",
        ] {
            assert!(!h.admits(no), "{no}");
        }
        // On port 80, a Host without a port is the same server.
        let h = Hosts::new("127.0.0.1", 80, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(h.admits("localhost") && h.admits("127.0.0.1:80"));
    }

    #[test]
    fn allowed_names_take_any_port_or_the_one_given() {
        let allow = [
            "web01.contoso.com".to_string(),
            "proxy.example:8443".to_string(),
        ];
        let h = Hosts::new("0.0.0.0", 8080, &allow).unwrap_or_else(|e| panic!("{e}"));
        assert!(h.admits("web01.contoso.com") && h.admits("WEB01.contoso.com:1234"));
        assert!(h.admits("proxy.example:8443") && !h.admits("proxy.example:8080"));
        assert!(!h.admits("0.0.0.0:8080"));
        let h = Hosts::new("192.0.2.7", 8080, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(h.admits("192.0.2.7:8080"));
        assert!(Hosts::new("127.0.0.1", 8080, &["a b".to_string()]).is_err());
    }

    #[test]
    fn same_origin_compares_scheme_default_ports_and_names() {
        assert!(same_origin("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(same_origin("http://LOCALHOST:8080", "localhost:8080"));
        assert!(same_origin(
            "http://intranet.example",
            "intranet.example:80"
        ));
        assert!(same_origin("https://intranet.example", "intranet.example"));
        assert!(!same_origin("http://attacker.example", "127.0.0.1:8080"));
        assert!(!same_origin("null", "127.0.0.1:8080"));
        assert!(!same_origin("http://127.0.0.1:9090", "127.0.0.1:8080"));
        assert!(!same_origin("file://", "127.0.0.1:8080"));
    }
}
