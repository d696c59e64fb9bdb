// Reports the release bundle of each page (the wasm and JS its HTML loads), raw and gzip, and
// fails when a page's bundle is above the gzip budget (KB = 1000 bytes). Each page of the app
// loads its own bundle, only when it is opened. Every page of www/pages must be in the build.
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { pages } from '../scripts/pages.mjs';

const [dir = 'dist', budgetKb = '250'] = process.argv.slice(2);
const kb = (n) => (n / 1024).toFixed(1);
const sizes = new Map();
const size = (f) => {
  if (!sizes.has(f)) {
    const data = readFileSync(path.join(dir, f));
    sizes.set(f, { raw: data.length, gz: gzipSync(data, { level: 9 }).length });
  }
  return sizes.get(f);
};
let failed = false;
const built = readdirSync(dir);
for (const page of pages().map((p) => `${p}.html`).filter((p) => !built.includes(p))) {
  console.error(`${page}: listed in www/pages but not in ${dir}/`);
  failed = true;
}
for (const page of readdirSync(dir).filter((f) => f.endsWith('.html')).sort()) {
  const html = readFileSync(path.join(dir, page), 'utf8');
  const files = [...new Set(html.match(/[\w.-]+?(?:_bg\.wasm|\.js)(?=["'])/g) ?? [])]
    .filter((f) => readdirSync(dir).includes(f))
    .sort();
  if (files.length === 0) continue;
  let raw = 0, gz = 0;
  for (const f of files) {
    const s = size(f);
    raw += s.raw; gz += s.gz;
    console.log(`${page.padEnd(14)} ${f.padEnd(44)} ${String(s.raw).padStart(9)} B raw ${String(s.gz).padStart(9)} B gzip`);
  }
  console.log(`${page}: wasm + js ${kb(raw)} KiB raw, ${kb(gz)} KiB gzip (${gz} B; budget ${budgetKb} KB gzip per page)`);
  if (gz > Number(budgetKb) * 1000) {
    console.error(`${page}: bundle over budget: ${gz} B gzip > ${budgetKb} KB`);
    failed = true;
  }
}
const all = [...sizes.values()].reduce((a, s) => ({ raw: a.raw + s.raw, gz: a.gz + s.gz }), { raw: 0, gz: 0 });
console.log(`all pages together: ${kb(all.raw)} KiB raw, ${kb(all.gz)} KiB gzip`);
if (failed) process.exit(1);
