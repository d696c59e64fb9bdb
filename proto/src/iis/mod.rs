//! The IIS 6 site engine (first cut): a request in, a response out, with the trace of decisions
//! and the W3C log line IIS would write. Sans-I/O: the page runs it in memory, `authscope serve`
//! runs it behind real connections.
//!
//! What this cut models, after "401.1 and 401.2 - Authentication Problems" (IIS 6.0):
//! ```text
//! AuthFlags = 0 ─────────────────────────────────────────────► 401.2, no WWW-Authenticate
//! no Authorization, AuthAnonymous ─ LogonUser(IUSR) ok ──────► 200
//!                                   └ fails ─ other methods? ─► 401.2 + list │ none ─► 401.1
//! no Authorization, no anonymous ────────────────────────────► 401.2 + WWW-Authenticate list
//! Authorization: Basic, AuthBasic ─ local account ─ ok ──────► 200
//!                                 │                 └ bad ───► 401.1 (1326)
//!                                 └ domain account ─ DC down ► 401.2 (1311)
//! Authorization: scheme not enabled ─────────────────────────► 401.2 + list
//! ```

mod access;
pub mod audit;
mod engine;
pub mod host;
pub mod isolate;
mod message;
pub mod pages;
pub mod scenarios;
mod site;
pub mod site_file;
pub mod sites;

pub use message::{log_field, win32, LogLine, Request, Response};
pub use site::{
    logon_method_name, Account, AuthFlags, FileEntry, Identity, Install, Network, Node, Site,
    Token, Unc,
};

#[cfg(test)]
mod tests;
