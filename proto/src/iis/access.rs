//! After authentication, the file system: which file a URL names (default documents for a
//! directory), whether its NTFS ACL lets the request's identity read it, and for content on a
//! UNC share, which credentials reach the share (IIS 6 guide: "401.3" and "Simplified UNC
//! authentication model").
//!
//! ```text
//! directory URL ─ EnableDefaultDoc ─ first DefaultDoc that exists ─ ACL allows ─► 200
//!                                                       │            └ denies ─► 401.3
//!                                     └ none exists / disabled ─────────────────► 403.14
//! file URL ─ exists ─ ACL ─► 200 / 401.3      └ missing ─► 404
//! UNC content: UNCUserName set ─ UNCPassword valid ─► those credentials reach the share
//!                             └ invalid ───────────► 500
//!              UNCUserName empty ─► the request's own identity (IUSR when anonymous)
//! ```

use super::{pages, win32, Request, Response, Site};

/// Why the file system refused.
pub(crate) enum Refusal {
    /// 401.3: the ACL does not let the identity read the file.
    Acl,
    /// 403.14: a directory with no default document to serve.
    NoDefaultDocument,
    /// 404: no such file.
    NotFound,
    /// 500: `UNCUserName` is set and `UNCPassword` is wrong.
    UncCredentials,
}

impl Site {
    /// The identity the file system sees: the authenticated user, or the anonymous account.
    fn identity(&self, user: Option<&str>) -> String {
        match user {
            Some(u) => u.to_string(),
            None if self.anonymous_user.contains('\\') => self.anonymous_user.clone(),
            None => format!("{}\\{}", self.machine, self.anonymous_user),
        }
    }

    fn acl_allows(&self, acl: &[String], identity: &str, anonymous: bool) -> bool {
        let short = identity.rsplit('\\').next().unwrap_or(identity);
        acl.iter().any(|ace| {
            let a = ace.as_str();
            a.eq_ignore_ascii_case("Everyone")
                || (!anonymous
                    && (a.eq_ignore_ascii_case("Authenticated Users")
                        || a.eq_ignore_ascii_case("Users")))
                || a.eq_ignore_ascii_case(identity)
                || (!a.contains('\\') && a.eq_ignore_ascii_case(short))
        })
    }

