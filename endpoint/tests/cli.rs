//! `authscope challenge`: the JSON contract and exit statuses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authscope"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `authscope` with `input` on its stdin. `AUTHSCOPE_PASSWORD` is removed so that
/// whatever the caller's environment holds never reaches the run.
fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authscope"))
        .args(args)
        .env_remove("AUTHSCOPE_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The `kind` of each layer of a `decode --json` answer.
fn layer_kinds(v: &Value) -> Vec<&str> {
    v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect()
}

#[test]
fn contract_fields_for_a_chosen_basic_challenge() {
    let o = run(&[
        "challenge",
        "--browser",
        "ie6",
        "Basic realm=\"foo\", charset=\"UTF-8\"",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["browser"], "ie6");
    assert_eq!(v["challenges"][0]["scheme"], "Basic");
    assert_eq!(v["challenges"][0]["token68"], Value::Null);
    assert_eq!(
        v["challenges"][0]["params"],
        serde_json::json!([["realm", "foo"], ["charset", "UTF-8"]])
    );
    assert_eq!(v["challenges"][0]["span"], serde_json::json!([0, 34]));
    assert_eq!(v["chosen"]["index"], 0);
    assert_eq!(v["chosen"]["scheme"], "Basic");
    assert_eq!(v["chosen"]["realm"], "foo");
    assert!(v["warnings"].as_array().unwrap().is_empty());
    assert!(!v["reasons"].as_array().unwrap().is_empty());
}

#[test]
fn separate_arguments_are_separate_fields_and_spans_index_the_newline_join() {
    let o = run(&[
        "challenge",
        "--browser",
        "chromium",
        "Negotiate",
        "NTLM",
        "Basic realm=\"x\"",
    ]);
    let v = json(&o);
    assert_eq!(v["challenges"][2]["span"], serde_json::json!([15, 30]));
    assert_eq!(v["chosen"]["scheme"], "Negotiate");
    assert_eq!(v["fallback"]["scheme"], "NTLM");
}

#[test]
fn warnings_carry_spans() {
    let o = run(&["challenge", "--browser", "firefox", "Basic realm=foo"]);
    let v = json(&o);
    assert_eq!(v["warnings"][0]["span"], serde_json::json!([12, 15]));
    assert_eq!(v["warnings"][0]["level"], "warning");
}

#[test]
fn exit_1_when_nothing_is_usable() {
    let o = run(&[
        "challenge",
        "--browser",
        "chromium",
        "Newauth realm=\"a\", Basic realm=\"b\"",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["chosen"], Value::Null);
    let o = run(&["challenge", "--browser", "rfc", "Basic"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn exit_2_on_bad_usage() {
    assert_eq!(run(&["challenge"]).status.code(), Some(2));
    assert_eq!(
        run(&["challenge", "--browser", "mosaic", "Basic realm=\"x\""])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["challenge", "--browser"]).status.code(), Some(2));
    assert_eq!(
        run(&["challenge", "--frobnicate", "x"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["nonsense"]).status.code(), Some(2));
}

#[test]
fn browser_equals_form_and_all_profiles() {
    let o = run(&["challenge", "--browser=all", "Basic realm=\"corp\"", "NTLM"]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    let picks: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["chosen"]["scheme"].as_str().unwrap())
        .collect();
    assert_eq!(picks, vec!["Basic", "NTLM", "NTLM", "NTLM"]);
}

#[test]
fn dash_reads_a_pasted_response_block_from_stdin() {
    let o = run_with_stdin(
        &["challenge", "--browser", "ie6", "-"],
        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n\r\n",
    );
    let v = json(&o);
    assert_eq!(v["chosen"]["scheme"], "Negotiate");
    assert_eq!(v["challenges"][0]["span"], serde_json::json!([45, 54]));
}

/// MS-NLMP 4.2.4.3's CHALLENGE_MESSAGE, base64.
const SPEC_CHALLENGE_B64: &str = "TlRMTVNTUAACAAAADAAMADgAAAAzgoriASNFZ4mrze8AAAAAAAAAACQAJABEAAAABgBwFwAAAA9TAGUAcgB2AGUAcgACAAwARABvAG0AYQBpAG4AAQAMAFMAZQByAHYAZQByAAAAAAA=";

#[test]
fn decode_json_follows_the_contract() {
    let o = run(&[
        "decode",
        "--json",
        &format!("Authorization: NTLM {SPEC_CHALLENGE_B64}"),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    let kinds = layer_kinds(&v);
    assert_eq!(kinds, ["header", "base64", "ntlmssp"]);
    let fields = v["layers"][2]["fields"].as_array().unwrap();
    let tn = fields.iter().find(|f| f["name"] == "TargetName").unwrap();
    assert_eq!(
        (
            tn["offset"].as_u64(),
            tn["length"].as_u64(),
            tn["value"].as_str()
        ),
        (Some(56), Some(12), Some("Server"))
    );
    assert_eq!(v["error"], Value::Null);
}

#[test]
fn decode_text_lists_fields_with_offsets_and_exits_1_on_errors() {
    let o = run(&["decode", SPEC_CHALLENGE_B64]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("ServerChallenge [24..32] 0123456789abcdef"),
        "{out}"
    );
    let o = run(&["decode", "NTLM TlRMTVNTUAADAAAA"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .contains("error (layer 2, byte 12)"));
}

#[test]
fn decode_lines_reads_one_token_per_line_from_stdin() {
    let input = format!("{SPEC_CHALLENGE_B64}\n\nNTLM {SPEC_CHALLENGE_B64}\n");
    let o = run_with_stdin(&["decode", "--json", "--lines"], input.as_bytes());
    assert_eq!(json(&o).as_array().unwrap().len(), 2);
}

#[test]
fn ntlm_verify_checks_a_pyspnego_exchange_with_the_password_from_stdin() {
    let f: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/ntlm/pyspnego-ntlmv2.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let args = [
        "ntlm",
        "verify",
        "--negotiate",
        f["negotiate"].as_str().unwrap(),
        "--json",
        f["challenge"].as_str().unwrap(),
        f["authenticate"].as_str().unwrap(),
    ];
    for (password, code) in [("Wonderland1\n", 0), ("nope\n", 1)] {
        let o = run_with_stdin(&args, password.as_bytes());
        assert_eq!(o.status.code(), Some(code), "{password}");
        let v = json(&o);
        assert_eq!(v["response_matches"], code == 0);
        if code == 0 {
            assert_eq!(v["mic_matches"], true);
            assert_eq!(v["exported_session_key"], f["session_key"]);
        }
    }
    // A password as an argument is refused.
    assert_eq!(
        run(&["ntlm", "verify", "--password", "x", "a", "b"])
            .status
            .code(),
        Some(2)
    );
}

fn kerberos_fixture(name: &str) -> String {
    format!(
        "{}/../tests/fixtures/kerberos/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn decode_negotiate_decrypts_with_a_keytab_and_reports_each_part() {
    let token = std::fs::read_to_string(kerberos_fixture("mit-curl-negotiate.txt")).unwrap();
    let keytab = kerberos_fixture("mit-http.keytab");
    let o = run(&["decode", "--json", "--keytab", &keytab, token.trim()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    let kinds = layer_kinds(&v);
    assert_eq!(
        kinds,
        [
            "header",
            "base64",
            "gss",
            "spnego",
            "kerberos",
            "decrypted",
            "decrypted"
        ]
    );
    let parts = v["decryption"].as_array().unwrap();
    assert_eq!(parts[0]["part"], "EncTicketPart");
    assert_eq!(parts[0]["key_usage"], 2);
    assert!(parts[0]["opened_with"].as_str().unwrap().contains("keytab"));
    assert_eq!(parts[1]["part"], "Authenticator");
    // Without keys: no decryption section at all.
    let o = run(&["decode", "--json", token.trim()]);
    assert!(json(&o).get("decryption").is_none());
}

#[test]
fn decode_takes_a_password_from_the_environment_only() {
    let o = run(&[
        "decode",
        "--password",
        "x",
        "Negotiate oRUwE6ADCgEDoQwGCisGAQQBgjcCAgo=",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("AUTHSCOPE_PASSWORD"));
    // The AS-REP of the recorded exchange opens with bob's password, salt from ETYPE-INFO2.
    let lines = std::fs::read_to_string(kerberos_fixture("mit-kdc-exchange.txt")).unwrap();
    let as_rep = lines.lines().nth(1).unwrap().trim_start_matches("< ");
    let o = Command::new(env!("CARGO_BIN_EXE_authscope"))
        .args(["decode", as_rep])
        .env("AUTHSCOPE_PASSWORD", "Builder2")
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("decrypted EncASRepPart"), "{out}");
    assert!(
        out.contains("with the password with salt \"CONTOSO.TESTbob\""),
        "{out}"
    );
    assert!(!out.contains("Builder2"), "the password is never printed");
    // The ticket inside needs krbtgt's key, which nobody gave.
    assert!(out.contains("not decrypted: EncTicketPart"), "{out}");
}

/// Issue 13, rows 1 to 4: `--url`, `--os` and the policy options answer what each browser does
/// with IIS's `Negotiate, NTLM`.
#[test]
fn challenge_with_a_url_says_what_the_browser_does_with_integrated_auth() {
    let ask = |extra: &[&str]| {
        let mut args = vec!["challenge"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["Negotiate", "NTLM"]);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{extra:?}");
        json(&o)["integrated"].clone()
    };
    // Row 1: Firefox without trusted-uris skips Negotiate and answers NTLM after a prompt.
    let ff = ask(&["--browser", "firefox", "--url", "http://web01.contoso.com/"]);
    assert_eq!(ff["skipped"], serde_json::json!(["Negotiate"]));
    assert_eq!(ff["scheme"], "NTLM");
    assert_eq!(ff["credentials"], "prompt");
    let ff = ask(&[
        "--browser",
        "firefox",
        "--url",
        "http://web01.contoso.com/",
        "--negotiate-trusted-uris",
        "contoso.com",
    ]);
    assert_eq!(ff["scheme"], "Negotiate");
    assert_eq!(ff["credentials"], "silent");
    // Row 2: Chromium on Linux needs AuthServerAllowlist; its NTLM always prompts.
    let cr = ask(&[
        "--browser",
        "chromium",
        "--os",
        "linux",
        "--url",
        "http://web01/",
    ]);
    assert_eq!(
        (cr["scheme"].as_str(), cr["credentials"].as_str()),
        (Some("NTLM"), Some("prompt"))
    );
    let cr = ask(&[
        "--browser",
        "chromium",
        "--url",
        "http://web01/",
        "--auth-server-allowlist",
        "web01",
    ]);
    assert_eq!(
        (cr["scheme"].as_str(), cr["mechanism"].as_str()),
        (Some("Negotiate"), Some("kerberos"))
    );
    // Row 3: IE 6 is silent for a NetBIOS name (Local intranet) and prompts for a dotted one.
    let ie = ask(&["--browser", "ie6", "--url", "http://web01/"]);
    assert_eq!(
        (ie["credentials"].as_str(), ie["zone"].as_str()),
        (Some("silent"), Some("intranet"))
    );
    let ie = ask(&["--browser", "ie6", "--url", "http://web01.contoso.com/"]);
    assert_eq!(
        (ie["credentials"].as_str(), ie["zone"].as_str()),
        (Some("prompt"), Some("internet"))
    );
    // Row 4: IE gives up after three dialogs; the others ask until Cancel; all keep the connection.
    assert_eq!(ie["prompt_limit"], 3);
    assert_eq!(ff["prompt_limit"], Value::Null);
    assert_eq!(ie["same_connection"], true);
    // Every rule names its source.
    for r in ie["rules"].as_array().unwrap() {
        assert!(!r["source"].as_str().unwrap().is_empty());
    }
    // Without --url the contract is unchanged.
    let o = run(&["challenge", "Negotiate", "NTLM"]);
    assert!(json(&o).get("integrated").is_none());
}

/// A whole MIT exchange (kinit, kvno, curl) in camellia256-cts-cmac, piped in one message per
/// line with the direction markers the recorder writes, opened with the password and both
/// keytabs: every part, each with the key that opened it.
#[test]
fn decode_opens_a_recorded_exchange_in_any_etype_with_keytabs_and_the_password() {
    let dir = kerberos_fixture("mit-etypes/camellia256-cts-cmac");
    let mut input = std::fs::read_to_string(format!("{dir}/exchange.txt")).unwrap();
    input.push_str(&std::fs::read_to_string(format!("{dir}/negotiate.txt")).unwrap());
    let mut child = Command::new(env!("CARGO_BIN_EXE_authscope"))
        .args([
            "decode",
            "--json",
            "--keytab",
            &format!("{dir}/http.keytab"),
            "--keytab",
            &format!("{dir}/krbtgt.keytab"),
        ])
        .env("AUTHSCOPE_PASSWORD", "Builder2")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let v = json(&o);
    let messages = v.as_array().unwrap();
    assert_eq!(messages.len(), 11);
    let parts: Vec<&Value> = messages
        .iter()
        .filter_map(|m| m["decryption"].as_array())
        .flatten()
        .collect();
    // Two AS-REQs with preauth, two AS-REPs (TGT, enc-part), the TGS-REQ (TGT, authenticator,
    // FAST request), the TGS-REP (ticket, FAST reply, enc-part), the AP-REQ (ticket, authenticator).
    assert_eq!(parts.len(), 14);
    for p in &parts {
        assert!(p["opened_with"].is_string(), "{p}");
        assert_eq!(p["etype"], 26);
    }
    // The password's string-to-key is shown step by step (RFC 6803: saltp, PBKDF2, KDF).
    let s2k = parts.iter().find(|p| p["part"] == "EncASRepPart").unwrap()["string_to_key"]
        .as_array()
        .unwrap();
    assert!(s2k
        .iter()
        .any(|s| s[0].as_str().unwrap().starts_with("saltp")));
    assert!(s2k
        .iter()
        .any(|s| s[0].as_str().unwrap().contains("KDF-FEEDBACK-CMAC")));
}

/// `decode FILE` reads a credential cache; `--ccache` offers its session keys.
#[test]
fn decode_reads_a_ccache_file_and_its_keys_open_the_tgs_exchange() {
    let dir = kerberos_fixture("mit-etypes/des3-cbc-sha1");
    let o = run(&["decode", &format!("{dir}/ccache")]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("MIT credential cache (version 4)"));
    assert!(text.contains("ticket for HTTP/localhost@CONTOSO.TEST"));
    assert!(text.contains("des3-cbc-sha1-kd (16)"));
    let ex = std::fs::read_to_string(format!("{dir}/exchange.txt")).unwrap();
    let tgs: String = ex.lines().skip(4).take(2).collect::<Vec<_>>().join("\n");
    let o = run_with_stdin(
        &["decode", "--ccache", &format!("{dir}/ccache")],
        tgs.as_bytes(),
    );
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("decrypted EncTGSRepPart (layer 2, byte")
            && text.contains("with the FAST reply key"),
        "{text}"
    );
    let o = run(&["decode", &format!("{dir}/http.keytab")]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("HTTP/localhost@CONTOSO.TEST kvno 2"),
        "{text}"
    );
}
