//! Browsers: what they send and how they decide, as state machines that a driver (`drive::Pair`)
//! steps against the IIS engine. The engine knows nothing of browsers; walkthroughs and the lab's
//! visits use these through the driver.

pub mod basic;

use crate::http::Profile;

/// User agents of the profiles, as the request shows them.
pub fn user_agent(profile: Profile) -> &'static str {
    match profile {
        Profile::Ie6 => "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)",
        Profile::Chromium => "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
        Profile::Firefox => "Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0",
        Profile::Rfc => "authscope-rfc/0.1",
    }
}
