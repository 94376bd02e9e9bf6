// The cost of authenticated datagrams (src/transport/auth.ts), against baselines of
// the same run (ports 45900-45999):
//   - frames verified per second (HMAC-SHA-256, window, replay cache) next to the same
//     datagrams decoded per second by the scope's codec (what every datagram costs anyway),
//     for a typical paxos datagram and a 1 KB one; frames signed per second too;
//   - paxos on 3 of our nodes (each its own process, bench/paxos-child.ts): sequential
//     sets and 8 concurrent set loops, without and with authentication, alternated
//     twice so that drift of the machine falls on both.
// Standalone: `npx tsx bench/auth.ts [sets]` (default 3000 measured sets per row, after as many warm-up sets).
import { fileURLToPath } from 'node:url';
import { FrameAuth } from '../src/transport/auth.js';
import { prologTextCodec } from '../src/transport/framing.js';
import { ChildNode, pct, startOurs } from './paxos.js';

const KEY = { id: 'bench', secret: '0123456789abcdef0123456789abcdef' };

function perSecond(n: number, f: (i: number) => void): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f(i);
  return n / ((performance.now() - t0) / 1000);
}

export function benchFrames(n = 100_000): string[] {
  const rows: string[] = [];
  const codec = prologTextCodec();
  const inners: [string, Buffer][] = [
    ['paxos accept request, ' , Buffer.from('%-prolog-\nrequest(6170384736394783744,paxos(accept(session(\'a1b2c3\'),1,42,_,json([user=ann,ttl=3600]))))', 'latin1')],
    ['1 KB value, ', Buffer.from(`%-prolog-\nsend(paxos(changed(doc(7),42,"${'x'.repeat(1000)}",7)))`, 'latin1')],
  ];
  for (const [label, inner] of inners) {
    // Receivers take only frames stamped after their start: they start first.
    // The cache holds every frame: each verify does the whole work (MAC, window, insert).
    const receiver = new FrameAuth({ keys: [KEY], replayCache: n + 16 });
    const warm = new FrameAuth({ keys: [KEY], replayCache: 20_000 });
    const sender = new FrameAuth({ keys: [KEY] });
    const frames: Buffer[] = [];
    const signRate = perSecond(n, () => { frames.push(sender.sign(inner)); });
    let ok = 0;
    // Warm both paths first (JIT), on frames of their own.
    for (let i = 0; i < 10_000; i++) { warm.verify(sender.sign(inner)); codec.decode(inner); }
    const verifyRate = perSecond(n, (i) => { if (receiver.verify(frames[i]!).ok) ok++; });
    if (ok !== n) throw new Error(`only ${ok} of ${n} frames verified`);
    const decodeRate = perSecond(n, () => { if (codec.decode(inner) === undefined) throw new Error('not decoded'); });
    rows.push(`| ${label}${frames[0]!.length} B framed (${frames[0]!.length - inner.length} B of header) | ${(verifyRate / 1000).toFixed(0)}k/s | ${(signRate / 1000).toFixed(0)}k/s | ${(decodeRate / 1000).toFixed(0)}k/s | ${(verifyRate / decodeRate).toFixed(2)}× |`);
  }
  return [
    '| datagram | verified | signed | baseline: codec decode (same datagram) | verified/s ÷ decoded/s |',
    '|---|---|---|---|---|',
    ...rows,
  ];
}

interface Row { mode: 'plain' | 'auth'; seq: number; seqP99: number; conc: number; concP99: number; failed: number }

async function cluster(mode: 'plain' | 'auth', base: number, sets: number): Promise<Row> {
  const nodes: ChildNode[] = [];
  try {
    await startOurs(nodes, 3, base, () => 'memory', mode === 'auth' ? ['auth'] : []);
    const first = nodes[0]!;
    await first.run({ cmd: 'sets', n: sets, key: 'warm' });
    const s = await first.run<{ lat: number[]; failed: number }>({ cmd: 'sets', n: sets, key: 'k' });
    const c = await first.run<{ wallMs: number; lat: number[]; failed: number }>({ cmd: 'concSets', n: sets, c: 8, key: 'c' });
    const total = s.lat.reduce((a, b) => a + b, 0) / 1000;
    return {
      mode, seq: s.lat.length / total, seqP99: pct(s.lat, 0.99),
      conc: c.lat.length / (c.wallMs / 1000), concP99: pct(c.lat, 0.99), failed: s.failed + c.failed,
    };
  } finally {
    await Promise.all(nodes.map((x) => x.close()));
  }
}

export async function benchAuthPaxos(sets = 3000): Promise<string[]> {
  const rows: Row[] = [];
  let base = 45900;
  for (const mode of ['plain', 'auth', 'plain', 'auth'] as const) {
    rows.push(await cluster(mode, base, sets));
    base += 10;
  }
  const mean = (mode: Row['mode'], f: (r: Row) => number): number => {
    const xs = rows.filter((r) => r.mode === mode).map(f);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const line = (label: string, f: (r: Row) => number, p99: (r: Row) => number): string =>
    `| ${label} | ${mean('plain', f).toFixed(0)} (p99 ${mean('plain', p99).toFixed(2)} ms) | ${mean('auth', f).toFixed(0)} (p99 ${mean('auth', p99).toFixed(2)} ms) | ${(mean('auth', f) / mean('plain', f)).toFixed(2)}× |`;
  return [
    `| paxos, 3 of our nodes, ${sets} sets (mean of 2 runs each, alternated) | without auth: sets/s | with auth: sets/s | with / without |`,
    '|---|---|---|---|',
    line('sequential sets', (r) => r.seq, (r) => r.seqP99),
    line('8 concurrent set loops', (r) => r.conc, (r) => r.concP99),
    `failed sets: ${rows.map((r) => `${r.mode} ${r.failed}`).join(', ')}`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sets = Number(process.argv[2] ?? 3000);
  console.log(benchFrames().join('\n'));
  console.log('');
  console.log((await benchAuthPaxos(sets)).join('\n'));
  process.exit(0);
}
