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
pub use entries::{entries, Entry, Header, Reader};

#[cfg(test)]
mod tests;
