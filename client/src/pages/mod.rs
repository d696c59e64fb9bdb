pub mod about;
pub mod basic_walk;
pub mod bench;
#[cfg(feature = "decode")]
pub mod decoder;
#[cfg(any(feature = "embed", feature = "embed-kerberos"))]
pub mod embed;
pub mod glossary;
#[cfg(feature = "har")]
pub mod har;
pub mod headers_lab;
pub mod isolate;
#[cfg(any(feature = "kerberos", feature = "embed-kerberos"))]
pub mod kerberos_walk;
pub mod lab;
pub mod ntlm_walk;
#[cfg(feature = "debug")]
pub mod relay;
