//! Serving the built app (`dist/`): MIME types, caching, a strict Content-Security-Policy, and
//! the Brotli or gzip copy that `scripts/precompress.mjs` made at build time when the request
//! accepts it (RFC 9110 §8.4 `Content-Encoding`, §12.5.3 `Accept-Encoding`, §12.5.5 `Vary`).
//!
//! Trunk's `index.html` boots the wasm with an inline module script; rather than allow inline
//! scripts, the policy lists the SHA-256 of each inline script found in `index.html`.

use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub struct Dist {
    pub dir: PathBuf,
    /// `'sha256-…'` sources for the inline scripts of index.html.
    script_hashes: Vec<String>,
}

pub struct StaticFile {
    pub body: Vec<u8>,
    pub content_type: &'static str,
    pub cache_control: &'static str,
    /// `br` or `gzip` when `body` is the precompressed copy.
    pub encoding: Option<&'static str>,
    /// The file has precompressed copies: the answer varies with `Accept-Encoding`.
    pub varies: bool,
}

/// The precompressed copies a build may hold beside a file, best first: (coding, suffix).
const CODINGS: [(&str, &str); 2] = [("br", "br"), ("gzip", "gz")];

/// Whether `accept_encoding` (an `Accept-Encoding` field value) accepts `coding`: listed, or `*`,
/// with a weight above zero (RFC 9110 §12.5.3).
pub fn accepts(accept_encoding: &str, coding: &str) -> bool {
    let mut star = false;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let zero = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .or_else(|| p.trim().strip_prefix("Q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if name.eq_ignore_ascii_case(coding) {
            return !zero;
        }
        if name == "*" {
            star = !zero;
        }
    }
    star
}

/// MIME type by extension (`application/wasm` matters: browsers refuse streaming compilation
/// without it).
pub fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// The inline `<script>` bodies of an HTML page.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let Some(tag_end) = rest.get(open..).and_then(|s| s.find('>')).map(|i| open + i) else {
            break;
        };
        let tag = rest.get(open..tag_end).unwrap_or("");
        let Some(close) = rest
            .get(tag_end..)
            .and_then(|s| s.find("</script>"))
            .map(|i| tag_end + i)
        else {
            break;
        };
        if !tag.contains(" src=") {
            out.push(rest.get(tag_end + 1..close).unwrap_or(""));
        }
        rest = rest.get(close + 9..).unwrap_or("");
    }
    out
}

