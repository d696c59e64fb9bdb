//! Walkthroughs: a browser state machine and the IIS engine stepped together in memory, recording
//! everything that crosses between them as a `Vec<Step>` the page plays (Back is indexing).

pub mod basic;
#[cfg(feature = "kerberos")]
pub mod kerberos;
pub mod ntlm;
