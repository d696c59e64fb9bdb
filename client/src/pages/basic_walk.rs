//! The Basic walkthrough: pick a site and a browser, type the passwords the user will try, and
//! step through the exchange `proto` records against the simulated IIS 6 site.

use crate::components::browser_view::{browser_view, final_page};
use crate::components::player::{stage, use_player};
use crate::components::step_detail::step_detail;
use proto::http::Profile;
use proto::iis::sites;
use proto::seq::{Lane, Step, StepKind};
use proto::walkthrough::basic::{run, Outcome, Scenario, Walkthrough};
use std::rc::Rc;
use yew::prelude::*;

/// The simulated clock: the walkthrough's `Date` headers and log lines use the page's time.
fn now() -> i64 {
    #[allow(clippy::cast_possible_truncation)]
    let secs = (js_sys::Date::now() / 1000.0) as i64;
    secs
}

/// Applies an edited form value to the inputs.
type Setter = Box<dyn Fn(&mut Inputs, String)>;

#[derive(Clone, PartialEq)]
struct Inputs {
    site: String,
    profile: Profile,
    user: String,
    passwords: [String; 3],
}

fn compute(i: &Inputs, now: i64) -> Walkthrough {
    let site = sites::by_id(&i.site).or_else(|| sites::all().into_iter().next());
    let Some(site) = site else {
        return Walkthrough {
            steps: Vec::new(),
            outcome: Outcome::OtherStatus(0),
        };
    };
    let passwords = i
        .passwords
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect();
    run(&Scenario {
        site,
        profile: i.profile,
        user: i.user.clone(),
        passwords,
        now,
    })
}

#[function_component(BasicWalk)]
pub fn basic_walk() -> Html {
    // The link holds the site, browser and user; never the passwords.
    let inputs = use_state(|| {
        let l = crate::link::current();
        Inputs {
            site: l.get("site").unwrap_or("basic").into(),
            profile: l
                .get("profile")
                .and_then(Profile::from_id)
                .unwrap_or(Profile::Ie6),
            user: l.get("user").unwrap_or("alice").into(),
            passwords: ["letmein".into(), "alice".into(), "Wonderland".into()],
        }
    });
    let clock = use_state(now);
    let walk = use_memo(((*inputs).clone(), *clock), |(i, t)| {
        Rc::new(compute(i, *t))
    });
    let steps: Rc<Vec<Step>> = Rc::new(walk.steps.clone());
    let player = use_player(
        steps.len(),
        vec![
            ("site", inputs.site.clone()),
            ("profile", inputs.profile.id().to_string()),
            ("user", inputs.user.clone()),
        ],
    );
    // New inputs mean a new exchange: restart the clock too.
    let set = {
        let inputs = inputs.clone();
        let clock = clock.clone();
        move |f: Setter| {
            let inputs = inputs.clone();
            let clock = clock.clone();
            Callback::from(move |e: Event| {
                let mut next = (*inputs).clone();
                f(&mut next, crate::components::form::value_of(&e));
                inputs.set(next);
                clock.set(now());
            })
        }
    };
    let site_list = sites::all();
    let current_site = site_list.iter().find(|s| s.id == inputs.site).cloned();
    let on_site = set(Box::new(|i, v| i.site = v));
    let on_profile = set(Box::new(|i, v| {
        i.profile = Profile::from_id(&v).unwrap_or(Profile::Ie6)
    }));
    let on_user = set(Box::new(|i, v| i.user = v));
    let pw = |n: usize| {
        set(Box::new(move |i: &mut Inputs, v| {
            if let Some(p) = i.passwords.get_mut(n) {
                *p = v
            }
        }))
    };

    let limit_note = match inputs.profile.basic_attempt_limit() {
        Some(l) => format!("{} gives up after {l} rejected attempts.", inputs.profile.name()),
        None => format!("{} asks until the user cancels; here the user cancels when the passwords below run out.", inputs.profile.name()),
    };
    let host = current_site
        .as_ref()
        .map(|s| s.host.clone())
        .unwrap_or_default();
    let url = format!("http://{host}/lab/{}/", inputs.site);

    html! {
        <div class="page walk">
            <section class="setup" aria-labelledby="setup-h">
                <h1 id="setup-h">{ "Basic walkthrough" }</h1>
                <p class="lede">{ "A browser asks an IIS 6 site for a page. Watch the anonymous request, the 401 and its WWW-Authenticate list, the credential dialog, the Authorization: Basic header and IIS's verdict." }</p>
                { crate::components::chrome::setup_form("The setup: the site, the browser, what the user types", html! { <>
                <div class="form">
                    <label>{ "Site" }
                        <select data-test="site" onchange={on_site}>
                            { for site_list.iter().map(|s| html! { <option value={s.id.clone()} selected={s.id == inputs.site}>{ format!("{} — /lab/{}/", s.title, s.id) }</option> }) }
                        </select>
                    </label>
                    <label>{ "Browser" }
                        <select data-test="profile" onchange={on_profile}>
                            { for [Profile::Ie6, Profile::Chromium, Profile::Firefox].into_iter().map(|p| html! { <option value={p.id()} selected={p == inputs.profile}>{ p.name() }</option> }) }
                        </select>
                    </label>
                    <label>{ "User name" }
                        <input data-test="user" type="text" autocomplete="off" spellcheck="false" value={inputs.user.clone()} onchange={on_user} />
                    </label>
                    { for (0..3).map(|n| html! {
                        <label>{ format!("Password, attempt {}", n + 1) }
                            <input data-test={format!("password{}", n + 1)} type="text" autocomplete="off" spellcheck="false"
                                   value={inputs.passwords.get(n).cloned().unwrap_or_default()} onchange={pw(n)} />
                        </label>
                    }) }
                </div>
                <p class="hint">
                    { current_site.as_ref().map(|s| s.summary.clone()).unwrap_or_default() }
                    { " Accounts: " }
                    { for sites::DEMO_USERS.iter().map(|u| html! { <><code>{ u.name }</code>{ " / " }<code>{ u.password }</code>{ format!(" ({}); ", u.note) }</> }) }
                    { limit_note }
                    { " These demo passwords are shown on purpose: Basic sends them in the clear." }
                </p>
                </> }) }
            </section>
            { stage("basic", &player, &steps, vec![Lane::Browser, Lane::Iis], &|s| detail(s, &walk, &url)) }
        </div>
    }
}

fn detail(s: &Step, walk: &Walkthrough, url: &str) -> Html {
    let attempt = s.attempt.map(|(n, l)| match l {
        Some(l) => format!("attempt {n} of {l}"),
        None => format!("attempt {n}"),
    });
    let view = match s.kind {
        StepKind::Dialog => browser_view(
            url,
            html! {
                <div class="dialog" role="img" aria-label="The browser's credential dialog" data-test="dialog">
                    <div class="dialog-title">{ "Connect to web01.contoso.com" }</div>
                    <p>{ s.explanation.first().cloned().unwrap_or_default() }</p>
                    <p class="attempt">{ attempt.clone().unwrap_or_default() }</p>
                    <p>{ if s.label.contains("Cancel") { "The user presses Cancel." } else { "The user types a user name and password and presses OK." } }</p>
                </div>
            },
        ),
        StepKind::Page => final_page(
            url,
            walk.outcome.authorized_user(),
            s.status.as_deref(),
            &s.narration,
        ),
        _ => Html::default(),
    };
    step_detail(s, view, &[])
}
