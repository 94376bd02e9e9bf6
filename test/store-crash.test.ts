// Durability: a child process writes to an LmdbLedger and acknowledges each round on
// stdout only after its promises resolved; we SIGKILL it at random moments, reopen
// the store, and check that every acknowledged write is there and the store reads
// whole. While the child writes, this process reads the same store concurrently.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { atom, compound, int } from '../src/term/build.js';
import { LmdbLedger } from '../src/store/lmdb.js';
import { isValidHolders, type ValidEntry } from '../src/store/ledger.js';
import { mulberry32 } from '../src/util/prng.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'store-crash-child.ts');
const WRITERS_CHILD = join(dirname(fileURLToPath(import.meta.url)), 'store-crash-writers-child.ts');
const WRITERS = 32; // as in store-crash-writers-child.ts
const WIDTH = 4; // as in store-crash-child.ts

const rng = mulberry32;

async function verify(l: LmdbLedger, lastAck: number): Promise<void> {
  // One scan reads (and so decodes) every valid record of the store.
  const items = new Map<number, ValidEntry>();
  for await (const e of l.current()) {
    expect(isValidHolders(e.holders)).to.equal(true);
    if (e.key.kind === 'compound' && e.key.name === 'item' && e.key.args[0]!.kind === 'int') {
      items.set(Number(e.key.args[0]!.value), e);
    }
  }
  for (let n = 0; n < (lastAck + 1) * WIDTH; n++) {
    const e = items.get(n);
    expect(e, `item(${n}) acknowledged but missing`).to.not.equal(undefined);
    expect(e!.gen).to.equal(1);
    expect(e!.holders).to.equal(BigInt(n));
    expect(e!.value).to.deep.equal(compound('v', int(n), atom('x'.repeat(n % 200))));
  }
  if (lastAck >= 0) {
    const [c] = await l.entries(atom('counter'));
    expect(c!.gen).to.be.at.least(lastAck + 1);
  }
}

describe('store: crash safety (SIGKILL) with concurrent readers', function () {
  this.timeout(90000);
  let dir = '';
  before(() => { dir = mkdtempSync(join(tmpdir(), 'ledger-crash-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it('20 random kills lose nothing acknowledged; a reader in this process sees each ack', async () => {
    const seed = Date.now() % 100000;
    const random = rng(seed);
    const started = Date.now();
    let lastAck = -1;
    let concurrentChecks = 0;
    // The reader opens read-only: the writer's directory lock (dir-lock.ts) admits one writer.
    await LmdbLedger.open(dir).close();
    let view = LmdbLedger.open(dir, { readOnly: true });
    let kills = 0;
    let readyMs = 0;
    for (; kills < 20 && Date.now() - started < 40000; kills++) {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(lastAck + 1)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const exited = new Promise<void>((res) => child.once('exit', () => res()));
      const checks: Promise<void>[] = [];
      let ready!: () => void;
      const isReady = new Promise<void>((res) => { ready = res; });
      const t0 = Date.now();
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('ready')) readyMs += Date.now() - t0;
        if (line.startsWith('ready')) ready();
        const m = /^ack (\d+)$/.exec(line);
        if (!m) return;
        const i = Number(m[1]);
        lastAck = Math.max(lastAck, i);
        // Another process committed and synced round i: we must see it now.
        const last = compound('item', int(i * WIDTH + WIDTH - 1));
        checks.push(view.get(last).then((e) => {
          expect(e?.holders, `reader misses acknowledged round ${i}`).to.equal(BigInt(i * WIDTH + WIDTH - 1));
          concurrentChecks++;
        }));
      });
      // Kill at a random moment: usually while writing, sometimes during start-up.
      if (random() < 0.15) await sleep(random() * 300);
      else { await Promise.race([isReady, exited]); await sleep(random() * 250); }
      child.kill('SIGKILL');
      await exited;
      await Promise.all(checks);
      expect(stderr, `child failed (seed ${seed})`).to.not.match(/Error/);
      await view.close();
      view = LmdbLedger.open(dir, { readOnly: true }); // reopen after the crash
      await verify(view, lastAck);
    }
    await view.close();
    console.log(`      ${kills} kills, ${lastAck + 1} rounds acknowledged, ${concurrentChecks} reads by the other process, start-up ${Math.round(readyMs / kills)} ms (seed ${seed})`);
    // A loaded machine may run out of the time bound first; still demand a fair number.
    expect(kills).to.be.at.least(10);
    expect(lastAck, 'rounds acknowledged in all').to.be.greaterThan(20);
    expect(concurrentChecks).to.be.greaterThan(20);
  });
});

describe('store: crash safety (SIGKILL) during concurrent durable writes with group commit', function () {
  this.timeout(90000);
  let dir = '';
  before(() => { dir = mkdtempSync(join(tmpdir(), 'ledger-crash-gc-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it(`${WRITERS} writers sharing syncs, 10 random kills: every acknowledged write is there`, async () => {
    const seed = Date.now() % 100000;
    const random = rng(seed);
    const acked: [number, number][] = []; // (writer, n) of every acknowledged write
    let start = 0; // every run writes new keys from here
    let kills = 0;
    for (; kills < 10; kills++) {
      const child = spawn(process.execPath, ['--import', 'tsx', WRITERS_CHILD, dir, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const exited = new Promise<void>((res) => child.once('exit', () => res()));
      let ready!: () => void;
      const isReady = new Promise<void>((res) => { ready = res; });
      let high = start;
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line === 'ready') ready();
        const m = /^ack (\d+) (\d+)$/.exec(line);
        if (!m) return;
        acked.push([Number(m[1]), Number(m[2])]);
        high = Math.max(high, Number(m[2]));
      });
      await Promise.race([isReady, exited]);
      await sleep(100 + random() * 400);
      child.kill('SIGKILL');
      await exited;
      expect(stderr, `child failed (seed ${seed})`).to.not.match(/Error/);
      const l = LmdbLedger.open(dir);
      try {
        for (const [w, n] of acked) {
          const [r] = l.read(compound('w', int(w), int(n)));
          expect(r, `w(${w}, ${n}) acknowledged but missing (seed ${seed})`).to.not.equal(undefined);
          expect(r!.gen).to.equal(n + 1);
          expect(r!.holders).to.equal(BigInt(w + 1));
        }
        // The store reads whole, and the count agrees with a scan.
        let keys = 0;
        for (const s of l.scan()) { expect(s.recs.length).to.equal(1); keys++; }
        expect(keys).to.equal(l.count());
      } finally {
        await l.close();
      }
      start = high + 1;
    }
    const acks = acked.length;
    console.log(`      ${kills} kills, ${acks} writes acknowledged by ${WRITERS} concurrent writers (seed ${seed})`);
    expect(acks).to.be.greaterThan(200);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}
