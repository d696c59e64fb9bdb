//! IIS 6's own error pages and the lab's content page.

use super::Site;

/// The wording of IIS 6's 401.x pages (`%windir%\Help\iisHelp\common\401-x.htm`).
pub fn error_401_text(substatus: u16) -> (&'static str, &'static str) {
    match substatus {
        1 => (
            "You do not have permission to view this directory or page using the credentials that you supplied.",
            "HTTP Error 401.1 - Unauthorized: Access is denied due to invalid credentials.",
        ),
        2 => (
            "You do not have permission to view this directory or page using the credentials that you supplied because your Web browser is sending a WWW-Authenticate header field that the Web server is not configured to accept.",
            "HTTP Error 401.2 - Unauthorized: Access is denied due to server configuration.",
        ),
        3 => (
            "You do not have permission to view this directory or page due to the access control list (ACL) that is configured for this resource on the Web server.",
            "HTTP Error 401.3 - Unauthorized: Access is denied due to an ACL set on the requested resource.",
        ),
        _ => (
            "You do not have permission to view this directory or page.",
            "HTTP Error 401 - Unauthorized.",
        ),
    }
}

/// The HTML body IIS 6 sends with a 401.x.
pub fn error_401(substatus: u16) -> String {
    let (text, heading) = error_401_text(substatus);
    format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\r\n\
<HTML><HEAD><TITLE>You are not authorized to view this page</TITLE>\r\n\
<META HTTP-EQUIV=\"Content-Type\" Content=\"text/html; charset=Windows-1252\">\r\n\
<STYLE type=\"text/css\">\r\n\
  BODY {{ font: 8pt/12pt verdana }}\r\n\
  H1 {{ font: 13pt/15pt verdana }}\r\n\
  H2 {{ font: 8pt/12pt verdana }}\r\n\
</STYLE>\r\n\
</HEAD><BODY><TABLE width=500 border=0 cellspacing=10><TR><TD>\r\n\
<h1>You are not authorized to view this page</h1>\r\n\
{text}\r\n\
<hr>\r\n\
<p>Please try the following:</p>\r\n\
<ul>\r\n\
<li>Contact the Web site administrator if you believe you should be able to view this directory or page.</li>\r\n\
<li>Click the Refresh button to try again with different credentials.</li>\r\n\
</ul>\r\n\
<h2>{heading}<br>Internet Information Services (IIS)</h2>\r\n\
<hr>\r\n\
<p>Technical Information (for support personnel)</p>\r\n\
<ul>\r\n\
<li>Go to Microsoft Product Support Services and perform a title search for the words <b>HTTP</b> and <b>401</b>.</li>\r\n\
<li>Open <b>IIS Help</b>, which is accessible in IIS Manager (inetmgr), and search for topics titled <b>Authentication</b>, <b>Access Control</b>, and <b>About Custom Error Messages</b>.</li>\r\n\
</ul>\r\n\
</TD></TR></TABLE></BODY></HTML>\r\n"
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The lab site's page, served with 200.
pub fn welcome(site: &Site, user: Option<&str>) -> String {
    let who = match user {
        Some(u) => format!("You are logged on as <b>{}</b>.", escape(u)),
        None => format!(
            "You are browsing anonymously, as <b>{}</b>.",
            escape(&site.anonymous_user)
        ),
    };
    format!(
        "<html><head><title>{title}</title></head><body>\r\n<h1>{title}</h1>\r\n<p>{who}</p>\r\n\
<p>Served by the authscope IIS 6 lab (site <code>{id}</code>).</p>\r\n</body></html>\r\n",
        title = escape(&site.title),
        id = escape(&site.id),
    )
}

fn simple_page(title: &str, text: &str, heading: &str) -> String {
    format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\r\n\
<HTML><HEAD><TITLE>{title}</TITLE>\r\n</HEAD><BODY><TABLE width=500 border=0 cellspacing=10><TR><TD>\r\n\
<h1>{title}</h1>\r\n{text}\r\n<hr>\r\n<h2>{heading}<br>Internet Information Services (IIS)</h2>\r\n\
</TD></TR></TABLE></BODY></HTML>\r\n"
    )
}

/// IIS 6's 403.14 page (`403-14.htm`): "Directory Listing Denied" / "This Virtual Directory does
/// not allow contents to be listed." as IIS 4 to 6 answered (IIS 6 SDK, CustomErrorDescriptions:
/// `403,14,Forbidden,Directory Listing Denied`). "The website declined to show this webpage" is
/// Internet Explorer 7's friendly error, and "A default document is not configured…" IIS 7's.
pub fn error_403_14() -> String {
    simple_page(
        "Directory Listing Denied",
        "This Virtual Directory does not allow contents to be listed.",
        "HTTP Error 403.14 - Forbidden: Directory listing denied.",
    )
}

/// IIS 6's 404 page.
pub fn error_404() -> String {
    simple_page(
        "The page cannot be found",
        "The page you are looking for might have been removed, had its name changed, or is temporarily unavailable.",
        "HTTP Error 404 - File or directory not found.",
    )
}

/// IIS 6's 500 page.
pub fn error_500() -> String {
    simple_page(
        "The page cannot be displayed",
        "There is a problem with the page you are trying to reach and it cannot be displayed.",
        "HTTP 500 - Internal server error",
    )
}
