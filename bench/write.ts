// Writer throughput: our wire-form writer against swipl writing the same corpus
// (write_term/2 with quoted(true), ignore_ops(true), timed inside swipl), and
// JSON.stringify of an equivalent JSON structure.
// Standalone: `npx tsx bench/write.ts [MB] [seed] [rounds]`.
//
// Fairness: both sides write the same terms (swipl reads the corpus as we write
// it, and we check that swipl writes it back byte for byte as we do, variable
// names aside); times are process CPU time (all threads, so our GC counts), not
// wall time, since the machine is shared; one persistent swipl runs its passes
// alternately with ours, so both see the same load; each side warms up first;
// figures are medians over the rounds.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { toTaggedJSON, type JSONValue } from '../src/term/json.js';
import type { Term } from '../src/term/types.js';
import { writeTerm } from '../src/text/write.js';
import { makeCorpus } from './corpus.js';

export interface Throughput {
  /** Median CPU seconds of one pass over the corpus. */
  readonly seconds: number;
  readonly mbPerSec: number;
  readonly termsPerSec: number;
  /** CPU seconds of every measured pass. */
  readonly runs: readonly number[];
}

export interface BenchWriteResult {
  readonly terms: number;
  /** UTF-8 bytes of the corpus in wire form. */
  readonly bytes: number;
  readonly ours: Throughput;
  /** Ours, then the text encoded to UTF-8 (what a socket or file gets). */
  readonly oursUtf8: Throughput;
  /** undefined when swipl is not installed. */
  readonly swipl: Throughput | undefined;
  /** Median over rounds of swipl seconds / our seconds in the same round. */
  readonly roundRatio: number | undefined;
  /** Whether swipl wrote the corpus exactly as we did (variable names aside). */
  readonly sameText: boolean | undefined;
  readonly jsonStringify: Throughput;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function cpuSeconds(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

const rate = (runs: number[], bytes: number, terms: number): Throughput => {
  const seconds = median(runs);
  return { seconds, mbPerSec: bytes / 1e6 / seconds, termsPerSec: terms / seconds, runs };
};

// Loads the corpus once, then runs one timed pass per `pass` line it gets and
// answers with the process CPU seconds it took; `dump(File)` writes the corpus
// back as the timed passes do, for the same-text check.
const SWI_BENCH = String.raw`
:- initialization(main, main).
main :-
    getenv('BENCH_WRITE_CORPUS', File),
    setup_call_cleanup(open(File, read, In, [encoding(utf8)]), read_all(In, Ts), close(In)),
    length(Ts, N), format("loaded ~w~n", [N]), flush_output,
    loop(Ts).
loop(Ts) :-
    read_line_to_string(user_input, Line),
    (   Line == end_of_file -> true
    ;   Line == "pass" -> pass(Ts, S), format("~w~n", [S]), flush_output, loop(Ts)
    ;   split_string(Line, " ", "", ["dump", Out]) -> dump(Ts, Out), format("done~n"), flush_output, loop(Ts)
    ;   loop(Ts)
    ).
pass(Ts, S) :-
    open_null_stream(Null), set_stream(Null, encoding(utf8)),
    garbage_collect,
    statistics(process_cputime, T0),
    forall(member(T, Ts), write_term(Null, T, [quoted(true), ignore_ops(true)])),
    statistics(process_cputime, T1),
    close(Null),
    S is T1 - T0.
dump(Ts, Out) :-
    setup_call_cleanup(open(Out, write, S, [encoding(utf8)]),
        forall(member(T, Ts), (write_term(S, T, [quoted(true), ignore_ops(true)]), nl(S))),
        close(S)).
read_all(In, Ts) :-
    read_term(In, T, []),
    (   T == end_of_file -> Ts = [] ; Ts = [T|Rest], read_all(In, Rest) ).
`;

class SwiplWriter {
  private readonly waiting: ((line: string) => void)[] = [];
  private constructor(private readonly proc: ChildProcessByStdio<Writable, Readable, null>, lines: Interface) {
    lines.on('line', (line) => this.waiting.shift()?.(line));
    proc.on('exit', () => { for (const w of this.waiting.splice(0)) w('__exit__'); });
  }

  static async start(prog: string, corpus: string): Promise<SwiplWriter | undefined> {
    const proc = spawn('swipl', ['-q', '--stack-limit=8g', prog], {
      stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, BENCH_WRITE_CORPUS: corpus },
    });
    const ok = await new Promise<boolean>((res) => { proc.once('error', () => res(false)); proc.once('spawn', () => res(true)); });
    if (!ok) return undefined;
    const s = new SwiplWriter(proc, createInterface({ input: proc.stdout }));
    const hello = await s.next();
    if (!hello.startsWith('loaded ')) { proc.kill(); return undefined; }
    return s;
  }

  private next(): Promise<string> {
    return new Promise((res, rej) => this.waiting.push((l) => (l === '__exit__' ? rej(new Error('swipl exited')) : res(l))));
  }

  async ask(line: string): Promise<string> {
    const reply = this.next();
    this.proc.stdin.write(line + '\n');
    return reply;
  }

  async pass(): Promise<number> {
    return Number(await this.ask('pass'));
  }

  async close(): Promise<void> {
    const done = new Promise<void>((res) => this.proc.once('exit', () => res()));
    this.proc.stdin.end();
    await done;
  }
}

/** Variables print as `_` plus a number that differs between writers. */
const anonVars = (s: string): string => s.replace(/\b_(G|)[0-9]+\b/g, '_');

export async function benchWrite(terms: readonly Term[], rounds = 7): Promise<BenchWriteResult> {
  const texts = terms.map((t) => writeTerm(t, { style: 'wire' }));
  const bytes = texts.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  const n = terms.length;
  const json: JSONValue[] = terms.map((t) => toTaggedJSON(t));

  // Each pass touches every result, so nothing is left lazy (e.g. an unflattened rope).
  let sink = 0;
  const oursPass = (): number => cpuSeconds(() => {
    for (const t of terms) { const s = writeTerm(t, { style: 'wire' }); sink += s.charCodeAt(s.length >> 1); }
  });
  const oursUtf8Pass = (): number => cpuSeconds(() => {
    for (const t of terms) sink += Buffer.from(writeTerm(t, { style: 'wire' }), 'utf8').length;
  });
  const jsonPass = (): number => cpuSeconds(() => {
    for (const j of json) { const s = JSON.stringify(j); sink += s.charCodeAt(s.length >> 1); }
  });

  const dir = mkdtempSync(join(tmpdir(), 'bench-write-'));
  try {
    const corpusFile = join(dir, 'corpus.pl');
    const prog = join(dir, 'bench.pl');
    writeFileSync(corpusFile, texts.map((s) => s + '.\n').join(''));
    writeFileSync(prog, SWI_BENCH);
    const swi = await SwiplWriter.start(prog, corpusFile);
    let sameText: boolean | undefined;
    const ours: number[] = [], oursUtf8: number[] = [], swiRuns: number[] = [], js: number[] = [];
    try {
      if (swi) {
        const out = join(dir, 'swipl-out.pl');
        await swi.ask(`dump ${out}`);
        sameText = anonVars(readFileSync(out, 'utf8')) === anonVars(texts.map((s) => s + '\n').join(''));
        await swi.pass(); // warm-up
      }
      oursPass(); oursPass(); oursUtf8Pass(); jsonPass(); // warm-up: let the JIT settle
      for (let r = 0; r < rounds; r++) {
        if (swi) swiRuns.push(await swi.pass());
        ours.push(oursPass());
        oursUtf8.push(oursUtf8Pass());
        js.push(jsonPass());
      }
    } finally {
      await swi?.close();
    }
    if (sink === 42) console.log(''); // keep the work observable
    return {
      terms: n,
      bytes,
      ours: rate(ours, bytes, n),
      oursUtf8: rate(oursUtf8, bytes, n),
      swipl: swi ? rate(swiRuns, bytes, n) : undefined,
      roundRatio: swi ? median(swiRuns.map((s, i) => s / ours[i]!)) : undefined,
      sameText,
      jsonStringify: rate(js, bytes, n),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(name: string, t: Throughput | undefined): string {
  if (t === undefined) return `${name.padEnd(18)} (swipl not available)`;
  return `${name.padEnd(18)} ${t.mbPerSec.toFixed(1).padStart(7)} MB/s ${Math.round(t.termsPerSec).toString().padStart(9)} terms/s ` +
    `${t.seconds.toFixed(3)} s  [${t.runs.map((x) => x.toFixed(3)).join(' ')}]`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mb = Number(process.argv[2] ?? 10);
  const seed = Number(process.argv[3] ?? 1);
  const rounds = Number(process.argv[4] ?? 7);
  const terms = makeCorpus(mb * 1e6, seed);
  const r = await benchWrite(terms, rounds);
  console.log(`corpus: ${r.terms} terms, ${(r.bytes / 1e6).toFixed(1)} MB in wire form (seed ${seed}); ` +
    `median CPU seconds of ${rounds} alternating rounds after warm-up`);
  if (r.sameText !== undefined) console.log(`swipl writes the corpus as we do (variable names aside): ${r.sameText ? 'yes' : 'NO'}`);
  console.log(fmt('ours (wire)', r.ours));
  console.log(fmt('ours + UTF-8', r.oursUtf8));
  console.log(fmt('swipl (wire)', r.swipl));
  console.log('JSON.stringify (tagged JSON, its own bytes differ; rate over the wire-form size):');
  console.log(fmt('JSON.stringify', r.jsonStringify));
  if (r.swipl && r.roundRatio !== undefined) {
    console.log(`ours / swipl: ${(r.ours.mbPerSec / r.swipl.mbPerSec).toFixed(2)}x (medians), ` +
      `${r.roundRatio.toFixed(2)}x (median of per-round ratios)`);
  }
}
