// Precompresses a build: for every page, script, wasm, style sheet and icon of DIR, writes
// FILE.br (Brotli, quality 11) and FILE.gz (gzip, level 9) beside it when smaller, so that
// `authscope serve` and the sample server configurations send them as they are
// (Content-Encoding) instead of compressing on every request, or not at all. Run by
// scripts/build after Trunk.
//
// Usage: node scripts/precompress.mjs DIR
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: precompress.mjs DIR');
  process.exit(2);
}
const kinds = new Set(['.html', '.js', '.wasm', '.css', '.svg']);
let raw = 0;
let br = 0;
for (const name of readdirSync(dir).sort()) {
  const file = path.join(dir, name);
  if (!kinds.has(path.extname(name)) || !statSync(file).isFile()) continue;
  const data = readFileSync(file);
  const variants = [
    ['.br', brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } })],
    ['.gz', gzipSync(data, { level: 9 })],
  ];
  for (const [ext, packed] of variants) {
    if (packed.length < data.length) writeFileSync(file + ext, packed);
  }
  raw += data.length;
  br += variants[0][1].length;
}
console.error(`precompress: ${dir}: ${(raw / 1024).toFixed(1)} KiB → ${(br / 1024).toFixed(1)} KiB Brotli`);
