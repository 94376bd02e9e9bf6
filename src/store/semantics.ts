// The ledger operations as pure functions over one key's records (newest first),
// shared by every backend so they cannot drift apart. Each follows the SWI predicate
// named in ledger.ts line by line; a result of `undefined` records means "no change".
import { equalTerms } from '../term/equal.js';
import { isGround } from '../term/walk.js';
import type { Term } from '../term/types.js';
import { LedgerError, type Entry, type Holders, type ValidEntry, isValidHolders } from './ledger.js';

export type Records = readonly Entry[];

export interface Outcome {
  readonly ok: boolean;
  /** The key's new records, or undefined when nothing changed. [] deletes the key. */
  readonly next: Records | undefined;
}

const UNCHANGED_OK: Outcome = { ok: true, next: undefined };
const FAILED: Outcome = { ok: false, next: undefined };

export function checkKey(key: Term): void {
  if (!isGround(key)) throw new LedgerError('ledger keys must be ground');
}

export function checkGen(gen: number): void {
  if (!Number.isSafeInteger(gen) || gen < 0) throw new LedgerError(`generation must be a non-negative integer: ${gen}`);
}

export function checkHolders(h: bigint): void {
  if (typeof h !== 'bigint' || h < 0n) throw new LedgerError('holders must be a non-negative bigint bitmap');
}

function pending(status: 'created' | 'accepted' | 'learned', at: number): Holders {
  return { status, at };
}

/** The record with the newest generation above 0 when it is pending: an accept or learn not confirmed here yet. */
export function unconfirmedRecord(recs: Records): Entry | undefined {
  let best: Entry | undefined;
  for (const r of recs) if (r.gen > 0 && (!best || r.gen > best.gen)) best = r;
  return best && !isValidHolders(best.holders) ? best : undefined;
}

/** Records with the `nodes` bits cleared from every valid holders bitmap, order kept; undefined when none changes. */
export function clearedHolders(recs: Records, nodes: bigint): Records | undefined {
  let changed = false;
  const next = recs.map((r) => {
    if (!isValidHolders(r.holders)) return r;
    const h = forgottenHolders(r.holders, nodes);
    if (h === undefined) return r;
    changed = true;
    return { ...r, holders: h };
  });
  return changed ? next : undefined;
}

/** ledger/3: the first valid record. */
export function firstValid(recs: Records): ValidEntry | undefined {
  for (const r of recs) if (isValidHolders(r.holders)) return r as ValidEntry;
  return undefined;
}

/** ledger_create/3: asserta created(Now). */
export function opCreate(recs: Records, key: Term, gen: number, value: Term, now: number): Outcome {
  return { ok: true, next: [{ key, gen, value, holders: pending('created', now) }, ...recs] };
}

/** ledger_update/3. */
export function opAccept(recs: Records, key: Term, gen: number, value: Term, now: number): Outcome {
  const newest = recs[0];
  if (newest === undefined || !(gen > newest.gen)) return FAILED;
  const added: Entry = { key, gen, value, holders: pending('accepted', now) };
  const rest = newest.gen === 0 ? recs.filter((r) => r.gen !== 0) : recs;
  return { ok: true, next: [added, ...rest] };
}

/** ledger_update_holders/3 with clean_key/3. */
export function opSetHolders(recs: Records, gen: number, holders: bigint): Outcome {
  const i = recs.findIndex((r) => r.gen === gen);
  if (i < 0) return FAILED;
  const old = recs[i]!;
  const wasValid = isValidHolders(old.holders);
  let next: Entry[];
  if (wasValid && old.holders === holders) {
    next = [...recs]; // SWI: Holders0 == Holders -> true (no re-assert)
  } else {
    next = [{ key: old.key, gen, value: old.value, holders }, ...recs.slice(0, i), ...recs.slice(i + 1)];
  }
  if (!wasValid) next = next.filter((r) => !(r.gen < gen));
  return wasValid && old.holders === holders ? UNCHANGED_OK : { ok: true, next };
}

/** ledger_learn/3. */
export function opLearn(recs: Records, key: Term, gen: number, value: Term, now: number): Outcome {
  const newest = recs[0];
  if (newest !== undefined) {
    if (gen === newest.gen && equalTerms(value, newest.value)) return UNCHANGED_OK;
    if (!(gen > newest.gen)) return FAILED;
  }
  return { ok: true, next: [{ key, gen, value, holders: pending('learned', now) }, ...recs] };
}

/** ledger_forget/4 for one valid record: the holders it should get, or undefined. */
export function forgottenHolders(holders: bigint, nodes: bigint): bigint | undefined {
  const h = holders & ~nodes;
  return h === holders ? undefined : h;
}
