//! Decoding throughput, measured the same way natively (`cargo bench`) and in a browser (the
//! app's `#/bench` page): the clock is an argument, as everywhere in this crate.

use crate::ntlm::{self, samples};

/// One measured workload.
#[derive(Clone, Debug, PartialEq)]
pub struct Result {
    pub name: &'static str,
    pub bytes: usize,
    pub iterations: u64,
    pub per_second: f64,
}

/// What a workload runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `ntlm::decode` of the bytes.
    Ntlm,
    /// The whole paste-to-layers pipeline (`decode::decode`) of the text.
    Pipeline,
    /// The pipeline, then decryption of every Kerberos part with the fixture keytab.
    #[cfg(feature = "kerberos")]
    Decrypt,
}

/// A real `curl --negotiate` header and the keytab that opens it (tests/fixtures/kerberos).
#[cfg(feature = "kerberos")]
const CURL_NEGOTIATE: &str = include_str!("../../tests/fixtures/kerberos/mit-curl-negotiate.txt");
#[cfg(feature = "kerberos")]
const KEYTAB: &[u8] = include_bytes!("../../tests/fixtures/kerberos/mit-http.keytab");

/// The inputs: each NTLM message type, the whole paste-to-layers pipeline, and (with Kerberos)
/// a real Negotiate AP-REQ decoded, then decrypted.
pub fn workloads() -> Vec<(&'static str, Vec<u8>, Kind)> {
    #[allow(unused_mut)]
    let mut w = vec![
        ("NEGOTIATE_MESSAGE", samples::negotiate(), Kind::Ntlm),
        (
            "CHALLENGE_MESSAGE",
            samples::bytes(samples::CHALLENGE_V2),
            Kind::Ntlm,
        ),
        (
            "AUTHENTICATE_MESSAGE (NTLMv2)",
            samples::bytes(samples::AUTHENTICATE_V2),
            Kind::Ntlm,
        ),
        (
            "AUTHENTICATE_MESSAGE (NTLMv1)",
            samples::bytes(samples::AUTHENTICATE_V1),
            Kind::Ntlm,
        ),
        (
            "header line → layers (AUTHENTICATE v2)",
            format!("Authorization: NTLM {}", samples::AUTHENTICATE_V2).into_bytes(),
            Kind::Pipeline,
        ),
    ];
    #[cfg(feature = "kerberos")]
    {
        let header = CURL_NEGOTIATE.trim().as_bytes().to_vec();
        w.push((
            "Negotiate header → layers (curl AP-REQ)",
            header.clone(),
            Kind::Pipeline,
        ));
        w.push((
            "… and decrypt ticket + authenticator (AES256)",
            header,
            Kind::Decrypt,
        ));
    }
    w
}

/// Runs each workload for about `budget_ms` milliseconds of `now_ms()`.
pub fn run(now_ms: &dyn Fn() -> f64, budget_ms: f64) -> Vec<Result> {
    let mut out = Vec::new();
    #[cfg(feature = "kerberos")]
    let keys = crate::kerberos::decrypt::Keys {
        keytab: crate::kerberos::keytab::parse(KEYTAB).unwrap_or_default(),
        ..Default::default()
    };
    for (name, input, kind) in workloads() {
        let text = String::from_utf8_lossy(&input).into_owned();
        let once = || match kind {
            Kind::Pipeline => {
                std::hint::black_box(crate::decode::decode(std::hint::black_box(&text)));
            }
            Kind::Ntlm => {
                std::hint::black_box(ntlm::decode(std::hint::black_box(&input)));
            }
            #[cfg(feature = "kerberos")]
            Kind::Decrypt => {
                let mut d = crate::decode::decode(std::hint::black_box(&text));
                d.decrypt(&keys);
                std::hint::black_box(d);
            }
        };
        // Warm up, then grow the batch until a batch takes a measurable time.
        once();
        let start = now_ms();
        let mut iterations: u64 = 0;
        let mut batch: u64 = 16;
        while now_ms() - start < budget_ms {
            for _ in 0..batch {
                once();
            }
            iterations += batch;
            batch = (batch * 2).min(65_536);
        }
        let elapsed = (now_ms() - start).max(0.001);
        #[allow(clippy::cast_precision_loss)]
        let per_second = iterations as f64 / (elapsed / 1000.0);
        out.push(Result {
            name,
            bytes: input.len(),
            iterations,
            per_second,
        });
    }
    out
}
