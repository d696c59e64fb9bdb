//! authscope's protocol library.
//!
//! Everything that parses, decides or computes lives here, so that the web app (`client/`) and the
//! native binary (`endpoint/`) are thin shells around one engine:
//!
//! ```text
//!  header text ──► http::challenge (challenges, spans) ──► http::profile (choice + reasons)
//!  user:password ──► basic (RFC 7617 credentials, decoding)
//!  site + request ──► iis (IIS 6 engine) ──► response + trace + W3C log line
//!  browser state machine ⇄ iis (walkthrough driver) ──► Vec<Step> the page plays
//! ```
//!
//! The crate is pure and deterministic: no I/O, no clock, no randomness. Time is an argument
//! (`iis::Request::now`), and every function returns the same output for the same input, native
//! or `wasm32`. No input may panic: decoders return errors that carry a byte offset.

pub mod asn1;
pub mod basic;
pub mod bench;
pub mod browser;
pub mod decode;
pub mod drive;
pub mod error;
pub mod export;
pub mod field;
#[doc(hidden)]
pub mod fuzz_entries;
pub mod har;
pub mod http;
pub mod iis;
pub mod kerberos;
pub mod link;
pub mod ntlm;
pub mod seq;
pub mod span;
pub mod spnego;
pub mod time;
pub mod walkthrough;

pub use span::Span;
