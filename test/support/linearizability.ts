// A linearizability checker for a history of operations on independent registers
// (one per key), after Wing & Gong's search with Lowe's memoisation of
// (linearized set, state) pairs, as Porcupine and Knossos do it.
//
// Operations are writes of unique values and reads. An operation whose outcome is
// unknown (a timed-out set, a node that crashed while serving it) may take effect at
// any point after its invocation, or never: its completion is +infinity. A write that
// definitely failed must never take effect, so it is left out of the history: a read
// of its value then has no write to explain it, which is a violation.
//
// Registers are independent, so each key is checked alone (P-compositionality).

/** The value a read returned or a write wrote; null is "no value" (absent key). */
export type RegValue = string | null;

export interface HistoryOp {
  readonly key: string;
  readonly kind: 'write' | 'read';
  /** Written value, or the value read (null: the key was absent). */
  readonly value: RegValue;
  readonly invoke: number;
  /** Completion time; ignored unless outcome is 'ok'. */
  readonly complete: number;
  /** ok: acknowledged; fail: definitely did not take effect; unknown: may or may not have. */
  readonly outcome: 'ok' | 'fail' | 'unknown';
  /** Free text for reports: client, node, ... */
  readonly who?: string;
}

export interface KeyVerdict {
  readonly key: string;
  readonly ops: number;
  readonly result: 'linearizable' | 'violation' | 'budget exceeded';
  readonly steps: number;
}

export interface CheckOptions {
  /** Value of every register before the history (default null: absent). */
  readonly initial?: RegValue;
  /** Search steps per key before giving up with 'budget exceeded'. */
  readonly budget?: number;
}

/** Check every key's register history; one verdict per key. */
export function checkRegisters(history: readonly HistoryOp[], o: CheckOptions = {}): KeyVerdict[] {
  const byKey = new Map<string, HistoryOp[]>();
  for (const op of history) {
    let l = byKey.get(op.key);
    if (!l) { l = []; byKey.set(op.key, l); }
    l.push(op);
  }
  return [...byKey].map(([key, ops]) => checkRegister(key, ops, o));
}

interface Entry {
  readonly id: number;
  readonly call: boolean;
  readonly time: number;
  readonly op: HistoryOp;
  /** For a call: its return entry. */
  match: Entry | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/** The operations that constrain the search: definite failures and unknown reads say nothing. */
function relevant(ops: readonly HistoryOp[]): HistoryOp[] {
  const read = new Set<RegValue>();
  for (const op of ops) if (op.kind === 'read' && op.outcome === 'ok') read.add(op.value);
  return ops.filter((op) => {
    if (op.outcome === 'fail') return false;
    if (op.kind === 'read') return op.outcome === 'ok';
    // An unknown write nobody read can always be taken as never having happened.
    return op.outcome === 'ok' || read.has(op.value);
  });
}

export function checkRegister(key: string, all: readonly HistoryOp[], o: CheckOptions = {}): KeyVerdict {
  const ops = relevant(all);
  const budget = o.budget ?? 2_000_000;
  const n = ops.length;
  // Events: calls before returns at equal times (the more concurrency, the fewer false alarms).
  const events: Entry[] = [];
  ops.forEach((op, id) => {
    const ret: Entry = { id, call: false, time: op.outcome === 'ok' ? op.complete : Infinity, op, match: undefined, prev: undefined, next: undefined };
    const call: Entry = { id, call: true, time: op.invoke, op, match: ret, prev: undefined, next: undefined };
    events.push(call, ret);
  });
  events.sort((a, b) => a.time - b.time || (a.call === b.call ? a.id - b.id : a.call ? -1 : 1));
  const head: Entry = { id: -1, call: false, time: -Infinity, op: ops[0]!, match: undefined, prev: undefined, next: undefined };
  let last = head;
  for (const e of events) { e.prev = last; last.next = e; last = e; }

  const lift = (c: Entry): void => {
    c.prev!.next = c.next; if (c.next) c.next.prev = c.prev;
    const r = c.match!;
    r.prev!.next = r.next; if (r.next) r.next.prev = r.prev;
  };
  const unlift = (c: Entry): void => {
    const r = c.match!;
    r.prev!.next = r; if (r.next) r.next.prev = r;
    c.prev!.next = c; if (c.next) c.next.prev = c;
  };

  // Linearized set as a bitset, with an incremental 2x32-bit hash for the cache.
  const words = new Uint32Array(Math.ceil(n / 32) || 1);
  const h1 = new Uint32Array(n); const h2 = new Uint32Array(n);
  let seed = 0x9e3779b9;
  const rnd = (): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; return seed >>> 0; };
  for (let i = 0; i < n; i++) { h1[i] = rnd(); h2[i] = rnd(); }
  let a1 = 0; let a2 = 0;
  const cache = new Map<string, Uint32Array[]>();
  const seen = (state: RegValue): boolean => {
    const k = `${a1}:${a2}:${state ?? '\u0000'}`;
    const l = cache.get(k);
    if (l) for (const w of l) if (w.every((x, i) => x === words[i])) return true;
    const copy = words.slice();
    if (l) l.push(copy); else cache.set(k, [copy]);
    return false;
  };
  const flip = (id: number): void => { words[id >>> 5]! ^= 1 << (id & 31); a1 ^= h1[id]!; a2 ^= h2[id]!; };

