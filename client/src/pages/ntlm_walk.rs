//! The NT Challenge/Response walkthrough: the IIS 6 guide's NTLM sequence with Browser, IIS and
//! domain controller lanes, TCP connections, real tokens, and the failure variants.

use crate::components::browser_view::final_page;
use crate::components::player::{stage, use_player};
use crate::components::step_detail::step_detail;
use proto::http::integrated::Os;
use proto::http::Profile;
use proto::seq::{Step, StepKind};
use proto::walkthrough::ntlm::{run, Era, Scenario, Variant, Walkthrough};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
struct Inputs {
    variant: Variant,
    profile: Profile,
    os: Os,
    by_fqdn: bool,
    offer_negotiate: bool,
    era: Era,
    /// `None`: the era's default LmCompatibilityLevel.
    level: Option<u8>,
    /// Another variant shown side by side with this one (`vs`).
    vs: Option<Variant>,
}

impl Inputs {
    fn from_link() -> Inputs {
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
            os: l.get("os").and_then(Os::from_id).unwrap_or(Os::Windows),
            by_fqdn: l.get("url") == Some("fqdn"),
            // `header=negotiate` is the older links' name for it.
            offer_negotiate: l.get("offer") == Some("negotiate")
                || l.get("header") == Some("negotiate"),
            era: l.get("era").and_then(Era::from_id).unwrap_or(Era::Y2003),
            level: l
                .get("level")
                .and_then(|v| v.parse().ok())
                .filter(|v| *v <= 5),
            vs: l.get("vs").and_then(Variant::from_id),
        }
    }

    fn link(&self) -> Vec<(&'static str, String)> {
        vec![
            ("variant", self.variant.id().to_string()),
            ("profile", self.profile.id().to_string()),
            ("os", self.os.id().to_string()),
            ("url", if self.by_fqdn { "fqdn" } else { "" }.to_string()),
            (
                "offer",
                if self.offer_negotiate {
                    "negotiate"
                } else {
                    ""
                }
                .to_string(),
            ),
            ("era", self.era.id().to_string()),
            (
                "level",
                self.level.map(|l| l.to_string()).unwrap_or_default(),
            ),
            (
                "vs",
                self.vs.map(|v| v.id().to_string()).unwrap_or_default(),
            ),
        ]
    }
}

/// A `<select>` whose change edits `inputs` with `set`.
fn pick(
    label: &str,
    test: &'static str,
    options: Vec<(String, String, bool)>,
    inputs: &UseStateHandle<Inputs>,
    set: fn(&mut Inputs, &str),
) -> Html {
    let onchange = {
        let inputs = inputs.clone();
        Callback::from(move |e: Event| {
            let mut next = (*inputs).clone();
            set(&mut next, &crate::components::form::value_of(&e));
            inputs.set(next);
        })
    };
    html! {
        <label>{ label }
            <select data-test={test} {onchange}>
                { for options.into_iter().map(|(v, t, sel)| html! { <option value={v} selected={sel}>{ t }</option> }) }
            </select>
        </label>
    }
}

