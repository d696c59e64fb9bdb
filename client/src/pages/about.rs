use yew::prelude::*;

/// The About page (a plain function: see `components::diagram`).
pub fn about() -> Html {
    html! {
        <div class="page about">
            <h1>{ "About authscope" }</h1>
            <p>{ "authscope shows, step by step and byte by byte, how a browser authenticates to a web server and why it fails: the WWW-Authenticate challenges, the scheme each browser picks, the credentials it sends, and IIS 6's 401.1 and 401.2 answers." }</p>
            <h3>{ "Nothing leaves your browser" }</h3>
            <p>{ "Everything runs in this page, compiled to WebAssembly; the IIS site in the walkthroughs is simulated here. Passwords you type are never stored, put in a link or sent anywhere." }</p>
            <h3>{ "Links" }</h3>
            <p>{ "Every view is a link: the page, scenario, step, selected field and browser are in the address after #, which is never sent to a server. Passwords never go into a link or into the browser's storage; a pasted token goes in only when you ask, after a warning (an NTLM AUTHENTICATE message can be cracked offline)." }</p>
            <h3>{ "Sources" }</h3>
            <ul>
                <li>{ "RFC 9110 §11 (HTTP authentication), RFC 7617 (Basic), RFC 7616 (Digest), RFC 4559 (Negotiate)" }</li>
                <li>{ "MS-NLMP (NTLM); RFC 4178 and MS-SPNG (SPNEGO); RFC 4120, 4121, 3961, 3962, 4757 (Kerberos); MS-PAC" }</li>
                <li>{ "Microsoft, IIS 6.0: \"401.1 and 401.2 - Authentication Problems\"" }</li>
                <li>{ "How Chromium and Firefox split and rank challenges, and when they log on silently, prompt or skip Negotiate or NTLM: their source (Chromium net/http/http_auth*.cc, http_auth_controller.cc, url_security_manager_*.cc; Gecko nsHttpChannelAuthProvider.cpp, nsHttpNegotiateAuth.cpp, nsHttpNTLMAuth.cpp) and tests" }</li>
                <li>{ "Internet Explorer's source is not public. Documented: WinINet takes the first scheme it supports in the server's order (MSDN), the security zones and the default \"Automatic logon only in Intranet zone\", three prompts then 401.1 (KB 871179, for a Kerberos failure; the same three dialogs are observed for NTLM). Assumed: how IE 6 splits a header line that holds several challenges (IIS sends one per line). Observed: Windows sends raw NTLMSSP in the Negotiate header when Kerberos is not used. Each step's \"Why?\" says which." }</li>
                <li>{ "Windows: MS-NLMP's product behaviour notes (no MsvAvTimestamp or MIC from Windows XP and Server 2003), \"Network security: LAN Manager authentication level\" (the LmCompatibilityLevel defaults), Windows Server 2003's \"Audit logon events\" and \"Audit account logon events\" (event IDs)" }</li>
            </ul>
            <h3>{ "Keyboard" }</h3>
            <p>{ "In a walkthrough: ← and → step, Space plays or pauses, Home and End jump to the first and last step." }</p>
        </div>
    }
}
