//! `cargo bench -p authscope-proto --bench decode`: NTLM decoding throughput, native.
//! (The same workloads run in a browser on the app's `debug.html#/bench` page; `scripts/bench` runs both.)

fn main() {
    let start = std::time::Instant::now();
    let now = move || start.elapsed().as_secs_f64() * 1000.0;
    let budget = std::env::var("BENCH_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000.0);
    println!("{:<44} {:>7} {:>16}", "workload", "bytes", "messages/s");
    for r in proto::bench::run(&now, budget) {
        println!("{:<44} {:>7} {:>16.0}", r.name, r.bytes, r.per_second);
    }
}
