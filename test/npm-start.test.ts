// README's main job, `npm start`, as a user runs it (ports 47486-47487, in-memory
// ledger through PROLOG_PAXOS_* so the checkout stays clean): with dist/ up to date it
// starts the node without running the compiler (prestart: scripts/build-if-stale.mjs).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { ROOT, runBin } from './cli-support.js';

const ADMIN = '127.0.0.1:47487';

describe('npm start', function () {
  this.timeout(120_000);

  it('starts a node from dist/ without building when dist/ is newer than the sources', async () => {
    // Bring dist/ up to date first (a no-op after npm run build), as scripts/setup leaves it.
    const prep = spawn(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: ROOT, stdio: 'inherit' });
    expect(await new Promise((r) => prep.on('exit', r))).to.equal(0);

    const env = { ...process.env, PROLOG_PAXOS_PORT: '47486', PROLOG_PAXOS_ADMIN: ADMIN, PROLOG_PAXOS_MEMORY: '1' };
    // Its own process group, so the node under npm is ended with npm.
    const npm = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => npm.on('exit', r));
    try {
      const deadline = Date.now() + 60_000;
      while (!/"msg":"node ready"/.test(out)) {
        if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`npm start did not get ready: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(out).to.not.match(/building|tsc -p/);
      expect(out).to.include('node dist/src/cli/main.js node');
      expect((await runBin(['status', '--json', '--admin', ADMIN], { dist: true })).code).to.equal(0);
    } finally {
      process.kill(-npm.pid!, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-npm.pid!, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  });
});
