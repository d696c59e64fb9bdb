#!/usr/bin/env node
// First paint on a slow phone, and long tasks while a walkthrough plays: a benchmark, not a test.
// It prints what it measured and never fails on a number (it exits 1 only when a page could not be
// measured at all: a load that timed out, a crash).
//
// 1. Every page of www/pages, in a fresh context (nothing cached), on a throttled phone profile:
//    390x844 touch screen, 1.6 Mbps down, 750 kbps up, 150 ms round trip, CPU slowed 4x (CDP's
//    Network.emulateNetworkConditions and Emulation.setCPUThrottlingRate), three runs a page, the
//    median shown: first paint and first contentful paint (paint timing), the boot frame's loading
//    line painted (its Element Timing entry: the page's first useful paint, before the wasm
//    runs), the app's page in the DOM (`main#main .page`: interactive), the bytes the page cost
//    (PerformanceResourceTiming: transferred and encoded bodies) and the wasm's Content-Encoding.
//    Without the boot frame (an older build), first useful paint is the app's first frame.
// 2. The NTLM and Kerberos walkthroughs played by themselves (`?autoplay`) at normal CPU and
//    network to their last step: the long tasks (over 50 ms) while loading and while playing.
//
// Usage: node scripts/bench-paint.mjs [--json FILE] [--runs N] [--part paint|autoplay]
//   the release `authscope serve` ($AUTHSCOPE_BIN or target/release/authscope) serves
//   $AUTHSCOPE_DIST or dist/; Chromium is $CHROMIUM or /usr/bin/chromium.
import { writeFileSync } from 'node:fs';
import { startServer, launch } from '../tests/e2e/harness.mjs';
import { pages } from './pages.mjs';

const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const jsonFile = option('--json');
const RUNS = Number(option('--runs') ?? 3);
const PART = option('--part') ?? 'all'; // paint | autoplay | all

const PHONE = {
  network: { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 },
  cpu: 4,
  viewport: { width: 390, height: 844 },
};
const GOAL_MS = 1500;
const LOAD_TIMEOUT = 120_000;

// The route each page opens on (the embeds take their scenario in the fragment).
const ROUTES = {
  index: 'index.html#/headers',
  decode: 'decode.html#/decode',
  kerberos: 'kerberos.html#/kerberos',
  lab: 'lab.html#/lab',
  har: 'har.html#/har',
  debug: 'debug.html#/relay',
  embed: 'embed.html#scenario=ntlm',
  'embed-kerberos': 'embed-kerberos.html#scenario=kerberos',
};
const route = (page) => ROUTES[page] ?? `${page}.html`;

const AUTOPLAY = [
  ['NTLM walkthrough', 'index.html#/ntlm?autoplay'],
  ['Kerberos walkthrough', 'kerberos.html#/kerberos?autoplay'],
];

// Installed before any of the page's scripts: when the app's page appears, its first frame after
// that, the boot line's and the largest paint's entries, and every long task.
function probe() {
  const b = (window.__bench = { app: null, appFrame: null, boot: null, lcp: null, longtasks: [], steps: [] });
  const seen = () => {
    const counter = document.querySelector('[data-test=counter]')?.textContent;
    if (counter && counter !== b.steps.at(-1)?.text) b.steps.push({ t: performance.now(), text: counter });
    if (b.app !== null || !document.querySelector('main#main .page')) return;
    b.app = performance.now();
    requestAnimationFrame(() => requestAnimationFrame((t) => { b.appFrame = t; }));
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true, characterData: true });
  const observe = (type, f) => { try { new PerformanceObserver((l) => l.getEntries().forEach(f)).observe({ type, buffered: true }); } catch { /* not supported */ } };
  observe('element', (e) => { if (e.identifier === 'boot-loading' && b.boot === null) b.boot = e.renderTime || e.loadTime; });
  observe('largest-contentful-paint', (e) => { b.lcp = e.startTime; });
  observe('longtask', (e) => b.longtasks.push({ start: e.startTime, duration: e.duration }));
}

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const ms = (x) => (x === null || x === undefined ? '-' : `${Math.round(x)}`);
const kb = (x) => (x === null || x === undefined ? '-' : (x / 1024).toFixed(1));
const table = (head, rows) => {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
};

