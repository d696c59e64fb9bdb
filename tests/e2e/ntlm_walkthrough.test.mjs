import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

class NtlmWalk {
  constructor(page) { this.page = page; }
  async variant(id) { await this.page.selectOption('[data-test=variant]', id); }
  async end() { await this.page.click('[data-test=end]'); }
  rows() { return this.page.locator('[data-test=diagram] g.row'); }
}

test('the healthy NT Challenge/Response sequence ends on 200 over one connection', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm`);
  const w = new NtlmWalk(page);
  await w.end();
  assert.match(await page.locator('[data-test=site-page]').innerText(), /logged on as CONTOSO\\bob/);
  const labels = await w.rows().allTextContents();
  assert.ok(labels.some((l) => l.includes('closes #1, opens #2')), labels.join('\n'));
  assert.ok(labels.some((l) => l.includes('pass-through')));
  // Open the CHALLENGE leg: its token decodes in place.
  await w.rows().nth(6).click();
  assert.match(await page.locator('[data-test=token-decode] summary').innerText(), /CHALLENGE_MESSAGE/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('with keep-alives off IIS keeps answering 401.2 and the browser gives up', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/ntlm`);
  const w = new NtlmWalk(page);
  await w.variant('keep-alive-off');
  await w.end();
  assert.match(await page.locator('[data-test=error-page]').innerText(), /HTTP Error 401\.2 - Unauthorized: Access is denied due to server configuration\./);
  assert.deepEqual(problems, []);
  await context.close();
});
