// The ledger's SWI semantics, run against both backends; the durable backend's
// persistence; a differential test against SWI-Prolog's own library(paxos) ledger.
import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atom, compound, compoundOf, float, int, list, nil, str, variable } from '../src/term/build.js';
import type { Term } from '../src/term/types.js';
import {
  LedgerError, LmdbLedger, MemoryLedger, openLedger, type Entry, type Ledger, type ValidEntry,
} from '../src/store/index.js';
import { isVariant } from './codec-term-check.js';
import { requireSwipl, Swipl } from './support/swipl.js';

const k = atom('k');
const a = atom('a');
const b = atom('b');

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A record as gen:status or gen:holders, newest first. */
function shape(recs: readonly Entry[]): string[] {
  return recs.map((r) => `${r.gen}:${typeof r.holders === 'bigint' ? r.holders : r.holders.status}`);
}

interface Backend {
  readonly name: string;
  make(now?: () => number): Ledger;
  /** Close and reopen on the same storage (durable backends only). */
  reopen?(l: Ledger, now?: () => number): Promise<Ledger>;
  cleanup(): void;
}

function memoryBackend(): Backend {
  return { name: 'MemoryLedger', make: (now) => new MemoryLedger({ now }), cleanup: () => {} };
}

function lmdbBackend(): Backend {
  const dirs: string[] = [];
  let dir = '';
  return {
    name: 'LmdbLedger',
    make(now) {
      dir = mkdtempSync(join(tmpdir(), 'ledger-test-'));
      dirs.push(dir);
      return LmdbLedger.open(dir, { now });
    },
    async reopen(l, now) {
      await l.close();
      return LmdbLedger.open(dir, { now });
    },
    cleanup() { for (const d of dirs) rmSync(d, { recursive: true, force: true }); },
  };
}

