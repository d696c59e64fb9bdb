// The trainer's tools: autoplay speed, presenter mode, the printed handout, two variants side by
// side, the glossary, copy buttons, the theme switch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('autoplay speed is a choice, kept in the link', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm`);
  await page.selectOption('[data-test=speed]', 'fastest');
  await page.waitForFunction(() => location.hash.includes('speed=fastest'));
  await page.click('[data-test=play]');
  await page.waitForFunction(() => /^Step [3-9]/.test(document.querySelector('[data-test=counter]').textContent));
  const { page: p2, context: c2 } = await openPage(browser, page.url());
  assert.equal(await p2.locator('[data-test=speed]').inputValue(), 'fastest');
  await c2.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('presenter mode: large type, no menus or forms, the keyboard drives it; Escape leaves it', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm`, { viewport: { width: 1366, height: 768 } });
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('[data-test=narration]')).fontSize));
  const before = await size();
  await page.click('[data-test=presenter]');
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('presenter')), true);
  assert.ok(await size() >= before * 1.8, `${before} → ${await size()}`);
  assert.equal(await page.locator('header.top').isVisible(), false);
  assert.equal(await page.locator('.setup').isVisible(), false);
  await page.keyboard.press('ArrowRight');
  assert.match(await page.locator('[data-test=counter]').innerText(), /^Step 2 of/);
  // Leaving: the button again (full screen, where the browser granted it, ends with Escape).
  await page.click('[data-test=presenter]');
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('presenter')), false);
  assert.deepEqual(problems, []);
  await context.close();
});

test('printing a walkthrough gives a handout: the whole diagram, every step\'s narration and key bytes, no menus or forms', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm`);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top').isVisible(), false);
  assert.equal(await page.locator('.setup .form').isVisible(), false);
  assert.equal(await page.locator('[data-test=controls], .controls').first().isVisible(), false);
  const handout = page.locator('[data-test=handout]');
  assert.equal(await handout.isVisible(), true);
  const total = Number((await page.locator('[data-test=counter]').textContent()).split(' of ')[1]);
  assert.equal(await handout.locator('.handout-steps > li').count(), total);
  assert.equal(await handout.locator('.handout-diagram svg').count(), 1);
  assert.match(await handout.innerText(), /TlRMTVNTUA/);
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000);
  await page.emulateMedia({ media: 'screen' });
  assert.equal(await handout.isVisible(), false);
  assert.deepEqual(problems, []);
  await context.close();
});

test('two variants side by side, their difference highlighted, in the link', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm`);
  await page.selectOption('[data-test=vs]', 'keep-alive-off');
  const table = page.locator('[data-test=compare]');
  await table.waitFor();
  assert.match(await page.locator('[data-test=compare-summary]').innerText(), /^\d+ steps differ/);
  const diffs = await table.locator('[data-test=compare-diff]').allInnerTexts();
  assert.ok(diffs.length > 0);
  assert.ok(diffs.some((d) => /401/.test(d)), diffs.join('\n'));
  // The same step in both is one plain row.
  assert.ok(await table.locator('tr.same').count() > 0);
  await page.waitForFunction(() => location.hash.includes('vs=keep-alive-off'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('terms in a narration link to the glossary, which shows the term with its source', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm`);
  await page.click('[data-test=end]');
  let link = page.locator('[data-test=narration] a.term').first();
  for (let i = 0; (await link.count()) === 0 && i < 12; i++) {
    await page.keyboard.press('ArrowLeft');
    link = page.locator('[data-test=narration] a.term').first();
  }
  const href = await link.getAttribute('href');
  assert.match(href, /^lab\.html#\/glossary\?term=[a-z-]+$/);
  const { page: g, context: gc } = await openPage(browser, `${server.url}${href}`);
  const id = href.split('term=')[1];
  const entry = g.locator(`[data-test=term-${id}]`);
  assert.match(await entry.getAttribute('class'), /wanted/);
  assert.match(await entry.innerText(), /Source: /);
  await gc.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('copy buttons put the token, the curl command and the bytes on the clipboard', async () => {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
  const page = await context.newPage();
  await page.goto(`${server.url}#/ntlm`);
  await page.waitForSelector('main#main .page');
  await page.click('[data-test=end]');
  await page.locator('[data-test=diagram] g.row').nth(6).click();
  await page.locator('[data-test=token-decode] > [data-test=copy]').click();
  await page.waitForFunction(() => document.querySelector('[data-test=token-decode] > [data-test=copy]').textContent.startsWith('Copied'));
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^TlRMTVNTUAAC/);
  await page.locator('[data-test=token-decode] .layer h5 [data-test=copy]').first().click();
  await page.waitForFunction(async () => (await navigator.clipboard.readText()).startsWith('00000000: 4e 54 4c 4d'));
  await context.close();
});

test('the theme switch is on every page and is kept across pages', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/headers`);
  await page.selectOption('[data-test=theme]', 'dark');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(15, 20, 25)');
  for (const p of ['decode.html#/decode', 'kerberos.html#/kerberos', 'lab.html#/lab', 'har.html#/har', 'debug.html#/relay']) {
    await page.goto(`${server.url}${p}`);
    await page.waitForSelector('main#main .page');
    assert.equal(await page.locator('[data-test=theme]').inputValue(), 'dark', p);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark', p);
  }
  await page.selectOption('[data-test=theme]', 'auto');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), undefined);
  assert.deepEqual(problems, []);
  await context.close();
});
