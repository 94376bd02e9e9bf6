// The binary term codec (format in format.ts). Module-level encoder and decoder
// are reused by every call: no per-term set-up; not reentrant, which is fine because
// neither calls back into user code.
import type { Term } from '../term/types.js';
import { Decoder } from './decode.js';
import { Encoder } from './encode.js';

export { CodecError } from './format.js';
export { Encoder } from './encode.js';
export { Decoder } from './decode.js';

const encoder = new Encoder();
const decoder = new Decoder();

/** The bytes of a term. Deterministic: == terms give equal bytes. */
export function encodeTerm(t: Term): Buffer {
  return encoder.encode(t);
}

/** The term of exactly these bytes; throws CodecError on anything else. */
export function decodeTerm(bytes: Uint8Array): Term {
  return decoder.decode(bytes);
}

/** Terms back to back, each self-contained (its own names and variables). */
export function encodeMany(terms: Iterable<Term>): Buffer {
  return encoder.encodeMany(terms);
}

export function decodeMany(bytes: Uint8Array): Term[] {
  return decoder.decodeMany(bytes);
}

/** Lazily decode a concatenation; use a private Decoder so iterations may interleave. */
export function iterateTerms(bytes: Uint8Array): Generator<Term> {
  return new Decoder().iterate(bytes);
}