    /// The path served, or why not.
    pub(crate) fn authorize(
        &self,
        req: &Request,
        user: Option<&str>,
        token: super::Token,
        trace: &mut Vec<String>,
    ) -> Result<String, Refusal> {
        let path = self.site_path(&req.target);
        let mut identity = self.identity(user);
        let mut anonymous = user.is_none();
        if let Some(unc) = &self.unc {
            if unc.user.is_empty() {
                match token {
                    super::Token::NetworkOnly => {
                        trace.push(format!("The content is on {}; UNCUserName is empty, so IIS passes the request's identity ({identity}) on. But that logon came from NTLM (or Kerberos without delegation): it proves the user to this server only, and the file server sees NT AUTHORITY\\ANONYMOUS LOGON (the \"double hop\"; Kerberos delegation or Basic solves it).", unc.share));
                        identity = "NT AUTHORITY\\ANONYMOUS LOGON".into();
                        anonymous = true;
                    }
                    super::Token::Delegated => trace.push(format!("The content is on {}; UNCUserName is empty, and the user's forwarded TGT lets IIS ask the KDC for a ticket to the file server as {identity} (delegation).", unc.share)),
                    super::Token::Cleartext => trace.push(format!("The content is on {}; UNCUserName is empty, so the request's own identity ({identity}) is passed through to the share.", unc.share)),
                }
            } else {
                let (d, u) = match unc.user.split_once('\\') {
                    Some((d, u)) => (d.to_string(), u.to_string()),
                    None => (self.machine.clone(), unc.user.clone()),
                };
                let valid = self.accounts.iter().any(|a| {
                    a.domain.eq_ignore_ascii_case(&d)
                        && a.user.eq_ignore_ascii_case(&u)
                        && a.password == unc.password
                });
                if !valid {
                    trace.push(format!("The content is on {}; UNCUserName is {} and UNCPassword is not valid: IIS cannot reach the share and answers 500.", unc.share, unc.user));
                    return Err(Refusal::UncCredentials);
                }
                trace.push(format!("The content is on {}; UNCUserName {} with a valid UNCPassword reaches the share for every request: IIS sends UNCUserName's credentials, not the request user's. (The guide says \"the requested user credentials are sent\"; in practice, and in Microsoft's IIS 6.0 \"Authentication for UNC Shares\", the share sees UNCUserName.)", unc.share, unc.user));
                identity = format!("{d}\\{u}");
            }
        }
        if self.files.is_empty() {
            return Ok(path);
        }
        let find = |p: &str| self.files.iter().find(|f| f.path.eq_ignore_ascii_case(p));
        let file = if path.ends_with('/') {
            let lower = path.to_ascii_lowercase();
            if !self
                .files
                .iter()
                .any(|f| f.path.to_ascii_lowercase().starts_with(&lower))
            {
                trace.push(format!(
                    "No file lies under {path}: the directory does not exist: 404."
                ));
                return Err(Refusal::NotFound);
            }
            if !self.enable_default_doc {
                trace.push("The URL is a directory and EnableDefaultDoc is false: there is nothing to serve.".into());
                return Err(Refusal::NoDefaultDocument);
            }
            let mut chosen = None;
            for doc in &self.default_doc {
                let candidate = format!("{path}{doc}");
                match find(&candidate) {
                    Some(f) => {
                        trace.push(format!("DefaultDoc: {candidate} exists."));
                        chosen = Some(f);
                        break;
                    }
                    None => trace.push(format!(
                        "DefaultDoc: {candidate} does not exist; IIS tries the next document."
                    )),
                }
            }
            match chosen {
                Some(f) => f,
                None => {
                    trace.push(
                        "No default document exists and directory browsing is off: 403.14.".into(),
                    );
                    return Err(Refusal::NoDefaultDocument);
                }
            }
        } else {
            match find(&path) {
                Some(f) => f,
                None => {
                    trace.push(format!("{path} does not exist: 404."));
                    return Err(Refusal::NotFound);
                }
            }
        };
        if self.acl_allows(
            &file.acl,
            &identity,
            anonymous && self.unc.as_ref().is_none_or(|u| u.user.is_empty()),
        ) {
            trace.push(format!(
                "The NTFS ACL of {} lets {identity} read it.",
                file.path
            ));
            Ok(file.path.clone())
        } else {
            trace.push(format!(
                "The NTFS ACL of {} ({}) does not let {identity} read it: 401.3.",
                file.path,
                file.acl.join(", ")
            ));
            Err(Refusal::Acl)
        }
    }

    /// The response for a refusal.
    pub(crate) fn refuse(
        &self,
        req: &Request,
        r: Refusal,
        trace: Vec<String>,
        user: Option<String>,
    ) -> Response {
        match r {
            Refusal::Acl => {
                // The list goes along: the browser may try other credentials.
                let mut resp = self.deny(req, 3, win32::ACCESS_DENIED, true, trace, user.clone());
                resp.user = user;
                resp
            }
            Refusal::NoDefaultDocument => self.plain(
                req,
                403,
                14,
                "Forbidden",
                pages::error_403_14(),
                trace,
                user,
            ),
            Refusal::NotFound => {
                self.plain(req, 404, 0, "Not Found", pages::error_404(), trace, user)
            }
            Refusal::UncCredentials => self.plain(
                req,
                500,
                0,
                "Internal Server Error",
                pages::error_500(),
                trace,
                user,
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn plain(
        &self,
        req: &Request,
        status: u16,
        substatus: u16,
        reason: &'static str,
        body: String,
        trace: Vec<String>,
        user: Option<String>,
    ) -> Response {
        let code = if status == 500 {
            win32::LOGON_FAILURE
        } else if status == 404 {
            2
        } else {
            0
        };
        let mut headers = self.base_headers(req);
        headers.push(("Content-Type".into(), "text/html".into()));
        Response {
            status,
            substatus,
            win32_status: code,
            reason,
            headers,
            body,
            trace,
            log: self.log(req, status, substatus, code, user.as_deref()),
            user,
            logon: None,
            events: Vec::new(),
        }
    }
}
