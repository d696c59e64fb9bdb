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

/// The inputs: each NTLM message type, and the whole paste-to-layers pipeline.
pub fn workloads() -> Vec<(&'static str, Vec<u8>, bool)> {
    vec![
        ("NEGOTIATE_MESSAGE", samples::negotiate(), false),
        (
            "CHALLENGE_MESSAGE",
            samples::bytes(samples::CHALLENGE_V2),
            false,
        ),
        (
            "AUTHENTICATE_MESSAGE (NTLMv2)",
            samples::bytes(samples::AUTHENTICATE_V2),
            false,
        ),
        (
            "AUTHENTICATE_MESSAGE (NTLMv1)",
            samples::bytes(samples::AUTHENTICATE_V1),
            false,
        ),
        (
            "header line → layers (AUTHENTICATE v2)",
            format!("Authorization: NTLM {}", samples::AUTHENTICATE_V2).into_bytes(),
            true,
        ),
    ]
}

/// Runs each workload for about `budget_ms` milliseconds of `now_ms()`.
pub fn run(now_ms: &dyn Fn() -> f64, budget_ms: f64) -> Vec<Result> {
    let mut out = Vec::new();
    for (name, input, pipeline) in workloads() {
        let text = String::from_utf8_lossy(&input).into_owned();
        let once = || {
            if pipeline {
                std::hint::black_box(crate::decode::decode(std::hint::black_box(&text)));
            } else {
                std::hint::black_box(ntlm::decode(std::hint::black_box(&input)));
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
