//! `authscope decode`: layers and field trees of pasted tokens, as text or as the JSON contract.
//! Kerberos parts are decrypted when keys are given: `--keytab FILE`, `--key ETYPE:HEX`, or a
//! password in `$AUTHSCOPE_PASSWORD` (never an argument: it would land in shell history and
//! process lists) with `--salt` when the default salt is not the right one.

use crate::{print_json, usage_error};
use proto::field::{Field, Value};
use std::io::Read;
use std::process::ExitCode;

pub fn main(args: &[String]) -> ExitCode {
    let mut json = false;
    let mut lines = false;
    let mut input: Option<String> = None;
    let mut keys = proto::kerberos::decrypt::Keys {
        password: std::env::var("AUTHSCOPE_PASSWORD").ok(),
        ..Default::default()
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |what: &str| -> Result<String, ExitCode> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| usage_error(&format!("{name} needs {what}")))
        };
        match name {
            "--keytab" => {
                let file = match value("a keytab file") {
                    Ok(f) => f,
                    Err(e) => return e,
                };
                let bytes = match std::fs::read(&file) {
                    Ok(b) => b,
                    Err(e) => return usage_error(&format!("--keytab {file}: {e}")),
                };
                match proto::kerberos::keytab::parse(&bytes) {
                    Ok(k) => keys.keytab.extend(k),
                    Err(e) => return usage_error(&format!("--keytab {file}: {e}")),
                }
                continue;
            }
            "--key" => {
                let v = match value("ETYPE:HEX") {
                    Ok(v) => v,
                    Err(e) => return e,
                };
                let parsed = v.split_once(':').and_then(|(e, h)| {
                    let etype = e.parse::<i32>().ok()?;
                    let bytes = (0..h.len())
                        .step_by(2)
                        .map(|i| h.get(i..i + 2).and_then(|x| u8::from_str_radix(x, 16).ok()))
                        .collect::<Option<Vec<u8>>>()?;
                    Some(proto::kerberos::crypto::Key { etype, bytes })
                });
                match parsed {
                    Some(k) => keys.raw.push(k),
                    None => return usage_error("--key takes ETYPE:HEX, e.g. 18:00112233…"),
                }
                continue;
            }
            "--salt" => {
                match value("a salt") {
                    Ok(v) => keys.salt = Some(v),
                    Err(e) => return e,
                }
                continue;
            }
            "--password" => {
                return usage_error("pass the password in $AUTHSCOPE_PASSWORD, not as an argument")
            }
            _ => {}
        }
        match a.as_str() {
            "--json" => json = true,
            "--lines" => lines = true,
            "-" => input = None,
            s if s.starts_with('-') => return usage_error(&format!("unknown option {s:?}")),
            s => {
                if input.is_some() {
                    return usage_error(
                        "give one INPUT (quote it), or none to read standard input",
                    );
                }
                input = Some(s.to_string());
            }
        }
    }
    let text = match input {
        Some(t) => t,
        None => {
            let mut s = String::new();
            if std::io::stdin().read_to_string(&mut s).is_err() {
                return usage_error("standard input is not UTF-8 text");
            }
            s
        }
    };
    let inputs: Vec<&str> = if lines {
        text.lines().filter(|l| !l.trim().is_empty()).collect()
    } else {
        vec![text.as_str()]
    };
    if inputs.is_empty() {
        return usage_error("nothing to decode");
    }
    let with_keys = keys.password.is_some() || !keys.keytab.is_empty() || !keys.raw.is_empty();
    let decoded: Vec<proto::decode::Decoded> = inputs
        .iter()
        .map(|i| {
            let mut d = proto::decode::decode(i);
            if with_keys {
                d.decrypt(&keys);
            }
            d
        })
        .collect();
    let ok = decoded.iter().all(|d| d.error.is_none());
    if json {
        let printed = if lines {
            print_json(
                &decoded
                    .iter()
                    .map(proto::decode::Decoded::to_json)
                    .collect::<Vec<_>>(),
            )
        } else {
            match decoded.first() {
                Some(d) => print_json(&d.to_json()),
                None => return usage_error("nothing to decode"),
            }
        };
        if let Err(code) = printed {
            return code;
        }
    } else {
        for (i, d) in decoded.iter().enumerate() {
            if lines {
                println!("# token {}", i + 1);
            }
            print!("{}", render(d));
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn render(d: &proto::decode::Decoded) -> String {
    let mut s = String::new();
    for (i, l) in d.layers.iter().enumerate() {
        s.push_str(&format!(
            "── layer {i}: {} ({}, {} bytes)\n",
            l.label,
            l.kind,
            l.bytes.len()
        ));
        for f in &l.fields {
            tree(&mut s, f, 1);
        }
    }
    for w in &d.warnings {
        s.push_str(&format!(
            "warning (layer {}, byte {}): {}\n",
            w.layer, w.offset, w.message
        ));
    }
    for x in &d.decryption {
        match (&x.opened_with, &x.failure) {
            (Some(how), _) => {
                s.push_str(&format!(
                    "decrypted {} (layer {}, byte {}, key usage {}) with {how}: layer {}\n",
                    x.part,
                    x.layer,
                    x.offset,
                    x.key_usage,
                    x.plaintext_layer.unwrap_or(0)
                ));
                for (step, value) in &x.string_to_key {
                    s.push_str(&format!("  string-to-key: {step}: {value}\n"));
                }
            }
            (None, Some(why)) => s.push_str(&format!(
                "not decrypted: {} (layer {}, byte {}, needs the key of {}): {why}\n",
                x.part, x.layer, x.offset, x.key_of
            )),
            _ => {}
        }
    }
    if let Some(e) = &d.error {
        s.push_str(&format!(
            "error (layer {}, byte {}): {}\n",
            e.layer, e.offset, e.message
        ));
    }
    s
}

fn tree(s: &mut String, f: &Field, depth: usize) {
    // Flag bits that are not set would drown the set ones: text output lists the set bits only.
    if f.value == Value::Bool(false) {
        return;
    }
    let value = match &f.value {
        Value::Bool(true) => "set".to_string(),
        v => v.display(),
    };
    let mut line = format!(
        "{}{} [{}..{}]",
        "  ".repeat(depth),
        f.name,
        f.span.start(),
        f.span.end()
    );
    if !value.is_empty() {
        line.push_str(&format!(" {value}"));
    }
    s.push_str(&line);
    s.push('\n');
    for c in &f.children {
        tree(s, c, depth + 1);
    }
}
