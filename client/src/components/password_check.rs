//! "Check with a password": recompute an AUTHENTICATE's response, keys and MIC in the page.
//! The password lives only in this component's state: never stored, logged or put in a link.

use proto::ntlm::verify::{verify, Verification};
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Clone, Default, PartialEq)]
struct Form {
    negotiate: String,
    challenge: String,
    authenticate: String,
    user: String,
    domain: String,
    password: String,
}

fn value_of(e: &InputEvent) -> String {
    e.target()
        .and_then(|t| {
            t.clone()
                .dyn_into::<web_sys::HtmlTextAreaElement>()
                .map(|x| x.value())
                .or_else(|_| t.dyn_into::<web_sys::HtmlInputElement>().map(|x| x.value()))
                .ok()
        })
        .unwrap_or_default()
}

fn run(f: &Form) -> Result<Verification, String> {
    let bytes = |what: &str, t: &str| {
        proto::decode::ntlm_bytes(t).ok_or(format!("the {what} box does not hold an NTLM message"))
    };
    let challenge = bytes("CHALLENGE", &f.challenge)?;
    let authenticate = bytes("AUTHENTICATE", &f.authenticate)?;
    let negotiate = if f.negotiate.trim().is_empty() {
        None
    } else {
        Some(bytes("NEGOTIATE", &f.negotiate)?)
    };
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let (user, domain) = (opt(&f.user), opt(&f.domain));
    verify(
        &f.password,
        user.as_deref(),
        domain.as_deref(),
        negotiate.as_deref(),
        &challenge,
        &authenticate,
    )
    .map_err(|e| e.to_string())
}

#[function_component(PasswordCheck)]
pub fn password_check() -> Html {
    let form = use_state(Form::default);
    let result = use_state(|| Option::<Result<Verification, String>>::None);
    let edit = |set: fn(&mut Form, String)| {
        let form = form.clone();
        let result = result.clone();
        Callback::from(move |e: InputEvent| {
            let mut f = (*form).clone();
            set(&mut f, value_of(&e));
            form.set(f);
            result.set(None);
        })
    };
    let check = {
        let form = form.clone();
        let result = result.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            result.set(Some(run(&form)));
        })
    };
    let example = {
        let form = form.clone();
        let result = result.clone();
        Callback::from(move |_| {
            form.set(Form {
                challenge: proto::ntlm::samples::CHALLENGE_V2.into(),
                authenticate: proto::ntlm::samples::AUTHENTICATE_V2.into(),
                password: proto::ntlm::samples::PASSWORD.into(),
                ..Form::default()
            });
            result.set(None);
        })
    };
    let verdict = match &*result {
        None => Html::default(),
        Some(Err(e)) => html! { <p class="error" data-test="check-error">{ e.clone() }</p> },
        Some(Ok(v)) => {
            let ok = |b: bool| {
                if b {
                    html! { <span class="badge ok">{ "matches" }</span> }
                } else {
                    html! { <span class="badge bad">{ "does not match" }</span> }
                }
            };
            html! {
                <div class="verdict" data-test="check-result">
                    <p>{ format!("{} response for {}\\{}: ", v.kind.name(), v.domain, v.user) }<span data-test="response-verdict">{ ok(v.response_matches) }</span></p>
                    <p>{ "MIC: " }{ match v.mic_matches { Some(b) => ok(b), None => html! { <span class="badge">{ "not checked" }</span> } } }</p>
                    <table class="derivation">
                        <thead><tr><th>{ "Value" }</th><th>{ "How it is made (MS-NLMP 3.3)" }</th><th>{ "Result" }</th></tr></thead>
                        <tbody>{ for v.steps.iter().map(|s| html! { <tr><td>{ s.name }</td><td>{ s.formula }</td><td><code>{ s.value.clone() }</code></td></tr> }) }</tbody>
                    </table>
                    { for v.notes.iter().map(|n| html! { <p class="note">{ n.clone() }</p> }) }
                </div>
            }
        }
    };
    html! {
        <section class="pwcheck" aria-labelledby="check-h">
            <h3 id="check-h">{ "Check with a password" }</h3>
            <p class="secret">
                <b>{ "Runs in this page only. " }</b>
                { "The password is not stored, logged or put in any link. Whoever has an AUTHENTICATE message can try passwords against it offline (it cannot be replayed later, but can be relayed live), so keep it out of tickets and chats." }
            </p>
            <form class="check-form" onsubmit={check}>
                <label>{ "NEGOTIATE (optional, for the MIC)" }<textarea rows="2" spellcheck="false" value={form.negotiate.clone()} oninput={edit(|f, v| f.negotiate = v)} /></label>
                <label>{ "CHALLENGE" }<textarea data-test="check-challenge" rows="2" spellcheck="false" value={form.challenge.clone()} oninput={edit(|f, v| f.challenge = v)} /></label>
                <label>{ "AUTHENTICATE" }<textarea data-test="check-authenticate" rows="2" spellcheck="false" value={form.authenticate.clone()} oninput={edit(|f, v| f.authenticate = v)} /></label>
                <div class="row">
                    <label>{ "User (default: from the message)" }<input type="text" autocomplete="off" value={form.user.clone()} oninput={edit(|f, v| f.user = v)} /></label>
                    <label>{ "Domain (default: from the message)" }<input type="text" autocomplete="off" value={form.domain.clone()} oninput={edit(|f, v| f.domain = v)} /></label>
                    <label>{ "Password" }<input data-test="check-password" type="password" autocomplete="off" value={form.password.clone()} oninput={edit(|f, v| f.password = v)} /></label>
                </div>
                <div class="row">
                    <button type="submit" class="primary" data-test="check-run">{ "Check" }</button>
                    <button type="button" class="chip" onclick={example}>{ "Load the MS-NLMP 4.2.4 example" }</button>
                </div>
            </form>
            { verdict }
        </section>
    }
}
