import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

// Page object for the Headers lab.
class HeadersLab {
  constructor(page) { this.page = page; }
  async paste(text) { await this.page.fill('[data-test=headers-input]', text); }
  chosen(profile) { return this.page.locator(`[data-test=profile-${profile}] [data-test=chosen]`).innerText(); }
  challenges() { return this.page.locator('[data-test=challenge]').count(); }
}

test('a pasted response block shows each browser profile\'s choice', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/headers`);
  const lab = new HeadersLab(page);
  await lab.paste('HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Basic realm="corp"\nWWW-Authenticate: NTLM\nServer: Microsoft-IIS/6.0');
  assert.equal(await lab.challenges(), 2);
  assert.equal(await lab.chosen('ie6'), 'Basic (realm "corp")');
  assert.equal(await lab.chosen('chromium'), 'NTLM');
  assert.equal(await lab.chosen('firefox'), 'NTLM');
  assert.equal(await lab.chosen('rfc'), 'NTLM');
  assert.match(await page.locator('[data-test=summary]').innerText(), /2 header fields, 2 challenges; 2 other header lines ignored/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('several challenges on one line: Chromium finds nothing, Firefox and the RFC find Basic', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/headers`);
  const lab = new HeadersLab(page);
  await lab.paste('Newauth realm="newauth", Basic realm="basic"');
  assert.equal(await lab.chosen('chromium'), 'nothing: no prompt');
  assert.equal(await lab.chosen('firefox'), 'Basic (realm "basic")');
  assert.equal(await lab.chosen('rfc'), 'Basic (realm "basic")');
  assert.deepEqual(problems, []);
  await context.close();
});

test('hovering a challenge outlines the characters it came from; diagnostics are listed', async () => {
  const { page, context } = await openPage(browser, `${server.url}#/headers`);
  const lab = new HeadersLab(page);
  await lab.paste('Basic realm="foo", realm="bar"');
  await page.locator('[data-test=challenge]').first().hover();
  const outlined = await page.locator('.source .sel').allInnerTexts();
  assert.equal(outlined.join(''), 'Basic realm="foo", realm="bar"');
  const diags = await page.locator('[data-test=diagnostic]').allInnerTexts();
  assert.ok(diags.some((d) => d.includes('duplicate parameter')), diags.join('\n'));
  await context.close();
});

test('what each browser does with Negotiate and NTLM follows the URL and the OS, with sources', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/headers`);
  const lab = new HeadersLab(page);
  await lab.paste('WWW-Authenticate: Negotiate\nWWW-Authenticate: NTLM');
  const summary = (id) => page.locator(`[data-test=profile-${id}] [data-test=integrated] summary`).innerText();
  // http://web01/ from Windows: Internet Explorer logs on silently (Local intranet).
  assert.match(await summary('ie6'), /Negotiate silently/);
  await page.fill('[data-test=headers-url]', 'http://web01.contoso.com/');
  assert.match(await summary('ie6'), /Negotiate after a credential dialog/);
  await page.selectOption('[data-test=headers-os]', 'linux');
  assert.match(await summary('firefox'), /NTLM after a credential dialog/);
  assert.match(await summary('chromium'), /NTLM after a credential dialog/);
  await page.click('[data-test=profile-firefox] [data-test=integrated] summary');
  assert.match(await page.locator('[data-test=profile-firefox] [data-test=integrated]').innerText(), /trusted-uris[\s\S]*source: Gecko/);
  await page.waitForFunction(() => location.hash.includes('os=linux'));
  assert.deepEqual(problems, []);
  await context.close();
});