for (const backend of [memoryBackend(), lmdbBackend()]) {
  describe(`store: ${backend.name} (SWI ledger semantics)`, () => {
    let l: Ledger;
    let clock = 1000.5;
    const now = (): number => (clock += 1);
    beforeEach(() => { l = backend.make(now); });
    afterEach(async () => { await l.close(); });
    after(() => backend.cleanup());

    it('knows nothing of an unknown key', async () => {
      expect(await l.get(k)).to.equal(undefined);
      expect(await l.entries(k)).to.deep.equal([]);
      expect(await all(l.current())).to.deep.equal([]);
    });

    it('create adds a pending created(Now) record that get does not show', async () => {
      const t0 = clock;
      await l.create(k, 0, a);
      expect(await l.get(k)).to.equal(undefined);
      const [e] = await l.entries(k);
      expect(e!.gen).to.equal(0);
      expect(e!.holders).to.deep.equal({ status: 'created', at: t0 + 1 });
      await l.create(k, 0, a); // SWI asserts unconditionally
      expect(shape(await l.entries(k))).to.deep.equal(['0:created', '0:created']);
    });

    it('accept fails on an unknown key or a generation not above the newest; drops gen-0 placeholders', async () => {
      expect(await l.accept(k, 1, a)).to.equal(false);
      await l.create(k, 0, a);
      await l.create(k, 0, a);
      expect(await l.accept(k, 0, a)).to.equal(false);
      expect(await l.accept(k, 1, b)).to.equal(true);
      expect(shape(await l.entries(k))).to.deep.equal(['1:accepted']);
      expect(await l.accept(k, 1, a)).to.equal(false);
      expect(await l.accept(k, 3, a)).to.equal(true);
      expect(await l.accept(k, 2, a)).to.equal(false);
      expect(shape(await l.entries(k))).to.deep.equal(['3:accepted', '1:accepted']);
      expect(await l.get(k)).to.equal(undefined);
    });

    it('setHolders validates the record at that gen, moves it first, cleans older gens when it was pending', async () => {
      expect(await l.setHolders(k, 1, 3n)).to.equal(false);
      await l.create(k, 0, a);
      await l.accept(k, 1, a);
      await l.accept(k, 2, b);
      expect(await l.setHolders(k, 5, 3n)).to.equal(false);
      expect(await l.setHolders(k, 1, 3n)).to.equal(true);
      // Record 1 became valid and moved to the front; nothing older than 1 to clean.
      expect(shape(await l.entries(k))).to.deep.equal(['1:3', '2:accepted']);
      expect(await l.get(k)).to.deep.include({ gen: 1, value: a, holders: 3n });
      // An accept now compares with the newest record, gen 1 (SWI's clause order).
      expect(await l.accept(k, 2, a)).to.equal(true);
      expect(shape(await l.entries(k))).to.deep.equal(['2:accepted', '1:3', '2:accepted']);
      // Validating gen 2 takes the first gen-2 record and removes all records below 2.
      expect(await l.setHolders(k, 2, 7n)).to.equal(true);
      expect(shape(await l.entries(k))).to.deep.equal(['2:7', '2:accepted']);
      expect(await l.get(k)).to.deep.include({ gen: 2, value: a, holders: 7n });
      // Same holders again: no change. Other holders on a valid record: no cleaning.
      expect(await l.setHolders(k, 2, 7n)).to.equal(true);
      expect(await l.setHolders(k, 2, 5n)).to.equal(true);
      expect(shape(await l.entries(k))).to.deep.equal(['2:5', '2:accepted']);
    });

    it('learn: adds on an unknown key or a newer gen, accepts a repeat, refuses the rest', async () => {
      expect(await l.learn(k, 4, a)).to.equal(true);
      expect(shape(await l.entries(k))).to.deep.equal(['4:learned']);
      expect(await l.learn(k, 4, a)).to.equal(true);
      expect(await l.learn(k, 4, b)).to.equal(false);
      expect(await l.learn(k, 3, a)).to.equal(false);
      expect(await l.learn(k, 5, b)).to.equal(true);
      expect(shape(await l.entries(k))).to.deep.equal(['5:learned', '4:learned']);
      expect(await l.setHolders(k, 5, 1n)).to.equal(true);
      expect(shape(await l.entries(k))).to.deep.equal(['5:1']);
      expect(await l.get(k)).to.deep.include({ gen: 5, value: b });
    });

    it('forgetNodes clears bits from every valid record only', async () => {
      await l.learn(a, 1, a); await l.setHolders(a, 1, 0b1011n);
      await l.learn(b, 1, b); await l.setHolders(b, 1, 0b0100n);
      await l.learn(k, 1, k);
      await l.forgetNodes(0b0011n);
      expect((await l.get(a))!.holders).to.equal(0b1000n);
      expect((await l.get(b))!.holders).to.equal(0b0100n);
      expect(shape(await l.entries(k))).to.deep.equal(['1:learned']);
    });

    it('current enumerates valid records in the standard order of keys', async () => {
      const keys: Term[] = [
        compound('f', atom('b')), str('s'), atom('z'), int(2), float(1.0), int(1), nil(), atom('[]'),
        compound('f', atom('a')), compound('g', atom('a'), atom('b')), list([int(1)]), int(2n ** 80n), atom('a'),
      ];
      for (const key of keys) { await l.learn(key, 1, key); await l.setHolders(key, 1, 1n); }
      await l.learn(atom('pending'), 1, a);
      const got = (await all(l.current())).map((e) => e.key);
      const want = [
        // As swipl 9.0.4's msort/2 orders them (strings sort before atoms there).
        float(1.0), int(1), int(2), int(2n ** 80n), str('s'), nil(), atom('[]'), atom('a'), atom('z'),
        compound('f', atom('a')), compound('f', atom('b')), list([int(1)]), compound('g', atom('a'), atom('b')),
      ];
      expect(got).to.deep.equal(want);
    });

    it('records yields every record at any status, keys in standard order, newest first', async () => {
      await l.create(b, 0, a);
      await l.accept(b, 1, a);
      await l.learn(a, 1, a);
      await l.setHolders(a, 1, 1n);
      await l.learn(a, 2, b);
      await l.create(compound('f', a), 0, a);
      const rs = await all(l.records());
      expect(rs.map((e) => `${e.key.kind}:${shape([e])[0]}`))
        .to.deep.equal(['atom:2:learned', 'atom:1:1', 'atom:1:accepted', 'compound:0:created']);
      expect(rs.map((e) => e.key)).to.deep.equal([a, a, b, compound('f', a)]);
      expect((await all(l.records(compound('f', variable())))).map((e) => e.gen)).to.deep.equal([0]);
      expect((await all(l.current())).map((e) => e.gen)).to.deep.equal([1]);
    });

    it('current(pattern) keeps the keys that unify with the pattern', async () => {
      const keys = [compound('f', a, a), compound('f', a, b), compound('f', b), compound('g', a, a), a];
      for (const key of keys) { await l.learn(key, 1, a); await l.setHolders(key, 1, 1n); }
      const X = variable();
      const keysOf = async (p: Term): Promise<Term[]> => (await all(l.current(p))).map((e) => e.key);
      expect(await keysOf(compound('f', X, X))).to.deep.equal([compound('f', a, a)]);
      expect(await keysOf(compound('f', variable(), variable()))).to.deep.equal([compound('f', a, a), compound('f', a, b)]);
      expect(await keysOf(compound('f', b))).to.deep.equal([compound('f', b)]);
      expect(await keysOf(variable())).to.have.length(5);
      expect(await keysOf(atom('nope'))).to.deep.equal([]);
    });

    it('keys longer than LMDB allows are stored by hash and still enumerate and match', async () => {
      const big = compound('big', str('x'.repeat(5000)), int(1));
      const big2 = compound('big', str('x'.repeat(5000)), int(2));
      await l.learn(big, 1, a); await l.setHolders(big, 1, 1n);
      await l.learn(big2, 1, b); await l.setHolders(big2, 1, 1n);
      expect((await l.get(big))!.value).to.deep.equal(a);
      expect((await l.get(big2))!.value).to.deep.equal(b);
      expect((await all(l.current(compound('big', variable(), int(2))))).map((e) => e.value)).to.deep.equal([b]);
      expect(await all(l.current())).to.have.length(2);
    });

    it('values keep their variables (sharing intact) and every kind of term', async () => {
      const X = variable();
      const v = compound('v', X, X, variable(), float(-0), float(NaN), str('s'), int(2n ** 99n));
      await l.learn(k, 1, v);
      await l.setHolders(k, 1, 2n ** 70n);
      const e = (await l.get(k))!;
      expect(isVariant(e.value, v)).to.equal(true);
      expect(e.holders).to.equal(2n ** 70n);
    });

    it('rejects non-ground keys and bad generations and holders', async () => {
      await expectReject(l.create(compound('f', variable()), 0, a));
      await expectReject(l.accept(k, -1, a));
      await expectReject(l.learn(k, 1.5, a));
      await expectReject(l.setHolders(k, 1, -1n));
    });

    it('rejects calls after close', async () => {
      await l.close();
      await expectReject(l.get(k));
      l = backend.make(now); // for afterEach
    });

    it('readers running while writes are in flight see only whole, monotone states', async () => {
      const KEYS = 20;
      const ROUNDS = 30;
      const keyOf = (i: number): Term => compound('c', int(i));
      for (let i = 0; i < KEYS; i++) await l.create(keyOf(i), 0, a);
      let writing = true;
      const writer = (async () => {
        for (let g = 1; g <= ROUNDS; g++) {
          await Promise.all(Array.from({ length: KEYS }, async (_, i) => {
            expect(await l.accept(keyOf(i), g, int(g))).to.equal(true);
            expect(await l.setHolders(keyOf(i), g, BigInt(g))).to.equal(true);
          }));
        }
        writing = false;
      })();
      const seen = new Array<number>(KEYS).fill(0);
      let snapshots = 0;
      while (writing) {
        for await (const e of l.current(compound('c', variable()))) {
          const i = Number((e.key as { args: readonly { value: number }[] }).args[0]!.value);
          // A valid record's value, gen and holders were written together.
          expect(e.value).to.deep.equal(int(e.gen));
          expect(e.holders).to.equal(BigInt(e.gen));
          expect(e.gen).to.be.at.least(seen[i]!);
          seen[i] = e.gen;
        }
        snapshots++;
        // Mostly yield to other microtasks only (the memory backend's writes interleave
        // there), sometimes to I/O too (so LMDB commits can complete).
        if (snapshots % 4 === 0) await new Promise((r) => setImmediate(r));
        else await null;
      }
      await writer;
      expect(snapshots).to.be.greaterThan(1);
      for (let i = 0; i < KEYS; i++) expect((await l.get(keyOf(i)))!.gen).to.equal(ROUNDS);
    });

    if (backend.reopen) {
      it('keeps every record, pending or valid, with its timestamp, across close and reopen', async () => {
        await l.create(k, 0, a);
        await l.accept(k, 1, b);
        await l.learn(a, 2, compound('x', variable()));
        await l.setHolders(a, 2, 5n);
        const before = [await l.entries(k), await l.entries(a)];
        l = await backend.reopen!(l, now);
        const after = [await l.entries(k), await l.entries(a)];
        expect(shape(after[0]!)).to.deep.equal(shape(before[0]!));
        expect(after[0]![0]!.holders).to.deep.equal(before[0]![0]!.holders);
        expect(isVariant(after[1]![0]!.value, before[1]![0]!.value)).to.equal(true);
        expect((await all(l.current())).map((e) => e.key)).to.deep.equal([a]);
      });
    }
  });
}

