// The npm package of the built app (pkg-config/npm): packed with `npm pack`, unpacked elsewhere,
// its dist/ served as a documentation site would, and its pages and embed script work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, openPage } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = process.env.AUTHSCOPE_DIST || path.join(root, 'dist');
let dir, server, browser, pkg;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'authscope-npm-test-'));
  const tarball = execFileSync('node', [path.join(root, 'pkg-config/npm/pack.mjs'), dist, dir], { encoding: 'utf8' }).trim();
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  pkg = path.join(dir, 'package');
  // Serve the unpacked package's dist/, not the build.
  process.env.AUTHSCOPE_DIST_SAVED = process.env.AUTHSCOPE_DIST ?? '';
  process.env.AUTHSCOPE_DIST = path.join(pkg, 'dist');
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
  if (process.env.AUTHSCOPE_DIST_SAVED !== undefined) process.env.AUTHSCOPE_DIST = process.env.AUTHSCOPE_DIST_SAVED;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the npm package holds every page, its bundles and the embed script, and they run', async () => {
  const meta = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8'));
  assert.equal(meta.name, 'authscope-web');
  assert.match(meta.version, /^\d+\.\d+\.\d+/);
  assert.equal(meta.exports['./embed.js'], './dist/embed.js');
  const files = readdirSync(path.join(pkg, 'dist'));
  for (const page of ['index.html', 'decode.html', 'har.html', 'kerberos.html', 'lab.html', 'debug.html', 'embed.html', 'embed-kerberos.html', 'embed.js']) {
    assert.ok(files.includes(page), page);
  }
  // Every bundle a page loads is in the package.
  for (const page of files.filter((f) => f.endsWith('.html'))) {
    const html = readFileSync(path.join(pkg, 'dist', page), 'utf8');
    for (const ref of html.match(/[\w.-]+?(?:_bg\.wasm|\.js)(?=["'])/g) ?? []) assert.ok(files.includes(ref), `${page}: ${ref}`);
  }
  for (const p of ['#/basic', 'embed.html#scenario=ntlm&step=2']) {
    const { page, context, problems } = await openPage(browser, server.url + p);
    assert.match(await page.locator('[data-test=counter]').innerText(), p.includes('step=2') ? /^Step 2 of/ : /^Step 1 of/);
    assert.deepEqual(problems, []);
    await context.close();
  }
});
