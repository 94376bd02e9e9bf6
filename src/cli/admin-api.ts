// What the admin API speaks, shared by its server and its client: paths, media
// types and the JSON shape of a term. Terms travel as Prolog text by default;
// a client asking for JSON gets, per term, its text, its tagged (lossless) JSON
// and, when the term has one, its natural JSON.
import { type JSONValue, type Term, TermError, fromTaggedJSON, toTaggedJSON } from '../term/index.js';
import { jsonOf } from './json-terms.js';
import { termText } from './term-text.js';
import { MAX_KEY_VALUE_BYTES, tooLargeText } from '../paxos/size-limit.js';

export const PATHS = {
  status: '/status',
  get: '/get',
  set: '/set',
  /** DELETE ?key=K: delete the key (departure 16). */
  key: '/key',
  keys: '/keys',
  watch: '/watch',
  metrics: '/metrics',
  health: '/health',
  /** POST ?node=ID (default: the node serving the request): make it a voting member. */
  promote: '/promote',
  remove: '/remove',
  /** POST ?node=ID: make it a learner. */
  demote: '/demote',
} as const;

export const MEDIA = {
  text: 'text/plain; charset=utf-8',
  prolog: 'application/x-prolog',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  sse: 'text/event-stream; charset=utf-8',
} as const;

/**
 * Response header of a set that was not acknowledged: `rejected` (503, not chosen:
 * safe to retry) or `unknown` (504, it may have been chosen: read before writing again).
 */
export const OUTCOME_HEADER = 'x-paxos-outcome';

/** How a set that was not acknowledged is described, by the admin API and the CLI alike. */
export function setFailureText(outcome: 'rejected' | 'unknown', keyText: string, reason: string): string {
  return `${outcome === 'unknown' ? 'outcome unknown' : 'not chosen'} for ${keyText}: ${reason}`;
}

/** Sent with every answer of the admin API: a client reaching some other HTTP server can tell. */
export const SERVER_HEADER = 'x-prolog-paxos';
export const SERVER_HEADER_VALUE = 'admin-api';

/** Response header of an acknowledged set: the generation its value was chosen at. */
export const GEN_HEADER = 'x-paxos-gen';

/** Largest request body accepted (a value's Prolog text or JSON; JSON may be longer than the text). */
export const MAX_BODY_BYTES = 1 << 20;

export { tooLargeText };

/** The size limit's message when key and value as text do not fit one paxos message; else undefined. */
export function keyValueProblem(key: Term, value: Term): string | undefined {
  const bytes = Buffer.byteLength(termText(key)) + Buffer.byteLength(termText(value));
  return bytes > MAX_KEY_VALUE_BYTES ? tooLargeText(bytes) : undefined;
}

export interface TermJSON {
  readonly text: string;
  readonly term: JSONValue;
  /** The natural JSON form (json-terms.ts jsonOf), when the term has a lossless one. */
  readonly json?: JSONValue;
}

export function termJSON(t: Term): TermJSON {
  const json = jsonOf(t);
  return json === undefined
    ? { text: termText(t), term: toTaggedJSON(t) }
    : { text: termText(t), term: toTaggedJSON(t), json };
}

/** The term inside a TermJSON, from its lossless tagged form. */
export function termFromJSON(j: JSONValue): Term {
  if (j === null || typeof j !== 'object' || Array.isArray(j) || !('term' in j)) {
    throw new TermError('expected {"text":..., "term":...}');
  }
  return fromTaggedJSON(j.term!);
}

export interface EntryJSON {
  readonly key: TermJSON;
  readonly value: TermJSON;
}

export type Format = 'text' | 'json' | 'sse';