#[function_component(NtlmWalk)]
pub fn ntlm_walk() -> Html {
    let inputs = use_state(Inputs::from_link);
    let now = use_state(|| {
        #[allow(clippy::cast_possible_truncation)]
        let secs = (js_sys::Date::now() / 1000.0) as i64;
        secs
    });
    let scenario = |i: &Inputs, variant: Variant, t: i64| Scenario {
        variant,
        profile: i.profile,
        os: i.os,
        by_fqdn: i.by_fqdn,
        offer_negotiate: i.offer_negotiate,
        era: i.era,
        level: i.level,
        now: t,
    };
    // The variant compared with this one, in the same setting.
    let other = use_memo(((*inputs).clone(), *now), move |(i, t)| {
        i.vs.map(|v| Rc::new(run(&scenario(i, v, *t)).steps))
    });
    let walk = use_memo(((*inputs).clone(), *now), move |(i, t)| {
        Rc::new(run(&scenario(i, i.variant, *t)))
    });
    let steps: Rc<Vec<Step>> = Rc::new(walk.steps.clone());
    let player = use_player(steps.len(), inputs.link());
    let i = &*inputs;
    let variants = Variant::ALL
        .iter()
        .map(|v| (v.id().to_string(), v.title().to_string(), *v == i.variant))
        .collect();
    let browsers = [Profile::Ie6, Profile::Chromium, Profile::Firefox]
        .into_iter()
        .map(|p| (p.id().to_string(), p.name().to_string(), p == i.profile))
        .collect();
    let oses = Os::ALL
        .into_iter()
        .map(|o| (o.id().to_string(), o.name().to_string(), o == i.os))
        .collect();
    let urls = vec![
        (
            "netbios".to_string(),
            "http://web01/ (NetBIOS name)".to_string(),
            !i.by_fqdn,
        ),
        (
            "fqdn".to_string(),
            "http://web01.contoso.com/ (dotted name)".to_string(),
            i.by_fqdn,
        ),
    ];
    let offers = vec![
        (
            "ntlm".to_string(),
            "NTLM (as the IIS 6 guide tells it)".to_string(),
            !i.offer_negotiate,
        ),
        (
            "negotiate".to_string(),
            "Negotiate, NTLM (IIS 6's default)".to_string(),
            i.offer_negotiate,
        ),
    ];
    let eras = Era::ALL
        .into_iter()
        .map(|e| (e.id().to_string(), e.title().to_string(), e == i.era))
        .collect();
    let mut levels = vec![(
        "default".to_string(),
        format!("the era's default ({})", i.era.default_level()),
        i.level.is_none(),
    )];
    levels.extend((0..=5u8).map(|l| {
        let what = match l {
            0 => "LM and NTLMv1, never NTLM2 session security",
            1 => "LM and NTLMv1, NTLM2 session security if the server agrees",
            2 => "NTLMv1 only, NTLM2 session security if the server agrees",
            _ => "NTLMv2",
        };
        (l.to_string(), format!("{l}: {what}"), i.level == Some(l))
    }));
    let ie = i.profile == Profile::Ie6;
    let mut versus = vec![("".to_string(), "nothing".to_string(), i.vs.is_none())];
    versus.extend(
        Variant::ALL
            .iter()
            .filter(|v| **v != i.variant)
            .map(|v| (v.id().to_string(), v.title().to_string(), i.vs == Some(*v))),
    );
    let compared = (*other).clone().map(|o| html! {
        <crate::components::compare::Compare left={steps.clone()} right={o}
            left_title={AttrValue::from(i.variant.title())} right_title={AttrValue::from(i.vs.map_or("", |v| v.title()))} />
    });
    html! {
        <div class="page walk">
            <section class="setup" aria-labelledby="ntcr-h">
                <h1 id="ntcr-h">{ "NT Challenge/Response (NTLM) walkthrough" }</h1>
                <p class="lede">{ "The sequence of the IIS 6 guide: the anonymous request and its 401.2, NEGOTIATE, CHALLENGE, AUTHENTICATE on the same connection, the domain controller's pass-through, the verdict and the Security log entries it writes. What the browser does comes from its real rules; every token is a real NTLM message of the chosen era; open any step to decode it." }</p>
                { crate::components::chrome::setup_form("The setup: what happens, the browser, the Windows versions", html! { <>
                <div class="form">
                    { pick("What happens", "variant", variants, &inputs, |i, v| i.variant = Variant::from_id(v).unwrap_or(Variant::Healthy)) }
                    { pick("Browser", "profile", browsers, &inputs, |i, v| i.profile = Profile::from_id(v).unwrap_or(Profile::Ie6)) }
                    { if ie { Html::default() } else { pick("Operating system", "os", oses, &inputs, |i, v| i.os = Os::from_id(v).unwrap_or(Os::Windows)) } }
                    { pick("URL", "url", urls, &inputs, |i, v| i.by_fqdn = v == "fqdn") }
                    { pick("IIS offers", "offer", offers, &inputs, |i, v| i.offer_negotiate = v == "negotiate") }
                    { pick("Windows versions", "era", eras, &inputs, |i, v| i.era = Era::from_id(v).unwrap_or(Era::Y2003)) }
                    { pick("Client LmCompatibilityLevel", "level", levels, &inputs, |i, v| i.level = v.parse().ok()) }
                    { pick("Side by side with", "vs", versus, &inputs, |i, v| i.vs = Variant::from_id(v)) }
                </div>
                <p class="hint">{ "The user is CONTOSO\\bob, logged on to the domain (a domain account, so IIS passes the response to a domain controller); the variant with no network logon right uses CONTOSO\\carol; with the wrong password the user is logged on to the workstation's own account and types a wrong password. The site is /lab/integrated/ — the same site answers real NTLM on authscope serve (curl --ntlm -u 'CONTOSO\\bob:Builder2' …). The AUTHENTICATE answers a one-time challenge: it cannot be replayed later, but it can be relayed live and cracked offline, so do not share a real one." }</p>
                </> }) }
            </section>
            { stage("ntlm", &player, &steps, walk.lanes.clone(), &|s| view(s, &walk)) }
            { compared.unwrap_or_default() }
            { live() }
        </div>
    }
}

fn view(s: &Step, walk: &Walkthrough) -> Html {
    let view = match s.kind {
        StepKind::Page => final_page(
            &walk.url,
            walk.outcome.authorized_user(),
            s.status.as_deref(),
            &s.narration,
        ),
        _ => Html::default(),
    };
    step_detail(s, view, &[])
}

/// Live mode is on the Real servers page (`debug.html#/relay`), where it runs against
/// `authscope serve` or through its relay; the walkthrough links to it (not in embeds: they play
/// the simulation only).
#[cfg(not(any(feature = "embed", feature = "embed-kerberos")))]
fn live() -> Html {
    html! {
        <p class="hint" data-test="live-link">
            { "Run this handshake for real, from this browser against authscope serve: " }
            <a href={crate::route::Route::Relay.href()}>{ "Live mode, on the Real servers page" }</a>
        </p>
    }
}

#[cfg(any(feature = "embed", feature = "embed-kerberos"))]
fn live() -> Html {
    Html::default()
}
