//! `authscope serve` over real TCP connections on 127.0.0.1: the lab sites and the static app.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::bob_authenticate;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dist: &std::path::Path) -> Server {
    start_with(dist, &[])
}

/// `authscope serve` on a free port with `extra` arguments; the URL is its first line. It
/// answers to the lab's host names too (the IIS engine takes the default Basic realm from
/// `Host`, and these tests speak as a browser that reached web01.contoso.com).
fn start_with(dist: &std::path::Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authscope"))
        .args(["serve", "--port", "0"])
        .args(["--allow-host", "web01.contoso.com", "--allow-host", "web01"])
        .args(extra)
        .arg("--dist")
        .arg(dist)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .trim_start_matches("authscope is serving http://")
        .trim_end_matches('/')
        .to_string();
    Server { child, addr }
}

/// One request on its own connection; returns (status line, headers lower-cased, body).
fn get(addr: &str, path: &str, extra: &str) -> (String, Vec<(String, String)>, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: web01.contoso.com\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    h.iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn dist() -> tempdir::Dir {
    tempdir::Dir::new()
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let p = std::env::temp_dir().join(format!(
                "authscope-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&p).unwrap();
            std::fs::write(
                p.join("index.html"),
                "<html><script type=\"module\">boot()</script></html>",
            )
            .unwrap();
            std::fs::write(p.join("app-0123abcd_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn basic(user_pass: &str) -> String {
    use base64::Engine;
    format!(
        "Authorization: Basic {}\r\n",
        base64::engine::general_purpose::STANDARD.encode(user_pass)
    )
}

#[test]
fn lab_site_answers_401_2_with_basic_then_200_or_401_1() {
    let d = dist();
    let s = start(&d.0);
    let (status, h, body) = get(&s.addr, "/lab/basic/", "");
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");
    assert_eq!(
        header(&h, "www-authenticate"),
        vec!["Basic realm=\"web01.contoso.com\""]
    );
    assert_eq!(header(&h, "server"), vec!["Microsoft-IIS/6.0"]);
    assert!(body.contains(
        "HTTP Error 401.2 - Unauthorized: Access is denied due to server configuration."
    ));

    let (status, _, body) = get(&s.addr, "/lab/basic/", &basic("alice:Wonderland1"));
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("WEB01\\alice"));

    let (status, _, body) = get(&s.addr, "/lab/basic/", &basic("alice:wrong"));
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");
    assert!(body
        .contains("HTTP Error 401.1 - Unauthorized: Access is denied due to invalid credentials."));
}

#[test]
fn auth_flags_zero_sends_no_www_authenticate() {
    let d = dist();
    let s = start(&d.0);
    let (_, h, body) = get(&s.addr, "/lab/no-auth/", "");
    assert!(header(&h, "www-authenticate").is_empty());
    assert!(body.contains("401.2"));
}

#[test]
fn integrated_site_offers_negotiate_ntlm_basic_as_separate_fields() {
    let d = dist();
    let s = start(&d.0);
    let (_, h, _) = get(&s.addr, "/lab/integrated-basic/", "");
    assert_eq!(
        header(&h, "www-authenticate"),
        vec!["Negotiate", "NTLM", "Basic realm=\"web01.contoso.com\""]
    );
}

#[test]
fn static_app_has_wasm_mime_and_a_strict_csp_with_the_boot_script_hash() {
    let d = dist();
    let s = start(&d.0);
    let (status, h, _) = get(&s.addr, "/", "");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let csp = header(&h, "content-security-policy")[0].to_string();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(!csp.contains("unsafe-inline"));
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(b"boot()"));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    let (_, h, _) = get(&s.addr, "/app-0123abcd_bg.wasm", "");
    assert_eq!(header(&h, "content-type"), vec!["application/wasm"]);
    assert_eq!(
        header(&h, "cache-control"),
        vec!["public, max-age=31536000, immutable"]
    );
    let (status, _, _) = get(&s.addr, "/../Cargo.toml", "");
    assert!(
        status.starts_with("HTTP/1.1 404") || status.starts_with("HTTP/1.1 400"),
        "{status}"
    );
    let (status, _, _) = get(&s.addr, "/lab/nope/", "");
    assert!(status.starts_with("HTTP/1.1 404"));
}

/// curl's own NTLM implementation (an independent client) against the lab: returns (status, body).
fn curl_ntlm(addr: &str, path: &str, user: &str) -> (String, String) {
    let out = Command::new("curl")
        .args([
            "-s",
            "--ntlm",
            "-u",
            user,
            "-w",
            "\n%{http_code}",
            &format!("http://{addr}{path}"),
        ])
        .output()
        .expect("curl is installed by scripts/setup");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.to_string(), body.to_string())
}

#[test]
fn curl_ntlm_authenticates_against_the_integrated_site() {
    let d = dist();
    let s = start(&d.0);
    let (code, body) = curl_ntlm(&s.addr, "/lab/integrated/", "CONTOSO\\bob:Builder2");
    assert_eq!(code, "200", "{body}");
    assert!(body.contains("CONTOSO\\bob"));
    let (code, body) = curl_ntlm(&s.addr, "/lab/integrated/", "alice:Wonderland1");
    assert_eq!(code, "200");
    assert!(body.contains("WEB01\\alice"));
    let (code, body) = curl_ntlm(&s.addr, "/lab/integrated/", "CONTOSO\\bob:wrong");
    assert_eq!(code, "401");
    assert!(body
        .contains("HTTP Error 401.1 - Unauthorized: Access is denied due to invalid credentials."));
    let (code, _) = curl_ntlm(&s.addr, "/lab/integrated/", "CONTOSO\\carol:Kiosk3");
    assert_eq!(code, "401");
    // Issue 13, row 6: Windows refuses a locked-out account over NTLM too.
    let (code, body) = curl_ntlm(&s.addr, "/lab/ntlm-locked-out/", "CONTOSO\\bob:Builder2");
    assert_eq!(code, "401");
    assert!(body.contains("HTTP Error 401.1"), "{body}");
}

#[test]
fn curl_ntlm_fails_when_keep_alives_are_off() {
    let d = dist();
    let s = start(&d.0);
    let (code, _) = curl_ntlm(
        &s.addr,
        "/lab/integrated-no-keepalive/",
        "CONTOSO\\bob:Builder2",
    );
    assert_eq!(code, "401");
}

#[test]
fn curl_ntlm_fails_through_a_pooling_proxy_and_a_breaking_path() {
    let d = dist();
    let s = start(&d.0);
    // Through the proxy curl's AUTHENTICATE reaches IIS on a connection without a CHALLENGE.
    let (code, body) = curl_ntlm(&s.addr, "/lab/ntlm-proxy/", "CONTOSO\\bob:Builder2");
    assert_eq!(code, "401");
    assert!(body.contains("HTTP Error 401.2"), "{body}");
    // On the breaking path curl sees the connection close after the CHALLENGE and stops there
    // ("Connection closure while negotiating auth").
    let (code, _) = curl_ntlm(
        &s.addr,
        "/lab/ntlm-connection-breaks/",
        "CONTOSO\\bob:Builder2",
    );
    assert_eq!(code, "401");
    // The path that breaks connections closes curl's after the CHALLENGE.
    let (_, h, _) = get(&s.addr, "/lab/ntlm-connection-breaks/", "");
    assert_eq!(header(&h, "connection"), vec!["close"]);
    let (_, h, _) = get(&s.addr, "/lab/ntlm-proxy/", "");
    assert_eq!(header(&h, "via"), vec!["1.1 proxy"]);
}

#[test]
fn an_authenticate_on_a_new_connection_gets_401_2() {
    use base64::Engine;
    use proto::ntlm::client::{self, Mode, WINDOWS_XP};
    let d = dist();
    let s = start(&d.0);
    // Leg 2 on one connection (kept open), leg 3 on another.
    let neg = client::negotiate(Mode::V2, &WINDOWS_XP);
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut c1 = TcpStream::connect(&s.addr).unwrap();
    write!(
        c1,
        "GET /lab/integrated/ HTTP/1.1\r\nHost: web01\r\nAuthorization: NTLM {}\r\n\r\n",
        b64(&neg)
    )
    .unwrap();
    let mut reader = BufReader::new(c1.try_clone().unwrap());
    let mut challenge = None;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.strip_prefix("www-authenticate: NTLM ") {
            challenge = Some(base64::engine::general_purpose::STANDARD.decode(v).unwrap());
        }
        if let Some(v) = l.strip_prefix("content-length: ") {
            length = v.parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let auth = bob_authenticate(&neg, &challenge.unwrap());
    let (status, h, _) = get(
        &s.addr,
        "/lab/integrated/",
        &format!("Authorization: NTLM {}\r\n", b64(&auth)),
    );
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");
    assert_eq!(header(&h, "www-authenticate"), vec!["Negotiate", "NTLM"]);
    drop(c1);
}

#[test]
fn the_guide_s_scenarios_answer_over_http() {
    let d = dist();
    let s = start(&d.0);
    let (status, h, body) = get(&s.addr, "/lab/default-doc-401-3/", "");
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");
    assert!(body.contains("HTTP Error 401.3"));
    // Anonymous is the only method there: the 401.3 offers nothing else to try.
    assert!(header(&h, "www-authenticate").is_empty());
    let (status, _, body) = get(&s.addr, "/lab/unc-invalid/", "");
    assert_eq!(status, "HTTP/1.1 500 Internal Server Error");
    assert!(body.contains("HTTP 500 - Internal server error"));
    let (status, _, _) = get(&s.addr, "/lab/logonmethod-cleartext/", "");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let (status, _, body) = get(&s.addr, "/lab/", "");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("/lab/subauth-network-service/"));
}

#[test]
fn a_site_file_is_served_and_a_broken_one_is_refused_with_its_line() {
    let d = dist();
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../pkg-config/sites/intranet.toml"
    );
    let s = start_with(&d.0, &["--site", file]);
    let (status, _, _) = get(&s.addr, "/lab/intranet/", "");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let (status, h, _) = get(&s.addr, "/lab/intranet/hr/", "");
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");
    assert_eq!(header(&h, "www-authenticate"), vec!["Negotiate", "NTLM"]);
    let (code, body) = curl_ntlm(&s.addr, "/lab/intranet/hr/", "CONTOSO\\bob:Builder2");
    assert_eq!(code, "200", "{body}");

    let bad = d.0.join("bad.toml");
    std::fs::write(&bad, "[[node]]\npath = \"/\"\nAuthFlag = 5\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_authscope"))
        .args(["serve", "--port", "0", "--site"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 3") && err.contains("AuthFlag"), "{err}");
}

/// The throwaway MIT realm of `tests/kerberos/mit-realm.sh`, stopped on drop.
struct Realm {
    dir: tempdir::Dir,
    env: Vec<(String, String)>,
}

impl Realm {
    /// `kinit bob` (password on standard input) into the cache `name` of the realm's folder.
    fn kinit(&self, name: &str) {
        // -f: forwardable, so that curl can delegate when asked.
        let mut kinit = Command::new("kinit")
            .args(["-f", "bob"])
            .envs(self.env.iter().cloned())
            .env(
                "KRB5CCNAME",
                format!("FILE:{}", self.dir.0.join(name).display()),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        kinit
            .stdin
            .take()
            .unwrap()
            .write_all(b"Builder2\n")
            .unwrap();
        assert!(kinit.wait().unwrap().success());
    }
}

impl Realm {
    /// `curl --negotiate` with the realm's credentials: the final status code.
    fn curl_status(&self, addr: &str, path: &str, extra: &[&str]) -> String {
        let port = addr.rsplit(':').next().unwrap();
        let out = Command::new("curl")
            .args([
                "-s",
                "--negotiate",
                "-u",
                ":",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
            ])
            .args(extra)
            .arg(format!("http://localhost:{port}{path}"))
            .envs(self.env.iter().cloned())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `authscope serve --keytab KEYTAB --site NAME.toml` with the site written from `toml`.
    fn serve_site(
        &self,
        dist: &std::path::Path,
        keytab: &std::path::Path,
        name: &str,
        toml: &str,
    ) -> Server {
        let site = self.dir.0.join(format!("{name}.toml"));
        std::fs::write(&site, toml).unwrap();
        start_with(
            dist,
            &[
                "--keytab",
                keytab.to_str().unwrap(),
                "--site",
                site.to_str().unwrap(),
            ],
        )
    }
}

impl Drop for Realm {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.0.join("kdc.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

/// Runs `c`, which must succeed (its standard error is the failure message).
fn succeed(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether a command is installed (the tests that need MIT Kerberos or stunnel skip without it).
fn have(command: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {command}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// MIT Kerberos from Debian's packages (installed by scripts/setup): kinit as bob, curl
/// --negotiate to `authscope serve --keytab`: the AP-REQ is accepted (200, with an AP-REP curl
/// checks), and the same token decodes and decrypts with the keytab.
#[test]
fn mit_kerberos_tickets_are_accepted_and_decrypted() {
    if !["krb5kdc", "kdb5_util", "kadmin.local", "kinit", "curl"]
        .iter()
        .all(|c| have(c))
    {
        eprintln!("\n*** SKIPPED mit_kerberos_tickets_are_accepted_and_decrypted: MIT Kerberos (krb5-kdc, krb5-admin-server, krb5-user) is not installed; scripts/setup --browser installs it ***\n");
        return;
    }
    let dir = tempdir::Dir::new();
    let port = free_port().to_string();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/kerberos/mit-realm.sh"
    );
    succeed(Command::new("bash").args([script, dir.0.to_str().unwrap(), &port]));
    let realm = Realm {
        env: vec![
            (
                "KRB5_CONFIG".into(),
                dir.0.join("krb5.conf").display().to_string(),
            ),
            (
                "KRB5CCNAME".into(),
                format!("FILE:{}", dir.0.join("ccache").display()),
            ),
        ],
        dir,
    };
    realm.kinit("ccache");
    let keytab = realm.dir.0.join("http.keytab");
    let d = dist();
    let s = start_with(&d.0, &["--keytab", keytab.to_str().unwrap()]);
    let port = s.addr.rsplit(':').next().unwrap();
    // "localhost": curl asks for a ticket for HTTP/localhost, the keytab's principal.
    let out = Command::new("curl")
        .args(["-sv", "--negotiate", "-u", ":", "-w", "\n%{http_code}"])
        .arg(format!("http://localhost:{port}/lab/integrated/"))
        .envs(realm.env.iter().cloned())
        .output()
        .unwrap();
    let body = String::from_utf8_lossy(&out.stdout);
    let verbose = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "curl failed: {verbose}");
    assert!(body.ends_with("200"), "{body}\n{verbose}");
    assert!(body.contains("CONTOSO\\bob"), "{body}");
    // The token curl sent decodes and decrypts with the keytab.
    let token = verbose
        .lines()
        .find_map(|l| l.strip_prefix("> Authorization: "))
        .unwrap()
        .trim()
        .to_string();
    let o = Command::new(env!("CARGO_BIN_EXE_authscope"))
        .args(["decode", "--keytab", keytab.to_str().unwrap(), &token])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(text.contains("decrypted EncTicketPart"), "{text}");
    assert!(text.contains("decrypted Authenticator"), "{text}");
    assert!(
        text.contains("cname") && text.contains("bob@CONTOSO.TEST"),
        "{text}"
    );
    // The double hop over real HTTP: content on a share reached as the user. Without
    // delegation the share sees ANONYMOUS LOGON (401.3); with curl --delegation always (a
    // forwarded TGT in the authenticator) it is bob (200).
    drop(s);
    let s = realm.serve_site(
        &d.0,
        &keytab,
        "unc",
        "host = \"localhost\"\n[[node]]\npath = \"/\"\nAuthFlags = \"AuthNTLM\"\nUNCPath = '\\\\files\\web'\n[[file]]\npath = \"/Default.htm\"\nacl = ['CONTOSO\\bob']\n",
    );
    // (curl retries a 401 that offers Negotiate again, and keeps no body: the status says it.)
    assert_eq!(
        realm.curl_status(&s.addr, "/lab/unc/", &["--delegation", "none"]),
        "401"
    );
    assert_eq!(
        realm.curl_status(&s.addr, "/lab/unc/", &["--delegation", "always"]),
        "200"
    );
    // An application pool running as LocalService holds no Kerberos keys: 401.1 although the
    // keytab is there.
    drop(s);
    let s = realm.serve_site(
        &d.0,
        &keytab,
        "localservice",
        "host = \"localhost\"\nworker_identity = \"LocalService\"\n[[node]]\npath = \"/\"\nAuthFlags = \"AuthNTLM\"\n",
    );
    assert_eq!(realm.curl_status(&s.addr, "/lab/localservice/", &[]), "401");
    // A new key version for the service (kvno 3) that the server's keytab lacks: the ticket is
    // refused (KRB_AP_ERR_BADKEYVER), 401.1.
    drop(s);
    let other = realm.dir.0.join("other.keytab");
    succeed(
        Command::new("kadmin.local")
            .args([
                "-q",
                &format!("ktadd -k {} HTTP/localhost", other.display()),
            ])
            .envs(realm.env.iter().cloned())
            .env("KRB5_KDC_PROFILE", realm.dir.0.join("kdc.conf")),
    );
    let s = start_with(&d.0, &["--keytab", keytab.to_str().unwrap()]);
    let port = s.addr.rsplit(':').next().unwrap();
    // A fresh credential cache, so that the ticket is made with the new key version.
    realm.kinit("ccache2");
    let out = Command::new("curl")
        .args(["-s", "--negotiate", "-u", ":", "-w", "\n%{http_code}"])
        .arg(format!("http://localhost:{port}/lab/integrated/"))
        .envs(realm.env.iter().cloned())
        .env(
            "KRB5CCNAME",
            format!("FILE:{}", realm.dir.0.join("ccache2").display()),
        )
        .output()
        .unwrap();
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.ends_with("401"), "{body}");
    assert!(body.contains("HTTP Error 401.1"), "{body}");
}

/// pyspnego (PyPI, installed by scripts/setup) as the client: NTLM wrapped in SPNEGO, the
/// NegTokenResp legs, and IIS's mechListMIC, which pyspnego verifies before it calls the
/// context complete.
#[test]
fn pyspnego_completes_ntlm_inside_spnego_and_accepts_the_mech_list_mic() {
    let ok = Command::new("python3")
        .args(["-c", "import spnego"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("\n*** SKIPPED pyspnego_completes_ntlm_inside_spnego: python3 with pyspnego is not installed; scripts/setup --browser installs it ***\n");
        return;
    }
    let d = dist();
    let s = start(&d.0);
    let (host, port) = s.addr.rsplit_once(':').unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/kerberos/pyspnego-client.py"
    );
    let run = |user: &str, password: &str, extra: &[&str]| {
        let out = Command::new("python3")
            .args([script, host, port, "/lab/integrated/", user, password])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(run("CONTOSO\\bob", "Builder2", &[]), "401 200 complete");
    assert_eq!(run("CONTOSO\\bob", "wrong", &[]), "401 401 incomplete");
    // The client's mechListMIC is checked: altered, the logon is refused.
    assert_eq!(
        run("CONTOSO\\bob", "Builder2", &["tamper"]),
        "401 401 incomplete"
    );
}

/// A relay session id, asked for as the page does.
fn new_session(relay: &str) -> String {
    let mut s = TcpStream::connect(relay).unwrap();
    write!(
        s,
        "POST /relay/session HTTP/1.1\r\nHost: web01.contoso.com\r\nX-Authscope-App: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 201"), "{head}");
    body.trim().to_string()
}

/// An NTLM handshake through the relay, each leg on a new client connection, the legs in
/// sessions `first` and `second`: returns the final status line.
fn relayed_ntlm(relay: &str, first: &str, second: &str) -> String {
    use base64::Engine;
    use proto::ntlm::client::{self, Mode, WINDOWS_XP};
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let neg = client::negotiate(Mode::V2, &WINDOWS_XP);
    let (status, h, _) = get(
        relay,
        "/relay/0/integrated/",
        &format!(
            "X-Authscope-Session: {first}\r\nAuthorization: NTLM {}\r\n",
            b64(&neg)
        ),
    );
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");
    let challenge = header(&h, "www-authenticate")
        .iter()
        .find_map(|v| v.strip_prefix("NTLM "))
        .map(|t| base64::engine::general_purpose::STANDARD.decode(t).unwrap())
        .expect("a CHALLENGE through the relay");
    let auth = bob_authenticate(&neg, &challenge);
    let (status, h, _) = get(
        relay,
        "/relay/0/integrated/",
        &format!(
            "X-Authscope-Session: {second}\r\nAuthorization: NTLM {}\r\n",
            b64(&auth)
        ),
    );
    assert!(
        header(&h, "x-authscope-session").is_empty(),
        "the session id is never echoed"
    );
    status
}

/// The relay keeps a session on one upstream connection although each leg comes on a new client
/// connection (as a browser's fetch does): NTLM completes; split the legs over two sessions and
/// it fails, as it must. Targets outside the allow-list are refused; curl works through it too.
#[test]
fn the_relay_gives_each_session_its_own_upstream_connection() {
    let d = dist();
    let upstream = start(&d.0);
    let target = format!("http://{}/lab/", upstream.addr);
    let relay = start_with(&d.0, &["--relay", &target]);
    let s1 = new_session(&relay.addr);
    assert_eq!(relayed_ntlm(&relay.addr, &s1, &s1), "HTTP/1.1 200 OK");
    let (s2, s3) = (new_session(&relay.addr), new_session(&relay.addr));
    assert_ne!(s2, s3);
    assert_eq!(
        relayed_ntlm(&relay.addr, &s2, &s3),
        "HTTP/1.1 401 Unauthorized"
    );
    let (status, _, _) = get(&relay.addr, "/relay/1/integrated/", "");
    assert_eq!(status, "HTTP/1.1 403 Forbidden");
    let (code, body) = curl_ntlm(&relay.addr, "/relay/0/integrated/", "CONTOSO\\bob:Builder2");
    assert_eq!(code, "200", "{body}");
    // Not a URL the relay can use: refused at start-up.
    let out = Command::new(env!("CARGO_BIN_EXE_authscope"))
        .args(["serve", "--port", "0", "--relay", "ftp://intranet.example/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// stunnel (Debian) runs until dropped.
struct Stunnel(std::process::Child);

impl Drop for Stunnel {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An https:// upstream: stunnel with a self-signed certificate for localhost in front of
/// `authscope serve` (one TLS connection to one backend connection, so NTLM's affinity holds).
/// Without --insecure the relay refuses the certificate and says why; with it NTLM completes
/// over TLS and every leg reports the server's certificate.
#[test]
fn the_relay_speaks_tls_to_https_servers_and_reports_their_certificate() {
    if !have("stunnel4") || !have("openssl") {
        eprintln!("\n*** SKIPPED the_relay_speaks_tls: stunnel4 and openssl are not installed; scripts/setup --browser installs them ***\n");
        return;
    }
    let dir = tempdir::Dir::new();
    let (cert, key) = (dir.0.join("cert.pem"), dir.0.join("key.pem"));
    succeed(Command::new("openssl").args([
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
    ]));
    let d = dist();
    let port = free_port();
    // stunnel passes the relay's Host (localhost:PORT, its own port) through: the upstream
    // answers to it because it is told to.
    let upstream = start_with(&d.0, &["--allow-host", &format!("localhost:{port}")]);
    let conf = dir.0.join("stunnel.conf");
    std::fs::write(
        &conf,
        format!(
            "foreground = yes\npid =\n[https]\naccept = 127.0.0.1:{port}\nconnect = {}\ncert = {}\nkey = {}\n",
            upstream.addr,
            cert.display(),
            key.display()
        ),
    )
    .unwrap();
    let mut child = Command::new("stunnel4")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Ready when it says its configuration is loaded (it listens from then on).
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 && !line.contains("Configuration successful") {
        line.clear();
    }
    let _stunnel = Stunnel(child);
    let target = format!("https://localhost:{port}/lab/");
    let strict = start_with(&d.0, &["--relay", &target]);
    let (status, _, body) = get(&strict.addr, "/relay/0/integrated/", "");
    assert_eq!(status, "HTTP/1.1 502 Bad Gateway");
    assert!(
        body.contains("invalid peer certificate") && body.contains("--insecure"),
        "{body}"
    );
    let relay = start_with(&d.0, &["--insecure", "--relay", &target]);
    let (code, _) = curl_ntlm(&relay.addr, "/relay/0/integrated/", "CONTOSO\\bob:Builder2");
    assert_eq!(code, "200");
    let (_, h, _) = get(&relay.addr, "/relay/0/integrated/", "");
    let c = header(&h, "x-authscope-upstream-certificate");
    assert!(
        c.first()
            .is_some_and(|c| c.contains("subject CN=localhost") && c.contains("sha256 ")),
        "{c:?}"
    );
}

/// The build's precompressed copies (scripts/precompress.mjs) go as they are when the request
/// accepts them, with `Content-Encoding` and `Vary: Accept-Encoding`; otherwise the file itself.
#[test]
fn static_files_send_their_precompressed_copy_when_accepted() {
    let d = dist();
    std::fs::write(d.0.join("app-0123abcd_bg.wasm.br"), "BR").unwrap();
    std::fs::write(d.0.join("app-0123abcd_bg.wasm.gz"), "GZ").unwrap();
    let s = start(&d.0);
    let path = "/app-0123abcd_bg.wasm";
    let (_, h, body) = get(
        &s.addr,
        path,
        "Accept-Encoding: gzip, deflate, br, zstd\r\n",
    );
    assert_eq!(body, "BR");
    assert_eq!(header(&h, "content-encoding"), vec!["br"]);
    assert_eq!(header(&h, "vary"), vec!["Accept-Encoding"]);
    assert_eq!(header(&h, "content-type"), vec!["application/wasm"]);
    let (_, h, body) = get(&s.addr, path, "Accept-Encoding: gzip\r\n");
    assert_eq!(
        (body.as_str(), header(&h, "content-encoding")),
        ("GZ", vec!["gzip"])
    );
    let (_, h, body) = get(&s.addr, path, "Accept-Encoding: br;q=0, gzip;q=0\r\n");
    assert!(body.starts_with("\0asm"));
    assert!(header(&h, "content-encoding").is_empty());
    assert_eq!(header(&h, "vary"), vec!["Accept-Encoding"]);
    // A file without copies varies with nothing.
    let (_, h, _) = get(&s.addr, "/", "Accept-Encoding: br\r\n");
    assert!(header(&h, "vary").is_empty() && header(&h, "content-encoding").is_empty());
}
