import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

// MS-NLMP 4.2.4.3's CHALLENGE_MESSAGE.
const CHALLENGE = 'TlRMTVNTUAACAAAADAAMADgAAAAzgoriASNFZ4mrze8AAAAAAAAAACQAJABEAAAABgBwFwAAAA9TAGUAcgB2AGUAcgACAAwARABvAG0AYQBpAG4AAQAMAFMAZQByAHYAZQByAAAAAAA=';

class DecoderPage {
  constructor(page) { this.page = page; }
  async paste(text) { await this.page.fill('[data-test=decode-input]', text); }
  ntlm() { return this.page.locator('[data-test=layer-ntlmssp]'); }
}

test('selecting a field outlines its bytes; clicking a byte selects its field', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/decode`);
  const d = new DecoderPage(page);
  await d.paste(`WWW-Authenticate: NTLM ${CHALLENGE}`);
  const ntlm = d.ntlm();
  await ntlm.locator('[data-field=ServerChallenge] > .field-row').hover();
  const hex = await ntlm.locator('.byte.sel .hex').allTextContents();
  assert.equal(hex.join(''), '0123456789abcdef');
  await ntlm.locator('.byte').nth(60).click(); // inside TargetName (bytes 56-68)
  assert.equal(await ntlm.locator('.field.sel > .field-row .fname').innerText(), 'TargetName');
  assert.equal(await ntlm.locator('table.bits tr.on').count(), 13);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an AUTHENTICATE message is flagged as crackable offline, not replayable; broken input keeps what decoded', async () => {
  const { page, context } = await openPage(browser, `${server.url}#/decode`);
  const d = new DecoderPage(page);
  await page.getByText('AUTHENTICATE, NTLMv2 (MS-NLMP 4.2.4)').click();
  assert.match(await page.locator('[data-test=credential-warning]').innerText(), /cracked offline.*cannot be replayed|cannot be replayed.*cracked offline/is);
  await d.paste('NTLM TlRMTVNTUAADAAAAGAAYAGwAAABUAFQAhAAAAAwADABIAAAACAA');
  assert.match(await page.locator('[data-test=decode-error]').innerText(), /layer 2 at byte 36/);
  assert.equal(await d.ntlm().locator('[data-field=LmChallengeResponseFields]').count(), 1);
  await context.close();
});

test('check with a password: the MS-NLMP example matches with "Password" and not with another', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/decode`);
  await page.getByText('Load the MS-NLMP 4.2.4 example').click();
  await page.click('[data-test=check-run]');
  assert.equal(await page.locator('[data-test=response-verdict]').innerText(), 'matches');
  assert.match(await page.locator('[data-test=check-result]').innerText(), /NTProofStr[\s\S]*68cd0ab851e51c96aabc927bebef6a1c/);
  await page.fill('[data-test=check-password]', 'password');
  await page.click('[data-test=check-run]');
  assert.equal(await page.locator('[data-test=response-verdict]').innerText(), 'does not match');
  // The password never reaches the URL or storage.
  assert.ok(!page.url().includes('assword'));
  assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
