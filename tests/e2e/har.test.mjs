// HAR import (har.html#/har) with the HAR files exported by Chromium's and Firefox's developer
// tools (tests/fixtures/har/, provenance in tests/fixtures/README.md), and a generated HAR of
// tens of MB that must load with a progress bar, in batches, without freezing the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, openPage } from './harness.mjs';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/har');
let server, browser, dir;
before(async () => {
  server = await startServer();
  browser = await launch();
  dir = mkdtempSync(path.join(tmpdir(), 'authscope-har-'));
});
after(async () => {
  await browser?.close();
  server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function load(page, file) {
  await page.setInputFiles('[data-test=har-file]', file);
  await page.waitForSelector('[data-test=har-summary]');
}

test('a Chromium HAR: every exchange found, the broken connection flagged, tokens decoded', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}har.html#/har`);
  await load(page, path.join(fixtures, 'chromium-156.har'));
  assert.match(await page.locator('[data-test=har-summary]').innerText(), /chromium-156\.har: 10 entries, 4 authentication exchanges/);
  assert.equal(await page.locator('[data-test=har-no-ids]').count(), 0);
  const rows = page.locator('[data-test=har-exchange]');
  const texts = await rows.allInnerTexts();
  const broken = texts.findIndex((t) => t.includes('/lab/integrated-no-keepalive/'));
  assert.ok(broken >= 0, texts.join('\n'));
  // Plain words on the badges, not internal codes.
  assert.match(texts[broken], /Connection changed mid-handshake/);
  assert.match(texts[broken], /Negotiate never tried/);
  assert.doesNotMatch(texts.join('\n'), /connection-changed|`/);
  await rows.nth(broken).click();
  assert.equal(await page.locator('[data-test=har-problems] [data-problem=connection-changed]').count(), 1);
  // A problem's entry opens that request in the walkthrough.
  await page.click('[data-test=har-problems] [data-problem=connection-changed] [data-test=har-problem-entry]');
  assert.match(await page.locator('[data-test=detail] h3').innerText(), /^Entry 7: GET http:\/\/127\.0\.0\.1:\d+\/lab\/integrated-no-keepalive\//);
  // The walkthrough: the AUTHENTICATE leg on its new connection, its token decoded.
  await page.click('[data-test=end]');
  const diagram = await page.locator('[data-test=diagram]').textContent();
  assert.match(diagram, /NTLM AUTHENTICATE/);
  assert.match(diagram, /connection \d+/);
  await page.locator('[data-test=diagram] g.row', { hasText: 'NTLM AUTHENTICATE' }).first().click();
  assert.match(await page.locator('[data-test=token-decode] summary').innerText(), /NTLMSSP|AUTHENTICATE/i);
  assert.match(await page.locator('[data-test=curl]').textContent(), /^curl -v --ntlm -u 'CONTOSO\\bob:<password>'/);
  // The Decoder opens in a new tab (the HAR stays loaded here), with the token, not in its URL.
  const [decoder] = await Promise.all([context.waitForEvent('page'), page.click('[data-test=open-in-decoder]')]);
  await decoder.waitForSelector('[data-test=credential-warning]');
  assert.match(decoder.url(), /decode\.html#\/decode/);
  assert.ok(!decoder.url().includes('TlRM'), decoder.url());
  assert.equal(await decoder.locator('[data-test=credential-warning]').count(), 1);
  await decoder.close();
  // All the exchange's tokens at once: one message each in the Decoder.
  const [all] = await Promise.all([context.waitForEvent('page'), page.click('[data-test=har-all-tokens]')]);
  await all.waitForSelector('[data-test=decoded-message] >> nth=1');
  assert.match(await all.locator('[data-test=decoded-message] h2').first().innerText(), /^Message 1 of \d+$/);
  assert.ok(await all.locator('[data-test=layer-ntlmssp]').count() >= 2);
  await all.close();
  // The selected exchange is in the link.
  await page.waitForFunction(() => /#\/har\?x=\d+&step=\d+/.test(location.hash));
  assert.deepEqual(problems, []);
  await context.close();
});

test('a Firefox HAR: no connection ids, the domain typed into the user name, three Basic attempts', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}har.html#/har`);
  await load(page, path.join(fixtures, 'firefox-153.har'));
  assert.match(await page.locator('[data-test=har-summary]').innerText(), /3 authentication exchanges/);
  assert.equal(await page.locator('[data-test=har-no-ids]').count(), 1);
  const texts = await page.locator('[data-test=har-exchange]').allInnerTexts();
  const ntlm = texts.findIndex((t) => t.includes('/lab/integrated/'));
  assert.match(texts[ntlm], /401\.1/);
  assert.match(texts[ntlm], /Domain typed into the user name/);
  const basic = texts.find((t) => t.includes('/lab/basic/'));
  assert.match(basic, /Password over plain HTTP/);
  // Each problem says what to do.
  await page.locator('[data-test=har-exchange]').nth(ntlm).click();
  assert.match(await page.locator('[data-test=har-problems]').innerText(), /What to do: Type the domain/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a HAR of tens of MB loads with a progress bar, in batches, and the page keeps answering', async () => {
  // The Chromium export's entries, then thousands of ordinary requests with bodies.
  const har = JSON.parse(readFileSync(path.join(fixtures, 'chromium-156.har'), 'utf8'));
  const filler = har.log.entries[0];
  const body = 'x'.repeat(10_000);
  for (let i = 0; i < 3000; i++) {
    har.log.entries.push({ ...filler, request: { ...filler.request, url: `http://127.0.0.1/asset/${i}.js` }, response: { ...filler.response, content: { size: body.length, mimeType: 'text/javascript', text: body } } });
  }
  const file = path.join(dir, 'big.har');
  writeFileSync(file, JSON.stringify(har));
  const size = readFileSync(file).length;
  assert.ok(size > 30_000_000, `${size}`);
  const { page, context, problems } = await openPage(browser, `${server.url}har.html#/har`);
  // Record every value the progress bar shows (a page that froze would show none before the end).
  await page.evaluate(() => {
    window.seen = [];
    new MutationObserver(() => {
      const p = document.querySelector('[data-test=har-progress]');
      if (p) window.seen.push(`${p.parentElement.textContent.split(':')[0]} ${p.value}/${p.max}`);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await page.setInputFiles('[data-test=har-file]', file);
  // While it loads, the page answers: a script gets its turn between two batches.
  await page.waitForSelector('[data-test=har-progress]');
  assert.equal(await page.evaluate(() => 1 + 1), 2);
  await page.waitForSelector('[data-test=har-summary]');
  const seen = [...new Set(await page.evaluate(() => window.seen))];
  const reading = seen.filter((s) => s.startsWith('Reading the file'));
  const entries = seen.filter((s) => s.startsWith('Reading entries'));
  assert.ok(reading.length >= 5, seen.join('\n'));
  assert.ok(entries.length >= 10, seen.join('\n'));
  assert.match(await page.locator('[data-test=har-summary]').innerText(), /3010 entries, 4 authentication exchanges/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a file that is not a HAR says what it is, where it stopped, and how to export a HAR', async () => {
  const file = path.join(dir, 'broken.har');
  writeFileSync(file, '{"log": {"entries": [{"request": {"url": "http://h/", "headers": [}]}}');
  const { page, context, problems } = await openPage(browser, `${server.url}har.html#/har`);
  await page.setInputFiles('[data-test=har-file]', file);
  assert.match(await page.locator('[data-test=har-error]').innerText(), /not a HAR file that can be read: not a JSON value \(byte 66\)/);
  const pcap = path.join(dir, 'capture.pcap');
  writeFileSync(pcap, Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]));
  await page.setInputFiles('[data-test=har-file]', pcap);
  await page.waitForFunction(() => document.querySelector('[data-test=har-error]')?.textContent.includes('pcap'));
  const said = await page.locator('[data-test=har-error]').innerText();
  assert.match(said, /This is not a HAR file: it is a packet capture/);
  assert.match(said, /Chromium[\s\S]*Export HAR[\s\S]*Firefox[\s\S]*Save All As HAR[\s\S]*Fiddler/);
  assert.deepEqual(problems, []);
  await context.close();
});
