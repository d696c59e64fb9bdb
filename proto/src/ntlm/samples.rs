//! Example messages from MS-NLMP 4.2 (the specification's own known-answer bytes: user "User",
//! domain "Domain", password "Password"), for the pages' examples and the benchmarks.

/// MS-NLMP 4.2.4.3: CHALLENGE_MESSAGE (NTLMv2).
pub const CHALLENGE_V2: &str = "TlRMTVNTUAACAAAADAAMADgAAAAzgoriASNFZ4mrze8AAAAAAAAAACQAJABEAAAABgBwFwAAAA9TAGUAcgB2AGUAcgACAAwARABvAG0AYQBpAG4AAQAMAFMAZQByAHYAZQByAAAAAAA=";
/// MS-NLMP 4.2.4.3: AUTHENTICATE_MESSAGE (NTLMv2).
pub const AUTHENTICATE_V2: &str = "TlRMTVNTUAADAAAAGAAYAGwAAABUAFQAhAAAAAwADABIAAAACAAIAFQAAAAQABAAXAAAABAAEADYAAAANYKI4gUBKAoAAAAPRABvAG0AYQBpAG4AVQBzAGUAcgBDAE8ATQBQAFUAVABFAFIAhsNQl6yc7BAlVHZKV8zMGaqqqqqqqqqqaM0KuFHlHJaqvJJ76+9qHAEBAAAAAAAAAAAAAAAAAACqqqqqqqqqqgAAAAACAAwARABvAG0AYQBpAG4AAQAMAFMAZQByAHYAZQByAAAAAAAAAAAAxdrSVE/JeZCUzhzpC8nQPg==";
/// MS-NLMP 4.2.2.3: AUTHENTICATE_MESSAGE (NTLMv1).
pub const AUTHENTICATE_V1: &str = "TlRMTVNTUAADAAAAGAAYAGwAAAAYABgAhAAAAAwADABIAAAACAAIAFQAAAAQABAAXAAAABAAEACcAAAANYKA4gUBKAoAAAAPRABvAG0AYQBpAG4AVQBzAGUAcgBDAE8ATQBQAFUAVABFAFIAmN73uH+Iql2v4t93lojBct7xHH1cze8TZ8QwEfMCmKKtNezmTxYzHES9vtknhB+UUYgisbPzUMiVhoLsuz48tw==";
/// The password of the examples.
pub const PASSWORD: &str = "Password";

/// A NEGOTIATE_MESSAGE as authscope's client sends it (MS-NLMP 4.2 prints none).
pub fn negotiate() -> Vec<u8> {
    super::client::negotiate(super::client::Mode::V2, &super::client::WINDOWS_XP)
}

/// The bytes of a base64 sample.
pub fn bytes(b64: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap_or_default()
}
