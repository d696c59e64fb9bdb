// Accessibility, phones and the keyboard, in every page and the states that matter, light and
// dark: axe-core (the npm package, injected into the page) must find no serious or critical
// violation; no page scrolls sideways at 360 px; the walkthrough player owns its keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startServer, launch } from './harness.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

// Each state: a URL and what to do there before the check.
const end = async (p) => p.click('[data-test=end]');
const row = (n) => async (p) => { await end(p); await p.locator('[data-test=diagram] g.row').nth(n).click(); };
const STATES = [
  ['headers lab', '#/headers', async () => {}],
  ['headers lab, a 401 pasted', '#/headers', async (p) => p.fill('[data-test=headers-input]', 'HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Negotiate\nWWW-Authenticate: NTLM\nWWW-Authenticate: Basic realm="corp"')],
  ['Basic walkthrough at its end', '#/basic', end],
  ['NTLM walkthrough, the CHALLENGE decoded', '#/ntlm', row(6)],
  ['NTLM walkthrough, keep-alives off', '#/ntlm?variant=keep-alive-off', end],
  ['About', '#/about', async () => {}],
  ['Decoder, an AUTHENTICATE', 'decode.html#/decode', async (p) => p.click('button:has-text("AUTHENTICATE, NTLMv2")')],
  ['Decoder, a Kerberos AP-REQ', 'decode.html#/decode', async (p) => p.click('button:has-text("AP-REQ from curl")')],
  ['Kerberos walkthrough, the AP-REQ', 'kerberos.html#/kerberos', async (p) => { await end(p); await p.locator('.diagram text.label', { hasText: /GET \+ Negotiate <SPNEGO/ }).click(); }],
  ['Kerberos walkthrough, a missing SPN', 'kerberos.html#/kerberos?on=spn-missing', end],
  ['IIS lab', 'lab.html#/lab', async () => {}],
  ['IIS lab, a locked-out account', 'lab.html#/lab?scenario=ntlm-locked-out', async () => {}],
  ['Isolate a 401', 'lab.html#/isolate', async () => {}],
  ['HAR import', 'har.html#/har', async () => {}],
  ['Real servers', 'debug.html#/relay', async () => {}],
  ['Benchmark', 'decode.html#/bench', async () => {}],
  ['embedded NTLM walkthrough', 'embed.html#scenario=ntlm&step=8', async () => {}],
  ['embedded Kerberos walkthrough', 'embed-kerberos.html#scenario=kerberos&step=5', async () => {}],
];

async function open(url, options = {}) {
  // axe-core is injected as a script: the page's Content-Security-Policy would refuse it.
  const context = await browser.newContext({ bypassCSP: true, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  await page.goto(`${server.url}${url}`);
  await page.waitForSelector('main#main .page, main#main.embedded');
  return { page, context, problems };
}

async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}, ${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

for (const scheme of ['light', 'dark']) {
  test(`axe-core finds no serious or critical violation in any page or state (${scheme})`, async () => {
    const found = [];
    for (const [name, url, act] of STATES) {
      const { page, context } = await open(url, { colorScheme: scheme, viewport: { width: 1366, height: 900 } });
      await act(page);
      for (const v of await axe(page)) found.push(`${name}: ${v}`);
      await context.close();
    }
    assert.deepEqual(found, []);
  });
}

test('no page scrolls sideways at 360 px, and diagram text is at least 12 px', async () => {
  const wide = [];
  for (const [name, url, act] of STATES) {
    const { page, context } = await open(url, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await act(page);
    const { scroll, client, small } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      small: [...document.querySelectorAll('svg.diagram text')]
        .map((t) => t.getBoundingClientRect().height > 0 ? parseFloat(getComputedStyle(t).fontSize) * (t.ownerSVGElement.getBoundingClientRect().width / t.ownerSVGElement.viewBox.baseVal.width) : 99)
        .filter((px) => px < 11.99).length,
    }));
    if (scroll > client) wide.push(`${name}: ${scroll} px wide in a ${client} px window`);
    if (small) wide.push(`${name}: ${small} diagram labels under 12 px`);
    await context.close();
  }
  assert.deepEqual(wide, []);
});

