//! NTLM (MS-NLMP): the three messages decoded with byte spans, their flags and AV_PAIRs, and the
//! cryptography that makes and checks the responses.

pub mod avpair;
pub mod client;
pub mod crypto;
pub mod encode;
pub mod flags;
pub mod message;
mod reader;
pub mod samples;
pub mod server;
pub mod verify;
mod version;

pub use message::{decode, Authenticate, Challenge, Decoded, Message, Negotiate, ResponseKind};
