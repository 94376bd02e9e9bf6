// The package as a user gets it: `npm pack` of this checkout (prepack builds it),
// installed with npm into a fresh directory outside the source tree.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../cli-support.js';

const run = promisify(execFile);

/** Versions of what the application brings, as this package's own dev dependencies pin them. */
function devVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const v = pkg.devDependencies[name];
  if (v === undefined) throw new Error(`${name} is not a dev dependency`);
  return `${name}@${v}`;
}

/**
 * Pack this checkout and install the tarball, with `extra` packages (dev dependency
 * versions), into a new temporary directory; returns that directory. npm prefers its
 * cache (filled by `npm ci`), so no registry is needed when the cache has everything.
 */
export async function installPackedTarball(extra: readonly string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'prolog-paxos-pkg-'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 64 << 20 });
  const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as [{ filename: string }];
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, filename), ...extra.map(devVersion)], {
    cwd: dir, maxBuffer: 64 << 20,
  });
  return dir;
}

/** The code block that follows `<!-- NAME -->` in README.md. */
export function readmeBlock(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`<!-- ${name} -->`);
  const m = at < 0 ? null : /```\w*\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error(`README.md has no code block after <!-- ${name} -->`);
  return m[1]!;
}
