//! Real servers (debug.html#/relay): the NTLM handshake run from this page against a real
//! server through `authscope serve --relay URL`, which keeps each handshake on one upstream
//! connection (a browser's fetch cannot), and shows which upstream connection carried each leg.

use crate::components::live::Live;
use yew::prelude::*;

/// The page (a plain function: see `components::diagram`).
pub fn relay() -> Html {
    html! {
        <div class="page relay">
            <h1>{ "Real servers" }</h1>
            <p class="lede">{ "Run the handshake against your own server: start authscope with --relay http://your-server/ (an allow-list; it listens on 127.0.0.1) and open this page from it. Each handshake gets its own upstream keep-alive connection, so NTLM works although the browser's fetch may use any connection; every leg shows the request as the relay sent it and the upstream connection that carried it." }</p>
            <pre class="plain-page">{ "authscope serve --relay http://intranet.example/\n# then open http://127.0.0.1:8080/debug.html#/relay" }</pre>
            <p class="hint">{ "The relay works for this page only: it answers to its own host names, refuses requests from other origins, and gives each handshake a session id (random, from the server) that only this page holds. Your server's answers are shown here but sandboxed: cookies, CORS grants and other fields that would act on this page's origin are dropped and listed under the leg, and this page's cookies never reach your server." }</p>
            <Live />
        </div>
    }
}
