//! `#/bench`: the decoding benchmark in this browser (the same workloads as `cargo bench`).

use yew::prelude::*;

/// Messages per second as a whole number (integer formatting keeps the float formatter, about
/// 5 KB of gzipped wasm, out of the bundle).
fn rate(per_second: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = per_second.max(0.0) as u64;
    n.to_string()
}

#[function_component(Bench)]
pub fn bench() -> Html {
    let results = use_state(Vec::<proto::bench::Result>::new);
    let run = {
        let results = results.clone();
        Callback::from(move |_| {
            let now = || js_sys::Date::now();
            results.set(proto::bench::run(&now, 1000.0));
        })
    };
    html! {
        <div class="page bench">
            <h1>{ "Decoder benchmark" }</h1>
            <p class="lede">{ "How many NTLM messages this browser decodes per second (about one second per row; the page is busy meanwhile)." }</p>
            <button type="button" class="primary" data-test="bench-run" onclick={run}>{ "Run" }</button>
            <table class="derivation" data-test="bench-results">
                <thead><tr><th>{ "Workload" }</th><th>{ "Bytes" }</th><th>{ "Messages per second" }</th></tr></thead>
                <tbody>{ for results.iter().map(|r| html! {
                    <tr><td>{ r.name }</td><td>{ r.bytes }</td><td data-test="bench-rate">{ rate(r.per_second) }</td></tr>
                }) }</tbody>
            </table>
        </div>
    }
}
