// JSON values as ground terms, for what the CLI and the integrations store.
//
// src/term/json.ts maps JSON objects to anonymous dicts (`_{a:1}`), whose tag is a
// variable. A replicated value is better ground (SWI nodes print it plainly, and
// == comparison of values is then meaningful), so objects are stored as dicts
// tagged `json` (`json{a:1}`), and such dicts map back to JSON objects.
import {
  type JSONValue, type Term, TermError, atom, fromJSON, mapTerm, toJSON, variable,
} from '../term/index.js';

export const JSON_TAG = 'json';

/** The JSON value as a ground term: fromJSON, with objects as `json{...}` dicts. */
export function groundFromJSON(j: JSONValue): Term {
  return mapTerm(fromJSON(j), (x) => (x.kind === 'var' ? atom(JSON_TAG) : x));
}

/**
 * The JSON value of a term, when it has a lossless one: as toJSON, with dicts
 * tagged `json` (and anonymous ones) as objects; undefined otherwise.
 */
export function jsonOf(t: Term): JSONValue | undefined {
  // Only dict tags become variables: an atom `json` anywhere else becomes a variable
  // too, which has no JSON form, so such a term rightly gets none.
  const untagged = mapTerm(t, (x) => (x.kind === 'atom' && x.name === JSON_TAG ? variable() : x));
  try {
    return toJSON(untagged);
  } catch (e) {
    if (e instanceof TermError) return undefined;
    throw e;
  }
}