test('on a phone the step\'s explanation and the lab\'s answer are on the first screen; the menu folds and does not stick', async () => {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
  for (const [url, sel] of [['#/ntlm', '[data-test=narration]'], ['#/basic', '[data-test=narration]'], ['kerberos.html#/kerberos', '[data-test=narration]'], ['lab.html#/lab', '[data-test=lab-status]']]) {
    const { page, context } = await open(url, phone);
    const top = await page.locator(sel).evaluate((el) => el.getBoundingClientRect().top);
    assert.ok(top < 844, `${url}: ${sel} at ${top} px`);
    // The menu: folded behind its button, and the header scrolls away with the page.
    assert.equal(await page.locator('#pages-menu').isVisible(), false);
    await page.click('[data-test=menu]');
    assert.equal(await page.locator('#pages-menu').isVisible(), true);
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('header.top')).position), 'static');
    await context.close();
  }
});

test('the player owns Space, arrows, Home and End in the walkthrough (buttons too) and never scrolls the page', async () => {
  const { page, context, problems } = await open('#/ntlm', { viewport: { width: 1366, height: 700 } });
  const counter = () => page.locator('[data-test=counter]').innerText();
  const scrollY = () => page.evaluate(() => window.scrollY);
  assert.equal(await counter(), `Step 1 of ${(await counter()).split(' of ')[1]}`);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.match(await counter(), /^Step 3 of/);
  await page.keyboard.press('End');
  const last = (await counter()).split(' of ')[1];
  assert.equal(await counter(), `Step ${last} of ${last}`);
  await page.keyboard.press('Home');
  assert.match(await counter(), /^Step 1 of/);
  assert.equal(await scrollY(), 0);
  // With focus on a player button: the arrows still step, Space plays (once), the page stays.
  await page.focus('[data-test=next]');
  await page.keyboard.press('ArrowRight');
  assert.match(await counter(), /^Step 2 of/);
  const before = await scrollY();
  await page.keyboard.press(' ');
  assert.equal(await page.locator('[data-test=play]').getAttribute('aria-label'), 'Pause (Space)');
  await page.keyboard.press(' ');
  assert.equal(await page.locator('[data-test=play]').getAttribute('aria-label'), 'Play (Space)');
  assert.equal(await scrollY(), before);
  assert.deepEqual(problems.filter((p) => !p.includes('integrity')), []);
  await context.close();
  // In a text field the keys are the field's (the Basic walkthrough's user name).
  const basic = await open('#/basic', { viewport: { width: 1366, height: 700 } });
  await basic.page.keyboard.press('ArrowRight');
  assert.match(await basic.page.locator('[data-test=counter]').innerText(), /^Step 2 of/);
  await basic.page.focus('[data-test=user]');
  await basic.page.keyboard.press('End');
  await basic.page.keyboard.press('ArrowLeft');
  assert.match(await basic.page.locator('[data-test=counter]').innerText(), /^Step 2 of/);
  await basic.context.close();
});

test('a decoded token\'s field tree is one Tab stop, walked with the arrows', async () => {
  const { page, context } = await open('decode.html#/decode', { viewport: { width: 1366, height: 900 } });
  const tree = page.locator('[data-test=layer-ntlmssp] [role=tree]');
  assert.equal(await tree.locator('[role=treeitem][tabindex="0"]').count(), 1);
  assert.ok(await tree.locator('[role=treeitem][tabindex="-1"]').count() > 10);
  await tree.locator('[role=treeitem][tabindex="0"]').focus();
  const first = await page.evaluate(() => document.activeElement.textContent);
  await page.keyboard.press('ArrowDown');
  const second = await page.evaluate(() => document.activeElement.textContent);
  assert.notEqual(first, second);
  // The focused field is the selected one: its bytes light up.
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-selected')), 'true');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), first);
  // Tab leaves the tree at once.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.closest('[role=tree]')), null);
  await context.close();
});

test('a skip link leads to the content, and focus is never hidden under the header', async () => {
  const { page, context } = await open('#/ntlm', { viewport: { width: 390, height: 844 }, isMobile: true });
  await page.keyboard.press('Tab');
  assert.match(await page.evaluate(() => document.activeElement.textContent), /Skip to the content/);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'main');
  // Walk forward: every focused element is below the header, whatever the page scrolled.
  const hidden = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const r = await page.evaluate(() => {
      const el = document.activeElement;
      // Past the last stop focus leaves the page (the browser's own controls).
      if (el === document.body) return { top: 0, h: 0, what: 'body' };
      const header = document.querySelector('header.top');
      const h = header && getComputedStyle(header).position === 'sticky' ? header.getBoundingClientRect().bottom : 0;
      const b = el.getBoundingClientRect();
      return { top: b.top, h, what: el.outerHTML.slice(0, 80) };
    });
    if (r.top < r.h - 1) hidden.push(`${r.what} at ${r.top} under a ${r.h} px header`);
  }
  assert.deepEqual(hidden, []);
  await context.close();
});
