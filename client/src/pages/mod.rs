pub mod about;
pub mod basic_walk;
pub mod bench;
pub mod decoder;
pub mod headers_lab;
pub mod isolate;
pub mod lab;
pub mod ntlm_walk;
