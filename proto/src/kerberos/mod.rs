//! Kerberos 5 (RFC 4120) as Windows uses it for HTTP `Negotiate` (RFC 4559): the encryption
//! types and their keys, the messages, and a simulated realm.

pub mod crypto;
pub mod decrypt;
pub mod keytab;
pub mod message;
pub mod names;
pub mod realm;
pub mod service;
