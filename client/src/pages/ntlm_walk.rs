//! The NT Challenge/Response walkthrough: the IIS 6 guide's NTLM sequence with Browser, IIS and
//! domain controller lanes, TCP connections, real tokens, and the failure variants.

use crate::components::browser_view::final_page;
use crate::components::player::{stage, use_player};
use crate::components::step_detail::step_detail;
use proto::http::Profile;
use proto::seq::{Step, StepKind};
use proto::walkthrough::ntlm::{run, Scenario, Variant, Walkthrough};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
struct Inputs {
    variant: Variant,
    profile: Profile,
    negotiate_header: bool,
}

#[function_component(NtlmWalk)]
pub fn ntlm_walk() -> Html {
    let inputs = use_state(|| {
        let l = crate::link::current();
        Inputs {
            variant: l
                .get("variant")
                .and_then(Variant::from_id)
                .unwrap_or(Variant::Healthy),
            profile: l
                .get("profile")
                .and_then(Profile::from_id)
                .unwrap_or(Profile::Ie6),
            negotiate_header: l.get("header") == Some("negotiate"),
        }
    });
    let now = use_state(|| {
        #[allow(clippy::cast_possible_truncation)]
        let secs = (js_sys::Date::now() / 1000.0) as i64;
        secs
    });
    let walk = use_memo(((*inputs).clone(), *now), |(i, t)| {
        Rc::new(run(&Scenario {
            variant: i.variant,
            profile: i.profile,
            negotiate_header: i.negotiate_header,
            now: *t,
        }))
    });
    let steps: Rc<Vec<Step>> = Rc::new(walk.steps.clone());
    let player = use_player(
        steps.len(),
        vec![
            ("variant", inputs.variant.id().to_string()),
            ("profile", inputs.profile.id().to_string()),
            (
                "header",
                if inputs.negotiate_header {
                    "negotiate"
                } else {
                    ""
                }
                .to_string(),
            ),
        ],
    );
    let inbox = use_context::<crate::DecoderInbox>();
    let on_variant = {
        let inputs = inputs.clone();
        Callback::from(move |e: Event| {
            inputs.set(Inputs {
                variant: Variant::from_id(&crate::components::form::value_of(&e))
                    .unwrap_or(Variant::Healthy),
                ..(*inputs).clone()
            })
        })
    };
    let on_profile = {
        let inputs = inputs.clone();
        Callback::from(move |e: Event| {
            inputs.set(Inputs {
                profile: Profile::from_id(&crate::components::form::value_of(&e))
                    .unwrap_or(Profile::Ie6),
                ..(*inputs).clone()
            })
        })
    };
    let on_header = {
        let inputs = inputs.clone();
        Callback::from(move |e: Event| {
            inputs.set(Inputs {
                negotiate_header: crate::components::form::value_of(&e) == "negotiate",
                ..(*inputs).clone()
            })
        })
    };
    html! {
        <div class="page walk">
            <section class="setup" aria-labelledby="ntcr-h">
                <h2 id="ntcr-h">{ "NT Challenge/Response (NTLM) walkthrough" }</h2>
                <p class="lede">{ "The sequence of the IIS 6 guide: the anonymous request and its 401.2, a new connection, NEGOTIATE, CHALLENGE, AUTHENTICATE, the domain controller's pass-through, and the verdict. Every token is a real NTLM message; open any step to decode it." }</p>
                <div class="form">
                    <label>{ "What happens" }
                        <select data-test="variant" onchange={on_variant}>
                            { for Variant::ALL.iter().map(|v| html! { <option value={v.id()} selected={*v == inputs.variant}>{ v.title() }</option> }) }
                        </select>
                    </label>
                    <label>{ "Browser" }
                        <select data-test="profile" onchange={on_profile}>
                            { for [Profile::Ie6, Profile::Chromium, Profile::Firefox].into_iter().map(|p| html! { <option value={p.id()} selected={p == inputs.profile}>{ p.name() }</option> }) }
                        </select>
                    </label>
                    <label>{ "Authorization header" }
                        <select data-test="header" onchange={on_header}>
                            <option value="ntlm" selected={!inputs.negotiate_header}>{ "NTLM (as the IIS 6 guide tells it)" }</option>
                            <option value="negotiate" selected={inputs.negotiate_header}>{ "Negotiate carrying NTLM (IE when Kerberos is not used)" }</option>
                        </select>
                    </label>
                </div>
                <p class="hint">{ "The user is CONTOSO\\bob (a domain account, so IIS passes the response to a domain controller); the variant with no network logon right uses CONTOSO\\carol. The site is /lab/integrated/ — the same site answers real NTLM on authscope serve (curl --ntlm -u 'CONTOSO\\bob:Builder2' …)." }</p>
            </section>
            { stage("ntlm", &player, &steps, walk.lanes.clone(), &|s| view(s, &walk, inbox.clone())) }
            { live() }
        </div>
    }
}

fn view(s: &Step, walk: &Walkthrough, inbox: Option<crate::DecoderInbox>) -> Html {
    let url = "http://web01.contoso.com/lab/integrated/";
    let view = match s.kind {
        StepKind::Page => final_page(
            url,
            walk.outcome.authorized_user(),
            s.status.as_deref(),
            &s.narration,
        ),
        _ => Html::default(),
    };
    step_detail(s, view, inbox)
}

/// Live mode (not in embedded walkthroughs: they play the simulation only).
#[cfg(not(feature = "embed"))]
fn live() -> Html {
    html! { <crate::components::live::Live /> }
}

#[cfg(feature = "embed")]
fn live() -> Html {
    Html::default()
}
