// The embeddable walkthrough: a documentation page on another origin embeds it with one line
// (embed.js), with every request beyond 127.0.0.1 blocked: it loads from the same static files,
// sizes its frame to its content, takes the theme, plays, and answers the keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer, launch } from './harness.mjs';

let server, browser, docs, docsUrl;
before(async () => {
  server = await startServer();
  browser = await launch();
  // A documentation page, served from another origin (another port).
  docs = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    if (req.url === '/plain.html') {
      // A plain page with one capped embed (the cap test).
      return res.end(`<!DOCTYPE html><html><head><title>Plain</title></head><body><p>Before.</p>
<script src="${server.url}embed.js" data-scenario="ntlm" data-variant="keep-alive-off" data-max-height="600"></script>
<p id="after">After.</p></body></html>`);
    }
    res.end(`<!DOCTYPE html><html><head><title>Docs</title></head><body>
<h1>How NTLM works</h1>
<script src="${server.url}embed.js" data-scenario="ntlm" data-variant="keep-alive-off" data-step="3" data-theme="dark"></script>
<p>Between the two.</p>
<script src="${server.url}embed.js" data-scenario="basic" data-autoplay data-theme="light"></script>
<p>And Kerberos.</p>
<script src="${server.url}embed.js" data-scenario="kerberos" data-on="spn-missing"></script>
</body></html>`);
  });
  await new Promise((r) => docs.listen(0, '127.0.0.1', r));
  docsUrl = `http://127.0.0.1:${docs.address().port}/`;
});
after(async () => { await browser?.close(); server?.stop(); docs?.close(); });

test('a documentation page embeds a walkthrough with one script line, offline', async () => {
  const context = await browser.newContext();
  const outside = [];
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1') return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(docsUrl);
  const frames = page.locator('iframe');
  assert.equal(await frames.count(), 3);
  assert.match(await frames.first().getAttribute('src'), /embed\.html#scenario=ntlm&variant=keep-alive-off&step=3&theme=dark$/);
  assert.equal(await frames.first().getAttribute('title'), 'authscope: ntlm walkthrough');
  const ntlm = page.frameLocator('iframe >> nth=0');
  await ntlm.locator('[data-test=counter]').waitFor();
  assert.match(await ntlm.locator('[data-test=counter]').innerText(), /^Step 3 of \d+/);
  // Sized to its content up to the cap (720 px by default): the frame's height follows the page
  // inside it (another origin: the page inside tells its height); past the cap it scrolls inside.
  const frame = page.frames().find((f) => f.url().includes('scenario=ntlm'));
  const inner = await frame.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(inner > 300, `${inner}`);
  await page.waitForFunction((h) => Math.abs(document.querySelector('iframe').getBoundingClientRect().height - Math.min(h + 2, 720)) <= 4, inner);
  // Tokens start folded in an embed.
  assert.equal(await ntlm.locator('[data-test=token-decode][open]').count(), 0);
  assert.equal(await frame.evaluate(() => document.documentElement.dataset.theme), 'dark');
  const bg = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(23, 29, 36)');
  // No navigation, no forms, no Live mode: the walkthrough and a link to the full app.
  assert.equal(await ntlm.locator('nav').count(), 0);
  assert.equal(await ntlm.locator('[data-test=live-run]').count(), 0);
  assert.match(await ntlm.locator('[data-test=embed-open]').getAttribute('href'), /^index\.html#\/ntlm\?variant=keep-alive-off&step=3/);
  // The keyboard: Tab into the frame's controls, then the arrow keys step.
  await ntlm.locator('[data-test=next]').focus();
  await page.keyboard.press('Enter');
  assert.match(await ntlm.locator('[data-test=counter]').innerText(), /^Step 4 of/);
  await ntlm.locator('[data-test=diagram] g.row.current').focus();
  await page.keyboard.press('ArrowRight');
  assert.match(await ntlm.locator('[data-test=counter]').innerText(), /^Step 5 of/);
  // The second one (loaded lazily, when scrolled to) plays by itself, in the light theme.
  await frames.nth(1).scrollIntoViewIfNeeded();
  const basic = page.frameLocator('iframe >> nth=1');
  await basic.locator('[data-test=counter]').waitFor();
  const light = page.frames().find((f) => f.url().includes('scenario=basic'));
  await light.waitForFunction(() => /^Step [2-9]/.test(document.querySelector('[data-test=counter]').textContent));
  assert.equal(await light.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)');
  // The Kerberos walkthrough is its own page and bundle: an NTLM embed does not load Kerberos.
  assert.match(await frames.nth(2).getAttribute('src'), /embed-kerberos\.html#scenario=kerberos&on=spn-missing$/);
  await frames.nth(2).scrollIntoViewIfNeeded();
  const krb = page.frameLocator('iframe >> nth=2');
  await krb.locator('[data-test=counter]').waitFor();
  assert.match(await krb.locator('[data-test=krb-outcome]').innerText(), /by NTLM/);
  assert.deepEqual(outside, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an embed never grows past its cap as the reader steps, in light and dark; data-max-height sets the cap', async () => {
  for (const theme of ['light', 'dark']) {
    const context = await browser.newContext({ colorScheme: theme, viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${docsUrl}plain.html`);
    const ntlm = page.frameLocator('iframe');
    await ntlm.locator('[data-test=counter]').waitFor();
    const heights = [];
    const afterTop = [];
    const total = Number((await ntlm.locator('[data-test=counter]').innerText()).split(' of ')[1]);
    for (let i = 1; i < total; i++) {
      await ntlm.locator('[data-test=next]').click();
      heights.push(await page.evaluate(() => document.querySelector('iframe').getBoundingClientRect().height));
      afterTop.push(await page.evaluate(() => document.getElementById('after').getBoundingClientRect().top));
    }
    assert.ok(Math.max(...heights) <= 600, heights.join(' '));
    // The text after the frame never moves by more than the cap.
    assert.ok(Math.max(...afterTop) - Math.min(...afterTop) <= 600, afterTop.join(' '));
    // The last step's content is reachable: the frame scrolls inside.
    const frame = page.frames().find((f) => f.url().includes('scenario=ntlm'));
    assert.ok(await frame.evaluate(() => document.documentElement.scrollHeight > window.innerHeight));
    await context.close();
  }
});

test('embed.html asked for the Kerberos walkthrough goes to embed-kerberos.html, hash and all', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}embed.html#scenario=kerberos&step=2`);
  await page.waitForURL(/embed-kerberos\.html#scenario=kerberos&step=2$/);
  await page.locator('[data-test=counter]').waitFor();
  assert.match(await page.locator('[data-test=counter]').innerText(), /^Step 2 of/);
  await context.close();
});
