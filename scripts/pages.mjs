// The app's pages: reads the one list (www/pages), checks it against the pages' HTML and the
// client's Cargo features, and prints the pages one a line (index first). scripts/build runs it
// before building and stops when it fails; scripts/build, scripts/test and tests/bundle-size.mjs
// take the list from here.
//
// Why a check: Trunk builds a page's rust link with whatever features the link names, so a page
// whose data-cargo-features is missing or misspelt builds silently as another page's bundle. It
// fails, naming the page, when
// - a listed page has no www/<page>.html, or a www/*.html is not listed, or index is not first;
// - index.html names features, or another page's rust link does not name exactly its own feature;
// - a page's feature is not one of client/Cargo.toml's, or a client feature has no page;
// - a page's HTML differs from index.html anywhere but its <title> and data-cargo-features (the
//   five copies must not drift: a wasm-opt flag changed in one page only changes one bundle).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const www = path.join(root, 'www');

/** The pages of www/pages, in order. */
export function pages() {
  return readFileSync(path.join(www, 'pages'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** The features of client/Cargo.toml's [features] table (but `default`). */
function cargoFeatures() {
  const toml = readFileSync(path.join(root, 'client/Cargo.toml'), 'utf8');
  const table = toml.split(/^\[features\]\s*$/m)[1]?.split(/^\[/m)[0] ?? '';
  return [...table.matchAll(/^([A-Za-z0-9_-]+)\s*=/gm)].map((m) => m[1]).filter((f) => f !== 'default');
}

/** The rust links of a page (Trunk's `<link data-trunk rel="rust" …>`), as attribute maps. */
function rustLinks(html) {
  return [...html.matchAll(/<link\b[^>]*>/gs)]
    .map((m) => Object.fromEntries([...m[0].matchAll(/([\w-]+)(?:="([^"]*)")?/g)].slice(1).map((a) => [a[1], a[2] ?? ''])))
    .filter((a) => 'data-trunk' in a && a.rel === 'rust');
}

/** A page's HTML without what may differ between pages. */
const common = (html) =>
  html.replace(/<title>[^<]*<\/title>/, '<title></title>').replace(/\s+data-cargo-features="[^"]*"/, '');

/** Every disagreement between the list, the pages' HTML and the client's features. */
export function problems() {
  const list = pages();
  const found = [];
  const features = cargoFeatures();
  const files = readdirSync(www).filter((f) => f.endsWith('.html')).map((f) => f.slice(0, -'.html'.length));
  if (list[0] !== 'index') found.push(`www/pages: index must come first (Trunk's first build empties dist/), not ${list[0]}`);
  for (const dup of list.filter((p, i) => list.indexOf(p) !== i)) found.push(`www/pages: ${dup} is listed twice`);
  for (const f of files.filter((f) => !list.includes(f))) found.push(`www/${f}.html is not in www/pages`);
  const index = files.includes('index') ? readFileSync(path.join(www, 'index.html'), 'utf8') : '';
  for (const page of list) {
    const file = `www/${page}.html`;
    if (!/^[a-z][a-z0-9-]*$/.test(page)) { found.push(`www/pages: "${page}" is not a page name`); continue; }
    if (!files.includes(page)) { found.push(`${file} is missing (listed in www/pages)`); continue; }
    const html = readFileSync(path.join(root, file), 'utf8');
    const links = rustLinks(html);
    if (links.length !== 1) { found.push(`${file}: ${links.length} <link data-trunk rel="rust"> tags, not one`); continue; }
    const named = links[0]['data-cargo-features'];
    const want = page === 'index' ? undefined : page;
    if (named !== want) {
      found.push(`${file}: its rust link has ${named === undefined ? 'no data-cargo-features' : `data-cargo-features="${named}"`}; ` +
        (want ? `it must be data-cargo-features="${want}"` : 'the index is the default build and names none'));
    }
    if (want && !features.includes(want)) found.push(`${file}: client/Cargo.toml has no feature "${want}"`);
    if (page !== 'index' && index && common(html) !== common(index)) {
      const [a, b] = [common(html).split('\n'), common(index).split('\n')];
      const line = a.findIndex((l, i) => l !== b[i]);
      found.push(`${file} differs from www/index.html at line ${line + 1} (only <title> and data-cargo-features may differ): ${(a[line] ?? '').trim().slice(0, 100)}`);
    }
  }
  for (const f of features.filter((f) => !list.includes(f))) found.push(`client/Cargo.toml: feature "${f}" has no page in www/pages`);
  return found;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const found = problems();
  if (found.length) {
    for (const p of found) console.error(`pages: ${p}`);
    process.exit(1);
  }
  console.log(pages().join('\n'));
}
