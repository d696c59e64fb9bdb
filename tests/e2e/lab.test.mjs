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

// A test on a fresh page at `hash`: no console errors or failed requests by the end.
function pageTest(name, hash, body) {
  test(name, async () => {
    const { page, context, problems } = await openPage(browser, `${server.url}${hash}`);
    await body(page, new LabPage(page));
    assert.deepEqual(problems, []);
    await context.close();
  });
}

pageTest('LogonMethod 0 without "Log on locally" is 401.1; LogonMethod 3 fixes it', 'lab.html#/lab', async (page, lab) => {
  await lab.scenario('logonmethod-interactive');
  assert.equal(await lab.status(), '401.1');
  assert.match(await lab.trace(), /Log on locally/);
  assert.match(await page.locator('[data-test=lab-log]').innerText(), /401 1 1385/);
  await page.selectOption('[data-test=logon-method]', '3');
  assert.equal(await lab.status(), '200');
});

pageTest('an expired anonymous account is 401.1 until it is renewed', 'lab.html#/lab', async (page, lab) => {
  await lab.scenario('anon-expired');
  assert.equal(await lab.status(), '401.1');
  await page.uncheck('[data-test=acct-IUSR_WEB01-expired]');
  assert.equal(await lab.status(), '200');
});

pageTest('AuthFlags=0 is 401.2; enabling anonymous access serves the page', 'lab.html#/lab', async (page, lab) => {
  await lab.scenario('authflags-zero');
  assert.equal(await lab.status(), '401.2');
  assert.match(await page.locator('[data-test=error-page]').innerText(), /HTTP Error 401\.2/);
  await page.check('[data-test=auth-anonymous]');
  assert.equal(await lab.status(), '200');
});

pageTest('the default-document 401.3 and the UNC 500 scenarios', 'lab.html#/lab', async (page, lab) => {
  await lab.scenario('default-doc-401-3');
  assert.equal(await lab.status(), '401.3');
  assert.match(await lab.trace(), /Default\.htm does not exist/);
  await lab.scenario('unc-invalid');
  assert.equal(await lab.status(), '500');
  await page.fill('[data-test=unc-password]', 'Share4');
  assert.equal(await lab.status(), '200');
});

pageTest('the isolation assistant leads from a 401.1 to the LogonMethod scenario in the lab', 'lab.html#/isolate', async (page, lab) => {
  await page.selectOption('[data-test=iso-status]', '401.1');
  await page.fill('[data-test=iso-flags]', '1');
  await page.selectOption('[data-test=iso-creds]', 'anonymous');
  const titles = await page.locator('[data-test=cause] h3').allInnerTexts();
  assert.ok(titles.some((t) => t.includes('LogonMethod 0')), titles.join('\n'));
  await page.click('[data-test=open-logonmethod-interactive]');
  await page.waitForSelector('[data-test=lab-status]');
  assert.equal(await page.locator('[data-test=lab-scenario]').inputValue(), 'logonmethod-interactive');
  assert.equal(await page.locator('[data-test=lab-status]').innerText(), '401.1');
});

pageTest('editing a node changes what its subtree inherits', 'lab.html#/lab', async (page, lab) => {
  await lab.scenario('vdir-inherits');
  assert.equal(await lab.status(), '401.2');
  // At the root Anonymous is on; at /app it is not.
  assert.equal(await page.isChecked('[data-test=auth-anonymous]'), true);
  await page.selectOption('[data-test=lab-node]', '0');
  assert.equal(await page.isChecked('[data-test=auth-anonymous]'), false);
  await page.check('[data-test=auth-anonymous]');
  assert.equal(await lab.status(), '200');
});

