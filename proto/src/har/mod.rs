//! HAR import: the authentication exchanges in an HTTP Archive exported by Chromium's or
//! Firefox's developer tools (or Fiddler), each as a walkthrough with its tokens and problems.
//!
//! HAR 1.2 (Jan Odvarko, "HAR 1.2 Spec", and the W3C Web Performance draft) is JSON:
//!
//! ```text
//! { "log": { "version", "creator", "pages": [..],
//!            "entries": [ { "startedDateTime", "time", "pageref",
//!                           "request":  { "method", "url", "httpVersion", "headers": [{name, value}], .. },
//!                           "response": { "status", "statusText", "httpVersion", "headers": [..],
//!                                         "content": { "size", "mimeType", "text" }, .. },
//!                           "connection"      (optional: a connection id; Chromium writes
//!                                              its socket id, Firefox the server's port),
//!                           "serverIPAddress" (optional), .. } ] } }
//! ```
//!
//! The reader is written by hand, not with serde_json, because a HAR file of tens of MB must not
//! freeze the page: [`Reader`] finds `log.entries` and then reads **one entry at a time**, so the
//! page reads a batch, updates its progress bar and yields to the browser between batches. It
//! keeps each entry's byte span (for the page) and reports errors with their byte offset.
//! Response bodies are kept only as far as needed to find an IIS sub-status (`401.2`).
//!
//! Files: `json` (the JSON reader), `entries` (the entry reader and each entry as text),
//! `analysis` (exchanges and their problems), `steps` (an exchange as walkthrough steps).

mod analysis;
mod entries;
mod json;
mod steps;

use analysis::relevant;
pub use analysis::{connection_ids, exchanges, token_kind, Exchange, Problem, ProblemKind};

/// What a file that is not a HAR is, when its first bytes say so (a packet capture, a Fiddler
/// session archive, an HTML page, raw HTTP text…), for a message that helps; `None` when the
/// bytes look like JSON (a HAR, or JSON that the reader will say more about).
pub fn not_a_har(bytes: &[u8]) -> Option<&'static str> {
    let start = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(bytes.len());
    let head = bytes.get(start..).unwrap_or_default();
    let is = |p: &[u8]| head.starts_with(p);
    Some(if bytes.is_empty() {
        "an empty file"
    } else if bytes.starts_with(&[0xd4, 0xc3, 0xb2, 0xa1])
        || bytes.starts_with(&[0xa1, 0xb2, 0xc3, 0xd4])
    {
        "a packet capture (pcap, as tcpdump and Wireshark write): open it in Wireshark, or record a HAR in the browser"
    } else if bytes.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a]) {
        "a packet capture (pcapng, as Wireshark writes): open it in Wireshark, or record a HAR in the browser"
    } else if bytes.starts_with(b"PK") {
        "a ZIP archive (a Fiddler .saz session archive is one): export the sessions as HTTPArchive instead"
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        "a gzip-compressed file: decompress it first"
    } else if is(b"<") {
        "an HTML or XML page, not the HAR: save the Network panel's requests as HAR"
    } else if is(b"GET ") || is(b"POST ") || is(b"HEAD ") || is(b"HTTP/") {
        "raw HTTP text: paste its headers into the Headers lab, or its Authorization header into the Decoder"
    } else if is(b"[") {
        "a JSON array: a HAR is one JSON object with a \"log\" member"
    } else if is(b"{") {
        return None;
    } else {
        "not JSON, so not a HAR file"
    })
}

/// How to export a HAR, browser by browser.
pub const HOW_TO_EXPORT: &str = "To record one: Chromium, Edge and Chrome: open the developer tools (F12), Network, tick Preserve log, reproduce the problem, then Export HAR (the download arrow; \"with sensitive data\" to keep the Authorization headers). Firefox: developer tools (F12), Network, reproduce, then the gear menu, Save All As HAR. Fiddler Classic: File, Export Sessions, All Sessions, HTTPArchive v1.2.";
pub use entries::{entries, Entry, Header, Reader};

#[cfg(test)]
mod tests;
