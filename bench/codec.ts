// Codec benchmark: encode/decode throughput and encoded size of the binary codec,
// side by side in the same run with the text writer and reader (wire style) on the
// same corpus (bench/corpus.ts makeCorpus), and a plain copy of the same terms as the
// floor for any decoder that builds them.
// Standalone: `npx tsx --expose-gc bench/codec.ts [MB] [seed]` (default 4 MB, seed 1;
// --expose-gc lets each timed run start after a full GC, which steadies the figures).
// Rates are per second of process CPU time (see median()).
import { fileURLToPath } from 'node:url';
import { decodeMany, decodeTerm, encodeMany, encodeTerm } from '../src/codec/index.js';
import type { Term } from '../src/term/types.js';
import { readTerm, readTerms } from '../src/text/read.js';
import { writeTerm } from '../src/text/write.js';
import { makeCorpus } from './corpus.js';

export interface Rate {
  readonly seconds: number;
  /** Megabytes of this format's own bytes per second. */
  readonly mbPerSec: number;
  /** Megabytes of the equivalent wire text per second (the same terms), comparable across formats. */
  readonly textMbPerSec: number;
  readonly termsPerSec: number;
}

export interface CodecBench {
  readonly terms: number;
  /** UTF-8 bytes of the corpus as wire text, one `T.\n` per term. */
  readonly textBytes: number;
  /** The corpus as one batch (encodeMany: one name table for the batch). */
  readonly binaryBytes: number;
  /** The terms encoded one by one (encodeTerm), summed. */
  readonly binaryEachBytes: number;
  /** binaryBytes / textBytes and binaryEachBytes / textBytes. */
  readonly sizeRatio: number;
  readonly sizeRatioEach: number;
  readonly encodeMany: Rate;
  readonly decodeMany: Rate;
  /** One call per term (encodeTerm / decodeTerm), as a store or a message layer uses it. */
  readonly encodeEach: Rate;
  readonly decodeEach: Rate;
  readonly textWrite: Rate;
  /** readTerms on the whole corpus text (a batch, results kept, as decodeMany). */
  readonly textRead: Rate | undefined;
  /** readTerm on each term's text (results dropped, as decodeTerm each). */
  readonly textReadEach: Rate | undefined;
  /** Why the text reader could not be timed (it is developed alongside). */
  readonly textReadError: string | undefined;
  /** Times faster than the text reader: decodeMany vs readTerms, decodeTerm vs readTerm. */
  readonly decodeSpeedup: number | undefined;
  readonly decodeEachSpeedup: number | undefined;
  /** encodeTerm each vs writeTerm each. */
  readonly encodeSpeedup: number;
  /**
   * A floor for decodeMany: a plain structural copy of the corpus's terms (the same
   * objects, shared atoms and small integers, kept), timed in the same rounds. No decoder
   * that builds the term model's objects can be much faster.
   */
  readonly copyFloor: Rate;
}

/**
 * The objects decodeMany makes for these terms, made by the cheapest code: recursive
 * (the corpus is shallow), atoms, small integers and variables shared, the rest copied.
 * decodeMany also makes the variables (~6% of the objects), so this floor is if
 * anything low.
 */
function plainCopy(t: Term): Term {
  switch (t.kind) {
    case 'compound': {
      const a = t.args;
      const n = a.length;
      const args = n === 1 ? [plainCopy(a[0]!)] : n === 2 ? [plainCopy(a[0]!), plainCopy(a[1]!)]
        : n === 3 ? [plainCopy(a[0]!), plainCopy(a[1]!), plainCopy(a[2]!)] : a.map(plainCopy);
      return { kind: 'compound', name: t.name, args };
    }
    case 'int': return typeof t.value === 'number' && t.value >= -32 && t.value < 128 ? t : { kind: 'int', value: t.value };
    case 'float': return { kind: 'float', value: t.value };
    case 'string': return { kind: 'string', value: t.value };
    case 'rational': return { kind: 'rational', num: t.num, den: t.den };
    case 'dict': return { kind: 'dict', tag: t.tag, pairs: t.pairs.map(([k, v]) => [k, plainCopy(v)] as const) };
    default: return t;
  }
}

/**
 * Time each function `runs` times, interleaved (a b c a b c ...) so that a change of
 * load on the machine hits all alike, after one warm-up each; the median time of each,
 * in seconds of this process's CPU time (user + system, all threads, so the garbage
 * collector's helper threads count too): on a shared machine wall time mostly
 * measures the others.
 */
function median(runs: number, ...fs: (() => void)[]): number[] {
  for (const f of fs) f(); // warm-up
  const times: number[][] = fs.map(() => []);
  for (let i = 0; i < runs; i++) {
    fs.forEach((f, j) => {
      gc?.(); // with --expose-gc: start each run without the previous run's garbage
      const c0 = process.cpuUsage();
      f();
      const c = process.cpuUsage(c0);
      times[j]!.push((c.user + c.system) / 1e6);
    });
  }
  return times.map((ts) => {
    ts.sort((a, b) => a - b);
    const m = ts.length >> 1;
    return ts.length & 1 ? ts[m]! : (ts[m - 1]! + ts[m]!) / 2;
  });
}

const gc = (globalThis as { gc?: () => void }).gc;

const rate = (seconds: number, bytes: number, textBytes: number, terms: number): Rate => ({
  seconds, mbPerSec: bytes / 1e6 / seconds, textMbPerSec: textBytes / 1e6 / seconds, termsPerSec: terms / seconds,
});