async function expectReject(p: Promise<unknown>): Promise<void> {
  try { await p; } catch (e) { expect(e).to.be.instanceOf(LedgerError); return; }
  throw new Error('expected a LedgerError');
}

describe('store: LmdbLedger read-only', () => {
  it('reads what another instance wrote and refuses updates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-ro-'));
    try {
      const w = LmdbLedger.open(dir);
      await w.learn(k, 1, a);
      await w.close();
      const r = LmdbLedger.open(dir, { readOnly: true });
      expect(shape(await r.entries(k))).to.deep.equal(['1:learned']);
      await expectReject(r.learn(k, 2, b));
      await expectReject(r.forgetNodes(1n));
      await r.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('store: openLedger', () => {
  it('opens a durable ledger in a directory, or a memory one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-open-'));
    try {
      const d = openLedger({ dir });
      expect(d).to.be.instanceOf(LmdbLedger);
      await d.close();
      const m = openLedger({ memory: true });
      expect(m).to.be.instanceOf(MemoryLedger);
      await m.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------
// Differential: the same operations on SWI's own ledger (paxos.pl's paxons_ledger/4)

type Op =
  | { op: 'create' | 'accept' | 'learn'; key: number; gen: number; value: number }
  | { op: 'set'; key: number; gen: number; holders: number }
  | { op: 'forget'; nodes: number };

const KEYS = ['k0', 'f(a)', "'K 2'"];
const keyTerm = (i: number): Term => (i === 0 ? atom('k0') : i === 1 ? compound('f', atom('a')) : atom('K 2'));
const valueTerm = (v: number): Term => compoundOf('v', [int(v)]);

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('create' as const, 'accept' as const, 'learn' as const), key: fc.nat(2), gen: fc.nat(4), value: fc.nat(2) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('set' as const), key: fc.nat(2), gen: fc.nat(4), holders: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('forget' as const), nodes: fc.nat(7) }) },
);

