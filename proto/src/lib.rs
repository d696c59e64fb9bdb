//! authscope's protocol library.
//!
//! Everything that parses, decides or computes lives here, so that the web app (`client/`) and the
//! native binary (`endpoint/`) are thin shells around one engine:
//!
//! ```text
//!  header text ──► http (challenges with spans) ──► http::Profile::choose (choice + reasons)
//!  pasted text ──► decode ──► basic | ntlm | spnego ─► kerberos ──► Vec<field::Layer> (spans)
//!  HAR file ──► har (entries, problems) ──► Vec<Step>
//!  site + request ──► iis (IIS 6 engine) ──► Response + trace + W3C log line
//!  browser (state machine) ⇄ drive::Pair ⇄ iis::host::Host ──► events ──► walkthrough
//!      (narration) ──► Vec<Step> the page plays; export draws it
//! ```
//!
//! The crate is pure and deterministic: no I/O, no clock, no randomness. Time is an argument
//! (`iis::Request::now`), and every function returns the same output for the same input, native
//! or `wasm32`. No input may panic: decoders return errors that carry a byte offset.

// The layers, bottom up: a module uses only modules of the layers below it (and its own), so
// that no two modules import each other. `tests/layers.rs` checks it. See ARCHITECTURE.md.
#![warn(unreachable_pub)]

// 0. Leaves: byte spans, the one decoder error and warning, field trees, time, the sequence model.
pub mod error;
pub mod field;
pub mod glossary;
pub mod seq;
mod span;
pub mod time;

// 1. Wire formats, each on its own: RFC 9110 challenges and browser profiles, RFC 7617 Basic,
//    DER, NTLM (MS-NLMP).
#[cfg(feature = "kerberos")]
pub mod asn1;
pub mod basic;
pub mod http;
pub mod ntlm;

// 2. Formats that nest the ones below: Kerberos (RFC 4120) in DER, SPNEGO (RFC 4178) around
//    Kerberos and NTLM.
#[cfg(feature = "kerberos")]
pub mod kerberos;
#[cfg(feature = "kerberos")]
pub mod spnego;

// 3. Reading what people paste or capture, and writing it out: the decoder's layers, HAR files,
//    share links, exports (SVG, Mermaid, curl), the decoding benchmark.
pub mod bench;
pub mod decode;
pub mod export;
#[cfg(feature = "kerberos")]
pub mod har;
#[cfg(feature = "full-kerberos")]
pub mod input;
pub mod link;

// 4. The simulation: the IIS 6 engine; browsers as state machines; the one driver that steps a
//    browser against the engine (and the lab's visits); the walkthroughs' narration.
pub mod browser;
pub mod drive;
pub mod iis;
pub mod walkthrough;

#[doc(hidden)]
pub mod fuzz_entries;

pub use error::{Error, ErrorKind, Warning};
pub use seq::{Lane, Step, StepKind};
pub use span::Span;
