// Every view is a link, live: pages follow the fragment when it changes under them (an edited
// address, back and forward), and the IIS lab's edits and the isolation assistant's answers are
// in the fragment (never a password), so that a reload or a shared link restores them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const counter = (page) => page.locator('[data-test=counter]').innerText();

test('an edited fragment in an open tab moves the walkthrough there', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}kerberos.html#/kerberos`);
  assert.match(await counter(page), /^Step 1 of/);
  await page.evaluate(() => { location.hash = '#/kerberos?on=clock-skew&step=5'; });
  await page.waitForFunction(() => document.querySelector('[data-test=counter]')?.textContent.startsWith('Step 5 of'));
  assert.equal(await page.locator('[data-test=clock-skew]').isChecked(), true);
  // Back: the previous view again.
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('[data-test=counter]')?.textContent.startsWith('Step 1 of'));
  assert.equal(await page.locator('[data-test=clock-skew]').isChecked(), false);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the NTLM walkthrough follows a changed variant in the fragment', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm?step=2`);
  assert.match(await counter(page), /^Step 2 of/);
  await page.evaluate(() => { location.hash = '#/ntlm?variant=keep-alive-off&step=4'; });
  await page.waitForFunction(() => document.querySelector('[data-test=counter]')?.textContent.startsWith('Step 4 of'));
  assert.equal(await page.locator('[data-test=variant]').inputValue(), 'keep-alive-off');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the IIS lab\'s edits are in the link and come back on reload; passwords are not', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}lab.html#/lab`);
  await page.selectOption('[data-test=lab-scenario]', 'logonmethod-interactive');
  assert.equal(await page.locator('[data-test=lab-status]').innerText(), '401.1');
  await page.selectOption('[data-test=logon-method]', '3');
  assert.equal(await page.locator('[data-test=lab-status]').innerText(), '200');
  await page.waitForFunction(() => location.hash.includes('edits='));
  const link = page.url();
  // A fresh tab on the link: the same site, the same answer.
  const { page: p2, context: c2 } = await openPage(browser, link);
  assert.equal(await p2.locator('[data-test=lab-status]').innerText(), '200');
  assert.equal(await p2.locator('[data-test=logon-method]').inputValue(), '3');
  await c2.close();
  // A password typed into the lab stays out of the link, and the page says so.
  await page.selectOption('[data-test=lab-scenario]', 'unc-invalid');
  await page.fill('[data-test=unc-password]', 'Share4');
  assert.equal(await page.locator('[data-test=lab-status]').innerText(), '200');
  await page.locator('[data-test=lab-unlinked]').waitFor();
  await page.selectOption('[data-test=network]', 'breaks');
  await page.waitForFunction(() => location.hash.includes('network'));
  assert.ok(!decodeURIComponent(page.url()).includes('Share4'), page.url());
  assert.deepEqual(problems, []);
  await context.close();
});

test('the isolation assistant\'s answers are in the link; a non-number AuthFlags is said to be one', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}lab.html#/isolate`);
  await page.selectOption('[data-test=iso-status]', '401.2');
  await page.fill('[data-test=iso-flags]', '0x5');
  await page.selectOption('[data-test=iso-creds]', 'integrated');
  await page.waitForFunction(() => location.hash.includes('creds=integrated') && location.hash.includes('flags=5'));
  const summary = await page.locator('[data-test=iso-summary]').innerText();
  const { page: p2, context: c2 } = await openPage(browser, page.url());
  assert.equal(await p2.locator('[data-test=iso-status]').inputValue(), '401.2');
  assert.equal(await p2.locator('[data-test=iso-flags]').inputValue(), '5');
  assert.equal(await p2.locator('[data-test=iso-creds]').inputValue(), 'integrated');
  assert.equal(await p2.locator('[data-test=iso-summary]').innerText(), summary);
  await c2.close();
  // "banana" is not read as 0: the answer stays, and the field says why.
  await page.fill('[data-test=iso-flags]', 'banana');
  assert.match(await page.locator('[data-test=iso-flags-error]').innerText(), /not a number/);
  assert.equal(await page.locator('[data-test=iso-summary]').innerText(), summary);
  // The causes are numbered once (the list numbers them).
  assert.doesNotMatch(await page.locator('[data-test=cause] h3').first().innerText(), /^\d+\./);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an embed follows its edited fragment too', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}embed.html#scenario=ntlm&step=2`);
  await page.waitForSelector('[data-test=counter]');
  assert.match(await counter(page), /^Step 2 of/);
  await page.evaluate(() => { location.hash = '#scenario=ntlm&variant=keep-alive-off&step=5'; });
  await page.waitForFunction(() => document.querySelector('[data-test=counter]')?.textContent.startsWith('Step 5 of'));
  await context.close();
});