pageTest('the browser counts Basic attempts: three in Internet Explorer 6, until Cancel in Chromium', 'lab.html#/lab', async (page, lab) => {
  await lab.scenario('basic-wrong-password');
  // Internet Explorer 6 is the default: anonymous, then three Basic attempts, each 401.1.
  const log = () => page.locator('[data-test=lab-log]').innerText();
  const legs = (text) => text.split('\n').slice(1);
  assert.equal(legs(await log()).length, 4);
  assert.equal(await lab.status(), '401.1');
  assert.equal(await page.locator('.diagram text.label >> text=/credential dialog, attempt/').count(), 3);
  // The last request as curl: the user, the password left out; the link keeps scenario and browser.
  assert.match(await page.locator('[data-test=lab-curl]').textContent(), /^curl -v -u '[^:']+:<password>' .*'http:\/\/[^']+\/lab\/basic-wrong-password\/'$/);
  await page.waitForFunction(() => /#\/lab\?scenario=basic-wrong-password&as=ie6/.test(location.hash));
  await page.selectOption('[data-test=lab-via]', 'direct');
  assert.equal(legs(await log()).length, 1);
  await page.selectOption('[data-test=lab-via]', 'chromium');
  assert.equal(await page.locator('.diagram text.label >> text=/credential dialog, attempt/').count(), 4);
});

pageTest('a pooling proxy between the browser and IIS breaks NTLM with 401.2', 'lab.html#/lab', async (page, lab) => {
  await lab.scenario('ntlm-proxy');
  assert.equal(await lab.status(), '401.2');
  assert.match(await lab.trace(), /pools connections/);
  await page.selectOption('[data-test=network]', 'direct');
  assert.equal(await lab.status(), '200');
  await page.selectOption('[data-test=network]', 'breaks');
  assert.equal(await lab.status(), '401.2');
});

pageTest('files and accounts are edited like NTFS permissions and Local Users and Groups', 'lab.html#/lab', async (page, lab) => {
  await lab.scenario('anon-ok');
  assert.equal(await lab.status(), '200');
  // Take IUSR's read access away: 401.3.
  await page.fill('[data-test="acl-/Default.htm"]', 'Administrators');
  await page.press('[data-test="acl-/Default.htm"]', 'Enter');
  assert.equal(await lab.status(), '401.3');
  await page.fill('[data-test="acl-/Default.htm"]', 'Administrators, IUSR_WEB01');
  await page.press('[data-test="acl-/Default.htm"]', 'Enter');
  assert.equal(await lab.status(), '200');
  // A new account with its password logs on with Basic.
  await page.uncheck('[data-test=auth-anonymous]');
  await page.check('[data-test=auth-basic]');
  await page.fill('[data-test=add-account]', 'dave');
  await page.press('[data-test=add-account]', 'Enter');
  await page.selectOption('[data-test=lab-client]', 'basic');
  await page.fill('[data-test=lab-user]', 'dave');
  await page.fill('[data-test=lab-password]', 'Secret5');
  assert.equal(await lab.status(), '401.1');
  await page.fill('[data-test="acct-dave-password"]', 'Secret5');
  assert.equal(await lab.status(), '401.3');
});

pageTest('a locked-out account over NTLM is 401.1, and the Security log says why once failures are audited', 'lab.html#/lab', async (page, lab) => {
  await lab.scenario('ntlm-locked-out');
  assert.equal(await lab.status(), '401.1');
  assert.match(await page.locator('[data-test=lab-log]').innerText(), /401 1 2148074252/);
  assert.match(await page.locator('[data-test=lab-security-log]').innerText(), /Event ID 539[\s\S]*Account locked out/);
  // Windows Server 2003 audits successes only by default: nothing is logged for the failure.
  await page.uncheck('[data-test=audit-failures]');
  assert.match(await page.locator('[data-test=lab-security-log]').innerText(), /successful logons only by default/);
  // IIS 6 Manager has no "Allow IIS to control password": AnonymousPasswordSync is a metabase
  // property (KB 332167), outside the Authentication Methods dialog.
  const methods = await page.locator('fieldset', { hasText: 'Authentication Methods' }).first().innerText();
  assert.ok(!methods.includes('Allow IIS to control password'), methods);
});

pageTest('by its dotted name the site is in the Internet zone: Internet Explorer asks, and says why', 'lab.html#/lab', async (page, lab) => {
  await lab.scenario('ntlm-persist-single-request');
  assert.equal(await page.locator('.diagram text.label >> text=/silent logon/').count(), 1);
  await page.selectOption('[data-test=lab-url]', 'fqdn');
  assert.equal(await page.locator('.diagram text.label >> text=/silent logon/').count(), 0);
  assert.equal(await page.locator('.diagram text.label >> text=/credential dialog, attempt 1/').count(), 1);
  await page.click('[data-test=lab-why] summary');
  assert.match(await page.locator('[data-test=lab-why]').innerText(), /Internet zone[\s\S]*documented:/);
});
