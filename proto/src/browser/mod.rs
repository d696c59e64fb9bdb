//! Browsers: what they send and how they decide, as state machines that a driver (`drive::Pair`)
//! steps against the IIS engine. The engine knows nothing of browsers; walkthroughs and the lab's
//! visits use these through the driver.

pub mod basic;

use crate::http::Profile;

/// A profile's user agent on `os` (Internet Explorer 6 is always Windows XP's).
pub fn user_agent_on(profile: Profile, os: crate::http::integrated::Os) -> &'static str {
    use crate::http::integrated::Os;
    match (profile, os) {
        (Profile::Chromium, Os::Windows) => "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
        (Profile::Chromium, Os::Macos) => "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
        (Profile::Firefox, Os::Windows) => "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0",
        (Profile::Firefox, Os::Macos) => "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:145.0) Gecko/20100101 Firefox/145.0",
        _ => user_agent(profile),
    }
}

/// User agents of the profiles, as the request shows them (Chromium and Firefox on Linux).
pub fn user_agent(profile: Profile) -> &'static str {
    match profile {
        Profile::Ie6 => "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)",
        Profile::Chromium => "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
        Profile::Firefox => "Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0",
        Profile::Rfc => "authscope-rfc/0.1",
    }
}
