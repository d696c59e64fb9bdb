import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const fixture = (name) => readFileSync(new URL(`../fixtures/kerberos/${name}`, import.meta.url), 'utf8').trim();

test('the Kerberos walkthrough: a ticket for HTTP/web01, an AP-REQ that opens in the decoder', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}kerberos.html#/kerberos`);
  assert.equal(await page.locator('[data-test=krb-outcome]').innerText(), '200: CONTOSO\\bob, by Kerberos');
  // Step to the end, then back to the AP-REQ and decode it in place.
  await page.click('[data-test=end]');
  const labels = await page.locator('.diagram text').allTextContents();
  assert.ok(labels.some((l) => l.startsWith('TGS-REQ for HTTP/web01.contoso.com')), labels.join('\n'));
  await page.locator('.diagram text.label', { hasText: /GET \+ Negotiate <SPNEGO/ }).click();
  assert.match(await page.locator('[data-test=token-decode] summary').innerText(), /Kerberos AP-REQ/);
  const [dec] = await Promise.all([context.waitForEvent('page'), page.click('[data-test=open-in-decoder]')]);
  await dec.waitForSelector('[data-test=layer-kerberos]');
  assert.match(await dec.locator('[data-test=layer-spnego] h3').innerText(), /NegTokenInit/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a missing SPN: the KDC says KDC_ERR_S_PRINCIPAL_UNKNOWN, the browser falls back to NTLM, setspn fixes it', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}kerberos.html#/kerberos`);
  await page.check('[data-test=spn-missing]');
  await page.click('[data-test=end]');
  assert.equal(await page.locator('[data-test=krb-outcome]').innerText(), '200: CONTOSO\\bob, by NTLM');
  assert.ok((await page.locator('.diagram text').allTextContents()).includes('KRB-ERROR: KDC_ERR_S_PRINCIPAL_UNKNOWN'));
  assert.match(await page.locator('[data-test=krb-fixes]').innerText(), /setspn -A HTTP\/intranet\.contoso\.com/);
  // LocalService as well: no fallback helps a ticket IIS cannot read.
  await page.uncheck('[data-test=spn-missing]');
  await page.check('[data-test=local-service]');
  assert.equal(await page.locator('[data-test=krb-outcome]').innerText(), '401.1: refused');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the decoder decodes curl\'s Negotiate token and decrypts nothing without keys, the AS-REP with the password', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}decode.html#/decode`);
  await page.fill('[data-test=decode-input]', fixture('mit-curl-negotiate.txt'));
  await page.waitForSelector('[data-test=layer-kerberos]');
  assert.match(await page.locator('[data-test=layer-kerberos]').innerText(), /HTTP\/localhost@CONTOSO\.TEST/);
  const asRep = fixture('mit-kdc-exchange.txt').split('\n')[1].slice(2);
  await page.fill('[data-test=decode-input]', asRep);
  await page.fill('[data-test=krb-password]', 'Builder2');
  await page.waitForSelector('[data-test=decryption] li.ok');
  assert.match(await page.locator('[data-test=decryption]').innerText(), /EncASRepPart .* decrypted with the password with salt "CONTOSO\.TESTbob"/);
  assert.match(await page.locator('[data-test=layer-decrypted]').first().innerText(), /krbtgt\/CONTOSO\.TEST/);
  // The password is in no URL and no storage.
  assert.ok(!page.url().includes('Builder2'));
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes('Builder2'), stored);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the main page sends #/decode to the Decoder page, hash and all', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}#/decode`);
  assert.ok(page.url().endsWith('decode.html#/decode'), page.url());
  const token = fixture('mit-curl-negotiate.txt');
  await page.fill('[data-test=decode-input]', token);
  await page.waitForSelector('[data-test=layer-kerberos]');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a keytab file opens the ticket and the authenticator in the page', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}decode.html#/decode`);
  await page.fill('[data-test=decode-input]', fixture('mit-curl-negotiate.txt'));
  await page.setInputFiles('[data-test=krb-keytab]', new URL('../fixtures/kerberos/mit-http.keytab', import.meta.url).pathname);
  await page.waitForSelector('[data-test=decryption] li.ok');
  const report = await page.locator('[data-test=decryption]').innerText();
  assert.match(report, /EncTicketPart .* decrypted with the keytab's key for HTTP\/localhost@CONTOSO\.TEST \(kvno 2\)/);
  assert.match(report, /Authenticator .* decrypted with the session key in the EncTicketPart/);
  // MIT 1.20 signs the PAC: the server signature checks with the keytab's key; the KDC's needs
  // krbtgt's.
  const pac = await page.locator('[data-test=pac-checks]').innerText();
  assert.match(pac, /server signature \(hmac-sha1-96-aes256\): valid with the keytab's key for HTTP\/localhost@CONTOSO\.TEST \(kvno 2\)/);
  assert.match(pac, /KDC signature .*not checked: no krbtgt key/);
  assert.match(await page.locator('[data-test=layer-decrypted]').last().innerText(), /Flags[\s\S]*mutual/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the walkthrough\'s AP-REQ opens in the Decoder beside it with the realm\'s keys, in memory only', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}kerberos.html#/kerberos`);
  await page.click('[data-test=end]');
  // The service key, as the keys table shows it.
  await page.click('[data-test=krb-keys] summary');
  const row = page.locator('[data-test=krb-keys] tr', { hasText: 'service key' });
  const etype = await row.locator('td').nth(1).innerText();
  const hex = await row.locator('code').innerText();
  await page.locator('.diagram text.label', { hasText: /GET \+ Negotiate <SPNEGO/ }).click();
  const [dec] = await Promise.all([context.waitForEvent('page'), page.click('[data-test=open-in-decoder]')]);
  // Nothing typed: the keys came with the token.
  await dec.waitForSelector('[data-test=decryption] li.ok');
  assert.ok((await dec.locator('[data-test=krb-key]').inputValue()).includes(`${etype}:${hex}`));
  assert.match(await dec.locator('[data-test=decryption]').innerText(), /EncTicketPart .* decrypted with the given key/);
  assert.match(await dec.locator('[data-test=layer-decrypted]').first().innerText(), /bob@CONTOSO\.COM/);
  assert.ok(!dec.url().includes(hex));
  assert.equal(await dec.evaluate(() => sessionStorage.length + localStorage.length), 0);
  assert.ok(page.url().includes('kerberos.html#/kerberos'));
  assert.deepEqual(problems, []);
  await context.close();
});

