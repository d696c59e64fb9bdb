//! The Decoder page: paste a header, a token in base64 or hex; see its layers, each with its field
//! tree and bytes linked both ways, the warnings, and where decoding stopped.

use crate::components::layer_view::LayerView;
use crate::components::password_check::PasswordCheck;
use crate::components::paste_box::{paste_box, Props as PasteProps};
use proto::kerberos::crypto::Key;
use std::rc::Rc;
use yew::prelude::*;

/// Examples: the MS-NLMP 4.2.4.3 messages (the specification's own example bytes).
const SAMPLES: &[(&str, &str)] = &[
    ("CHALLENGE (MS-NLMP 4.2.4)", "CHALLENGE_V2"),
    ("AUTHENTICATE, NTLMv2 (MS-NLMP 4.2.4)", "AUTHENTICATE_V2"),
    ("AUTHENTICATE, NTLMv1 (MS-NLMP 4.2.2)", "AUTHENTICATE_V1"),
    ("AP-REQ from curl --negotiate (MIT Kerberos)", KRB_SAMPLE),
    (
        "Truncated",
        "NTLM TlRMTVNTUAADAAAAGAAYAGwAAABUAFQAhAAAAAwADABIAAAACAA",
    ),
    (
        "SPNEGO NegTokenResp (NTLM)",
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
    // A token shared in the link, else the first example; then whatever the tab that opened this
    // one hands over (`handover`: in memory, with the Kerberos keys it needs).
    let text = use_state(|| {
        crate::link::param("token").unwrap_or_else(|| {
            format!(
                "WWW-Authenticate: NTLM {}",
                proto::ntlm::samples::CHALLENGE_V2
            )
        })
    });
    let key_text = use_state(String::new);
    let keys = use_state(proto::kerberos::decrypt::Keys::default);
    {
        let (text, keys, key_text) = (text.clone(), keys.clone(), key_text.clone());
        use_effect_with((), move |_| {
            crate::handover::receive(move |h| {
                let mut k = (*keys).clone();
                k.raw = h.keys.iter().filter_map(|v| Key::parse(v)).collect();
                keys.set(k);
                key_text.set(h.keys.join(" "));
                text.set(h.text);
            });
        });
    }
    // A file opened here (a credential cache, a keytab, a .kirbi, a saved capture) replaces the
    // pasted text until the text is edited; it stays in this page's memory.
    let file = use_state(|| None::<(String, Rc<Vec<u8>>)>);
    {
        let file = file.clone();
        use_effect_with((*text).clone(), move |_| file.set(None));
    }
    let decoded = use_memo(
        ((*text).clone(), (*file).clone(), (*keys).clone()),
        |(t, f, k)| {
            let mut ds = match f {
                Some((_, bytes)) => proto::input::decode_file(bytes),
                None => proto::decode::decode_all(t),
            };
            proto::decode::decrypt_all(&mut ds, k);
            ds
        },
    );
    let form = keys_form(keys.clone(), key_text.clone());
    let samples: Vec<(&'static str, String)> =
        SAMPLES.iter().map(|(l, t)| (*l, sample_text(t))).collect();
    let secret = decoded
        .iter()
        .any(proto::decode::Decoded::credential_equivalent);
    let on_open = {
        let file = file.clone();
        Callback::from(move |e: Event| {
            let picked = crate::components::form::file_of(&e);
            let file = file.clone();
            if let Some(picked) = picked {
                let name = picked.name();
                wasm_bindgen_futures::spawn_local(async move {
                    let Ok(buf) = wasm_bindgen_futures::JsFuture::from(picked.array_buffer()).await
                    else {
                        return;
                    };
                    file.set(Some((
                        name,
                        Rc::new(js_sys::Uint8Array::new(&buf).to_vec()),
                    )));
                });
            }
        })
    };
    let n = decoded.len();
    html! {
        <div class="page decoder">
            <h1>{ "Decoder" }</h1>
            <p class="lede">{ "Paste a header line, NTLM <base64>, Negotiate <base64>, bare base64 or hex, or several Kerberos messages one per line; or open a credential cache, a keytab or a .kirbi. Everything is decoded here, in your browser." }</p>
            { paste_box(&PasteProps { label: "Token or header", test: "decode-input", rows: 4, samples, text: text.clone() }) }
            <label class="file-open">{ "Open a file (MIT credential cache, keytab, .kirbi, saved message)" }
                <input type="file" data-test="decode-file" onchange={on_open} />
            </label>
            { match &*file {
                Some((name, bytes)) => html! { <p class="hint" data-test="decode-file-name">{ format!("Showing {name} ({} bytes). Edit the text above to go back to it.", bytes.len()) }</p> },
                None => share(&text),
            } }
            { if secret { html! {
                <p class="secret" role="alert" data-test="credential-warning">
                    <b>{ "Crackable offline. " }</b>
                    { "An NTLM AUTHENTICATE message answers a one-time challenge: it cannot be replayed later, but it can be relayed while its handshake is live (MS-NLMP 3.2.5.1.1), and its response can be cracked offline to recover the password. Do not paste it into tickets, chats or links." }
                </p>
            } } else { Html::default() } }
            { for decoded.iter().enumerate().map(|(i, d)| message(i, n, d)) }
            { form }
            <PasswordCheck />
        </div>
    }
}

/// One decoded message: where decoding stopped, its warnings, its layers and decryption.
fn message(i: usize, n: usize, d: &proto::decode::Decoded) -> Html {
    html! {
        <section class="message" data-test="decoded-message">
            { if n > 1 { html! { <h2>{ format!("Message {} of {n}", i + 1) }</h2> } } else { Html::default() } }
            { d.error.as_ref().map(|e| html! {
                <p class="error" role="status" data-test="decode-error">{ format!("Decoding stopped in layer {} at byte {}: {}", e.layer, e.offset, e.message) }</p>
            }).unwrap_or_default() }
            { if d.warnings.is_empty() { Html::default() } else { html! {
                <ul class="diagnostics" data-test="decode-warnings">{ for d.warnings.iter().map(|w| html! {
                    <li class="diag warning"><span class="icon" aria-label="warning">{ "⚠" }</span><span class="msg">{ w.message.clone() }</span><code class="snip">{ format!("layer {}, byte {}", w.layer, w.offset()) }</code></li>
                }) }</ul>
            } } }
            <div class="layers-list">
                { for d.layers.iter().enumerate().map(|(li, l)| html! {
                    <section class="layer-box" data-test={format!("layer-{}", l.kind)}>
                        <h3>{ format!("Layer {li}: ") }{ l.label }<span class="muted">{ format!(" ({})", l.kind) }</span></h3>
                        <LayerView layer={Rc::new(l.clone())} bytes={!matches!(l.kind, "header" | "base64" | "hex")} link={AttrValue::from(if n > 1 { format!("{}.{li}", i + 1) } else { li.to_string() })} />
                    </section>
                }) }
            </div>
            { panel(d) }
        </section>
    }
}

/// Keys to open Kerberos parts with: a password (and salt), a key in hex, a keytab file. They
/// stay in this page's memory: never stored, never sent.
fn keys_form(
    keys: UseStateHandle<proto::kerberos::decrypt::Keys>,
    key_text: UseStateHandle<String>,
) -> Html {
    use crate::components::form::value_of;
    let set = |f: fn(&mut proto::kerberos::decrypt::Keys, String)| {
        let keys = keys.clone();
        Callback::from(move |e: InputEvent| {
            let mut k = (*keys).clone();
            f(&mut k, value_of(&e.into()));
            keys.set(k);
        })
    };
    let on_key = {
        let (keys, key_text) = (keys.clone(), key_text.clone());
        Callback::from(move |e: InputEvent| {
            let v = value_of(&e.into());
            let mut k = (*keys).clone();
            k.raw = v.split_whitespace().filter_map(Key::parse).collect();
            keys.set(k);
            key_text.set(v);
        })
    };
    let on_file = {
        let keys = keys.clone();
        Callback::from(move |e: Event| {
            let file = crate::components::form::file_of(&e);
            let keys = keys.clone();
            if let Some(file) = file {
                wasm_bindgen_futures::spawn_local(async move {
                    let Ok(buf) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await
                    else {
                        return;
                    };
                    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                    // A keytab's keys; a credential cache's or a KRB-CRED's session keys.
                    let found = proto::input::keys_in_file(&bytes);
                    let mut k = (*keys).clone();
                    k.keytab = found.keytab;
                    k.learnt = found.learnt;
                    keys.set(k);
                });
            }
        })
    };
    html! {
        <fieldset class="iis-dialog keys-form" data-test="decrypt-form">
            <legend>{ "Decrypt Kerberos parts (nothing leaves this page)" }</legend>
            <p class="hint" data-test="keys-memory">{ "Passwords, keys and key files stay in this page's memory: never in the link, never in browser storage, gone when the tab closes. A keytab or a credential cache is as good as the password: do not share one." }</p>
            <label>{ "Password" }<input type="password" autocomplete="off" data-test="krb-password" oninput={set(|k, v| k.password = (!v.is_empty()).then_some(v))} /></label>
            <label>{ "Salt, or the principal (bob@CONTOSO.COM); empty: the message's" }<input type="text" data-test="krb-salt" oninput={set(|k, v| k.salt = (!v.is_empty()).then_some(v))} /></label>
            <label>{ "Keys, ETYPE:HEX separated by spaces (e.g. a session key)" }<input type="text" autocomplete="off" data-test="krb-key" value={(*key_text).clone()} oninput={on_key} /></label>
            <label>{ format!("Key file: keytab, credential cache or .kirbi ({} keys, {} session keys)", keys.keytab.len(), keys.learnt.len()) }<input type="file" data-test="krb-keytab" onchange={on_file} /></label>
        </fieldset>
    }
}

/// A real `curl --negotiate` token (the fixture of `tests/fixtures/kerberos/`).
const KRB_SAMPLE: &str = include_str!("../../../tests/fixtures/kerberos/mit-curl-negotiate.txt");

/// What each encrypted Kerberos part became.
fn panel(d: &proto::decode::Decoded) -> Html {
    if d.decryption.is_empty() {
        return Html::default();
    }
    html! {
        <ul class="decryption" data-test="decryption">{ for d.decryption.iter().map(|x| html! {
            <li class={classes!(if x.opened_with.is_some() { "ok" } else { "bad" })}>
                <b>{ x.part }</b>
                { format!(" (layer {}, byte {}, key usage {}): ", x.layer, x.offset, x.key_usage) }
                { match (&x.opened_with, &x.failure) {
                    (Some(h), _) => format!("decrypted with {h}: layer {}", x.plaintext_layer.unwrap_or(0)),
                    (None, Some(f)) => format!("needs the key of {}: {f}", x.key_of),
                    _ => String::new(),
                } }
                { if x.string_to_key.is_empty() || x.opened_with.is_none() { Html::default() } else { html! {
                    <table class="derivation" data-test="string-to-key">
                        <caption>{ "string-to-key (RFC 3961 §6, RFC 3962 §4, RFC 8009 §4, RFC 6803 §3, RFC 4757)" }</caption>
                        <tbody>{ for x.string_to_key.iter().map(|(k, v)| html! { <tr><th>{ k.clone() }</th><td><code>{ v.clone() }</code></td></tr> }) }</tbody>
                    </table>
                } } }
                { if x.checks.is_empty() { Html::default() } else { html! {
                    <ul class="checks" data-test="pac-checks">{ for x.checks.iter().map(|c| html! {
                        <li class={classes!(if c.contains(": valid") { "ok" } else if c.contains("INVALID") { "bad" } else { "" })}>{ format!("PAC {c} (MS-PAC §2.8)") }</li>
                    }) }</ul>
                } } }
            </li>
        }) }</ul>
    }
}

/// Putting the pasted token into the link: off unless the user asks, and only after the warning
/// (`proto::link::token_warning`). A changed token leaves the link.
fn share(text: &UseStateHandle<String>) -> Html {
    html! { <Share text={(**text).clone()} /> }
}

#[derive(Properties, PartialEq)]
struct ShareProps {
    text: String,
}

#[function_component(Share)]
fn share_token(p: &ShareProps) -> Html {
    let asking = use_state(|| false);
    let in_link = crate::link::param("token").is_some_and(|t| t == p.text);
    {
        let text = p.text.clone();
        let asking = asking.clone();
        use_effect_with(text, move |text| {
            let mut l = crate::link::current();
            if l.get("token").is_some_and(|t| t != text) {
                l.set_token("");
                crate::link::replace(&l);
            }
            asking.set(false);
        });
    }
    let ask = {
        let asking = asking.clone();
        Callback::from(move |_| asking.set(true))
    };
    let confirm = {
        let (asking, text) = (asking.clone(), p.text.clone());
        Callback::from(move |_| {
            let mut l = crate::link::current();
            l.set_token(&text);
            crate::link::replace(&l);
            asking.set(false);
        })
    };
    let cancel = {
        let asking = asking.clone();
        Callback::from(move |_| asking.set(false))
    };
    if in_link {
        return html! { <p class="hint" data-test="token-in-link">{ "The token is in this page's link." }</p> };
    }
    if *asking {
        html! {
            <div class="secret" role="alertdialog" aria-label="Put the token in the link?" data-test="token-link-warning">
                <p>{ proto::link::token_warning(&p.text) }</p>
                <button type="button" class="chip" data-test="token-link-confirm" onclick={confirm}>{ "Put it in the link" }</button>
                <button type="button" class="chip" onclick={cancel}>{ "Cancel" }</button>
            </div>
        }
    } else {
        html! { <button type="button" class="chip" data-test="token-link" onclick={ask}>{ "Put the token in the link…" }</button> }
    }
}
