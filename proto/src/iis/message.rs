//! The messages the engine reads and writes: a [`Request`], a [`Response`] with its trace of
//! decisions, the W3C log line IIS writes for it, and the Win32 status codes it logs.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Request {
    pub method: String,
    /// Path and query, e.g. `/lab/basic/`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// Which TCP connection carried it (connection-based schemes depend on it).
    pub connection: u64,
    pub client_ip: String,
    /// Seconds since the Unix epoch (time is an argument, never read).
    pub now: i64,
}

impl Request {
    pub fn get(target: &str, host: &str, connection: u64, now: i64) -> Request {
        Request {
            method: "GET".into(),
            target: target.into(),
            headers: vec![("Host".into(), host.into())],
            connection,
            client_ip: "192.0.2.10".into(),
            now,
        }
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The request as it goes on the wire (HTTP/1.1, CRLF line ends).
    pub fn to_http(&self) -> String {
        let mut s = format!("{} {} HTTP/1.1\r\n", self.method, self.target);
        for (n, v) in &self.headers {
            s.push_str(&format!("{n}: {v}\r\n"));
        }
        s.push_str("\r\n");
        s
    }
}

/// Win32 status codes IIS logs as `sc-win32-status`.
pub mod win32 {
    pub const SUCCESS: u32 = 0;
    pub const ACCESS_DENIED: u32 = 5;
    pub const NO_LOGON_SERVERS: u32 = 1311;
    pub const LOGON_FAILURE: u32 = 1326;
    pub const ACCOUNT_DISABLED: u32 = 1331;
    pub const LOGON_TYPE_NOT_GRANTED: u32 = 1385;
    pub const ACCOUNT_EXPIRED: u32 = 1793;
    pub const ACCOUNT_LOCKED_OUT: u32 = 1909;

    /// The symbolic name of a code.
    pub fn name(code: u32) -> &'static str {
        match code {
            SUCCESS => "ERROR_SUCCESS",
            ACCESS_DENIED => "ERROR_ACCESS_DENIED",
            NO_LOGON_SERVERS => "ERROR_NO_LOGON_SERVERS",
            LOGON_FAILURE => "ERROR_LOGON_FAILURE",
            ACCOUNT_DISABLED => "ERROR_ACCOUNT_DISABLED",
            LOGON_TYPE_NOT_GRANTED => "ERROR_LOGON_TYPE_NOT_GRANTED",
            ACCOUNT_EXPIRED => "ERROR_ACCOUNT_EXPIRED",
            ACCOUNT_LOCKED_OUT => "ERROR_ACCOUNT_LOCKED_OUT",
            _ => "",
        }
    }
}

/// A W3C extended log line (the fields IIS 6 logs by default, plus the sub-status).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub date_time: String,
    pub method: String,
    pub uri_stem: String,
    pub uri_query: String,
    pub username: String,
    pub client_ip: String,
    pub user_agent: String,
    pub status: u16,
    pub substatus: u16,
    pub win32_status: u32,
}

/// One W3C log field as IIS 6 writes it: `-` when empty, and every space or nonprintable
/// character replaced with `+`, so that a field can neither split into two fields nor start a
/// new line ("If a field contains a nonprintable character, HTTP.sys replaces it with a plus sign
/// (+) to preserve the log file format", Windows Server 2003 docs, "IIS Log File Format" and
/// "NCSA Common Log File Format"; spaces became `+` after IIS 4 logged them raw, KB 238382).
/// Unicode's line and paragraph separators count as nonprintable here (an assumption: IIS 6
/// logs ASCII unless UTF-8 logging is on, and a log viewer may break lines at them).
pub fn log_field(s: &str) -> String {
    if s.is_empty() {
        return "-".to_string();
    }
    s.chars()
        .map(|c| {
            if c == ' ' || c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                '+'
            } else {
                c
            }
        })
        .collect()
}

impl LogLine {
    pub const FIELDS: &'static str =
        "#Fields: date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status";

    /// The line, every field escaped by [`log_field`].
    pub fn format(&self) -> String {
        let dash = log_field;
        format!(
            "{} {} {} {} {} {} {} {} {} {}",
            // Written by the engine itself as the two fields `date time`.
            self.date_time,
            dash(&self.method),
            dash(&self.uri_stem),
            dash(&self.uri_query),
            dash(&self.username),
            dash(&self.client_ip),
            dash(&self.user_agent),
            self.status,
            self.substatus,
            self.win32_status
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Response {
    pub status: u16,
    pub substatus: u16,
    pub win32_status: u32,
    pub reason: &'static str,
    /// Response headers except `Content-Length` (the transport adds it).
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The decisions that led here, in order.
    pub trace: Vec<String>,
    pub log: LogLine,
    /// The authenticated user (`DOMAIN\user`), if any.
    pub user: Option<String>,
    /// The logon this request made, if any, and how it ended.
    pub logon: Option<super::audit::Attempt>,
    /// The Security log entries that logon wrote (under the site's audit policy).
    pub events: Vec<super::audit::SecurityEvent>,
}

impl Response {
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// The handshake token of the response's `WWW-Authenticate` (`NTLM TlRM…`, `Negotiate
    /// oYG…`), still base64: what follows the scheme in the first field that has more than a
    /// scheme. The engine writes one challenge per field and never a parameter on NTLM or
    /// Negotiate, so no list parsing is needed here (and the Kerberos page, which reads no
    /// other header, does not link [`crate::http::challenge::parse`], 5 KB of gzipped wasm).
    pub fn challenge_token(&self) -> Option<String> {
        self.header_values("WWW-Authenticate")
            .iter()
            .find_map(|v| v.split_once(' ').map(|(_, t)| t.trim().to_string()))
    }
    /// `401.1`, `200`…
    pub fn status_text(&self) -> String {
        if self.substatus == 0 {
            self.status.to_string()
        } else {
            format!("{}.{}", self.status, self.substatus)
        }
    }
    /// The response as it goes on the wire.
    pub fn to_http(&self) -> String {
        let mut s = format!("HTTP/1.1 {} {}\r\n", self.status, self.reason);
        for (n, v) in &self.headers {
            s.push_str(&format!("{n}: {v}\r\n"));
        }
        s.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        s.push_str(&self.body);
        s
    }
}
