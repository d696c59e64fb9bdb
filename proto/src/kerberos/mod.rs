//! Kerberos 5 (RFC 4120) as Windows uses it for HTTP `Negotiate` (RFC 4559): the encryption
//! types and their keys, the messages, and a simulated realm.

#[cfg(feature = "full-kerberos")]
pub mod camellia;
pub mod crypto;
pub mod decrypt;
#[cfg(feature = "full-kerberos")]
pub mod des;
#[cfg(feature = "full-kerberos")]
pub mod files;
pub mod keytab;
pub(crate) mod message;
mod names;
pub mod pac;
/// The simulated realm of the Kerberos walkthrough.
#[cfg(feature = "kerberos")]
pub(crate) mod realm;
pub mod service;
