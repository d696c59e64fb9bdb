//! A small browser window: what the user sees at a step (the credential dialog, the page, or
//! IIS's error page).

use yew::prelude::*;

/// A browser window showing `content` at `url` (a plain function: see `diagram`).
pub fn browser_view(url: &str, content: Html) -> Html {
    html! {
        <figure class="browser" data-test="browser-view">
            <div class="chrome"><span class="dots" aria-hidden="true">{"● ● ●"}</span><span class="url">{ url.to_string() }</span></div>
            <div class="viewport">{ content }</div>
        </figure>
    }
}

/// IIS 6's 401.x page as Internet Explorer showed it.
pub fn error_page(substatus: u16) -> Html {
    let (text, heading) = proto::iis::pages::error_401_text(substatus);
    html! {
        <div class="iis-error" data-test="error-page">
            <h3>{ "You are not authorized to view this page" }</h3>
            <p>{ text }</p>
            <hr />
            <p>{ "Please try the following:" }</p>
            <ul>
                <li>{ "Contact the Web site administrator if you believe you should be able to view this directory or page." }</li>
                <li>{ "Click the Refresh button to try again with different credentials." }</li>
            </ul>
            <h4>{ heading }<br />{ "Internet Information Services (IIS)" }</h4>
        </div>
    }
}

/// What the browser window shows at the end of a walkthrough: the site's page for `user`, or
/// IIS's error page for a `401.x` status, or the narration.
pub fn final_page(url: &str, user: Option<&str>, status: Option<&str>, narration: &str) -> Html {
    let content = match (user, status) {
        (Some(u), _) => {
            html! { <div class="site-page" data-test="site-page"><h3>{ "Welcome" }</h3><p>{ format!("You are logged on as {u}.") }</p></div> }
        }
        (None, Some(st)) if st.starts_with("401") => {
            let sub = st
                .split('.')
                .nth(1)
                .and_then(|x| x.parse().ok())
                .unwrap_or(0);
            error_page(sub)
        }
        (None, Some(st)) if st.starts_with('2') => {
            html! { <div class="site-page" data-test="site-page"><h3>{ "Welcome" }</h3><p>{ "You are browsing anonymously." }</p></div> }
        }
        _ => html! { <p>{ narration.to_string() }</p> },
    };
    browser_view(url, content)
}
