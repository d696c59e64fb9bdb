//! The IIS 6 troubleshooting lab: a shipped scenario of the IIS 6 guide (or a blank site), its
//! configuration edited in forms shaped like IIS Manager's, a request sent as a browser would,
//! and IIS's answer with its decisions. Every change re-runs the engine at once.

use crate::components::browser_view::final_page;
use crate::components::diagram::{diagram, Props as DiagramProps};
use crate::components::form::{checked_of, value_of as text_of};
use proto::iis::scenarios::{self, Client};
use proto::iis::{AuthFlags, Identity, Site};
use proto::walkthrough::Lane;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
struct State {
    scenario: String,
    site: Site,
    /// The metabase node being edited: an index into `site.nodes`, or `None` for the root.
    node: Option<usize>,
    path: String,
    client: Client,
}

/// Applies `f` to the properties as they stand at the selected node, and stores what changed on
/// that node (or on the root): an edit lands where IIS Manager would write it.
fn edit_props(s: &mut State, f: impl Fn(&mut Site)) {
    let path = s
        .node
        .and_then(|i| s.site.nodes.get(i))
        .map(|n| n.path.clone());
    match path {
        None => f(&mut s.site),
        Some(path) => {
            let before = s.site.for_path(&path);
            let mut after = before.clone();
            f(&mut after);
            s.site.copy_server_settings(&after);
            if let Some(n) = s.node.and_then(|i| s.site.nodes.get_mut(i)) {
                n.absorb(&before, &after);
            }
        }
    }
}

fn load(id: &str) -> State {
    match scenarios::by_id(id) {
        Some(s) => State {
            scenario: id.to_string(),
            path: s.path.to_string(),
            client: s.client.clone(),
            site: s.site,
            node: None,
        },
        None => {
            let site = proto::iis::sites::base(
                "blank",
                "A blank site",
                "A new site with IIS 6 defaults: Anonymous access.",
                AuthFlags::ANONYMOUS,
            );
            State {
                scenario: "blank".into(),
                site,
                node: None,
                path: "/".into(),
                client: Client::Anonymous,
            }
        }
    }
}

type Edit = std::rc::Rc<dyn Fn(&mut State, &Event)>;

/// Text fields update the answer as the user types.
fn live(cb: Callback<Event>) -> Callback<InputEvent> {
    Callback::from(move |e: InputEvent| cb.emit(e.into()))
}

