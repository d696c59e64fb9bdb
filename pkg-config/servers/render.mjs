#!/usr/bin/env node
// Fills a sample server configuration with a built dist/: the Content-Security-Policy (with the
// SHA-256 of each page's inline boot script, which changes with every build), the folder and the
// port. The same policy as `authscope serve`.
//   node pkg-config/servers/render.mjs TEMPLATE DIST [PORT] > config
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';

const [template, dist, port = '8080'] = process.argv.slice(2);
if (!template || !dist) {
  console.error('usage: render.mjs TEMPLATE DIST [PORT]');
  process.exit(2);
}
const hashes = [];
for (const page of readdirSync(dist).filter((f) => f.endsWith('.html')).sort()) {
  const html = readFileSync(path.join(dist, page), 'utf8');
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    hashes.push(`'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
  }
}
const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' " + hashes.join(' ') +
  "; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'self'";
// embed.html and embed-kerberos.html may be framed by documentation pages anywhere.
const cspEmbed = csp.replace("frame-ancestors 'self'", 'frame-ancestors *');
process.stdout.write(readFileSync(template, 'utf8')
  .replaceAll('__CSP_EMBED__', cspEmbed)
  .replaceAll('__CSP__', csp)
  .replaceAll('__ROOT__', path.resolve(dist))
  .replaceAll('__PORT__', port));
