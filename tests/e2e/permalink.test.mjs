// Permalinks (the state in the URL fragment, never a password), and the exports of a walkthrough
// (SVG rendered by Chromium, Mermaid text, curl commands).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const counter = (page) => page.locator('[data-test=counter]').innerText();

test('a walkthrough link opens the same variant, browser and step, and follows the steps', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm?variant=no-network-right&profile=chromium&step=4`);
  assert.equal(await page.locator('[data-test=variant]').inputValue(), 'no-network-right');
  assert.equal(await page.locator('[data-test=profile]').inputValue(), 'chromium');
  assert.match(await counter(page), /^Step 4 of \d+/);
  await page.click('[data-test=next]');
  await page.waitForFunction(() => location.hash.includes('step=5'));
  await page.selectOption('[data-test=profile]', 'firefox');
  await page.waitForFunction(() => location.hash.includes('profile=firefox'));
  await page.reload();
  await page.waitForSelector('main#main .page');
  assert.equal(await page.locator('[data-test=profile]').inputValue(), 'firefox');
  assert.equal(await page.locator('[data-test=variant]').inputValue(), 'no-network-right');
  // Any query of the page's URL stays empty: the state lives in the fragment only.
  assert.equal(new URL(page.url()).search, '');
  assert.deepEqual(problems, []);
  await context.close();
});

test('no password reaches the URL or storage', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/basic`);
  const secret = 'Zebra-Secret-42';
  await page.fill('[data-test=password1]', secret);
  await page.locator('[data-test=password1]').dispatchEvent('change');
  await page.fill('[data-test=user]', 'mallory');
  await page.locator('[data-test=user]').dispatchEvent('change');
  await page.waitForFunction(() => location.hash.includes('user=mallory'));
  await page.click('[data-test=end]');
  // The page uses the password (Basic sends it), but the link and storage never hold it.
  assert.match(await page.locator('[data-test=diagram]').textContent(), /Basic/);
  const storage = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }]));
  assert.ok(!page.url().includes(secret) && !decodeURIComponent(page.url()).includes(secret), page.url());
  assert.ok(!storage.includes(secret), storage);
  // Live mode's password field, and the Decoder's password check, are not kept either.
  await page.goto(`${server.url}debug.html#/relay`);
  await page.fill('[data-test=live-password]', secret);
  await page.click('[data-test=live-run]');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=live-leg]').length === 3);
  const after = await page.evaluate(() => JSON.stringify([location.href, { ...localStorage }, { ...sessionStorage }]));
  assert.ok(!after.includes(secret), after);
  // The handshake's 401s are console errors in Chromium ("Failed to load resource").
  assert.deepEqual(problems.filter((p) => !p.includes('401')), []);
  await context.close();
});

test('a pasted token goes into the link only after the warning, and leaves it when it changes', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/decode`);
  await page.click('button:has-text("AUTHENTICATE, NTLMv2")');
  assert.ok(!page.url().includes('token='), page.url());
  await page.click('[data-test=token-link]');
  assert.match(await page.locator('[data-test=token-link-warning]').innerText(), /crack its response offline/);
  assert.ok(!page.url().includes('token='), 'not before the user confirms');
  await page.click('[data-test=token-link-confirm]');
  assert.ok(page.url().includes('token='), page.url());
  const link = page.url();
  // Clicking a field puts it in the link too; the link reopens the token with that field.
  await page.locator('[data-test=layer-ntlmssp] li.field[data-field=UserNameFields] > .field-row').first().click();
  await page.waitForFunction(() => location.hash.includes('field='));
  const withField = page.url();
  const { page: p2, context: c2 } = await openPage(browser, withField);
  assert.equal(await p2.locator('[data-test=layer-ntlmssp]').count(), 1);
  assert.match(await p2.locator('[data-test=layer-ntlmssp] li.field.sel').first().innerText(), /UserNameFields/);
  await c2.close();
  // Another token: the old one leaves the link.
  await page.click('button:has-text("CHALLENGE (MS-NLMP 4.2.4)")');
  await page.waitForFunction(() => !location.hash.includes('token='));
  assert.ok(link.includes('token='));
  assert.deepEqual(problems, []);
  await context.close();
});

test('the diagram exports as SVG that Chromium renders, and as Mermaid; requests as curl commands', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm`);
  await page.click('[data-test=export] summary');
  const mermaid = await page.locator('[data-test=mermaid]').innerText();
  assert.match(mermaid, /^sequenceDiagram\n\s+participant Browser as Browser/);
  assert.match(mermaid, /Browser->>IIS: /);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=export-svg]')]);
  assert.equal(download.suggestedFilename(), 'authscope-ntlm.svg');
  const svg = readFileSync(await download.path(), 'utf8');
  const steps = Number((await counter(page)).match(/of (\d+)/)[1]);
  // Chromium draws it: as an image (it has a size) and as a document (every step's row).
  const view = await context.newPage();
  await view.setContent(`<img id="i" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`);
  await view.waitForFunction(() => document.getElementById('i').complete);
  const { w, h } = await view.evaluate(() => ({ w: document.getElementById('i').naturalWidth, h: document.getElementById('i').naturalHeight }));
  assert.equal(w, 640);
  assert.ok(h > steps * 40, `${h}`);
  await view.setContent(svg);
  assert.equal(await view.locator('g.row').count(), steps);
  assert.match(await view.locator('svg').textContent(), /NTLM/);
  await view.close();
  // The AUTHENTICATE request as curl: --ntlm, the user, never the password.
  await page.locator('[data-test=diagram] g.row', { hasText: 'AUTHENTICATE' }).first().click().catch(async () => {
    await page.click('[data-test=end]');
    await page.locator('[data-test=diagram] g.row', { hasText: 'AUTHENTICATE' }).first().click();
  });
  const curl = await page.locator('[data-test=curl]').textContent();
  assert.match(curl, /^curl -v --ntlm -u 'CONTOSO\\bob:<password>'/);
  assert.ok(!curl.includes('Builder2'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('the About page says which browser rules are read in source, documented, observed or assumed', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/about`);
  const text = await page.locator('main').innerText();
  assert.match(text, /Internet Explorer's source is not public/);
  assert.match(text, /Assumed: how IE 6 splits/);
  assert.ok(!/split and rank challenges: their source and tests/.test(text));
  assert.deepEqual(problems, []);
  await context.close();
});
