//! `authscope decode`: layers and field trees of pasted tokens, as text or as the JSON contract.
//! Kerberos parts are decrypted when keys are given: `--keytab FILE`, `--key ETYPE:HEX`, or a
//! password in `$AUTHSCOPE_PASSWORD` (never an argument: it would land in shell history and
//! process lists) with `--salt` when the default salt is not the right one.

use crate::cli::{print_json, usage_error};
use proto::field::{Field, Value};
use std::io::Read;
use std::process::ExitCode;

/// `authscope decode` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Encrypted Kerberos parts are opened with a keytab, a key, or the password in $AUTHSCOPE_PASSWORD \
(never an argument). Exit status: 0 decoded, 1 decoding stopped at an error, 2 bad usage. An \
NTLM AUTHENTICATE message can be cracked offline to recover the password: do not share it.")]
pub struct Args {
    /// Print the JSON contract instead of text.
    #[arg(long)]
    json: bool,
    /// One token per line (of INPUT or standard input).
    #[arg(long)]
    lines: bool,
    /// A keytab whose keys open Kerberos tickets, or a credential cache or .kirbi (KRB-CRED)
    /// whose session keys open what follows their tickets (repeatable).
    #[arg(long = "keytab", visible_alias = "ccache", value_name = "FILE")]
    keytabs: Vec<std::path::PathBuf>,
    /// A key, as its encryption type and hex bytes, e.g. 18:00112233… (repeatable).
    #[arg(long = "key", value_name = "ETYPE:HEX", value_parser = parse_key)]
    keys: Vec<proto::kerberos::crypto::Key>,
    /// The salt for $AUTHSCOPE_PASSWORD when the default one (realm + name) is not right.
    #[arg(long, value_name = "S")]
    salt: Option<String>,
    /// A header line, `NTLM <base64>`, `Negotiate <base64>`, a Kerberos message, bare base64
    /// or hex, several messages one per line; or a file: an MIT credential cache, a keytab, a
    /// .kirbi, a saved message. `-` or nothing reads standard input. Put `--` before a token
    /// that starts with `-`.
    #[arg(value_name = "INPUT")]
    input: Option<String>,
}

fn parse_key(v: &str) -> Result<proto::kerberos::crypto::Key, String> {
    proto::kerberos::crypto::Key::parse(v)
        .ok_or_else(|| "give ETYPE:HEX, e.g. 18:00112233…".to_string())
}

pub fn main(args: Args) -> ExitCode {
    let Args {
        json,
        lines,
        keytabs,
        keys: raw,
        salt,
        input,
    } = args;
    let mut keys = proto::kerberos::decrypt::Keys {
        password: std::env::var("AUTHSCOPE_PASSWORD").ok(),
        salt,
        raw,
        ..Default::default()
    };
    for file in &keytabs {
        let f = file.display();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => return usage_error("decode", &format!("--keytab {f}: {e}")),
        };
        match key_file(&bytes) {
            Ok(k) => {
                keys.keytab.extend(k.keytab);
                keys.learnt.extend(k.learnt);
            }
            Err(e) => return usage_error("decode", &format!("--keytab {f}: {e}")),
        }
    }
    let input = input.filter(|i| i != "-");
    // INPUT names a file when one exists by that name (a token is never a path that exists).
    let file = input
        .as_deref()
        .map(std::path::Path::new)
        .filter(|p| p.is_file());
    let bytes = match (&input, file) {
        (_, Some(p)) => match std::fs::read(p) {
            Ok(b) => b,
            Err(e) => return usage_error("decode", &format!("{}: {e}", p.display())),
        },
        (Some(t), None) => t.clone().into_bytes(),
        (None, None) => {
            let mut b = Vec::new();
            if let Err(e) = std::io::stdin().read_to_end(&mut b) {
                return usage_error("decode", &format!("standard input: {e}"));
            }
            b
        }
    };
    let mut decoded: Vec<proto::decode::Decoded> = match (lines, std::str::from_utf8(&bytes)) {
        (true, Ok(text)) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(proto::decode::decode)
            .collect(),
        // A keytab, a credential cache, DER, or text with several messages one per line.
        _ => proto::input::decode_file(&bytes),
    };
    if decoded.is_empty() {
        return usage_error("decode", "nothing to decode");
    }
    let many = decoded.len() > 1;
    if keys.any() || decoded.iter().any(proto::decode::Decoded::holds_keys) {
        // Session keys read from one message open the others (the AS-REP's opens the TGS-REQ
        // and TGS-REP, the TGS-REP's the AP-REQ's authenticator).
        proto::decode::decrypt_all(&mut decoded, &keys);
    }
    let ok = decoded.iter().all(|d| d.error.is_none());
    if json {
        let printed = if lines || many {
            print_json(
                &decoded
                    .iter()
                    .map(proto::decode::Decoded::to_json)
                    .collect::<Vec<_>>(),
            )
        } else {
            match decoded.first() {
                Some(d) => print_json(&d.to_json()),
                None => return usage_error("decode", "nothing to decode"),
            }
        };
        if let Err(code) = printed {
            return code;
        }
    } else {
        for (i, d) in decoded.iter().enumerate() {
            if lines || many {
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

/// The keys a file holds: a keytab's, a credential cache's session keys, a KRB-CRED's (.kirbi,
/// binary or base64) session keys.
fn key_file(bytes: &[u8]) -> Result<proto::kerberos::decrypt::Keys, String> {
    let keys = proto::input::keys_in_file(bytes);
    if keys.keytab.is_empty() && keys.learnt.is_empty() {
        return Err("no keys in it: give a keytab, a credential cache or a .kirbi".into());
    }
    Ok(keys)
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
            "{} (layer {}, byte {}): {}\n",
            if w.level == proto::error::Level::Note {
                "note"
            } else {
                "warning"
            },
            w.layer,
            w.offset(),
            w.message
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
                for check in &x.checks {
                    s.push_str(&format!("  PAC {check}\n"));
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