impl Dist {
    pub fn new(dir: PathBuf) -> Dist {
        let mut script_hashes = Vec::new();
        // Every page of the build (index.html, kerberos.html, lab.html, debug.html, embed.html,
        // embed-kerberos.html).
        let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "html"))
                    .collect()
            })
            .unwrap_or_default();
        pages.sort();
        for page in pages {
            let html = std::fs::read_to_string(page).unwrap_or_default();
            for script in inline_scripts(&html) {
                let digest = Sha256::digest(script.as_bytes());
                script_hashes.push(format!(
                    "'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                ));
            }
        }
        Dist { dir, script_hashes }
    }

    pub fn is_built(&self) -> bool {
        self.dir.join("index.html").is_file()
    }

    /// The app's Content-Security-Policy for `url_path`: same-origin everything, wasm
    /// compilation allowed, the boot script by hash, no plugins, no framing by other origins,
    /// except for the embeddable walkthroughs (`embed.html`, `embed-kerberos.html`), which
    /// documentation pages anywhere may frame (they hold no input and no secret: a scenario plays
    /// from its link).
    pub fn csp(&self, url_path: &str) -> String {
        let embed = matches!(
            url_path.trim_start_matches('/'),
            "embed.html" | "embed-kerberos.html"
        );
        let ancestors = if embed { "*" } else { "'self'" };
        format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; \
             img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'none'; frame-ancestors {ancestors}",
            self.script_hashes.join(" ")
        )
    }

    /// The file for a URL path, or `None` (not found, or a path that tries to leave `dist/`):
    /// its precompressed copy when `accept_encoding` accepts one.
    pub fn get(&self, url_path: &str, accept_encoding: &str) -> Option<StaticFile> {
        let rel = url_path.trim_start_matches('/');
        let rel = if rel.is_empty() { "index.html" } else { rel };
        let safe = rel.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        });
        if !safe {
            return None;
        }
        let path = self.dir.join(rel);
        let path = if path.is_dir() {
            path.join("index.html")
        } else {
            path
        };
        if !path.is_file() {
            return None;
        }
        let copy = |suffix: &str| {
            let mut p = path.clone().into_os_string();
            p.push(".");
            p.push(suffix);
            PathBuf::from(p)
        };
        let varies = CODINGS.iter().any(|(_, suffix)| copy(suffix).is_file());
        let packed = CODINGS
            .iter()
            .filter(|(coding, _)| accepts(accept_encoding, coding))
            .find_map(|(coding, suffix)| Some((*coding, std::fs::read(copy(suffix)).ok()?)));
        let (encoding, body) = match packed {
            Some((coding, body)) => (Some(coding), body),
            None => (None, std::fs::read(&path).ok()?),
        };
        // Trunk names assets with a content hash; pages keep their names and must revalidate.
        let hashed = path
            .extension()
            .is_some_and(|e| e == "wasm" || e == "js" || e == "css")
            && path
                .file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|s| s.contains('-'));
        Some(StaticFile {
            body,
            encoding,
            varies,
            content_type: mime(&path),
            cache_control: if hashed {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = "<script src=\"/a.js\"></script><script type=\"module\">boot()</script>";
        assert_eq!(inline_scripts(html), vec!["boot()"]);
    }

    #[test]
    fn wasm_has_its_mime_type() {
        assert_eq!(mime(Path::new("x_bg.wasm")), "application/wasm");
        assert_eq!(mime(Path::new("index.html")), "text/html; charset=utf-8");
    }

    #[test]
    fn paths_cannot_leave_dist() {
        let d = Dist::new(std::env::temp_dir());
        assert!(d.get("/../etc/passwd", "").is_none());
        assert!(d.get("/a/%2e%2e/b", "").is_none());
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=0.5, br;q=1.0", "gzip"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(accepts("*", "br"));
        assert!(!accepts("*, br;q=0", "br"));
        assert!(!accepts("*;q=0", "gzip"));
        assert!(!accepts("", "gzip"));
        assert!(!accepts("identity", "gzip"));
    }

    #[test]
    fn the_precompressed_copy_goes_when_accepted() {
        let dir = std::env::temp_dir().join(format!("authscope-static-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        std::fs::write(dir.join("a.js"), b"plain").unwrap_or_default();
        std::fs::write(dir.join("a.js.br"), b"brotli").unwrap_or_default();
        std::fs::write(dir.join("a.js.gz"), b"gzip").unwrap_or_default();
        std::fs::write(dir.join("b.css"), b"only plain").unwrap_or_default();
        let d = Dist::new(dir.clone());
        let f = d
            .get("/a.js", "gzip, br")
            .map(|f| (f.body, f.encoding, f.varies));
        assert_eq!(f, Some((b"brotli".to_vec(), Some("br"), true)));
        let f = d.get("/a.js", "gzip").map(|f| (f.body, f.encoding));
        assert_eq!(f, Some((b"gzip".to_vec(), Some("gzip"))));
        let f = d.get("/a.js", "").map(|f| (f.body, f.encoding, f.varies));
        assert_eq!(f, Some((b"plain".to_vec(), None, true)));
        let f = d
            .get("/b.css", "br")
            .map(|f| (f.body, f.encoding, f.varies));
        assert_eq!(f, Some((b"only plain".to_vec(), None, false)));
        let _ = std::fs::remove_dir_all(dir);
    }
}