const etypes = (dir, name) => new URL(`../fixtures/kerberos/mit-etypes/${dir}/${name}`, import.meta.url).pathname;

test('a credential cache opened in the Decoder: its tickets, and its session keys open a pasted TGS exchange', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}decode.html#/decode`);
  await page.setInputFiles('[data-test=decode-file]', etypes('camellia256-cts-cmac', 'ccache'));
  await page.waitForSelector('[data-test=layer-ccache]');
  const cc = await page.locator('[data-test=layer-ccache]').innerText();
  assert.match(cc, /MIT credential cache \(version 4\)/);
  assert.match(cc, /ticket for HTTP\/localhost@CONTOSO\.TEST/);
  assert.equal(await page.locator('[data-test=layer-kerberos]').count(), 2);
  assert.match(await page.locator('[data-test=decode-warnings]').innerText(), /holds session keys/);
  // The same file as a key file, and kvno's TGS-REQ and TGS-REP (FAST-armored) pasted.
  const exchange = readFileSync(etypes('camellia256-cts-cmac', 'exchange.txt'), 'utf8').split('\n').slice(4, 6).join('\n');
  await page.fill('[data-test=decode-input]', exchange);
  await page.setInputFiles('[data-test=krb-keytab]', etypes('camellia256-cts-cmac', 'ccache'));
  await page.waitForSelector('[data-test=decoded-message] >> nth=1');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=decryption] li.ok').length >= 4);
  const report = (await page.locator('[data-test=decryption]').allInnerTexts()).join('\n');
  assert.match(report, /KrbFastReq .* decrypted with the FAST armor key/);
  assert.match(report, /EncTGSRepPart .* decrypted with the FAST reply key/);
  assert.match(await page.locator('[data-test=keys-memory]').innerText(), /never in the link, never in browser storage/);
  assert.ok(!page.url().includes('krbtgt'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('today\'s RFC 8009 keys: the whole walkthrough in aes256-cts-hmac-sha384-192, and its AP-REQ opens in the Decoder', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}kerberos.html#/kerberos?on=aes-sha2`);
  assert.ok(await page.isChecked('[data-test=aes-sha2]'));
  assert.equal(await page.locator('[data-test=krb-outcome]').innerText(), '200: CONTOSO\\bob, by Kerberos');
  await page.click('[data-test=end]');
  await page.click('[data-test=krb-keys] summary');
  const row = page.locator('[data-test=krb-keys] tr', { hasText: 'service key' });
  assert.equal(await row.locator('td').nth(1).innerText(), '20');
  await page.locator('.diagram text.label', { hasText: /GET \+ Negotiate <SPNEGO/ }).click();
  const [dec] = await Promise.all([context.waitForEvent('page'), page.click('[data-test=open-in-decoder]')]);
  await dec.waitForSelector('[data-test=decryption] li.ok');
  const report = await dec.locator('[data-test=decryption]').innerText();
  assert.match(report, /EncTicketPart .* key usage 2\): decrypted with the given key/);
  assert.match(await dec.locator('[data-test=layer-kerberos]').innerText(), /aes256-cts-hmac-sha384-192 \(20\)/);
  assert.deepEqual(problems, []);
  await context.close();
});
