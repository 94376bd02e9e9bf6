// Writer throughput: our wire-form writer, swipl writing the same corpus (timed
// inside swipl), and JSON.stringify of an equivalent JSON structure.
// Standalone: `npx tsx bench/write.ts [MB] [seed]`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toTaggedJSON, type JSONValue } from '../src/term/json.js';
import type { Term } from '../src/term/types.js';
import { writeTerm } from '../src/text/write.js';
import { makeCorpus } from './corpus.js';

export interface Throughput {
  readonly seconds: number;
  readonly mbPerSec: number;
  readonly termsPerSec: number;
}

export interface BenchWriteResult {
  readonly terms: number;
  /** UTF-8 bytes of the corpus in wire form. */
  readonly bytes: number;
  readonly ours: Throughput;
  /** undefined when swipl is not installed. */
  readonly swipl: Throughput | undefined;
  readonly jsonStringify: Throughput;
}

function best(runs: number, f: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    f();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return min;
}

const rate = (seconds: number, bytes: number, terms: number): Throughput => ({
  seconds, mbPerSec: bytes / 1e6 / seconds, termsPerSec: terms / seconds,
});

const SWI_BENCH = String.raw`
bench(File) :-
    setup_call_cleanup(open(File, read, In, [encoding(utf8)]), read_all(In, Ts), close(In)),
    length(Ts, N),
    open_null_stream(Null), set_stream(Null, encoding(utf8)),
    garbage_collect,
    get_time(T0),
    forall(member(T, Ts), write_term(Null, T, [quoted(true), ignore_ops(true)])),
    get_time(T1),
    close(Null),
    S is T1 - T0,
    format("~w ~w~n", [N, S]).
read_all(In, Ts) :-
    read_term(In, T, []),
    (   T == end_of_file -> Ts = [] ; Ts = [T|Rest], read_all(In, Rest) ).
`;

function swiplWrite(text: string): number | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'bench-write-'));
  try {
    const corpus = join(dir, 'corpus.pl');
    const prog = join(dir, 'bench.pl');
    writeFileSync(corpus, text);
    writeFileSync(prog, SWI_BENCH);
    let min = Infinity;
    for (let i = 0; i < 3; i++) {
      const r = spawnSync('swipl', ['-q', '--stack-limit=8g', '-g', `bench(${JSON.stringify(corpus)})`, '-t', 'halt', prog], {
        encoding: 'utf8', maxBuffer: 1 << 20,
      });
      if (r.error || r.status !== 0) return undefined;
      min = Math.min(min, Number(r.stdout.trim().split(' ')[1]));
    }
    return min;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchWrite(terms: readonly Term[]): Promise<BenchWriteResult> {
  const texts = terms.map((t) => writeTerm(t, { style: 'wire' }));
  const bytes = texts.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  const n = terms.length;

  let sink = 0;
  const ours = best(5, () => {
    for (const t of terms) sink += writeTerm(t, { style: 'wire' }).length;
  });

  const json: JSONValue[] = terms.map((t) => toTaggedJSON(t));
  const js = best(5, () => {
    for (const j of json) sink += JSON.stringify(j).length;
  });
  if (sink === 42) console.log(''); // keep the work observable

  const swiSeconds = swiplWrite(texts.map((s) => s + '.\n').join(''));
  return {
    terms: n,
    bytes,
    ours: rate(ours, bytes, n),
    swipl: swiSeconds === undefined ? undefined : rate(swiSeconds, bytes, n),
    jsonStringify: rate(js, bytes, n),
  };
}

function fmt(name: string, t: Throughput | undefined): string {
  if (t === undefined) return `${name.padEnd(16)} (swipl not available)`;
  return `${name.padEnd(16)} ${t.mbPerSec.toFixed(1).padStart(7)} MB/s ${Math.round(t.termsPerSec).toString().padStart(9)} terms/s ${t.seconds.toFixed(3)} s`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mb = Number(process.argv[2] ?? 10);
  const seed = Number(process.argv[3] ?? 1);
  const terms = makeCorpus(mb * 1e6, seed);
  const r = await benchWrite(terms);
  console.log(`corpus: ${r.terms} terms, ${(r.bytes / 1e6).toFixed(1)} MB in wire form (seed ${seed})`);
  console.log(fmt('ours (wire)', r.ours));
  console.log(fmt('swipl (wire)', r.swipl));
  console.log('JSON.stringify (tagged JSON, its own bytes differ; rate over the wire-form size):');
  console.log(fmt('JSON.stringify', r.jsonStringify));
  if (r.swipl) console.log(`ours / swipl: ${(r.ours.mbPerSec / r.swipl.mbPerSec).toFixed(2)}x`);
}