export function benchCodec(megabytes = 4, seed = 1, runs = 5): CodecBench {
  const corpus: Term[] = makeCorpus(megabytes * 1e6, seed);
  const texts = corpus.map((t) => writeTerm(t, { style: 'wire' }));
  const text = texts.map((t) => t + '.\n').join('');
  const textBytes = Buffer.byteLength(text, 'utf8');
  const terms = corpus.length;

  let bin = encodeMany(corpus);
  const binaryBytes = bin.length;
  const each = corpus.map((t) => encodeTerm(t));
  const binaryEachBytes = each.reduce((n, b) => n + b.length, 0);

  // Term by term first: V8 pretenures allocation sites whose objects survive (as in a
  // batch, kept whole), which then slows the short-lived term-by-term case.
  const [tEncEach, tWrite] = median(runs,
    () => { for (const t of corpus) encodeTerm(t); },
    () => { for (const t of corpus) writeTerm(t, { style: 'wire' }); });
  let tDecEach: number;
  let tDecMany: number;
  let tEncMany: number;
  let tRead: number | undefined;
  let tCopy: number;
  let tReadEach: number | undefined;
  let textReadError: string | undefined;
  try {
    readTerms(text.slice(0, 100_000).replace(/[^\n]*$/, '')); // fails fast if the reader is broken
    [tDecEach, tReadEach] = median(runs,
      () => { for (const b of each) decodeTerm(b); },
      () => { for (const t of texts) readTerm(t); });
    [tEncMany, tDecMany, tRead, tCopy] = median(runs,
      () => { bin = encodeMany(corpus); },
      () => { decodeMany(bin); },
      () => { if (readTerms(text).length !== terms) throw new Error('text reader lost terms'); },
      () => { corpus.map(plainCopy); });
  } catch (e) {
    textReadError = e instanceof Error ? e.message : String(e);
    tRead = tReadEach = undefined;
    [tDecEach, tEncMany, tDecMany, tCopy] = median(runs,
      () => { for (const b of each) decodeTerm(b); },
      () => { bin = encodeMany(corpus); },
      () => { decodeMany(bin); },
      () => { corpus.map(plainCopy); });
  }

  return {
    terms,
    textBytes,
    binaryBytes,
    binaryEachBytes,
    sizeRatio: binaryBytes / textBytes,
    sizeRatioEach: binaryEachBytes / textBytes,
    encodeMany: rate(tEncMany, binaryBytes, textBytes, terms),
    decodeMany: rate(tDecMany, binaryBytes, textBytes, terms),
    encodeEach: rate(tEncEach!, binaryEachBytes, textBytes, terms),
    decodeEach: rate(tDecEach, binaryEachBytes, textBytes, terms),
    textWrite: rate(tWrite!, textBytes, textBytes, terms),
    textRead: tRead === undefined ? undefined : rate(tRead, textBytes, textBytes, terms),
    textReadEach: tReadEach === undefined ? undefined : rate(tReadEach, textBytes, textBytes, terms),
    textReadError,
    decodeSpeedup: tRead === undefined ? undefined : tRead / tDecMany,
    decodeEachSpeedup: tReadEach === undefined ? undefined : tReadEach / tDecEach,
    encodeSpeedup: tWrite! / tEncEach!,
    copyFloor: rate(tCopy!, textBytes, textBytes, terms),
  };
}

export function formatCodecBench(r: CodecBench): string {
  const row = (name: string, x: Rate | undefined): string => x === undefined
    ? `  ${name.padEnd(22)} unavailable: ${r.textReadError}`
    : `  ${name.padEnd(22)} ${x.textMbPerSec.toFixed(1).padStart(8)} MB/s of text ${x.mbPerSec.toFixed(1).padStart(8)} MB/s own `
      + `${Math.round(x.termsPerSec).toString().padStart(10)} terms/s`;
  return [
    `codec: ${r.terms} terms, wire text ${(r.textBytes / 1e6).toFixed(2)} MB; binary: batch ${(r.binaryBytes / 1e6).toFixed(2)} MB `
      + `(${(100 * r.sizeRatio).toFixed(1)}% of text), term by term ${(r.binaryEachBytes / 1e6).toFixed(2)} MB (${(100 * r.sizeRatioEach).toFixed(1)}%)`,
    '  (process CPU time, median of runs; "of text": the wire text of the same terms per second, comparable across rows)',
    row('binary encodeMany', r.encodeMany),
    row('binary decodeMany', r.decodeMany),
    row('binary encodeTerm each', r.encodeEach),
    row('binary decodeTerm each', r.decodeEach),
    row('text writeTerm (wire)', r.textWrite),
    row('text readTerms (batch)', r.textRead),
    row('text readTerm each', r.textReadEach),
    row('floor: copy, kept', r.copyFloor),
    (r.decodeSpeedup === undefined || r.decodeEachSpeedup === undefined ? '  decode: no text reader to compare with; '
      : `  decode: batch ${r.decodeSpeedup.toFixed(1)}x readTerms, term by term ${r.decodeEachSpeedup.toFixed(1)}x readTerm; `)
      + `encode ${r.encodeSpeedup.toFixed(1)}x writeTerm (terms/s)`,
    `  decodeMany takes ${(r.decodeMany.seconds / r.copyFloor.seconds).toFixed(2)}x the time of a plain copy of the same terms `
      + `(readTerms ${r.textRead === undefined ? '?' : (r.textRead.seconds / r.copyFloor.seconds).toFixed(1)}x)`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mb = Number(process.argv[2] ?? 4);
  const seed = Number(process.argv[3] ?? 1);
  console.log(formatCodecBench(benchCodec(mb, seed)));
}
