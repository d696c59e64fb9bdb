//! The lab's browser visits (`proto::drive::visit`): every scenario ends as the guide says in each
//! browser, and the browsers' own behaviour (attempt counts, silent logon, dialogs, connections)
//! shows in the legs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proto::drive::visit::{final_status, visit, visit_in, Env, Leg, Via, Visit};
use proto::http::integrated::Os;
use proto::http::Profile;
use proto::iis::host::Host;
use proto::iis::scenarios::{self, Client};
use proto::seq::StepKind;

const NOW: i64 = 1_795_761_633;
const BROWSERS: [Profile; 3] = [Profile::Ie6, Profile::Chromium, Profile::Firefox];

fn run(id: &str, profile: Profile) -> Visit {
    let s = scenarios::by_id(id).unwrap();
    visit(
        &mut Host::new(s.site.clone()),
        s.path,
        &s.client,
        Via::Browser(profile),
        NOW,
    )
}

fn authorizations(v: &Visit) -> Vec<String> {
    v.exchanges()
        .map(|x| {
            x.request
                .header("Authorization")
                .map(|a| a.split(' ').next().unwrap_or("").to_string())
                .unwrap_or_else(|| "-".into())
        })
        .collect()
}

fn count(v: &Visit, kind: StepKind) -> usize {
    v.legs
        .iter()
        .filter(|l| matches!(l, Leg::Browser { kind: k, .. } if *k == kind))
        .count()
}

