// The relay seen from a real browser: what Chromium itself sends (Origin, Sec-Fetch-Site) when
// another site's page tries to use the relay, and what it does with a relayed page that carries
// a script and cookies. The HTTP-level cases are in tests/security/attacks.rs; these are the
// ones only a browser shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, launch } from './harness.mjs';

let browser, upstream, relay, attacker;
const hits = [];

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}/`)));
}

before(async () => {
  // A real server behind the relay: a page with a script, a cookie and a CORS grant.
  const up = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, {
      'Content-Type': 'text/html',
      'Set-Cookie': 'up=1; Path=/',
      'Access-Control-Allow-Origin': '*',
    });
    res.end('<!doctype html><p id="p">from the server</p><script>document.title = "ran"; document.cookie = "js=1; path=/";</script>');
  });
  upstream = { server: up, url: await listen(up) };
  relay = await startServer(['--relay', `${upstream.url}app/`]);
  // Another site's page (another origin on this machine) that tries every way in.
  const evil = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><body><script>
      (async () => {
        const r = ${JSON.stringify(relay.url)};
        const tries = [
          fetch(r + 'relay/0/page', { credentials: 'include' }),
          fetch(r + 'relay/0/page', { mode: 'no-cors' }),
          fetch(r + 'relay/0/page', { method: 'POST', mode: 'no-cors', body: 'a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
          fetch(r + 'relay/session', { method: 'POST', headers: { 'X-Authscope-App': '1' } }),
          fetch(r + 'relay/', { headers: { 'X-Authscope-App': '1' } }),
          new Promise((done) => { const i = new Image(); i.onload = i.onerror = done; i.src = r + 'relay/0/img'; }),
        ];
        const out = await Promise.allSettled(tries);
        window.results = out.map((o) => o.status === 'fulfilled' && o.value && o.value.status !== undefined ? o.value.status : o.status);
        const f = document.createElement('iframe'); f.name = 'sink'; document.body.append(f);
        const form = document.createElement('form'); form.method = 'POST'; form.action = r + 'relay/0/form'; form.target = 'sink';
        form.innerHTML = '<input name="a" value="1">'; document.body.append(form);
        f.onload = () => { window.done = true; };
        form.submit();
      })();
    </script></body>`);
  });
  attacker = { server: evil, url: await listen(evil) };
  browser = await launch();
});

after(async () => {
  await browser?.close();
  relay?.stop();
  upstream?.server.close();
  attacker?.server.close();
});

test('another site\'s page cannot reach the relay: nothing gets through to the server', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(attacker.url);
  await page.waitForFunction(() => window.done === true);
  const results = await page.evaluate(() => window.results);
  // Readable answers were all refusals; opaque ones and the image told the page nothing.
  for (const r of results) assert.ok(r === 403 || r === 0 || r === 'rejected' || r === 'fulfilled', String(r));
  assert.deepEqual(hits, [], 'no request from the other site reached the server behind the relay');
  await context.close();
});

test('a relayed page runs no script and leaves no cookie in authscope\'s origin', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const before = hits.length;
  await page.goto(`${relay.url}relay/0/page`);
  assert.equal(hits.length, before + 1, 'a page opened from the address bar is relayed');
  assert.equal(await page.locator('#p').innerText(), 'from the server');
  assert.equal(await page.evaluate(() => document.title), '', 'the script did not run (CSP sandbox)');
  assert.deepEqual(await context.cookies(relay.url), [], 'Set-Cookie was not applied');
  // authscope's own page, in that origin, sees no cookie either.
  await page.goto(`${relay.url}debug.html#/relay`);
  await page.waitForSelector('main#main .page');
  assert.equal(await page.evaluate(() => document.cookie), '');
  await context.close();
});
