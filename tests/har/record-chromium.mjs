// Records tests/fixtures/har/chromium.har: Debian's Chromium visits the test endpoint's lab sites
// with DevTools open, and the HAR is written by DevTools' own exporter (the code behind "Export
// HAR (with sensitive data)" in the Network panel), called in the DevTools window.
//
//   xvfb-run -a node tests/har/record-chromium.mjs target/release/authscope dist out.har
//
// Credentials are given the way a user types them in the browser's dialog (Fetch.authRequired).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [bin, dist, out] = process.argv.slice(2);
const child = spawn(bin, ['serve', '--port', '0', '--dist', dist], { stdio: ['ignore', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout });
const base = await new Promise((resolve) => lines.once('line', (l) => resolve(l.replace('authscope is serving ', '').trim().replace(/\/$/, ''))));
lines.on('line', () => {});

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: false,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--auto-open-devtools-for-tabs'],
});
const context = await browser.newContext();
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
// The answers to the credential dialogs, in order, per site.
const answers = {
  '/lab/basic/': [['alice', 'letmein'], ['alice', 'alice'], ['alice', 'Wonderlnd'], null],
  '/lab/integrated/': [['CONTOSO\\bob', 'Builder2']],
  '/lab/ntlm-connection-breaks/': [['CONTOSO\\bob', 'Builder2'], null],
};
await cdp.send('Fetch.enable', { handleAuthRequests: true, patterns: [{ urlPattern: '*' }] });
cdp.on('Fetch.requestPaused', (e) => cdp.send('Fetch.continueRequest', { requestId: e.requestId }).catch(() => {}));
cdp.on('Fetch.authRequired', (e) => {
  const path = new URL(e.request.url).pathname;
  const a = (answers[path] || []).shift();
  const response = a ? { response: 'ProvideCredentials', username: a[0], password: a[1] } : { response: 'CancelAuth' };
  cdp.send('Fetch.continueWithAuth', { requestId: e.requestId, authChallengeResponse: response }).catch(() => {});
});

// The DevTools window of the page (a target of its own).
const bcdp = await browser.newBrowserCDPSession();
let devtools;
for (let i = 0; i < 200 && !devtools; i++) {
  const { targetInfos } = await bcdp.send('Target.getTargets');
  devtools = targetInfos.find((t) => t.url.startsWith('devtools://'));
  if (!devtools) await new Promise((r) => setTimeout(r, 100));
}
if (!devtools) throw new Error('no DevTools window');
const { sessionId } = await bcdp.send('Target.attachToTarget', { targetId: devtools.targetId, flatten: false });
let nextId = 1;
const pending = new Map();
bcdp.on('Target.receivedMessageFromTarget', (m) => {
  if (m.sessionId !== sessionId) return;
  const msg = JSON.parse(m.message);
  if (pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); }
});
async function inDevtools(expression) {
  const id = nextId++;
  const done = new Promise((r) => pending.set(id, r));
  await bcdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression, awaitPromise: true, returnByValue: true } }) });
  const msg = await done;
  if (msg.error || msg.result.exceptionDetails) throw new Error(JSON.stringify(msg.error || msg.result.exceptionDetails));
  return msg.result.result.value;
}
// Wait until DevTools' network log is up.
for (let i = 0; ; i++) {
  const ok = await inDevtools(`import('./models/logs/logs.js').then(L => !!L.NetworkLog.NetworkLog.instance()).catch(() => false)`).catch(() => false);
  if (ok) break;
  if (i > 100) throw new Error('DevTools did not load');
  await new Promise((r) => setTimeout(r, 100));
}

// One page (DevTools clears its log when the main frame navigates): the NTLM walkthrough's Live
// mode sends the handshake itself (fetch with Authorization headers, so every leg is an entry),
// healthy and with keep-alives off; then the browser's own logons, each site in a frame.
await page.goto(base + '/#/ntlm');
for (const [site, want] of [['integrated', '401 401 200'], ['integrated-no-keepalive', '401 401 401']]) {
  await page.selectOption('[data-test=live-site]', site);
  await page.click('[data-test=live-run]');
  await page.waitForFunction((w) => [...document.querySelectorAll('[data-test=live-status]')].map((s) => s.textContent).join(' ') === w, want);
}
for (const path of ['/lab/integrated/', '/lab/basic/', '/lab/ntlm-connection-breaks/']) {
  await page.evaluate((src) => new Promise((resolve) => {
    const f = document.createElement('iframe');
    f.onload = resolve;
    f.src = src;
    document.body.append(f);
  }), path);
}

const har = await inDevtools(`(async () => {
  const L = await import('./models/logs/logs.js');
  const H = await import('./models/har/har.js');
  const requests = L.NetworkLog.NetworkLog.instance().requests();
  const log = await H.Log.Log.build(requests, { sanitize: false });
  return JSON.stringify({ log }, null, 2);
})()`);
writeFileSync(out, har);
console.log(`${out}: ${JSON.parse(har).log.entries.length} entries, ${JSON.parse(har).log.creator.name} ${JSON.parse(har).log.creator.version}`);
await browser.close();
child.kill();
