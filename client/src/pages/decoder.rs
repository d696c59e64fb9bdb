//! The Decoder page: paste a header, a token in base64 or hex; see its layers, each with its field
//! tree and bytes linked both ways, the warnings, and where decoding stopped.

use crate::components::layer_view::LayerView;
use crate::components::password_check::PasswordCheck;
use crate::components::paste_box::{paste_box, Props as PasteProps};
use std::rc::Rc;
use yew::prelude::*;

/// Examples: the MS-NLMP 4.2.4.3 messages (the specification's own example bytes).
const SAMPLES: &[(&str, &str)] = &[
    ("CHALLENGE (MS-NLMP 4.2.4)", "CHALLENGE_V2"),
    ("AUTHENTICATE, NTLMv2 (MS-NLMP 4.2.4)", "AUTHENTICATE_V2"),
    ("AUTHENTICATE, NTLMv1 (MS-NLMP 4.2.2)", "AUTHENTICATE_V1"),
    (
        "Truncated",
        "NTLM TlRMTVNTUAADAAAAGAAYAGwAAABUAFQAhAAAAAwADABIAAAACAA",
    ),
    (
        "SPNEGO (next)",
        "Negotiate oRUwE6ADCgEDoQwGCisGAQQBgjcCAgo=",
    ),
];

/// The text a sample loads (the MS-NLMP examples come from `proto::ntlm::samples`).
fn sample_text(t: &str) -> String {
    use proto::ntlm::samples;
    match t {
        "AUTHENTICATE_V2" => format!("Authorization: NTLM {}", samples::AUTHENTICATE_V2),
        "AUTHENTICATE_V1" => format!("Authorization: NTLM {}", samples::AUTHENTICATE_V1),
        "CHALLENGE_V2" => format!("WWW-Authenticate: NTLM {}", samples::CHALLENGE_V2),
        other => other.to_string(),
    }
}

#[function_component(Decoder)]
pub fn decoder() -> Html {
    let text = use_state(|| {
        format!(
            "WWW-Authenticate: NTLM {}",
            proto::ntlm::samples::CHALLENGE_V2
        )
    });
    let decoded = use_memo((*text).clone(), |t| proto::decode::decode(t));
    let samples: Vec<(&'static str, String)> =
        SAMPLES.iter().map(|(l, t)| (*l, sample_text(t))).collect();
    let d = &*decoded;
    let secret = matches!(&d.ntlm, Some(proto::ntlm::Message::Authenticate(a)) if a.nt_kind != proto::ntlm::ResponseKind::Empty);
    html! {
        <div class="page decoder">
            <h2>{ "Decoder" }</h2>
            <p class="lede">{ "Paste a header line, NTLM <base64>, Negotiate <base64>, bare base64 or hex. Everything is decoded here, in your browser." }</p>
            { paste_box(&PasteProps { label: "Token or header", test: "decode-input", rows: 4, samples, text: text.clone() }) }
            { if secret { html! {
                <p class="secret" role="alert" data-test="credential-warning">
                    <b>{ "Credential-equivalent. " }</b>
                    { "An NTLM AUTHENTICATE message's response can be cracked offline to recover the password, and can be replayed. Do not paste it into tickets, chats or links." }
                </p>
            } } else { Html::default() } }
            { d.error.as_ref().map(|e| html! {
                <p class="error" role="status" data-test="decode-error">{ format!("Decoding stopped in layer {} at byte {}: {}", e.layer, e.offset, e.message) }</p>
            }).unwrap_or_default() }
            { if d.warnings.is_empty() { Html::default() } else { html! {
                <ul class="diagnostics" data-test="decode-warnings">{ for d.warnings.iter().map(|w| html! {
                    <li class="diag warning"><span class="icon" aria-label="warning">{ "⚠" }</span><span class="msg">{ w.message.clone() }</span><code class="snip">{ format!("layer {}, byte {}", w.layer, w.offset) }</code></li>
                }) }</ul>
            } } }
            <div class="layers-list">
                { for d.layers.iter().enumerate().map(|(i, l)| html! {
                    <section class="layer-box" data-test={format!("layer-{}", l.kind)}>
                        <h3>{ format!("Layer {i}: ") }{ l.label }<span class="muted">{ format!(" ({})", l.kind) }</span></h3>
                        <LayerView layer={Rc::new(l.clone())} bytes={matches!(l.kind, "ntlmssp" | "bytes")} />
                    </section>
                }) }
            </div>
            <PasswordCheck />
        </div>
    }
}