#[function_component(Lab)]
pub fn lab() -> Html {
    let inbox = use_context::<crate::LabInbox>();
    let handed = inbox.as_ref().and_then(|i| (*i.0).clone());
    let state = use_state(|| load(handed.as_deref().unwrap_or("anon-ok")));
    {
        let inbox = inbox.clone();
        use_effect_with((), move |_| {
            if let Some(i) = inbox {
                i.0.set(None);
            }
        });
    }
    let now = use_state(|| {
        #[allow(clippy::cast_possible_truncation)]
        let secs = (js_sys::Date::now() / 1000.0) as i64;
        secs
    });
    let legs = use_memo(((*state).clone(), *now), |(s, t)| {
        scenarios::send(&s.site, &s.path, &s.client, *t)
    });
    let on = |f: Edit| {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let mut next = (*state).clone();
            f(&mut next, &e);
            state.set(next);
        })
    };
    let flag = |bit: u32| {
        on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
            let on = checked_of(e);
            edit_props(s, |site| {
                if on {
                    site.auth_flags.0 |= bit;
                } else {
                    site.auth_flags.0 &= !bit;
                }
            })
        }))
    };
    let pick = {
        let state = state.clone();
        Callback::from(move |e: Event| state.set(load(&text_of(&e))))
    };
    let s = &*state;
    // The form shows the properties as they apply at the selected node.
    let shown = match s.node.and_then(|i| s.site.nodes.get(i)) {
        Some(n) => s.site.for_path(&n.path),
        None => s.site.clone(),
    };
    let site = &shown;
    let last = legs.last().map(|x| x.response.clone());
    let steps = std::rc::Rc::new(proto::walkthrough::exchange_steps(&legs));
    let all = scenarios::all();
    let current = all.iter().find(|x| x.site.id == s.scenario);

    let accounts: Html = site
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let check = |get: fn(&proto::iis::Account) -> bool, set: fn(&mut proto::iis::Account, bool), label: &'static str| {
                let cb = on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
                    if let Some(a) = s.site.accounts.get_mut(i) {
                        set(a, checked_of(e));
                    }
                }));
                html! { <td><input type="checkbox" aria-label={label} checked={get(a)} onchange={cb} data-test={format!("acct-{}-{}", a.user, label.replace(' ', "-"))} /></td> }
            };
            let pw = on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
                if let Some(a) = s.site.accounts.get_mut(i) {
                    a.password = text_of(e);
                }
            }));
            html! {
                <tr>
                    <td><code>{ format!("{}\\{}", a.domain, a.user) }</code></td>
                    <td><input type="text" class="small" autocomplete="off" value={a.password.clone()} oninput={live(pw)} aria-label="password" /></td>
                    { check(|a| a.disabled, |a, v| a.disabled = v, "disabled") }
                    { check(|a| a.expired, |a, v| a.expired = v, "expired") }
                    { check(|a| a.locked_out, |a, v| a.locked_out = v, "locked out") }
                    { check(|a| a.log_on_locally, |a, v| a.log_on_locally = v, "log on locally") }
                    { check(|a| a.network_logon, |a, v| a.network_logon = v, "network") }
                    { check(|a| a.batch_logon, |a, v| a.batch_logon = v, "batch") }
                </tr>
            }
        })
        .collect();

    let client_kind = match &s.client {
        Client::Anonymous => "anonymous",
        Client::Basic { .. } => "basic",
        Client::Ntlm { .. } => "ntlm",
    };
    let (cu, cd, cp) = match &s.client {
        Client::Anonymous => (String::new(), String::new(), String::new()),
        Client::Basic { user, password } => (user.clone(), String::new(), password.clone()),
        Client::Ntlm {
            user,
            domain,
            password,
        } => (user.clone(), domain.clone(), password.clone()),
    };
    let set_client = on(std::rc::Rc::new(|s: &mut State, e: &Event| {
        s.client = match text_of(e).as_str() {
            "basic" => Client::Basic {
                user: "alice".into(),
                password: "Wonderland1".into(),
            },
            "ntlm" => Client::Ntlm {
                user: "bob".into(),
                domain: "CONTOSO".into(),
                password: "Builder2".into(),
            },
            _ => Client::Anonymous,
        }
    }));
    let client_field = |which: u8| {
        on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
            let v = text_of(e);
            match (&mut s.client, which) {
                (Client::Basic { user, .. } | Client::Ntlm { user, .. }, 0) => *user = v,
                (Client::Ntlm { domain, .. }, 1) => *domain = v,
                (Client::Basic { password, .. } | Client::Ntlm { password, .. }, 2) => {
                    *password = v
                }
                _ => {}
            }
        }))
    };

    let result = last.as_ref().map(|r| {
        let st = r.status_text();
        let url = format!("http://{}/lab/{}{}", site.host, site.id, s.path);
        let view = if r.status == 401 {
            final_page(&url, None, Some(&st), "")
        } else if r.status == 200 {
            final_page(&url, r.user.as_deref().or(Some("anonymous (IUSR)")), Some("200"), "")
        } else {
            html! { <pre class="plain-page">{ format!("HTTP {st}: {}", r.reason) }</pre> }
        };
        html! {
            <div class="lab-result">
                <h3>{ "IIS answers " }<span class={classes!("badge", if r.status == 200 { "ok" } else { "bad" })} data-test="lab-status">{ st.clone() }</span></h3>
                { view }
                { diagram(&DiagramProps { steps: steps.clone(), index: steps.len().saturating_sub(1), lanes: vec![Lane::Browser, Lane::Iis], on_select: Callback::noop() }) }
                <h4>{ "W3C log" }</h4>
                <pre data-test="lab-log">{ proto::iis::LogLine::FIELDS }{ for legs.iter().map(|l| format!("\n{}", l.response.log.format())) }</pre>
                <h4>{ "IIS's decisions" }</h4>
                <ol class="trace" data-test="lab-trace">{ for r.trace.iter().map(|t| html! { <li>{ t.clone() }</li> }) }</ol>
                <details class="wire"><summary>{ "Full response" }</summary><pre>{ r.to_http() }</pre></details>
            </div>
        }
    });

    let set_text = |f: fn(&mut Site, String)| {
        on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
            let v = text_of(e);
            edit_props(s, |site| f(site, v.clone()))
        }))
    };
    let set_bool = |f: fn(&mut Site, bool)| {
        on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
            let v = checked_of(e);
            edit_props(s, |site| f(site, v))
        }))
    };

    html! {
        <div class="page lab-page">
            <h2>{ "IIS 6 lab" }</h2>
            <p class="lede">{ "Rebuild a configuration, send a request as a browser would, and see IIS 6's answer with the chain of decisions behind it. Each scenario is a case of \"401.1 and 401.2 - Authentication Problems\"; change one property and watch the answer change." }</p>
            <label class="wide">{ "Scenario" }
                <select data-test="lab-scenario" onchange={pick}>
                    <option value="blank" selected={s.scenario == "blank"}>{ "A blank site" }</option>
                    { for all.iter().map(|x| html! { <option value={x.site.id.clone()} selected={x.site.id == s.scenario}>{ format!("{} — {} ({})", x.site.title, x.expect, x.guide) }</option> }) }
                </select>
            </label>
            <p class="hint">{ site.summary.clone() }{ current.filter(|c| !c.fix.is_empty()).map(|c| format!(" Fix: {}", c.fix)).unwrap_or_default() }</p>
            <div class="lab-grid">
                <section class="lab-config">
                    <fieldset class="iis-dialog">
                        <legend>{ "Metabase node" }</legend>
                        <label>{ "Edit the properties of" }
                            <select data-test="lab-node" onchange={on(std::rc::Rc::new(|s: &mut State, e: &Event| s.node = text_of(e).parse::<usize>().ok()))}>
                                <option value="root" selected={s.node.is_none()}>{ "/ (the site root)" }</option>
                                { for s.site.nodes.iter().enumerate().map(|(i, n)| html! { <option value={i.to_string()} selected={s.node == Some(i)}>{ n.path.clone() }</option> }) }
                            </select>
                        </label>
                        <label>{ "Add a node (virtual directory, directory or file) at" }
                            <input type="text" data-test="lab-add-node" placeholder="/app" onchange={on(std::rc::Rc::new(|s: &mut State, e: &Event| {
                                let path = text_of(e).trim().to_string();
                                if path.starts_with('/') && path.len() > 1 && !s.site.nodes.iter().any(|n| n.path.eq_ignore_ascii_case(&path)) {
                                    s.site.nodes.push(proto::iis::Node { path, ..proto::iis::Node::default() });
                                    s.node = Some(s.site.nodes.len() - 1);
                                }
                            }))} />
                        </label>
                        <p class="hint">{ "Properties not set on a node inherit from the nodes above it; the form shows what applies at the selected node." }</p>
                    </fieldset>
                    <fieldset class="iis-dialog">
                        <legend>{ "Authentication Methods" }</legend>
                        <label class="check"><input type="checkbox" data-test="auth-anonymous" checked={site.auth_flags.has(AuthFlags::ANONYMOUS)} onchange={flag(AuthFlags::ANONYMOUS)} />{ "Enable anonymous access" }</label>
                        <div class="indent">
                            <label>{ "User name" }<input type="text" value={site.anonymous_user.clone()} oninput={live(set_text(|s, v| s.anonymous_user = v))} /></label>
                            <label>{ "Password" }<input type="text" data-test="anon-password" autocomplete="off" value={site.anonymous_password.clone()} oninput={live(set_text(|s, v| s.anonymous_password = v))} /></label>
                            <label class="check"><input type="checkbox" data-test="password-sync" checked={site.anonymous_password_sync} onchange={set_bool(|s, v| s.anonymous_password_sync = v)} />{ "Allow IIS to control password (AnonymousPasswordSync)" }</label>
                        </div>
                        <p class="group">{ "Authenticated access" }</p>
                        <label class="check"><input type="checkbox" data-test="auth-ntlm" checked={site.auth_flags.has(AuthFlags::NTLM)} onchange={flag(AuthFlags::NTLM)} />{ "Integrated Windows authentication" }</label>
                        <label class="check"><input type="checkbox" data-test="auth-basic" checked={site.auth_flags.has(AuthFlags::BASIC)} onchange={flag(AuthFlags::BASIC)} />{ "Basic authentication (password is sent in clear text)" }</label>
                        <div class="indent">
                            <label>{ "Default domain" }<input type="text" value={site.default_logon_domain.clone().unwrap_or_default()} oninput={live(set_text(|s, v| s.default_logon_domain = (!v.is_empty()).then_some(v)))} /></label>
                            <label>{ "Realm" }<input type="text" value={site.realm.clone().unwrap_or_default()} oninput={live(set_text(|s, v| s.realm = (!v.is_empty()).then_some(v)))} /></label>
                        </div>
                        <p class="metabase"><code>{ format!("AuthFlags = {} ({})", site.auth_flags.0, site.auth_flags.names()) }</code></p>
                    </fieldset>
                    <fieldset class="iis-dialog">
                        <legend>{ "Metabase and server" }</legend>
                        <label>{ "LogonMethod" }
                            <select data-test="logon-method" onchange={set_text(|s, v| s.logon_method = v.parse().unwrap_or(3))}>
                                { for (0u8..4).map(|m| html! { <option value={m.to_string()} selected={site.logon_method == m}>{ format!("{m} — {}", proto::iis::logon_method_name(m)) }</option> }) }
                            </select>
                        </label>
                        <label>{ "Worker process identity" }
                            <select data-test="identity" onchange={set_text(|s, v| s.worker_identity = match v.as_str() { "LocalSystem" => Identity::LocalSystem, "LocalService" => Identity::LocalService, _ => Identity::NetworkService })}>
                                { for [Identity::NetworkService, Identity::LocalSystem, Identity::LocalService].into_iter().map(|i| html! { <option value={i.name()} selected={site.worker_identity == i}>{ i.name() }</option> }) }
                            </select>
                        </label>
                        <label class="check"><input type="checkbox" data-test="iissuba" checked={site.iissuba_registered} onchange={set_bool(|s, v| s.iissuba_registered = v)} />{ "Iissuba.dll registered" }</label>
                        <label class="check"><input type="checkbox" checked={site.dc_reachable} onchange={set_bool(|s, v| s.dc_reachable = v)} />{ "Domain controller reachable" }</label>
                        <label class="check"><input type="checkbox" checked={site.allow_keep_alive} onchange={set_bool(|s, v| s.allow_keep_alive = v)} />{ "AllowKeepAlive" }</label>
                        <label class="check"><input type="checkbox" checked={site.auth_persist_single_request} onchange={set_bool(|s, v| s.auth_persist_single_request = v)} />{ "AuthPersistSingleRequest" }</label>
                        <label>{ "DefaultDoc" }<input type="text" value={site.default_doc.join(",")} oninput={live(set_text(|s, v| s.default_doc = v.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()))} /></label>
                        { site.unc.as_ref().map(|u| html! {
                            <div class="unc">
                                <p class="group">{ format!("Content on {}", u.share) }</p>
                                <label>{ "UNCUserName" }<input type="text" value={u.user.clone()} oninput={live(set_text(|s, v| if let Some(u) = s.unc.as_mut() { u.user = v }))} /></label>
                                <label>{ "UNCPassword" }<input type="text" data-test="unc-password" autocomplete="off" value={u.password.clone()} oninput={live(set_text(|s, v| if let Some(u) = s.unc.as_mut() { u.password = v }))} /></label>
                            </div>
                        }).unwrap_or_default() }
                        { if site.nodes.is_empty() { Html::default() } else { html! {
                            <p class="metabase">{ for site.nodes.iter().map(|n| html! { <code>{ format!("{}: AuthFlags = {} ", n.path, n.auth_flags.map(|f| f.names()).unwrap_or_else(|| "(inherited)".into())) }</code> }) }</p>
                        } } }
                    </fieldset>
                    <fieldset class="iis-dialog">
                        <legend>{ "Accounts" }</legend>
                        <table class="accounts">
                            <thead><tr><th>{ "Account" }</th><th>{ "Password" }</th><th>{ "Disabled" }</th><th>{ "Expired" }</th><th>{ "Locked out" }</th><th>{ "Log on locally" }</th><th>{ "Network" }</th><th>{ "Batch" }</th></tr></thead>
                            <tbody>{ accounts }</tbody>
                        </table>
                        { if site.files.is_empty() { html! { <p class="hint">{ "No files listed: every path exists and everyone may read it." }</p> } } else { html! {
                            <table class="accounts"><thead><tr><th>{ "File" }</th><th>{ "NTFS ACL (read)" }</th></tr></thead>
                            <tbody>{ for site.files.iter().map(|f| html! { <tr><td><code>{ f.path.clone() }</code></td><td>{ f.acl.join(", ") }</td></tr> }) }</tbody></table>
                        } } }
                    </fieldset>
                </section>
                <section class="lab-request">
                    <fieldset class="iis-dialog">
                        <legend>{ "Request" }</legend>
                        <label>{ "Path" }<input type="text" data-test="lab-path" value={s.path.clone()} oninput={live(on(std::rc::Rc::new(|s: &mut State, e: &Event| s.path = text_of(e))))} /></label>
                        <label>{ "Credentials" }
                            <select data-test="lab-client" onchange={set_client}>
                                <option value="anonymous" selected={client_kind == "anonymous"}>{ "none (anonymous)" }</option>
                                <option value="basic" selected={client_kind == "basic"}>{ "Basic" }</option>
                                <option value="ntlm" selected={client_kind == "ntlm"}>{ "Integrated (NTLM)" }</option>
                            </select>
                        </label>
                        { if client_kind == "anonymous" { Html::default() } else { html! {
                            <div class="row">
                                <label>{ "User" }<input type="text" value={cu} oninput={live(client_field(0))} /></label>
                                { if client_kind == "ntlm" { html! { <label>{ "Domain" }<input type="text" value={cd} oninput={live(client_field(1))} /></label> } } else { Html::default() } }
                                <label>{ "Password" }<input type="text" autocomplete="off" value={cp} oninput={live(client_field(2))} /></label>
                            </div>
                        } } }
                    </fieldset>
                    { result.unwrap_or_default() }
                </section>
            </div>
        </div>
    }
}
