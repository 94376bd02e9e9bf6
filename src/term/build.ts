// Typed constructors: the one place the model's invariants are enforced.
import {
  LIST_FUNCTOR,
  type Atom, type Compound, type Dict, type DictKey, type Float, type Int, type Nil,
  type Rational, type Str, type Term, type Var,
} from './types.js';

export class TermError extends Error {
  override name = 'TermError';
}

const NIL: Nil = Object.freeze({ kind: 'nil' });

export function atom(name: string): Atom {
  return { kind: 'atom', name };
}

/** An exact integer; a bigint that fits a safe JS number is stored as a number. */
export function int(value: number | bigint): Int {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      if (!Number.isInteger(value)) throw new TermError(`not an integer: ${value}`);
      return { kind: 'int', value: BigInt(value) };
    }
    return { kind: 'int', value: value === 0 ? 0 : value }; // no -0 among integers
  }
  return { kind: 'int', value: isSafeBig(value) ? Number(value) : value };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
function isSafeBig(v: bigint): boolean {
  return v <= MAX_SAFE && v >= MIN_SAFE;
}

export function float(value: number): Float {
  return { kind: 'float', value };
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** A rational num/den in lowest terms; an Int when the denominator divides out. */
export function rational(num: bigint | number, den: bigint | number): Rational | Int {
  let n = BigInt(num);
  let d = BigInt(den);
  if (d === 0n) throw new TermError('rational with zero denominator');
  if (d < 0n) { n = -n; d = -d; }
  const g = gcd(n, d);
  if (g > 1n) { n /= g; d /= g; }
  if (d === 1n) return int(n);
  return { kind: 'rational', num: n, den: d };
}

export function str(value: string): Str {
  return { kind: 'string', value };
}

export function nil(): Nil {
  return NIL;
}

export const EMPTY_LIST: Nil = NIL;

/**
 * A compound term. Zero arguments make SWI-7's `name()` compound, not an atom. The
 * name Nil (`nil()`) makes `[](...)`, named by the reserved `[]`, not the atom '[]'.
 */
export function compound(name: string | Nil, ...args: Term[]): Compound {
  return compoundOf(name, args);
}

export function compoundOf(name: string | Nil, args: readonly Term[]): Compound {
  return typeof name === 'string' ? { kind: 'compound', name, args } : { kind: 'compound', name: '[]', args, nilName: true };
}

/** A compound's name as compoundOf takes it: the atom's text, or Nil for `[](...)`. */
export function functorName(c: Compound): string | Nil {
  return c.nilName ? NIL : c.name;
}

/** Whether two compounds have the same name (the reserved `[]` is not the atom '[]'). */
export function sameName(a: Compound, b: Compound): boolean {
  return a.name === b.name && a.nilName === b.nilName;
}

let nextVarId = 1;
export function variable(name?: string): Var {
  return { kind: 'var', id: nextVarId++, name };
}

export function cons(head: Term, tail: Term): Compound {
  return { kind: 'compound', name: LIST_FUNCTOR, args: [head, tail] };
}

/** A proper list, or a partial list when `tail` is given (`[a,b|T]`). */
export function list(items: readonly Term[], tail: Term = NIL): Term {
  let t = tail;
  for (let i = items.length - 1; i >= 0; i--) t = cons(items[i]!, t);
  return t;
}

/** `{Goal}`. */
export function curly(arg: Term): Compound {
  return { kind: 'compound', name: '{}', args: [arg] };
}

/** A code list, as the back-quoted `` `abc` `` reads. */
export function codes(text: string): Term {
  const items: Term[] = [];
  for (const ch of text) items.push(int(ch.codePointAt(0)!));
  return list(items);
}

/**
 * A dict. Keys are atoms (strings here), small integers or Nil (the reserved `[]`, not
 * the atom '[]'); duplicates are an error,
 * as in SWI (`duplicate_key`). Pairs are put in standard order of keys.
 */
export function dict(
  tag: Atom | Var | string,
  pairs: Iterable<readonly [DictKey | string | number, Term]> | Record<string, Term>,
): Dict {
  const t = typeof tag === 'string' ? atom(tag) : tag;
  const entries: [DictKey, Term][] = [];
  const src = isIterable(pairs) ? pairs : Object.entries(pairs);
  for (const [k, v] of src) {
    const key: DictKey = typeof k === 'string' ? atom(k) : typeof k === 'number' ? int(k) : k;
    if (key.kind === 'int' && typeof key.value === 'bigint') {
      throw new TermError('dict key must be an atom or a small integer');
    }
    entries.push([key, v]);
  }
  entries.sort((a, b) => compareDictKeys(a[0], b[0]));
  for (let i = 1; i < entries.length; i++) {
    if (compareDictKeys(entries[i - 1]![0], entries[i]![0]) === 0) {
      throw new TermError(`duplicate dict key: ${keyText(entries[i]![0])}`);
    }
  }
  return { kind: 'dict', tag: t, pairs: entries };
}

function isIterable(x: unknown): x is Iterable<readonly [DictKey | string | number, Term]> {
  return x != null && typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function';
}

/** Standard order restricted to dict keys: integers, then the reserved `[]`, then atoms by code points. */
export function compareDictKeys(a: DictKey, b: DictKey): number {
  if (a.kind !== b.kind) return DICT_KEY_RANK[a.kind] - DICT_KEY_RANK[b.kind];
  if (a.kind === 'int') return a.value < (b as Int).value ? -1 : a.value > (b as Int).value ? 1 : 0;
  return a.kind === 'atom' ? compareCodePoints(a.name, (b as Atom).name) : 0;
}

const DICT_KEY_RANK: Record<DictKey['kind'], number> = { int: 0, nil: 1, atom: 2 };

function keyText(k: DictKey): string {
  return k.kind === 'atom' ? k.name : k.kind === 'nil' ? '[]' : String(k.value);
}

/** Compare two JS strings by Unicode code points (not UTF-16 units), as SWI compares text. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF, which sort after 0xE000-0xFFFF.
      const sx = x >= 0xd800 && x <= 0xdfff;
      const sy = y >= 0xd800 && y <= 0xdfff;
      if (sx !== sy) return sx ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}
