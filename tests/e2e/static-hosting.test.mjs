// The built dist/ served by nginx (Debian's) with pkg-config/servers/nginx.conf rendered for the
// build: both pages run, with the sample's Content-Security-Policy and no violation, and the wasm
// arrives as application/wasm. Skips, loudly, when nginx is not installed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openPage } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = process.env.AUTHSCOPE_DIST || path.join(root, 'dist');
const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => { try { execFileSync(p, ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } });

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
// Ready when a TCP connection succeeds: retry on refusal, up to a deadline.
const ready = (port, deadline = Date.now() + 10000) => new Promise((resolve, reject) => {
  const attempt = () => {
    const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(); });
    c.on('error', () => (Date.now() > deadline ? reject(new Error('nginx did not start')) : setImmediate(attempt)));
  };
  attempt();
});

let server, browser, dir, url;
before(async () => {
  if (!nginx) return;
  dir = mkdtempSync(path.join(tmpdir(), 'authscope-nginx-'));
  const port = await freePort();
  const site = execFileSync('node', [path.join(root, 'pkg-config/servers/render.mjs'), path.join(root, 'pkg-config/servers/nginx.conf'), dist, String(port)]);
  writeFileSync(path.join(dir, 'authscope.conf'), site);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join('\n');
  writeFileSync(path.join(dir, 'nginx.conf'), `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events {}
http {
  access_log off;
  ${temp}
  include ${dir}/authscope.conf;
}
`);
  server = spawn(nginx, ['-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' });
  await ready(port);
  url = `http://127.0.0.1:${port}/`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('nginx with the sample configuration serves every page under its CSP, and frames only the embed pages', { skip: nginx ? false : 'nginx is not installed (scripts/setup --browser installs it)' }, async () => {
  const wasm = readdirSync(dist).find((f) => f.endsWith('.wasm'));
  const res = await fetch(url + wasm);
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  assert.match(res.headers.get('cache-control'), /immutable/);
  const page = await fetch(url);
  assert.match(page.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  const { page: p1, context: c1, problems: pr1 } = await openPage(browser, `${url}#/headers`);
  await p1.fill('[data-test=headers-input]', 'WWW-Authenticate: Negotiate\nWWW-Authenticate: NTLM');
  assert.equal(await p1.locator('[data-test=challenge]').count(), 2);
  assert.deepEqual(pr1, []);
  await c1.close();
  const { page: p2, context: c2, problems: pr2 } = await openPage(browser, `${url}kerberos.html#/kerberos`);
  assert.match(await p2.locator('[data-test=krb-outcome]').innerText(), /by Kerberos/);
  assert.deepEqual(pr2, []);
  await c2.close();
  for (const p of ['lab.html#/lab', 'har.html#/har', 'embed.html#scenario=basic', 'embed-kerberos.html#scenario=kerberos']) {
    const { page: pg, context: cx, problems: pb } = await openPage(browser, url + p);
    assert.deepEqual(pb, [], p);
    await cx.close();
  }
  // Documentation pages elsewhere may frame the embed pages, and only them; embed.js is not cached
  // for good.
  assert.match((await fetch(url + 'embed.html')).headers.get('content-security-policy'), /frame-ancestors \*/);
  assert.match((await fetch(url + 'embed-kerberos.html')).headers.get('content-security-policy'), /frame-ancestors \*/);
  assert.match((await fetch(url + 'lab.html')).headers.get('content-security-policy'), /frame-ancestors 'self'/);
  assert.equal((await fetch(url + 'embed.js')).headers.get('cache-control'), 'no-cache');
});
