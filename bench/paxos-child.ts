// One of our paxos nodes in its own process, as each SWI node of the benchmark is:
// a PaxosNode over the real UDP transport, driven by bench/paxos.ts through IPC.
// Timings are taken here, inside the node that does the work (as the SWI nodes time
// inside Prolog). Also reports the event-loop delay and CPU time over a measured
// window, and can CPU-profile that window (for finding where a set's time goes).
//
//   argv: <port> <comma-separated peer ports> <memory | lmdb:DIR> [auth]
//   (auth: every datagram signed and checked with BENCH_AUTH_KEY, as bench/auth.ts compares)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { atom, compound, float, int, str } from '../src/term/build.js';
import { writeTerm } from '../src/text/write.js';
import { LmdbLedger } from '../src/store/lmdb.js';
import { ourNode } from '../test/paxos-support.js';

/** The key of authenticated bench clusters (a benchmark's, not a secret). */
const BENCH_AUTH_KEY = { id: 'bench', secret: '0123456789abcdef0123456789abcdef' } as const;

export type ChildCommand =
  | { readonly cmd: 'quorum' }
  | { readonly cmd: 'sets'; readonly n: number; readonly key: string }
  /** c set loops at once (Promise.all), loop i on key <key>i with values 1, 2, ...; n sets in all, split evenly. */
  | { readonly cmd: 'concSets'; readonly n: number; readonly c: number; readonly key: string }
  | { readonly cmd: 'gets'; readonly n: number; readonly key: string; readonly quorum: boolean }
  | { readonly cmd: 'has'; readonly key: string }
  | { readonly cmd: 'stampSet'; readonly key: string; readonly value: number }
  | { readonly cmd: 'window'; readonly on: boolean; readonly profile?: string }
  /** n distinct keys s(from..from+n-1) set by c loops at once; the sets/s of the first and last `edge` sets. */
  | { readonly cmd: 'fill'; readonly from: number; readonly n: number; readonly c: number; readonly edge: number }
  /** Heap and resident memory (RSS, and its anonymous and file-mapped parts) after a full GC if exposed. */
  | { readonly cmd: 'mem' }
  | { readonly cmd: 'close' };

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
const epochMs = (): number => performance.timeOrigin + performance.now();

const [portArg, peersArg, ledgerArg = 'memory', authArg] = process.argv.slice(2);
const port = Number(portArg);
const peers = peersArg!.split(',').map(Number);
// 'memory': the node's default, its records only in its own memory (as SWI's).
const startedAt = performance.now();
const ledger = ledgerArg === 'memory'
  ? undefined
  : (mkdirSync(ledgerArg.slice('lmdb:'.length), { recursive: true }), LmdbLedger.open(ledgerArg.slice('lmdb:'.length)));
const openMs = performance.now() - startedAt;
const node = await ourNode(port, peers, {
  ...(ledger && { ledger }),
  ...(authArg === 'auth' && { transportConfig: { auth: { keys: [BENCH_AUTH_KEY] } } }),
});
// Only the key the propagation measurement watches: an IPC message per change of
// every key cost the proposer about a tenth of its CPU in the set loop (harness, not node).
node.onChange('chg', '_', (k, v) => {
  process.send!({ event: 'changed', key: writeTerm(k), value: writeTerm(v), at: epochMs() });
});

let eld: ReturnType<typeof monitorEventLoopDelay> | undefined;
let cpu0: NodeJS.CpuUsage | undefined;
let wall0 = 0;
let session: Session | undefined;