  let state: RegValue = o.initial ?? null;
  const stack: { entry: Entry; before: RegValue }[] = [];
  let entry = head.next;
  let steps = 0;
  while (head.next !== undefined) {
    if (++steps > budget) return { key, ops: n, result: 'budget exceeded', steps };
    if (entry === undefined) throw new Error('linearizability: ran off the event list');
    if (entry.call) {
      const op = entry.op;
      const ok = op.kind === 'write' || op.value === state;
      const next: RegValue = op.kind === 'write' ? op.value : state;
      if (ok) {
        flip(entry.id);
        if (!seen(next)) {
          stack.push({ entry, before: state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        flip(entry.id);
      }
      entry = entry.next;
    } else {
      // A return whose call is not linearized yet: this branch is dead.
      const top = stack.pop();
      if (!top) return { key, ops: n, result: 'violation', steps };
      state = top.before;
      flip(top.entry.id);
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  return { key, ops: n, result: 'linearizable', steps };
}

/**
 * A readable witness: the shortest prefix of the history (by invocation) that is not
 * linearizable, found by bisection; its last operations, those that overlap the one
 * invoked last, are where it breaks.
 */
export function explain(key: string, all: readonly HistoryOp[], o: CheckOptions = {}): HistoryOp[] {
  const ops = relevant(all).sort((a, b) => a.invoke - b.invoke);
  // A prefix keeps the writes its reads saw, even those invoked later (a read that
  // overlaps a later-invoked write), or every such prefix would look broken.
  const withWrites = (n: number): HistoryOp[] => {
    const p = ops.slice(0, n);
    const seen = new Set(p.filter((x) => x.kind === 'read').map((x) => x.value));
    return [...p, ...ops.slice(n).filter((x) => x.kind === 'write' && seen.has(x.value))];
  };
  const bad = (n: number): boolean => checkRegister(key, withWrites(n), o).result === 'violation';
  let lo = 1; let hi = ops.length;
  if (!bad(hi)) return [];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bad(mid)) hi = mid; else lo = mid + 1;
  }
  const lastOp = ops[lo - 1]!;
  const prefix = withWrites(lo).sort((a, b) => a.invoke - b.invoke);
  // Everything still running when the last operation started, and a few before.
  const first = prefix.findIndex((x) => x.outcome !== 'ok' || x.complete >= lastOp.invoke);
  return prefix.slice(Math.max(0, first - 6));
}

/** One line per operation, for failure messages. */
export function formatOps(ops: readonly HistoryOp[]): string {
  return ops.map((x) => {
    const t = x.outcome === 'ok' ? `${x.invoke.toFixed(3)}..${x.complete.toFixed(3)}` : `${x.invoke.toFixed(3)}..?`;
    const what = x.kind === 'write' ? `write(${x.value})` : `read -> ${x.value ?? 'absent'}`;
    return `  ${t} ${x.outcome.padEnd(7)} ${what}${x.who ? ` [${x.who}]` : ''}`;
  }).join('\n');
}