#[test]
fn every_scenario_ends_as_the_guide_says_in_every_browser() {
    let mut failures = Vec::new();
    for s in scenarios::all() {
        for p in BROWSERS {
            let v = run(&s.site.id, p);
            if final_status(&v) != s.expect {
                failures.push(format!(
                    "{} in {}: {} (expected {}); requests {:?}",
                    s.site.id,
                    p.name(),
                    final_status(&v),
                    s.expect,
                    authorizations(&v)
                ));
            }
            // Every visit ends with the page the browser shows.
            assert!(
                matches!(
                    v.legs.last(),
                    Some(Leg::Browser {
                        kind: StepKind::Page,
                        ..
                    })
                ),
                "{} in {}",
                s.site.id,
                p.name()
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn internet_explorer_stops_after_three_basic_attempts_and_iis_does_not_count() {
    let v = run("basic-wrong-password", Profile::Ie6);
    assert_eq!(authorizations(&v), ["-", "Basic", "Basic", "Basic"]);
    assert_eq!(count(&v, StepKind::Dialog), 3);
    // Each Basic answer is 401.1 on its own: IIS keeps no count.
    let statuses: Vec<String> = v.exchanges().map(|x| x.response.status_text()).collect();
    assert_eq!(statuses, ["401.2", "401.1", "401.1", "401.1"]);
}

#[test]
fn chromium_asks_until_the_user_cancels() {
    let v = run("basic-wrong-password", Profile::Chromium);
    assert_eq!(authorizations(&v), ["-", "Basic", "Basic", "Basic"]);
    // The fourth dialog is the one the user cancels.
    assert_eq!(count(&v, StepKind::Dialog), 4);
}

#[test]
fn the_right_password_in_the_dialog_logs_on_after_the_anonymous_401() {
    let s = scenarios::by_id("basic-wrong-password").unwrap();
    let client = Client::Basic {
        user: "alice".into(),
        password: "Wonderland1".into(),
    };
    let v = visit(
        &mut Host::new(s.site.clone()),
        "/",
        &client,
        Via::Browser(Profile::Ie6),
        NOW,
    );
    assert_eq!(authorizations(&v), ["-", "Basic"]);
    assert_eq!(final_status(&v), "200");
    assert_eq!(v.last().unwrap().user.as_deref(), Some("WEB01\\alice"));
}

#[test]
fn integrated_logs_on_silently_in_internet_explorer_and_asks_in_firefox() {
    let ie = run("ntlm-persist-single-request", Profile::Ie6);
    assert_eq!(authorizations(&ie), ["-", "Negotiate", "Negotiate"]);
    assert_eq!(final_status(&ie), "200");
    assert!(ie
        .legs
        .iter()
        .any(|l| matches!(l, Leg::Browser { label, .. } if label.contains("silent"))));
    // The NTLM legs share one connection.
    let conns: Vec<u64> = ie.exchanges().map(|x| x.request.connection).collect();
    assert_eq!(conns[1], conns[2]);
    let ff = run("ntlm-persist-single-request", Profile::Firefox);
    assert_eq!(final_status(&ff), "200");
    assert!(ff.legs.iter().any(
        |l| matches!(l, Leg::Browser { kind: StepKind::Dialog, label, .. } if label.contains("attempt 1"))
    ));
}

#[test]
fn keep_alives_off_gives_401_2_until_the_browser_fails_the_sequence() {
    let v = run("ntlm-keep-alive-off", Profile::Ie6);
    let statuses: Vec<String> = v.exchanges().map(|x| x.response.status_text()).collect();
    // Anonymous, then the silent handshake and three after dialogs (KB 871179), each of
    // NEGOTIATE (challenge leg) and AUTHENTICATE (401.2).
    assert_eq!(statuses.len(), 9);
    assert_eq!(statuses.iter().filter(|s| *s == "401.2").count(), 5);
    assert_eq!(count(&v, StepKind::Dialog), 4);
    // Every request went on a new connection.
    let conns: Vec<u64> = v.exchanges().map(|x| x.request.connection).collect();
    assert_eq!(conns, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

#[test]
fn a_pooling_proxy_breaks_ntlm_although_the_browser_keeps_its_connection() {
    let v = run("ntlm-proxy", Profile::Ie6);
    assert_eq!(final_status(&v), "401.2");
    let x: Vec<_> = v.exchanges().collect();
    // The browser used one connection throughout…
    assert!(x.iter().all(|x| x.request.connection == 1));
    // …and IIS saw a new one for every request.
    assert!(x[2]
        .response
        .trace
        .iter()
        .any(|t| t.contains("pools connections")));
    assert!(x[2].response.headers.iter().any(|(n, _)| n == "Via"));
    // The same site without the proxy works.
    let mut s = scenarios::by_id("ntlm-proxy").unwrap();
    s.site.network = proto::iis::Network::Direct;
    let v = visit(
        &mut Host::new(s.site.clone()),
        "/",
        &s.client,
        Via::Browser(Profile::Ie6),
        NOW,
    );
    assert_eq!(final_status(&v), "200");
}

#[test]
fn no_usable_challenge_shows_the_page_at_once() {
    let v = run("authflags-zero", Profile::Chromium);
    assert_eq!(authorizations(&v), ["-"]);
    assert_eq!(final_status(&v), "401.2");
    assert_eq!(count(&v, StepKind::Dialog), 0);
}

#[test]
fn direct_visits_are_the_scenario_requests() {
    let s = scenarios::by_id("basic-wrong-password").unwrap();
    let v = visit(
        &mut Host::new(s.site.clone()),
        s.path,
        &s.client,
        Via::Direct,
        NOW,
    );
    assert_eq!(authorizations(&v), ["Basic"]);
    assert_eq!(v.steps().len(), 2);
}

fn run_in(id: &str, profile: Profile, env: &Env) -> Visit {
    let s = scenarios::by_id(id).unwrap();
    visit_in(
        &mut Host::new(s.site.clone()),
        s.path,
        &s.client,
        Via::Browser(profile),
        env,
        NOW,
    )
}

fn dialogs(v: &Visit) -> Vec<String> {
    v.legs
        .iter()
        .filter_map(|l| match l {
            Leg::Browser {
                kind: StepKind::Dialog,
                label,
                ..
            } => Some(label.clone()),
            _ => None,
        })
        .collect()
}

// Issue 13, rows 1 and 2: Firefox and Chromium on Linux skip Negotiate (no trusted-uris, no
// AuthServerAllowlist) and answer NTLM after a dialog, never silently.
#[test]
fn firefox_and_chromium_on_linux_answer_ntlm_after_a_dialog() {
    for p in [Profile::Firefox, Profile::Chromium] {
        let v = run("ntlm-persist-single-request", p);
        assert_eq!(authorizations(&v), ["-", "NTLM", "NTLM"], "{}", p.name());
        assert_eq!(
            dialogs(&v),
            ["credential dialog, attempt 1"],
            "{}",
            p.name()
        );
        assert_eq!(final_status(&v), "200");
    }
    // Firefox trusting the host for Negotiate: silent, in the Negotiate header (Windows SSPI).
    let mut env = Env::defaults(Profile::Firefox);
    env.os = Os::Windows;
    env.policy.negotiate_trusted_uris = vec!["web01".into()];
    let v = run_in("ntlm-persist-single-request", Profile::Firefox, &env);
    assert_eq!(authorizations(&v), ["-", "Negotiate", "Negotiate"]);
    assert_eq!(dialogs(&v), ["silent logon with the Windows identity"]);
}

// Row 3: by its fully qualified name the site is in the Internet zone: IE 6 asks.
#[test]
fn internet_explorer_asks_for_a_dotted_name_and_is_silent_for_a_netbios_name() {
    let v = run("ntlm-persist-single-request", Profile::Ie6);
    assert_eq!(dialogs(&v), ["silent logon with the Windows identity"]);
    let env = Env {
        by_fqdn: true,
        ..Env::defaults(Profile::Ie6)
    };
    let v = run_in("ntlm-persist-single-request", Profile::Ie6, &env);
    assert_eq!(dialogs(&v), ["credential dialog, attempt 1"]);
    assert_eq!(
        v.exchanges().next().unwrap().request.header("Host"),
        Some("web01.contoso.com")
    );
}

// Row 4: the handshake stays on the connection of the anonymous 401; IE asks three times after
// a failed logon, Chromium until the user cancels.
#[test]
fn the_handshake_reuses_the_connection_and_the_browsers_count_their_own_dialogs() {
    let v = run("ntlm-persist-single-request", Profile::Chromium);
    assert!(v.exchanges().all(|x| x.request.connection == 1));
    let mut s = scenarios::by_id("ntlm-persist-single-request").unwrap();
    s.client = Client::Ntlm {
        user: "bob".into(),
        domain: "CONTOSO".into(),
        password: "wrong".into(),
    };
    let go = |p| {
        visit(
            &mut Host::new(s.site.clone()),
            s.path,
            &s.client,
            Via::Browser(p),
            NOW,
        )
    };
    let ie = go(Profile::Ie6);
    assert_eq!(dialogs(&ie).len(), 4, "silent, then three dialogs");
    assert_eq!(final_status(&ie), "401.1");
    let cr = go(Profile::Chromium);
    // Three tries, then the fourth dialog is cancelled.
    assert_eq!(dialogs(&cr).len(), 4);
    assert_eq!(authorizations(&cr).len(), 7);
}

/// The W3C log's `sc-status sc-substatus sc-win32-status` of every response of a visit.
fn log_codes(v: &Visit) -> Vec<String> {
    v.exchanges()
        .map(|x| {
            let l = &x.response.log;
            format!("{} {} {}", l.status, l.substatus, l.win32_status)
        })
        .collect()
}

// Issue 13, row 14: the isolation assistant's checks say what the engine's log really shows.
#[test]
fn the_assistants_checks_match_the_log() {
    use proto::iis::isolate::{causes, Answers, Credentials};
    use proto::iis::AuthFlags;
    let check = |status: &str, flags: u32, scenario: &str| {
        causes(&Answers {
            status: status.into(),
            flags: AuthFlags(flags),
            credentials: Credentials::Unknown,
        })
        .into_iter()
        .find(|c| c.scenario == scenario)
        .unwrap()
        .check
    };
    let keep_alive = check("401.2", AuthFlags::NTLM, "ntlm-keep-alive-off");
    for code in log_codes(&run("ntlm-keep-alive-off", Profile::Ie6)) {
        assert!(keep_alive.contains(&code), "{code} is not in: {keep_alive}");
    }
    let fell = check(
        "401.2",
        AuthFlags::ANONYMOUS | AuthFlags::NTLM,
        "anon-fails-falls-through",
    );
    let v = run("anon-fails-falls-through", Profile::Ie6);
    let first = log_codes(&v).into_iter().next().unwrap();
    assert_eq!(first, "401 2 5");
    assert!(fell.contains(&first));
    // The IUSR failure is in the Security log once failures are audited.
    let mut s = scenarios::by_id("anon-fails-falls-through").unwrap();
    s.site.audit.failure = true;
    let v = visit(
        &mut Host::new(s.site.clone()),
        s.path,
        &Client::Anonymous,
        Via::Direct,
        NOW,
    );
    let events = &v.exchanges().next().unwrap().response.events;
    assert!(
        events.iter().any(|e| fell.contains(&e.id.to_string())),
        "{events:?}"
    );
}
