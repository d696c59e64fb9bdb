// Records tests/fixtures/har/firefox.har: Debian's Firefox ESR, with its DevTools open, visits
// the test endpoint; the HAR is written by the Network Monitor's own automatic export
// (devtools.netmonitor.har.enableAutoExportToFile), which saves the log when the tab navigates.
// Firefox is driven over WebDriver BiDi (its --remote-debugging-port), with Node's WebSocket.
//
//   xvfb-run -a node --experimental-websocket tests/har/record-firefox.mjs target/release/authscope dist out.har
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, copyFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [bin, dist, out] = process.argv.slice(2);
// The built app, and a page that visits the lab sites in frames: the Network Monitor exports when
// a page has loaded, and a page's load waits for its frames (and their logons).
const site = mkdtempSync(path.join(tmpdir(), 'authscope-ff-site-'));
cpSync(dist, site, { recursive: true });
writeFileSync(path.join(site, 'visit.html'), '<!DOCTYPE html><title>visit</title>' +
  ['/lab/integrated/', '/lab/basic/', '/lab/ntlm-connection-breaks/'].map((p) => `<iframe src="${p}"></iframe>`).join(''));
const server = spawn(bin, ['serve', '--port', '0', '--dist', site], { stdio: ['ignore', 'pipe', 'inherit'] });
const lines = createInterface({ input: server.stdout });
const base = await new Promise((resolve) => lines.once('line', (l) => resolve(l.replace('authscope is serving ', '').trim().replace(/\/$/, ''))));
lines.on('line', () => {});

const profile = mkdtempSync(path.join(tmpdir(), 'authscope-ff-'));
const harDir = path.join(profile, 'har');
const prefs = {
  'devtools.netmonitor.har.enableAutoExportToFile': true,
  'devtools.netmonitor.har.defaultLogDir': harDir,
  'devtools.netmonitor.har.defaultFileName': 'export',
  'devtools.netmonitor.har.includeResponseBodies': true,
  'devtools.netmonitor.persistlog': true,
  'devtools.toolbox.selectedTool': 'netmonitor',
  'network.automatic-ntlm-auth.allow-non-fqdn': true,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'app.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'toolkit.telemetry.enabled': false,
  'extensions.update.enabled': false,
};
writeFileSync(path.join(profile, 'user.js'), Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n'));
const ff = spawn('firefox-esr', ['--profile', profile, '--no-remote', '--remote-debugging-port', '9229', '-devtools', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
const wsUrl = await new Promise((resolve) => {
  const rl = createInterface({ input: ff.stderr });
  rl.on('line', (l) => { const m = l.match(/WebDriver BiDi listening on (ws:\S+)/); if (m) resolve(m[1]); });
});

const ws = new WebSocket(`${wsUrl}/session`);
await new Promise((r) => ws.addEventListener('open', r, { once: true }));
let id = 0;
const waiting = new Map();
const handlers = [];
ws.addEventListener('message', (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id !== undefined && waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); }
  if (msg.type === 'event') handlers.forEach((h) => h(msg));
});
function send(method, params) {
  const i = ++id;
  ws.send(JSON.stringify({ id: i, method, params }));
  return new Promise((resolve, reject) => waiting.set(i, (msg) => (msg.type === 'error' ? reject(new Error(`${method}: ${msg.message}`)) : resolve(msg.result))));
}
await send('session.new', { capabilities: {} });
const { contexts } = await send('browsingContext.getTree', {});
const context = contexts[0].context;
// The answers to the credential dialogs, in order, per site (as a user types them).
const answers = {
  '/lab/basic/': [['alice', 'letmein'], ['alice', 'alice'], ['alice', 'Wonderlnd']],
  '/lab/integrated/': [['CONTOSO\\bob', 'Builder2']],
  '/lab/ntlm-connection-breaks/': [['CONTOSO\\bob', 'Builder2']],
};
await send('session.subscribe', { events: ['network.authRequired'] });
await send('network.addIntercept', { phases: ['authRequired'] });
handlers.push((msg) => {
  if (msg.method !== 'network.authRequired') return;
  const p = new URL(msg.params.request.url).pathname;
  const a = (answers[p] || []).shift();
  const params = a
    ? { request: msg.params.request.request, action: 'provideCredentials', credentials: { type: 'password', username: a[0], password: a[1] } }
    : { request: msg.params.request.request, action: 'cancel' };
  send('network.continueWithAuth', params).catch(() => {});
});
async function evaluate(expression) {
  const r = await send('script.evaluate', { expression, target: { context }, awaitPromise: true });
  if (r.type === 'exception') throw new Error(JSON.stringify(r.exceptionDetails));
  return r.result.value;
}
async function until(expression) {
  await evaluate(`new Promise((resolve) => { const t = () => (${expression}) ? resolve(true) : requestAnimationFrame(t); t(); })`);
}

// The browser's own logons (the frames of visit.html).
await send('browsingContext.navigate', { context, url: `${base}/visit.html`, wait: 'complete' });
let file;
for (let i = 0; i < 300 && !file; i++) {
  try { file = readdirSync(harDir).find((f) => f.endsWith('.har')); } catch {}
  if (!file) await new Promise((r) => setTimeout(r, 100));
}
if (!file) throw new Error('Firefox wrote no HAR');
await new Promise((r) => setTimeout(r, 500));
copyFileSync(path.join(harDir, file), out);
const har = JSON.parse(readFileSync(out, 'utf8'));
console.log(`${out}: ${har.log.entries.length} entries, ${har.log.creator.name} ${har.log.creator.version}`);
await send('session.end', {}).catch(() => {});
ff.kill();
server.kill();