function swiGoal(o: Op): string {
  switch (o.op) {
    case 'create': return `paxos:ledger_create(${KEYS[o.key]},${o.gen},v(${o.value}))`;
    case 'accept': return `paxos:ledger_update(${KEYS[o.key]},${o.gen},v(${o.value}))`;
    case 'learn': return `paxos:ledger_learn(${KEYS[o.key]},${o.gen},v(${o.value}))`;
    case 'set': return `paxos:ledger_update_holders(${KEYS[o.key]},${o.gen},${o.holders})`;
    case 'forget': return `paxos:ledger_forget_threaded(${o.nodes})`; // SWI runs it in a thread; the body, synchronously
  }
}

async function ourResult(l: Ledger, o: Op): Promise<boolean> {
  switch (o.op) {
    case 'create': await l.create(keyTerm(o.key), o.gen, valueTerm(o.value)); return true;
    case 'accept': return l.accept(keyTerm(o.key), o.gen, valueTerm(o.value));
    case 'learn': return l.learn(keyTerm(o.key), o.gen, valueTerm(o.value));
    case 'set': return l.setHolders(keyTerm(o.key), o.gen, BigInt(o.holders));
    case 'forget': await l.forgetNodes(BigInt(o.nodes)); return true;
  }
}

/** Per key, the records newest first as Key:Gen:Value:Holders-or-status, as SWI prints them with ~q. */
async function ourDump(l: Ledger): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < KEYS.length; i++) {
    for (const e of await l.entries(keyTerm(i))) {
      const v = e.value.kind === 'compound' && e.value.args[0]!.kind === 'int' ? e.value.args[0]!.value : '?';
      const h = typeof e.holders === 'bigint' ? String(e.holders) : e.holders.status;
      out.push(`${KEYS[i]}:${e.gen}:v(${v}):${h}`);
    }
  }
  return out;
}

