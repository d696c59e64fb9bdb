//! `authscope decode`: layers and field trees of pasted tokens, as text or as the JSON contract.

use crate::usage_error;
use proto::field::{Field, Value};
use std::io::Read;
use std::process::ExitCode;

pub fn main(args: &[String]) -> ExitCode {
    let mut json = false;
    let mut lines = false;
    let mut input: Option<String> = None;
    for a in args {
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
    let decoded: Vec<proto::decode::Decoded> =
        inputs.iter().map(|i| proto::decode::decode(i)).collect();
    let ok = decoded.iter().all(|d| d.error.is_none());
    if json {
        let out = if lines {
            serde_json::to_string_pretty(
                &decoded
                    .iter()
                    .map(proto::decode::Decoded::to_json)
                    .collect::<Vec<_>>(),
            )
        } else {
            match decoded.first() {
                Some(d) => serde_json::to_string_pretty(&d.to_json()),
                None => return usage_error("nothing to decode"),
            }
        };
        match out {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("authscope: {e}");
                return ExitCode::from(2);
            }
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
