import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

class LabPage {
  constructor(page) { this.page = page; }
  async scenario(id) { await this.page.selectOption('[data-test=lab-scenario]', id); }
  status() { return this.page.locator('[data-test=lab-status]').innerText(); }
  trace() { return this.page.locator('[data-test=lab-trace]').innerText(); }
}

test('LogonMethod 0 without "Log on locally" is 401.1; LogonMethod 3 fixes it', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/lab`);
  const lab = new LabPage(page);
  await lab.scenario('logonmethod-interactive');
  assert.equal(await lab.status(), '401.1');
  assert.match(await lab.trace(), /Log on locally/);
  assert.match(await page.locator('[data-test=lab-log]').innerText(), /401 1 1385/);
  await page.selectOption('[data-test=logon-method]', '3');
  assert.equal(await lab.status(), '200');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an expired anonymous account is 401.1 until it is renewed', async () => {
  const { page, context } = await openPage(browser, `${server.url}#/lab`);
  const lab = new LabPage(page);
  await lab.scenario('anon-expired');
  assert.equal(await lab.status(), '401.1');
  await page.uncheck('[data-test=acct-IUSR_WEB01-expired]');
  assert.equal(await lab.status(), '200');
  await context.close();
});

test('AuthFlags=0 is 401.2; enabling anonymous access serves the page', async () => {
  const { page, context } = await openPage(browser, `${server.url}#/lab`);
  const lab = new LabPage(page);
  await lab.scenario('authflags-zero');
  assert.equal(await lab.status(), '401.2');
  assert.match(await page.locator('[data-test=error-page]').innerText(), /HTTP Error 401\.2/);
  await page.check('[data-test=auth-anonymous]');
  assert.equal(await lab.status(), '200');
  await context.close();
});

test('the default-document 401.3 and the UNC 500 scenarios', async () => {
  const { page, context } = await openPage(browser, `${server.url}#/lab`);
  const lab = new LabPage(page);
  await lab.scenario('default-doc-401-3');
  assert.equal(await lab.status(), '401.3');
  assert.match(await lab.trace(), /Default\.htm does not exist/);
  await lab.scenario('unc-invalid');
  assert.equal(await lab.status(), '500');
  await page.fill('[data-test=unc-password]', 'Share4');
  assert.equal(await lab.status(), '200');
  await context.close();
});

test('the isolation assistant leads from a 401.1 to the LogonMethod scenario in the lab', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/isolate`);
  await page.selectOption('[data-test=iso-status]', '401.1');
  await page.fill('[data-test=iso-flags]', '1');
  await page.selectOption('[data-test=iso-creds]', 'anonymous');
  const titles = await page.locator('[data-test=cause] h4').allInnerTexts();
  assert.ok(titles.some((t) => t.includes('LogonMethod 0')), titles.join('\n'));
  await page.click('[data-test=open-logonmethod-interactive]');
  await page.waitForSelector('[data-test=lab-status]');
  assert.equal(await page.locator('[data-test=lab-scenario]').inputValue(), 'logonmethod-interactive');
  assert.equal(await page.locator('[data-test=lab-status]').innerText(), '401.1');
  assert.deepEqual(problems, []);
  await context.close();
});

test('editing a node changes what its subtree inherits', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/lab`);
  const lab = new LabPage(page);
  await lab.scenario('vdir-inherits');
  assert.equal(await lab.status(), '401.2');
  // At the root Anonymous is on; at /app it is not.
  assert.equal(await page.isChecked('[data-test=auth-anonymous]'), true);
  await page.selectOption('[data-test=lab-node]', '0');
  assert.equal(await page.isChecked('[data-test=auth-anonymous]'), false);
  await page.check('[data-test=auth-anonymous]');
  assert.equal(await lab.status(), '200');
  assert.deepEqual(problems, []);
  await context.close();
});