// One cold load of a page on the phone profile.
async function loadThrottled(browser, url) {
  const context = await browser.newContext({ viewport: PHONE.viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
  try {
    await context.addInitScript(probe);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    let wasmEncoding = null;
    page.on('response', async (r) => {
      if (r.url().endsWith('.wasm')) wasmEncoding = (await r.allHeaders())['content-encoding'] ?? 'identity';
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', PHONE.network);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE.cpu });
    await page.goto(url, { waitUntil: 'load', timeout: LOAD_TIMEOUT });
    await page.waitForSelector('main#main .page', { state: 'attached', timeout: LOAD_TIMEOUT });
    await page.waitForFunction(() => window.__bench.appFrame !== null, null, { timeout: LOAD_TIMEOUT });
    const m = await page.evaluate(() => {
      const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
      const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
      const sum = (k) => entries.reduce((s, e) => s + (e[k] || 0), 0);
      const b = window.__bench;
      return {
        fp: paint['first-paint'] ?? null,
        fcp: paint['first-contentful-paint'] ?? null,
        boot: b.boot,
        lcp: b.lcp,
        app: b.app,
        appFrame: b.appFrame,
        transfer: sum('transferSize'),
        encoded: sum('encodedBodySize'),
        decoded: sum('decodedBodySize'),
        requests: entries.length,
      };
    });
    return { ...m, useful: m.boot ?? m.appFrame, wasmEncoding, errors };
  } finally {
    await context.close();
  }
}

// A walkthrough played by itself to its last step, at normal CPU and network.
async function autoplay(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await context.addInitScript(probe);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(url, { timeout: LOAD_TIMEOUT });
    await page.waitForSelector('main#main .page [data-test=counter]', { timeout: LOAD_TIMEOUT });
    const start = await page.evaluate(() => performance.now());
    // 1.6 s a step: a generous bound for the longest walkthrough.
    await page.waitForFunction(() => {
      const m = /Step (\d+) of (\d+)/.exec(document.querySelector('[data-test=counter]')?.textContent ?? '');
      return m && m[1] === m[2];
    }, null, { timeout: 240_000, polling: 100 });
    // The last step's render is a task of its own: let it end before reading the long tasks.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    const r = await page.evaluate(() => ({
      now: performance.now(),
      app: window.__bench.app,
      steps: Number(/of (\d+)/.exec(document.querySelector('[data-test=counter]').textContent)[1]),
      longtasks: window.__bench.longtasks,
      stepLog: window.__bench.steps,
    }));
    const loading = r.longtasks.filter((t) => t.start < start);
    // Each long task while playing, with the step shown last before it began.
    const playing = r.longtasks.filter((t) => t.start >= start)
      .map((t) => ({ ...t, after: r.stepLog.filter((s) => s.t <= t.start).at(-1)?.text ?? null }));
    const max = (ts) => (ts.length ? Math.max(...ts.map((t) => t.duration)) : 0);
    return {
      steps: r.steps,
      playedMs: r.now - start,
      loadLongTasks: loading.length,
      loadLongest: max(loading),
      playLongTasks: playing.length,
      playLongest: max(playing),
      longtasks: r.longtasks,
      playing,
      stepLog: r.stepLog,
      errors,
    };
  } finally {
    await context.close();
  }
}

