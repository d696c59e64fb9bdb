//! Kerberos 5 (RFC 4120) as Windows uses it for HTTP `Negotiate` (RFC 4559): the encryption
//! types and their keys, the messages, and a simulated realm.

#[cfg(feature = "all-etypes")]
pub mod camellia;
pub mod crypto;
#[cfg(feature = "all-etypes")]
pub mod des;
pub mod decrypt;
pub mod files;
pub mod keytab;
pub(crate) mod message;
pub mod pac;
mod names;
/// The simulated realm of the Kerberos walkthrough.
#[cfg(feature = "kerberos")]
pub(crate) mod realm;
pub mod service;
