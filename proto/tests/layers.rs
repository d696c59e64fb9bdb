//! The module graph goes one way (ARCHITECTURE.md): read from the `crate::` paths of the
//! sources (test code left out), no two top-level modules of `proto` import each other, directly
//! or through others, and each uses only modules of its own layer or the layers below (the
//! layers `proto/src/lib.rs` lists). The binary's modules (`endpoint/src`) have no cycle either.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `proto/src/lib.rs`'s layers, bottom up.
const LAYERS: &[&[&str]] = &[
    &["error", "field", "glossary", "seq", "span", "time"],
    &["asn1", "basic", "http", "ntlm"],
    &["kerberos", "spnego"],
    &["bench", "decode", "export", "har", "input", "link"],
    &["browser", "drive", "iis", "walkthrough"],
];

/// Test support that may use everything (and that nothing uses).
const EXEMPT: &[&str] = &["fuzz_entries"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "tests") {
                files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs")
            && !p
                .file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|s| s == "tests" || s.ends_with("_tests"))
        {
            out.push(p);
        }
    }
}

/// The source without comments and without `#[cfg(test)]` items.
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        if t.starts_with("#[cfg(test)]") || t.starts_with("#[cfg(all(test") {
            // Skip the item: one line ending in `;`, or a braced block.
            let mut depth = 0usize;
            let mut opened = false;
            for l in lines.by_ref() {
                depth = (depth + l.matches('{').count()).saturating_sub(l.matches('}').count());
                opened |= l.contains('{');
                if (!opened && l.trim_end().ends_with(';')) || (opened && depth == 0) {
                    break;
                }
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Top-level module → the top-level modules it names as `crate::x`.
fn graph(src: &Path, root: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut all = Vec::new();
    files(src, &mut all);
    for f in all {
        let rel = f.strip_prefix(src).unwrap();
        let first = rel.iter().next().unwrap().to_string_lossy().to_string();
        let module = first.trim_end_matches(".rs").to_string();
        if module == root {
            continue;
        }
        let text = code(&std::fs::read_to_string(&f).unwrap());
        let deps = g.entry(module.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != module && name.chars().all(|c| !c.is_uppercase()) {
                deps.insert(name);
            }
        }
    }
    g
}

/// A cycle, if there is one.
fn cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut c = path[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|n| visit(n, g, &mut Vec::new(), &mut done))
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn proto_modules_form_layers_without_cycles() {
    let g = graph(&manifest().join("src"), "lib");
    let layer_of = |m: &str| LAYERS.iter().position(|l| l.contains(&m));
    let mut wrong = Vec::new();
    for (m, deps) in &g {
        if EXEMPT.contains(&m.as_str()) {
            continue;
        }
        let Some(lm) = layer_of(m) else {
            wrong.push(format!("{m} is in no layer: add it to lib.rs and LAYERS"));
            continue;
        };
        for d in deps {
            if EXEMPT.contains(&d.as_str()) {
                wrong.push(format!("{m} uses {d}"));
            }
            match layer_of(d) {
                Some(ld) if ld > lm => {
                    wrong.push(format!("{m} (layer {lm}) uses {d} (layer {ld})"));
                }
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(cycle(&g), None, "{g:#?}");
}

#[test]
fn the_binarys_modules_have_no_cycle() {
    let g = graph(&manifest().join("../endpoint/src"), "main");
    assert!(g.contains_key("serve") && g.contains_key("relay"), "{g:?}");
    assert_eq!(cycle(&g), None, "{g:#?}");
}

#[test]
fn the_reader_sees_a_cycle_and_skips_test_code() {
    let dir = std::env::temp_dir().join(format!("authscope-layers-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("b")).unwrap();
    std::fs::write(
        src.join("a.rs"),
        "use crate::b::X;\n#[cfg(test)]\nmod tests {\n    use crate::c;\n}\n",
    )
    .unwrap();
    std::fs::write(
        src.join("b/mod.rs"),
        "// crate::c in a comment\npub fn f() { crate::a::g() }\n",
    )
    .unwrap();
    std::fs::write(
        src.join("c.rs"),
        "#[cfg(test)]\nmod tests;\npub fn h() {}\n",
    )
    .unwrap();
    let g = graph(&src, "lib");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(g["a"], BTreeSet::from(["b".to_string()]));
    assert_eq!(g["b"], BTreeSet::from(["a".to_string()]));
    assert!(g["c"].is_empty());
    assert_eq!(
        cycle(&g),
        Some(vec!["a".to_string(), "b".to_string(), "a".to_string()])
    );
}
