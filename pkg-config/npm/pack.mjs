#!/usr/bin/env node
// Makes the npm package of the built app: package.json (with the workspace's version), this
// README and dist/, packed by `npm pack` into OUT_DIR. Prints the tarball's path.
//   node pkg-config/npm/pack.mjs DIST OUT_DIR
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [dist, out] = process.argv.slice(2);
if (!dist || !out || !existsSync(path.join(dist, 'embed.html'))) {
  console.error('usage: pack.mjs DIST OUT_DIR   (DIST: a build with embed.html, from scripts/build)');
  process.exit(2);
}
const cargo = readFileSync(path.join(here, '../../Cargo.toml'), 'utf8');
const version = cargo.match(/\[workspace\.package\][^[]*?version\s*=\s*"([^"]+)"/)[1];
const stage = mkdtempSync(path.join(tmpdir(), 'authscope-npm-'));
try {
  const pkg = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
  pkg.version = version;
  writeFileSync(path.join(stage, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  cpSync(path.join(here, 'README.md'), path.join(stage, 'README.md'));
  cpSync(dist, path.join(stage, 'dist'), { recursive: true });
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', path.resolve(out)], { cwd: stage, encoding: 'utf8' }).trim().split('\n').pop();
  console.log(path.join(path.resolve(out), name));
} finally {
  rmSync(stage, { recursive: true, force: true });
}
