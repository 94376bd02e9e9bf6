#!/usr/bin/env node
// `npm start`'s prestart: build only when dist/ is missing or older than the sources,
// so a start after scripts/setup (which builds) runs no compiler.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist/src/cli/main.js');

/** Newest modification time of the .ts files under dir (a bounded walk: the source tree). */
function newest(dir, depth = 0) {
  let t = 0;
  if (depth > 8 || !existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, depth + 1));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'grammar')),
  ...['tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(root, f)).mtimeMs));
if (existsSync(built) && statSync(built).mtimeMs >= sources) process.exit(0);
console.error(existsSync(built) ? 'prolog-paxos: sources changed since the last build: building' : 'prolog-paxos: building dist/');
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
