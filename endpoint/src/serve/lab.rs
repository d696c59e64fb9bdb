//! The IIS 6 lab over real HTTP: `/lab/` lists the sites, `/lab/<id>/…` is answered by that
//! site's engine (`proto::iis::host::Host`), which keeps each connection's handshake state.

use crate::respond::{closing, header_pairs, plain, respond, security_headers, Body};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// One IIS host per lab site, holding each connection's handshake state.
pub struct Lab {
    hosts: Mutex<BTreeMap<String, proto::iis::host::Host>>,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
        .unwrap_or(0)
}

/// 8 random bytes for an NTLM server challenge: the kernel's CSPRNG (getrandom(2), no file to
/// open per request).
fn random8() -> [u8; 8] {
    let mut b = [0u8; 8];
    if getrandom::getrandom(&mut b).is_err() {
        // No CSPRNG answered: fall back on the hasher's per-process random keys.
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        b = h.finish().to_le_bytes();
    }
    b
}

/// Reads and discards a request body of at most `limit` bytes, so that the connection stays
/// usable for the next leg of a handshake; `false` when it is larger or broken.
async fn drain(mut body: Incoming, limit: u64) -> bool {
    let mut seen: u64 = 0;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return false };
        if let Some(d) = frame.data_ref() {
            seen = seen.saturating_add(u64::try_from(d.len()).unwrap_or(u64::MAX));
            if seen > limit {
                return false;
            }
        }
    }
    true
}

impl Lab {
    /// The built-in sites, every scenario of the IIS 6 guide and the sites read from files,
    /// each accepting Kerberos tickets for the principals of `keytab`.
    pub fn new(sites: &[proto::iis::Site], keytab: &[proto::kerberos::keytab::Entry]) -> Lab {
        let hosts = proto::iis::sites::all()
            .into_iter()
            .chain(proto::iis::scenarios::all().into_iter().map(|s| s.site))
            .chain(sites.iter().cloned())
            .map(|mut s| {
                s.service_keys = keytab.to_vec();
                (s.id.clone(), proto::iis::host::Host::new(s))
            })
            .collect();
        Lab {
            hosts: Mutex::new(hosts),
        }
    }

    /// The connection has closed: so has any handshake or identity it carried.
    pub fn close(&self, connection: u64) {
        if let Ok(mut hosts) = self.hosts.lock() {
            for h in hosts.values_mut() {
                h.close(connection);
            }
        }
    }

    /// `/lab/<id>/…` on client connection `connection`.
    pub async fn handle(
        &self,
        req: Request<Incoming>,
        connection: u64,
        peer: SocketAddr,
        max_body: u64,
    ) -> Response<Body> {
        let path = req.uri().path();
        if path == "/lab" || path == "/lab/" {
            return index();
        }
        let id = path
            .strip_prefix("/lab/")
            .and_then(|r| r.split('/').next())
            .unwrap_or("")
            .to_string();
        let target = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let r = proto::iis::Request {
            method: req.method().as_str().to_string(),
            target,
            headers: header_pairs(req.headers()).collect(),
            connection,
            client_ip: peer.ip().to_string(),
            now: now(),
        };
        if !drain(req.into_body(), max_body).await {
            return closing(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("authscope: request body over {max_body} bytes (--max-body)\n"),
            );
        }
        let resp = {
            let Ok(mut hosts) = self.hosts.lock() else {
                return plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "authscope: lab state lost\n",
                );
            };
            let Some(host) = hosts.get_mut(&id) else {
                return plain(StatusCode::NOT_FOUND, "not found\n");
            };
            host.handle(&r, random8())
        };
        // The W3C log line: it names the user, never the password; every field escaped.
        println!("{}", resp.log.format());
        let mut headers = resp.headers;
        headers.extend(
            security_headers("default-src 'none'; style-src 'unsafe-inline'")
                .map(|(n, v)| (n.to_string(), v)),
        );
        let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        respond(status, headers, resp.body.into_bytes())
    }
}

/// `/lab/`: the sites, the scenarios and the demo accounts, as text.
fn index() -> Response<Body> {
    let mut body = String::from("authscope IIS 6 lab sites\n\n");
    for s in proto::iis::sites::all() {
        body.push_str(&format!("/lab/{}/\t{}\n\t{}\n", s.id, s.title, s.summary));
    }
    body.push_str("\nScenarios of the IIS 6 guide (authscope scenarios):\n");
    for s in proto::iis::scenarios::all() {
        body.push_str(&format!(
            "/lab/{}{}\t{} → {}\n",
            s.site.id, s.path, s.site.title, s.expect
        ));
    }
    body.push_str("\nDemo accounts:\n");
    for u in proto::iis::sites::DEMO_USERS {
        body.push_str(&format!("  {} / {}  ({})\n", u.name, u.password, u.note));
    }
    plain(StatusCode::OK, &body)
}
