import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

// Page object for the Basic walkthrough.
class BasicWalk {
  constructor(page) { this.page = page; }
  async setUp({ site = 'basic', profile = 'ie6', user = 'alice', passwords }) {
    await this.page.selectOption('[data-test=site]', site);
    await this.page.selectOption('[data-test=profile]', profile);
    await this.page.fill('[data-test=user]', user);
    for (let i = 0; i < 3; i++) await this.page.fill(`[data-test=password${i + 1}]`, passwords[i] ?? '');
    await this.page.locator('[data-test=narration]').click();
  }
  counter() { return this.page.locator('[data-test=counter]').innerText(); }
  async end() { await this.page.click('[data-test=end]'); }
  async unfocus() { await this.page.evaluate(() => document.activeElement?.blur()); }
  rows() { return this.page.locator('[data-test=diagram] g.row'); }
}

test('IE 6 with three wrong passwords stops and shows the 401.1 page', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/basic`);
  const walk = new BasicWalk(page);
  await walk.setUp({ passwords: ['wrong1', 'wrong2', 'wrong3'] });
  await walk.end();
  assert.equal(await walk.counter(), 'Step 13 of 13');
  const error = await page.locator('[data-test=error-page]').innerText();
  assert.match(error, /HTTP Error 401\.1 - Unauthorized: Access is denied due to invalid credentials\./);
  const labels = await walk.rows().allTextContents();
  assert.equal(labels.filter((l) => l.includes('Authorization: Basic')).length, 3);
  assert.ok(labels.some((l) => l.includes('credential dialog, attempt 3 of 3')));
  assert.match(await page.locator('[data-test=narration]').innerText(), /After 3 rejected attempts Internet Explorer 6 stops asking/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the right password ends on 200 and the request shows base64 decoded to user:password', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/basic`);
  const walk = new BasicWalk(page);
  await walk.setUp({ passwords: ['nope', 'Wonderland1'] });
  await walk.end();
  assert.match(await page.locator('[data-test=site-page]').innerText(), /You are logged on as WEB01\\alice\./);
  // Open the last request (step 8) from the diagram.
  await walk.rows().nth(7).click();
  assert.equal(await page.locator('[data-test=basic-text]').innerText(), 'alice:Wonderland1');
  assert.match(await page.locator('[data-test=http]').innerText(), /^GET \/lab\/basic\/ HTTP\/1\.1/);
  await page.click('[data-test=next]');
  assert.equal(await page.locator('[data-test=status]').innerText(), '200');
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard steps and plays; reduced motion jumps without animation', async () => {
  const { page, context } = await openPage(browser, `${server.url}#/basic`, { reducedMotion: 'reduce' });
  const walk = new BasicWalk(page);
  await walk.unfocus();
  assert.equal(await walk.counter(), 'Step 1 of 13');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await walk.counter(), 'Step 3 of 13');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await walk.counter(), 'Step 2 of 13');
  const animation = await page.locator('[data-test=diagram] g.row.current line.arrow').evaluate((el) => getComputedStyle(el).animationName);
  assert.equal(animation, 'none');
  await page.keyboard.press('End');
  assert.equal(await walk.counter(), 'Step 13 of 13');
  await page.keyboard.press('Home');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('[data-test=counter]').textContent === 'Step 2 of 13');
  await page.keyboard.press('Space');
  assert.equal(await page.locator('[data-test=play]').getAttribute('title'), 'Play (Space)');
  await context.close();
});

test('a phone-sized screen has no horizontal scrolling', async () => {
  const { page, context } = await openPage(browser, `${server.url}#/basic`, { viewport: { width: 390, height: 844 } });
  await new BasicWalk(page).end();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `overflow ${overflow}px`);
  await context.close();
});

test('byte by byte: a field outlines its bytes and a byte selects its field', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/basic`);
  const walk = new BasicWalk(page);
  await walk.setUp({ passwords: ['Wonderland1'] });
  await walk.end();
  await walk.rows().nth(4).click(); // the request with Authorization: Basic
  await page.click('details.layers summary');
  const decoded = page.locator('[data-test=layer]').nth(1);
  await decoded.locator('[data-field=password] > .field-row').hover();
  const outlined = await decoded.locator('.byte.sel .chr').allTextContents();
  assert.equal(outlined.join(''), 'Wonderland1');
  await decoded.locator('.byte').nth(2).click(); // the "i" of alice
  assert.equal(await decoded.locator('.field.sel > .field-row .fname').innerText(), 'user-id');
  assert.deepEqual(problems, []);
  await context.close();
});
