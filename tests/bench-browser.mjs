// Runs the app's decode.html#/bench page (the benchmark lives on the debugging page, whose bundle
// has room for it) in headless Chromium and prints messages per second per workload.
// Usage: node tests/bench-browser.mjs   (with AUTHSCOPE_BIN / AUTHSCOPE_DIST as for the e2e tests)
import { startServer, launch, openPage } from './e2e/harness.mjs';

const server = await startServer();
const browser = await launch();
try {
  const { page } = await openPage(browser, `${server.url}decode.html#/bench`);
  await page.click('[data-test=bench-run]');
  await page.waitForSelector('[data-test=bench-rate]', { timeout: 60000 });
  const rows = await page.locator('[data-test=bench-results] tbody tr').allInnerTexts();
  console.log('headless Chromium (wasm, release build):');
  for (const r of rows) console.log('  ' + r.replace(/\t/g, ' | '));
} finally {
  await browser.close();
  server.stop();
}
