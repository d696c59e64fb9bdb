// Shared set-up for the end-to-end specs: the release `authscope serve` on a free port of
// 127.0.0.1, and Debian's Chromium driven by playwright-core. No sleeps: every wait is on a
// condition of the page.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function startServer(extra = []) {
  const bin = process.env.AUTHSCOPE_BIN || path.join(root, 'target/release/authscope');
  const dist = process.env.AUTHSCOPE_DIST || path.join(root, 'dist');
  const child = spawn(bin, ['serve', '--port', '0', '--dist', dist, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`authscope serve exited with ${code}`)));
    lines.once('line', (l) => resolve(l.replace('authscope is serving ', '').trim()));
  });
  lines.on('line', () => {}); // keep draining the log
  return { url, stop: () => child.kill() };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

// A page that fails the test on any script error or CSP violation.
export async function openPage(browser, url, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(url);
  await page.waitForSelector('main#main .page');
  return { page, context, problems };
}

export function text(page, selector) {
  return page.locator(selector).first().innerText();
}