async function run(c: ChildCommand): Promise<unknown> {
  switch (c.cmd) {
    case 'quorum': return node.property().quorum.length;
    case 'sets': {
      const lat: number[] = []; let failed = 0;
      for (let i = 1; i <= c.n; i++) {
        const t0 = performance.now();
        const ok = (await node.trySet(atom(c.key), int(i))).ok;
        const t1 = performance.now();
        if (ok) lat.push(t1 - t0); else failed++;
      }
      return { lat, failed };
    }
    case 'concSets': {
      // As SWI's bench_conc_set/6 (C threads in one node): a set that fails or throws counts as failed.
      const lat: number[] = []; let failed = 0;
      const loop = async (i: number, m: number): Promise<void> => {
        const key = atom(`${c.key}${i}`);
        for (let v = 1; v <= m; v++) {
          const t0 = performance.now();
          const ok = await node.set(key, int(v)).catch(() => false);
          const t1 = performance.now();
          if (ok) lat.push(t1 - t0); else failed++;
        }
      };
      const per = (i: number): number => Math.floor(c.n / c.c) + (i <= c.n % c.c ? 1 : 0);
      const w0 = performance.now();
      await Promise.all(Array.from({ length: c.c }, (_, j) => loop(j + 1, per(j + 1))));
      return { wallMs: performance.now() - w0, lat, failed };
    }
    case 'gets': {
      const lat: number[] = [];
      for (let i = 0; i < c.n; i++) {
        const t0 = performance.now();
        await node.get(atom(c.key), { quorum: c.quorum });
        lat.push(performance.now() - t0);
      }
      return { lat };
    }
    case 'fill': {
      const done: number[] = []; let failed = 0; let next = c.from;
      const end = c.from + c.n;
      const value = (i: number) => compound('session', int(i), str(`user-${i % 9973}@example.org`), float(Date.now() / 1000), str('x'.repeat(64)));
      const loop = async (): Promise<void> => {
        while (next < end) {
          const i = next++;
          if (await node.set(compound('s', int(i)), value(i)).catch(() => false)) done.push(performance.now()); else failed++;
        }
      };
      const w0 = performance.now();
      await Promise.all(Array.from({ length: c.c }, () => loop()));
      const e = Math.min(c.edge, Math.floor(done.length / 2));
      const rate = (a: number, b: number, t0: number): number => (b - a) / ((done[b - 1]! - t0) / 1000);
      return {
        wallMs: performance.now() - w0, failed,
        firstRate: e > 0 ? rate(0, e, w0) : 0, lastRate: e > 0 ? rate(done.length - e, done.length, done[done.length - e - 1]!) : 0,
      };
    }
    case 'mem': {
      (globalThis as { gc?: () => void }).gc?.();
      const st = readFileSync('/proc/self/status', 'utf8');
      const kb = (f: string): number => Number(new RegExp(`${f}:\\s+(\\d+)`).exec(st)?.[1] ?? 0) / 1024;
      const m = process.memoryUsage();
      return { heapMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20, anonMB: kb('RssAnon'), fileMB: kb('RssFile'), keys: node.stats().ledgerKeys };
    }
    case 'has': return node.ledgerRecord(atom(c.key)) !== undefined;
    case 'stampSet': {
      const t0 = epochMs();
      await node.set(atom(c.key), int(c.value));
      return t0;
    }
    case 'window': {
      if (c.on) {
        eld = monitorEventLoopDelay({ resolution: 1 });
        eld.enable();
        cpu0 = process.cpuUsage();
        wall0 = performance.now();
        if (c.profile) {
          session = new Session();
          session.connect();
          await session.post('Profiler.enable');
          await session.post('Profiler.setSamplingInterval', { interval: 100 });
          await session.post('Profiler.start');
        }
        return true;
      }
      eld?.disable();
      const cpu = process.cpuUsage(cpu0);
      const out = {
        wallMs: performance.now() - wall0, cpuMs: (cpu.user + cpu.system) / 1000, sysMs: cpu.system / 1000,
        eldP50: (eld?.percentile(50) ?? 0) / 1e6, eldP99: (eld?.percentile(99) ?? 0) / 1e6, eldMax: (eld?.max ?? 0) / 1e6,
      };
      if (session && c.profile) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(c.profile, JSON.stringify(profile));
        session.disconnect();
        session = undefined;
      }
      return out;
    }
    case 'close':
      await node.close();
      setImmediate(() => process.exit(0));
      return true;
  }
}

process.on('message', (m: { id: number; c: ChildCommand }) => {
  run(m.c).then(
    (r) => process.send!({ id: m.id, r }),
    (e: unknown) => process.send!({ id: m.id, error: String(e) }),
  );
});
// Times inside the process: the ledger's open, and the node's start (transport, join) after it.
process.send!({ ready: node.property().node, openMs, startMs: performance.now() - startedAt - openMs });
