// Reports the release bundle's wasm and JS, raw and gzip, and fails above the gzip budget (KB).
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const [dir = 'dist', budgetKb = '250'] = process.argv.slice(2);
let raw = 0, gz = 0;
for (const f of readdirSync(dir).filter((f) => /\.(wasm|js)$/.test(f)).sort()) {
  const data = readFileSync(path.join(dir, f));
  const g = gzipSync(data, { level: 9 }).length;
  raw += data.length; gz += g;
  console.log(`${f.padEnd(48)} ${String(data.length).padStart(9)} B raw ${String(g).padStart(9)} B gzip`);
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`total wasm + js: ${kb(raw)} KiB raw, ${kb(gz)} KiB gzip (budget ${budgetKb} KB gzip)`);
if (gz > Number(budgetKb) * 1000) {
  console.error(`bundle over budget: ${gz} B gzip > ${budgetKb} KB`);
  process.exit(1);
}
