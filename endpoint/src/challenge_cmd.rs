//! `authscope challenge`: the JSON contract of issue 2 (see README).

use crate::{print_json, usage_error};
use proto::http::{self, Profile, Source};
use std::io::Read;
use std::process::ExitCode;

/// `all`, or one profile id.
fn parse_profiles(p: &str) -> Option<Vec<Profile>> {
    if p == "all" {
        Some(Profile::ALL.to_vec())
    } else {
        Profile::from_id(p).map(|p| vec![p])
    }
}

pub fn main(args: &[String]) -> ExitCode {
    let mut profiles = vec![Profile::Chromium];
    let mut all = false;
    let mut values: Vec<String> = Vec::new();
    let mut paste: Option<String> = None;
    // `--browser=X` is `--browser X`.
    let args: Vec<String> = args
        .iter()
        .flat_map(|a| match a.strip_prefix("--browser=") {
            Some(v) => vec!["--browser".to_string(), v.to_string()],
            None => vec![a.clone()],
        })
        .collect();
    let mut it = args.iter();
    let mut only_values = false;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--" if !only_values => only_values = true,
            "--browser" | "-b" if !only_values => {
                let Some(p) = it.next() else {
                    return usage_error("--browser needs a profile");
                };
                match parse_profiles(p) {
                    Some(ps) => profiles = ps,
                    None => {
                        return usage_error(&format!(
                            "unknown browser profile {p:?} (ie6, chromium, firefox, rfc, all)"
                        ))
                    }
                }
                all = p == "all";
            }
            "-" if !only_values => {
                let mut s = String::new();
                if std::io::stdin().read_to_string(&mut s).is_err() {
                    return usage_error("standard input is not UTF-8 text");
                }
                paste = Some(s);
            }
            s if !only_values && s.starts_with('-') && s.len() > 1 => {
                return usage_error(&format!("unknown option {s:?}"));
            }
            _ => values.push(a.clone()),
        }
    }
    let source = match (paste, values.is_empty()) {
        (Some(p), true) => Source::from_paste(&p),
        (Some(_), false) => {
            return usage_error(
                "give header values as arguments or `-` for standard input, not both",
            )
        }
        (None, true) => return usage_error("no header value given"),
        (None, false) => Source::from_values(&values),
    };
    let reports: Vec<http::Report> = profiles.iter().map(|p| http::report(&source, *p)).collect();
    let any = reports.iter().any(|r| r.chosen.is_some());
    let printed = if all {
        print_json(&reports)
    } else {
        match reports.first() {
            Some(r) => print_json(r),
            None => return usage_error("no profile"),
        }
    };
    if let Err(code) = printed {
        return code;
    }
    if any {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
