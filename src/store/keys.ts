// Storage keys and stored records. A ledger key is stored under its codec bytes
// (deterministic: == keys give equal bytes). LMDB limits keys to 1978 bytes, so a
// longer key is stored under 0xc1 + SHA-256 of its bytes (0xc1 is never the first byte
// of an encoding) and the key itself goes into the value.
import { createHash } from 'node:crypto';
import { decodeTerm, encodeTerm } from '../codec/index.js';
import { compound, compoundOf, float, functorName, int, list, nil } from '../term/build.js';
import { LIST_FUNCTOR, type Term } from '../term/types.js';
import { properList } from '../term/walk.js';
import { LedgerError, type Entry, type Holders } from './ledger.js';
import type { Records } from './semantics.js';

export const MAX_DIRECT_KEY = 1900;
export const HASHED_PREFIX = 0xc1;

export interface StoredKey {
  /** The storage key. */
  readonly id: Buffer;
  /** True when id is a hash, so the stored value must carry the key. */
  readonly hashed: boolean;
}

export function storedKey(key: Term): StoredKey {
  const bytes = encodeTerm(key);
  if (bytes.length <= MAX_DIRECT_KEY) return { id: bytes, hashed: false };
  const id = Buffer.allocUnsafe(33);
  id[0] = HASHED_PREFIX;
  createHash('sha256').update(bytes).digest().copy(id, 1);
  return { id, hashed: true };
}

/**
 * The first bytes every key matching `pattern` starts with, when cheap to know: a
 * compound (not a list cell) is written as its array header and its name, first.
 */
export function patternPrefix(pattern: Term): Buffer | undefined {
  if (pattern.kind !== 'compound' || (pattern.name === LIST_FUNCTOR && pattern.args.length === 2)) return undefined;
  // Nil arguments are one byte each: drop them to keep the header and the name.
  const n = pattern.args.length;
  const bytes = encodeTerm(compoundOf(functorName(pattern), new Array<Term>(n).fill(nil())));
  return bytes.subarray(0, bytes.length - n);
}

function holdersTerm(h: Holders): Term {
  return typeof h === 'bigint' ? int(h) : compound(h.status, float(h.at));
}

function holdersOf(t: Term): Holders {
  if (t.kind === 'int') return BigInt(t.value);
  if (t.kind === 'compound' && t.args.length === 1 && t.args[0]!.kind === 'float'
    && (t.name === 'created' || t.name === 'accepted' || t.name === 'learned')) {
    return { status: t.name, at: t.args[0].value };
  }
  throw new LedgerError('corrupt ledger record: bad holders');
}

/** The stored value: [r(Gen, Value, Holders), ...], or k(Key, Records) under a hashed id. */
export function recordsBytes(key: Term, recs: Records, hashed: boolean): Buffer {
  const items = recs.map((r) => compound('r', int(r.gen), r.value, holdersTerm(r.holders)));
  const body = list(items);
  return encodeTerm(hashed ? compound('k', key, body) : body);
}

/** Decode a stored value; `id` gives the key unless the value carries it. */
export function recordsFrom(id: Uint8Array, value: Uint8Array): { key: Term; recs: Entry[] } {
  const t = decodeTerm(value);
  let key: Term;
  let body: Term;
  if (id[0] === HASHED_PREFIX) {
    if (t.kind !== 'compound' || t.name !== 'k' || t.args.length !== 2) throw new LedgerError('corrupt ledger record');
    key = t.args[0]!;
    body = t.args[1]!;
  } else {
    key = decodeTerm(id);
    body = t;
  }
  const items = properList(body);
  if (items === undefined) throw new LedgerError('corrupt ledger record');
  const recs = items.map((it): Entry => {
    if (it.kind !== 'compound' || it.name !== 'r' || it.args.length !== 3) throw new LedgerError('corrupt ledger record');
    const [g, value, h] = it.args as [Term, Term, Term];
    if (g.kind !== 'int' || typeof g.value !== 'number' || g.value < 0) throw new LedgerError('corrupt ledger record: gen');
    return { key, gen: g.value, value, holders: holdersOf(h) };
  });
  return { key, recs };
}