const SWI_DUMP = 'forall(member(K,[k0,f(a),\'K 2\']), forall(paxos:paxons_ledger(K,G,V,H), ((integer(H) -> S = H ; functor(H,S,1)), format("~q:~q:~q:~q~n",[K,G,V,S]))))';

for (const backend of [memoryBackend(), lmdbBackend()]) {
  describe(`store: ${backend.name} against SWI-Prolog's library(paxos) ledger`, function () {
    this.timeout(60000);
    let swi: Swipl;
    before(async function () {
      requireSwipl(this);
      swi = await Swipl.start(':- use_module(library(paxos)).');
    });
    after(async () => { await swi?.close(); backend.cleanup(); });

    it('random operation sequences give the same answers and the same records', async () => {
      const runs = backend.name === 'MemoryLedger' ? 150 : 40;
      let nonEmpty = 0;
      await fc.assert(fc.asyncProperty(fc.array(arbOp, { minLength: 1, maxLength: 14 }), async (ops) => {
        const l = backend.make();
        try {
          await swi.output('retractall(paxos:paxons_ledger(_,_,_,_))');
          const goal = `forall(member(G,[${ops.map(swiGoal).join(',')}]), (call(G) -> writeln(true) ; writeln(false)))`;
          const swiAnswers = (await swi.output(goal)).trim().split('\n');
          const ours: string[] = [];
          for (const o of ops) ours.push(String(await ourResult(l, o)));
          expect(ours).to.deep.equal(swiAnswers);
          const swiDump = (await swi.output(SWI_DUMP)).split('\n').filter((s) => s !== '');
          // SWI's clause list is global; per key it is newest first, as ours.
          const byKey = (lines: string[]): string[] => KEYS.flatMap((key) => lines.filter((s) => s.startsWith(key + ':')));
          expect(await ourDump(l)).to.deep.equal(byKey(swiDump));
          if (swiDump.length > 0) nonEmpty++;
        } finally {
          await l.close();
        }
      }), { numRuns: runs });
      expect(nonEmpty, 'sequences that left records').to.be.greaterThan(runs / 3);
    });
  });
}

describe('store: valid entries only from current/get', () => {
  it('current yields ValidEntry with bigint holders', async () => {
    const l = new MemoryLedger();
    await l.learn(k, 1, a);
    await l.setHolders(k, 1, 9n);
    const es: ValidEntry[] = await all(l.current());
    expect(typeof es[0]!.holders).to.equal('bigint');
    await l.close();
  });
});
