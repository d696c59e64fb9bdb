// The details a first reading tripped on: each fixed, each checked where a browser shows it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('NTLM: the CHALLENGE leg is drawn as the normal middle, the verdict has its text, the hex dump has 16-byte rows with offsets', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm`);
  await page.click('[data-test=end]');
  const challenge = page.locator('[data-test=diagram] g.row', { hasText: 'CHALLENGE' }).filter({ hasText: '401' }).first();
  assert.doesNotMatch(await challenge.getAttribute('class'), /\bbad\b/);
  // A refusal is still drawn as one.
  await page.goto(`${server.url}#/ntlm?variant=keep-alive-off`);
  await page.waitForSelector('main#main .page');
  await page.click('[data-test=end]');
  assert.ok(await page.locator('[data-test=diagram] g.row.bad').count() > 0);
  await page.goto(`${server.url}#/ntlm`);
  await page.waitForSelector('main#main .page');
  await page.click('[data-test=end]');
  await page.locator('[data-test=diagram] text.label', { hasText: 'valid: the same response' }).click();
  assert.match(await page.locator('[data-test=detail] article').innerText(), /The domain controller's verdict[\s\S]*pass-through authentication/);
  await page.locator('[data-test=diagram] g.row', { hasText: 'CHALLENGE' }).filter({ hasText: '401' }).first().click();
  const first = page.locator('[data-test=token-decode] .hexrow').first();
  assert.equal(await first.locator('.byte').count(), 16);
  assert.equal(await first.locator('.off').innerText(), '0000');
  assert.equal(await page.locator('[data-test=token-decode] .hexrow').nth(1).locator('.off').innerText(), '0010');
  assert.deepEqual(problems, []);
  await context.close();
});

test('Kerberos: no diagram label is longer than the arrow (a long one is cut, whole in its title)', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}kerberos.html#/kerberos?on=spn-missing`);
  await page.click('[data-test=end]');
  const labels = await page.locator('[data-test=diagram] text.label').allTextContents();
  assert.ok(labels.length > 5);
  for (const l of labels) assert.ok(l.length <= 56, l);
  assert.deepEqual(problems, []);
  await context.close();
});

test('every page paints its frame from its HTML alone, before any script runs', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  for (const p of ['index.html', 'decode.html', 'kerberos.html', 'lab.html', 'har.html', 'debug.html', 'embed.html']) {
    await page.goto(`${server.url}${p}`);
    assert.equal(await page.locator('#boot h1').innerText(), 'authscope', p);
    assert.match(await page.locator('#boot .boot-loading').innerText(), /Loading/, p);
    assert.equal(await page.locator('#boot nav a').count(), 11, p);
  }
  await context.close();
});

test('with reduced motion a link\'s autoplay does not start by itself; Play still plays', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm?autoplay`, { reducedMotion: 'reduce' });
  assert.equal(await page.locator('[data-test=play]').getAttribute('aria-label'), 'Play (Space)');
  await page.click('[data-test=play]');
  assert.equal(await page.locator('[data-test=play]').getAttribute('aria-label'), 'Pause (Space)');
  await context.close();
  // Without the preference, the link plays.
  const { page: p2, context: c2 } = await openPage(browser, `${server.url}#/ntlm?autoplay`);
  assert.equal(await p2.locator('[data-test=play]').getAttribute('aria-label'), 'Pause (Space)');
  await c2.close();
  assert.deepEqual(problems, []);
});
