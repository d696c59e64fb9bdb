use super::*;
use crate::iis::sites::by_id;

fn scenario(site: &str, profile: Profile, user: &str, passwords: &[&str]) -> Scenario {
    Scenario {
        site: by_id(site).unwrap(),
        profile,
        user: user.into(),
        passwords: passwords.iter().map(|p| p.to_string()).collect(),
        now: 1_795_761_633,
    }
}

fn kinds(w: &Walkthrough) -> Vec<StepKind> {
    w.steps.iter().map(|s| s.kind).collect()
}

#[test]
fn ie6_three_wrong_passwords_ends_on_the_401_1_page_after_exactly_three_requests_with_credentials()
{
    let w = run(&scenario(
        "basic",
        Profile::Ie6,
        "alice",
        &["a", "b", "c", "never typed"],
    ));
    assert_eq!(w.outcome, Outcome::GaveUp { attempts: 3 });
    use StepKind::*;
    assert_eq!(
        kinds(&w),
        vec![
            Request, Response, Choose, Dialog, Request, Response, Dialog, Request, Response,
            Dialog, Request, Response, Page
        ]
    );
    let with_credentials = w.steps.iter().filter(|s| s.basic.is_some()).count();
    assert_eq!(with_credentials, 3);
    let last = w.steps.last().unwrap();
    assert_eq!(last.status.as_deref(), Some("401.1"));
    assert!(last
        .http
        .as_deref()
        .unwrap()
        .contains("HTTP Error 401.1 - Unauthorized: Access is denied due to invalid credentials."));
    let dialogs: Vec<_> = w
        .steps
        .iter()
        .filter_map(|s| (s.kind == Dialog).then_some(s.attempt))
        .collect();
    assert_eq!(
        dialogs,
        vec![Some((1, Some(3))), Some((2, Some(3))), Some((3, Some(3)))]
    );
}

#[test]
fn right_password_on_the_second_attempt_ends_on_200() {
    let w = run(&scenario(
        "basic",
        Profile::Ie6,
        "alice",
        &["wrong", "Wonderland1"],
    ));
    assert_eq!(w.outcome, Outcome::Authorized("WEB01\\alice".into()));
    let statuses: Vec<_> = w
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Response)
        .map(|s| s.status.clone().unwrap())
        .collect();
    assert_eq!(statuses, vec!["401.2", "401.1", "200"]);
}

#[test]
fn the_request_step_shows_the_decoded_credentials() {
    let w = run(&scenario(
        "basic",
        Profile::Chromium,
        "alice",
        &["Wonderland1"],
    ));
    let b = w.steps.iter().find_map(|s| s.basic.clone()).unwrap();
    assert_eq!(b.text, "alice:Wonderland1");
    assert_eq!(b.header_value, "Basic YWxpY2U6V29uZGVybGFuZDE=");
    assert_eq!(b.charset, "UTF-8");
}

#[test]
fn ie6_encodes_latin1_and_chromium_utf8() {
    let ie = run(&scenario("basic", Profile::Ie6, "alice", &["caf\u{e9}"]));
    assert_eq!(
        ie.steps.iter().find_map(|s| s.basic.clone()).unwrap().hex,
        "61 6c 69 63 65 3a 63 61 66 e9"
    );
    let ch = run(&scenario(
        "basic",
        Profile::Chromium,
        "alice",
        &["caf\u{e9}"],
    ));
    assert!(ch
        .steps
        .iter()
        .find_map(|s| s.basic.clone())
        .unwrap()
        .hex
        .ends_with("66 c3 a9"));
}

#[test]
fn chromium_keeps_asking_until_the_user_cancels() {
    let w = run(&scenario(
        "basic",
        Profile::Chromium,
        "alice",
        &["a", "b", "c", "d"],
    ));
    assert_eq!(w.outcome, Outcome::Cancelled { attempts: 4 });
    assert_eq!(w.steps.iter().filter(|s| s.basic.is_some()).count(), 4);
}

#[test]
fn anonymous_site_needs_no_dialog() {
    let w = run(&scenario("anonymous", Profile::Ie6, "alice", &["x"]));
    assert_eq!(w.outcome, Outcome::Anonymous);
    assert!(w.steps.iter().all(|s| s.kind != StepKind::Dialog));
}

#[test]
fn auth_flags_zero_shows_the_401_2_page_without_a_dialog() {
    let w = run(&scenario("no-auth", Profile::Ie6, "alice", &["x"]));
    assert_eq!(w.outcome, Outcome::NoUsableChallenge);
    assert_eq!(w.steps.last().unwrap().status.as_deref(), Some("401.2"));
}

#[test]
fn dc_unreachable_gives_401_2_for_the_domain_account_every_time() {
    let w = run(&scenario(
        "basic-dc-down",
        Profile::Ie6,
        "CONTOSO\\bob",
        &["Builder2", "Builder2", "Builder2"],
    ));
    assert_eq!(w.outcome, Outcome::GaveUp { attempts: 3 });
    let statuses: Vec<_> = w.steps.iter().filter_map(|s| s.status.clone()).collect();
    assert_eq!(statuses, vec!["401.2", "401.2", "401.2", "401.2", "401.2"]);
}

#[test]
fn integrated_site_makes_ie6_choose_negotiate() {
    let w = run(&scenario("integrated-basic", Profile::Ie6, "alice", &["x"]));
    assert_eq!(w.outcome, Outcome::OtherScheme(Scheme::Negotiate));
}

#[test]
fn a_user_name_with_a_colon_is_refused_by_the_browser() {
    let w = run(&scenario("basic", Profile::Firefox, "a:b", &["x"]));
    assert!(matches!(w.outcome, Outcome::BadCredentials(_)));
}

#[test]
fn every_step_has_a_narration() {
    let w = run(&scenario("basic", Profile::Ie6, "alice", &["a", "b", "c"]));
    assert!(w
        .steps
        .iter()
        .all(|s| !s.narration.is_empty() && !s.title.is_empty()));
}

/// Issue 13, row 10: a right password refused for its logon type is not narrated as a wrong
/// password; the 401.1 follows the Win32 code.
#[test]
fn a_401_1_is_narrated_by_its_win32_code() {
    let mut s = scenario("basic", Profile::Ie6, "alice", &["Wonderland1"]);
    for a in s.site.accounts.iter_mut() {
        a.network_logon = false;
        a.log_on_locally = false;
        a.batch_logon = false;
    }
    let w = run(&s);
    let refused = w
        .steps
        .iter()
        .find(|s| s.status.as_deref() == Some("401.1"))
        .unwrap();
    assert!(refused.narration.contains("1385"), "{}", refused.narration);
    assert!(
        !refused.narration.contains("password is wrong"),
        "{}",
        refused.narration
    );
}
