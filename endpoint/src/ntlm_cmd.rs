//! `authscope ntlm verify`: check a captured AUTHENTICATE against a password, printing every
//! derived value. The password comes from $AUTHSCOPE_PASSWORD or standard input, never from an
//! argument (arguments end up in shell history and process lists).

use crate::{print_json, usage_error};
use std::io::BufRead;
use std::process::ExitCode;

pub fn main(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("verify") => verify(args.get(1..).unwrap_or(&[])),
        _ => usage_error("authscope ntlm verify [--json] [--user U] [--domain D] [--negotiate TOKEN] CHALLENGE AUTHENTICATE"),
    }
}

fn verify(args: &[String]) -> ExitCode {
    let mut json = false;
    let (mut user, mut domain, mut negotiate) = (None, None, None);
    let mut tokens = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        let r = match a.as_str() {
            "--json" => {
                json = true;
                Ok(())
            }
            "--user" => value("--user").map(|v| user = Some(v)),
            "--domain" => value("--domain").map(|v| domain = Some(v)),
            "--negotiate" => value("--negotiate").map(|v| negotiate = Some(v)),
            "--password" => Err(
                "pass the password in $AUTHSCOPE_PASSWORD or on standard input, not as an argument"
                    .into(),
            ),
            s if s.starts_with('-') => Err(format!("unknown option {s:?}")),
            s => {
                tokens.push(s.to_string());
                Ok(())
            }
        };
        if let Err(e) = r {
            return usage_error(&e);
        }
    }
    let [challenge, authenticate] = tokens.as_slice() else {
        return usage_error(
            "give the CHALLENGE and the AUTHENTICATE (header lines, NTLM <base64>, base64 or hex)",
        );
    };
    let password = match std::env::var("AUTHSCOPE_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line).is_err() {
                return usage_error("could not read the password from standard input");
            }
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let bytes = |what: &str, t: &str| {
        proto::decode::ntlm_bytes(t).ok_or(format!("the {what} is not an NTLM message"))
    };
    let (c, a) = match (
        bytes("CHALLENGE", challenge),
        bytes("AUTHENTICATE", authenticate),
    ) {
        (Ok(c), Ok(a)) => (c, a),
        (Err(e), _) | (_, Err(e)) => return usage_error(&e),
    };
    let n = match negotiate
        .as_deref()
        .map(|t| bytes("NEGOTIATE", t))
        .transpose()
    {
        Ok(n) => n,
        Err(e) => return usage_error(&e),
    };
    let v = match proto::ntlm::verify::verify(
        &password,
        user.as_deref(),
        domain.as_deref(),
        n.as_deref(),
        &c,
        &a,
    ) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("authscope: {e}");
            return ExitCode::from(1);
        }
    };
    if json {
        if let Err(code) = print_json(&v) {
            return code;
        }
    } else {
        println!("{} response of {}\\{}", v.kind.name(), v.domain, v.user);
        for s in &v.steps {
            println!("  {:<20} {}\n  {:<20} = {}", s.name, s.formula, "", s.value);
        }
        println!(
            "response: {}",
            if v.response_matches {
                "matches"
            } else {
                "does not match"
            }
        );
        println!(
            "MIC: {}",
            match v.mic_matches {
                Some(true) => "matches",
                Some(false) => "does not match",
                None => "not checked",
            }
        );
        for n in &v.notes {
            println!("note: {n}");
        }
    }
    if v.response_matches && v.mic_matches != Some(false) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