// Part 1: every page, cold, on the phone profile.
async function paintPart(browser, server, result) {
  let failed = false;
  console.log(`First paint, cold, phone profile (1.6 Mbps down, 150 ms RTT, CPU 4x slower, 390x844); median of ${RUNS} runs, ms from navigation`);
  const rows = [];
  for (const p of pages()) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      try {
        runs.push(await loadThrottled(browser, server.url + route(p)));
      } catch (e) {
        failed = true;
        runs.push({ error: String(e.message ?? e).split('\n')[0] });
        console.error(`${p}: run ${i + 1}: ${runs.at(-1).error}`);
      }
    }
    const ok = runs.filter((r) => !r.error);
    const med = Object.fromEntries(['fp', 'fcp', 'boot', 'lcp', 'useful', 'app', 'transfer', 'encoded', 'decoded']
      .map((k) => [k, median(ok.map((r) => r[k]))]));
    const wasm = [...new Set(ok.map((r) => r.wasmEncoding))].join('/') || '-';
    const errors = [...new Set(ok.flatMap((r) => r.errors))];
    result.pages[p] = { url: route(p), median: med, wasmEncoding: wasm, runs };
    rows.push([route(p), ms(med.fp), ms(med.fcp), ms(med.boot), ms(med.useful), med.useful !== null && med.useful <= GOAL_MS ? 'yes' : 'no',
      ms(med.lcp), ms(med.app), kb(med.transfer), kb(med.encoded), wasm, errors.length || '']);
    for (const e of errors) console.error(`${p}: ${e}`);
  }
  console.log(table(['page', 'FP', 'FCP', 'boot line', 'useful', `<=${GOAL_MS}`, 'LCP', 'interactive', 'KB transfer', 'KB encoded', 'wasm', 'errors'], rows));
  console.log('useful: the boot frame\'s loading line painted (Element Timing), else the app\'s first frame; interactive: main#main .page\n' +
    'in the DOM; KB transfer: transferSize (headers and encoded bodies), KB encoded: encodedBodySize, of the page and all it loaded');
  return failed;
}

// Part 2: the walkthroughs played to their end, normal CPU and network.
async function autoplayPart(browser, server, result) {
  let failed = false;
  console.log(`\nLong tasks (> 50 ms), a walkthrough played to its last step (?autoplay), normal CPU and network; ${RUNS} runs`);
  const rows = [];
  const notes = [];
  for (const [name, path] of AUTOPLAY) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      try {
        const r = await autoplay(browser, server.url + path);
        runs.push(r);
        for (const e of r.errors) console.error(`${name}: ${e}`);
        for (const t of r.playing) notes.push(`${name}, run ${i + 1}: a ${Math.round(t.duration)} ms task at ${(t.start / 1000).toFixed(1)} s (the step shown before it: \"${t.after}\")`);
      } catch (e) {
        failed = true;
        runs.push({ error: String(e.message ?? e).split('\n')[0] });
        console.error(`${name}: run ${i + 1}: ${runs.at(-1).error}`);
      }
    }
    const ok = runs.filter((r) => !r.error);
    const worst = (k) => (ok.length ? Math.max(...ok.map((r) => r[k])) : null);
    result.autoplay[name] = { url: path, runs };
    rows.push([name, ok[0]?.steps ?? '-', ok.length ? (median(ok.map((r) => r.playedMs)) / 1000).toFixed(1) : '-', ms(median(ok.map((r) => r.loadLongTasks))), ms(worst('loadLongest')),
      ms(median(ok.map((r) => r.playLongTasks))), ms(worst('playLongest')), runs.length - ok.length ? `${runs.length - ok.length} failed` : '']);
  }
  console.log(table(['walkthrough', 'steps', 'played s', 'loading: tasks', 'longest ms', 'playing: tasks', 'longest ms', 'errors'], rows));
  console.log(`tasks: the median count of ${RUNS} runs; longest: the longest of all runs (loading: until the player shows, playing: after)`);
  for (const n of notes) console.log(`  ${n}`);
  return failed;
}

const server = await startServer();
const browser = await launch();
const result = {
  date: new Date().toISOString(),
  chromium: browser.version(),
  dist: process.env.AUTHSCOPE_DIST || 'dist',
  profile: PHONE,
  runs: RUNS,
  goalMs: GOAL_MS,
  pages: {},
  autoplay: {},
};
let failed = false;
try {
  if (PART !== 'autoplay') failed = (await paintPart(browser, server, result)) || failed;
  if (PART !== 'paint') failed = (await autoplayPart(browser, server, result)) || failed;
} finally {
  await browser.close();
  server.stop();
}
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(result, null, 2) + '\n');
process.exit(failed ? 1 : 0);
