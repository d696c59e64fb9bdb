//! The explanation panel of a walkthrough step: title, narration, explanation, what the browser
//! shows, the decoded credentials or token, IIS's decisions, the log line and the wire text.

use crate::components::copy::CopyButton;
use crate::components::layer_view::LayerView;
use proto::seq::{Step, StepKind};
use std::rc::Rc;
use yew::prelude::*;

/// In an embed the decoded token and the wire text start folded: the reader opens them (a
/// documentation page's frame stays short).
const EMBEDDED: bool = cfg!(any(feature = "embed", feature = "embed-kerberos"));

/// The panel for step `s`; `view` is what the browser window shows at this step (dialog, page),
/// if anything; `keys` are the Kerberos keys "Open in the Decoder" hands over with a token (`ETYPE:HEX`).
/// (A plain function, not a component: see `diagram`.)
pub fn step_detail(s: &Step, view: Html, keys: &[String]) -> Html {
    let attempt = s.attempt.map(|(n, l)| match l {
        Some(l) => format!("attempt {n} of {l}"),
        None => format!("attempt {n}"),
    });
    let status = s.status.clone().filter(|_| s.kind != StepKind::Backend).map(|st| {
        html! { <span class={classes!("badge", if st.starts_with('2') { "ok" } else { "bad" })} data-test="status">{ st }</span> }
    });
    let basic = s.basic.as_ref().map(|b| {
        html! {
            <div class="decode" data-test="basic-decode">
                <h4>{ "Authorization: Basic, decoded" }</h4>
                <dl>
                    <dt>{ "Header" }</dt><dd><code>{ format!("Authorization: {}", b.header_value) }</code> <CopyButton text={AttrValue::from(format!("Authorization: {}", b.header_value))} what="the header" /></dd>
                    <dt>{ "base64" }</dt><dd><code>{ b.token68.clone() }</code></dd>
                    <dt>{ format!("bytes ({})", b.charset) }</dt><dd><code>{ b.hex.clone() }</code></dd>
                    <dt>{ "text" }</dt><dd><code data-test="basic-text">{ b.text.clone() }</code></dd>
                    <dt>{ "user" }</dt><dd><code>{ b.user.clone() }</code></dd>
                    <dt>{ "password" }</dt><dd><code>{ b.password.clone() }</code></dd>
                </dl>
                <details class="layers">
                    <summary>{ "Byte by byte" }</summary>
                    { for b.layers.iter().map(|l| html! { <LayerView layer={Rc::new(l.clone())} /> }) }
                </details>
            </div>
        }
    });
    // A token on the wire: decode it here, with the same decoder as the Decoder page.
    let token = s.token.as_ref().map(|t| {
        let d = proto::decode::decode(t);
        let open = {
            let (keys, t) = (keys.to_vec(), t.clone());
            Callback::from(move |_| {
                crate::handover::open(&t, &keys);
            })
        };
        let ntlm = d
            .layers
            .iter()
            .rev()
            .find(|l| matches!(l.kind, "ntlmssp" | "kerberos" | "spnego"))
            .cloned();
        html! {
            <details class="layers token" open={!EMBEDDED} data-test="token-decode">
                <summary>{ format!("The token, decoded: {}", ntlm.as_ref().map_or("bytes", |l| l.label)) }</summary>
                { ntlm.map(|l| html! { <LayerView layer={Rc::new(l)} link={AttrValue::from("t")} /> }).unwrap_or_default() }
                { for d.warnings.iter().map(|w| html! { <p class="note">{ format!("⚠ {}", w.message) }</p> }) }
                <CopyButton text={AttrValue::from(t.clone())} what="the token" />
                <button type="button" class="chip" data-test="open-in-decoder" onclick={open}>{ "Open in the Decoder" }<span class="visually-hidden">{ " (new tab)" }</span></button>
            </details>
        }
    });
    html! {
        <article>
            <h3>{ s.title.clone() } { " " } { status.unwrap_or_default() } { attempt.map(|a| html! { <span class="badge">{ a }</span> }).unwrap_or_default() }
                { s.connection.map(|c| html! { <span class="badge conn">{ format!("connection #{c}") }</span> }).unwrap_or_default() }</h3>
            // The step's narration leads its panel when the step has no explanation of its own.
            { if s.explanation.is_empty() { html! { <p>{ crate::pages::glossary::term_links(&s.narration) }</p> } } else { Html::default() } }
            { for s.explanation.iter().map(|e| html! { <p>{ e.clone() }</p> }) }
            { for s.guide.iter().map(|g| html! {
                <p class="guide-says" data-test="guide-says">{ format!("The guide says: {}\nIn practice: {}\nSource: {}", g.guide, g.practice, g.source) }</p>
            }) }
            { if s.why.is_empty() { Html::default() } else { html! {
                <details class="why" data-test="why"><summary>{ "Why?" }</summary>
                    { for s.why.iter().map(|w| html! { <p>{ format!("{} ({}: {})", w.text, w.basis, w.source) }</p> }) }
                </details>
            } } }
            { view }
            { basic.unwrap_or_default() }
            { token.unwrap_or_default() }
            { if s.trace.is_empty() { Html::default() } else { html! {
                <div class="trace"><h4>{ "IIS's decisions" }</h4><ol>{ for s.trace.iter().map(|t| html! { <li>{ t.clone() }</li> }) }</ol></div>
            } } }
            { s.log.clone().map(|l| html! { <div class="log"><h4>{ "W3C log line" }</h4><CopyButton text={AttrValue::from(l.clone())} what="the log line" /><pre>{ proto::iis::LogLine::FIELDS }{ "\n" }{ l }</pre></div> }).unwrap_or_default() }
            { if s.events.is_empty() { Html::default() } else { html! {
                <div class="log" data-test="security-log"><h4>{ "Security event log" }</h4><pre>{ s.events.join("\n\n") }</pre></div>
            } } }
            { s.curl().map(|c| html! {
                <details class="wire">
                    <summary>{ "As a curl command" }</summary>
                    <CopyButton text={AttrValue::from(c.clone())} what="the curl command" />
                    <pre data-test="curl" tabindex="0">{ c }</pre>
                </details>
            }).unwrap_or_default() }
            { s.http.clone().map(|h| html! {
                <details class="wire" open={!EMBEDDED && matches!(s.kind, StepKind::Request | StepKind::Response)}>
                    <summary>{ match s.kind { StepKind::Request => "Full request", StepKind::Page => "Response body (HTML)", _ => "Full response" } }</summary>
                    <CopyButton text={AttrValue::from(h.clone())} what="the HTTP message" />
                    <pre data-test="http" tabindex="0">{ h }</pre>
                </details>
            }).unwrap_or_default() }
        </article>
    }
}
