// Local listeners, as library(broadcast)'s listen/3: a handler is registered for
// a term pattern and runs for every inbound term that unifies with it. For a
// request it is asked for all its solutions (broadcast_request/1), each becoming
// one reply; for a plain broadcast it runs once (broadcast/1).
import type { Term } from '../term/types.js';
import { type Bindings, resolve, unify } from '../term/unify.js';
import { isGround } from '../term/walk.js';
import type { Address } from './address.js';

export interface Inbound {
  /** `send` for a broadcast (or a directed send), `request` when replies are wanted. */
  readonly kind: 'send' | 'request';
  /** The term as received (its variables are fresh). */
  readonly term: Term;
  /** Bindings made by unifying the handler's pattern with the term. */
  readonly bindings: Bindings;
  readonly from: Address;
  readonly scope: string;
}

/**
 * What a handler gives: its solutions, each an instance of the pattern (it is
 * unified with the received term, and the result is sent as one reply).
 * `true` is one solution adding no bindings; `false`, `undefined` none.
 * Iterables and async iterables are consumed lazily: a broadcast takes only
 * the first solution, as broadcast/1 does.
 */
export type Solutions = void | boolean | Term | Iterable<Term | RawReply> | AsyncIterable<Term>;

/**
 * A reply that is not an instance of the request, sent as it is. SWI's requesters
 * skip it (thread_get_message/3 takes only replies that unify with the request); a
 * requester of ours sees it only when it asked for raw replies (RequestOptions.raw).
 * It lets a node say something paxos.pl's vocabulary has no slot for (a key it does
 * not hold) without SWI peers taking it for an answer.
 */
export class RawReply {
  constructor(readonly term: Term) {}
}

/** What one solution sends: its instance of the request, or a raw reply as it is (undefined: nothing). */
export function replyTerm(msg: Inbound, s: Term | RawReply): Term | undefined {
  return s instanceof RawReply ? s.term : solutionInstance(msg, s);
}
export type Handler = (msg: Inbound) => Solutions | Promise<Solutions>;

interface Entry {
  readonly pattern: Term;
  readonly handler: Handler;
}

export class Listeners {
  // Newest first: listen/3 uses asserta/1.
  private entries: Entry[] = [];

  add(pattern: Term, handler: Handler): () => void {
    const e: Entry = { pattern, handler };
    this.entries = [e, ...this.entries];
    return () => {
      this.entries = this.entries.filter((x) => x !== e);
    };
  }

  get size(): number {
    return this.entries.length;
  }

  /** Handlers whose pattern unifies with term, with those bindings (a snapshot: handlers may unlisten). */
  matching(term: Term): { entry: Entry; bindings: Bindings }[] {
    const out: { entry: Entry; bindings: Bindings }[] = [];
    for (const entry of this.entries) {
      const b = unify(entry.pattern, term);
      if (b !== undefined) out.push({ entry, bindings: b });
    }
    return out;
  }
}

export interface SolutionLimits {
  /** Stop a handler after this many solutions (a generator that never ends must not run forever). */
  readonly maxSolutions: number;
}

/**
 * The received term instantiated by each solution of one handler, lazily.
 * Synchronous generators yield to the event loop every 64 solutions, so a long
 * one cannot starve other traffic.
 */
export async function* solutionsOf(
  handler: Handler,
  msg: Inbound,
  limits: SolutionLimits,
): AsyncGenerator<Term> {
  let result = handler(msg);
  if (isPromise(result)) result = await result;
  if (result === undefined || result === false) return;
  const instance = (s: Term): Term | undefined => solutionInstance(msg, s);
  if (result === true) {
    yield resolve(msg.term, msg.bindings);
    return;
  }
  if (isTerm(result)) {
    const t = instance(result);
    if (t !== undefined) yield t;
    return;
  }
  let n = 0;
  if (Symbol.asyncIterator in result) {
    for await (const s of result) {
      const t = instance(s);
      if (t !== undefined) yield t;
      if (++n >= limits.maxSolutions) return;
    }
    return;
  }
  for (const s of result) {
    const t = replyTerm(msg, s);
    if (t !== undefined) yield t;
    if (++n >= limits.maxSolutions) return;
    if (n % 64 === 0) await new Promise<void>((r) => setImmediate(r));
  }
}

/** The received term instantiated by one solution; undefined when they do not unify. */
export function solutionInstance(msg: Inbound, s: Term): Term | undefined {
  const b = unify(msg.term, s, msg.bindings);
  // A ground solution that unifies is the received term instantiated already.
  return b === undefined ? undefined : isGround(s) ? s : resolve(msg.term, b);
}

export function isPromise(x: unknown): x is Promise<Solutions> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

function isTerm(x: object): x is Term {
  return typeof (x as { kind?: unknown }).kind === 'string' && !(Symbol.iterator in x) && !(Symbol.asyncIterator in x);
}
