// The binary term format, "PT3" (PT1 plus built-in names and decimal floats in PT2; a PT2
// decoder reads PT1 bytes, but PT1 and PT2 encoders give different bytes for the same term;
// PT3 adds the reserved [] as a name and as a dict key, for terms PT2 could not hold, so
// every PT2 term keeps its bytes and PT2 bytes decode as before). A term is ONE msgpack value, and a batch a msgpack
// sequence: any msgpack decoder parses our bytes (test/codec.test.ts checks with
// msgpackr). We write and read them with our own code rather than through msgpackr
// because a term must decode iteratively (msgpackr nests recursively and overflows
// the stack on deep terms) and because we need full control of determinism: equal
// (==) terms give equal bytes.
//
// Preorder, one msgpack item per node:
//   int (fixint, u8..u64, i8..i64)   Int
//   float32 / float64                Float; float32 exactly when lossless; NaN is 7fc00000
//   ext DECIMAL (fixext 2/4)         Float, when not float32 and it is M / 10^S exactly (see
//                                    decimalForm): S | sign << 7, then M in 1 or 3 bytes BE
//   nil (c0)                         Nil, the reserved []
//   true (c3) / false (c2)           the atoms true / false
//   str                              Atom, spelled out (a "literal": see NAME TABLE)
//   ext NAME   (fixext 1)            Atom: BUILTIN_NAMES[K], K one byte; for every built-in
//                                    name of 3 or more bytes except true and false
//   bin                              String (UTF-8)
//   ext VAR    (fixext 1/2/4)        Var number N >= 32 (numbered by first occurrence)
//   ext BIGINT                       Int outside the 64-bit range: sign byte, magnitude BE
//   ext ATOM16 / STR16               Atom / String whose text has a lone surrogate (so
//                                    no UTF-8 form): UTF-16LE code units
//   ext NIL_NAME (fixext 1, 0)       only in name position: the reserved [] (`[](X)`, PT3)
//   array of C items, by its first item:
//     name (str, ATOM16, uint N = name table entry N, or negative int -1-K = BUILTIN_NAMES[K]
//     (fixint for K < 32, int8 after)), C >= 2
//                                    Compound of arity C-1: [Name, Arg1, ..., ArgN]
//     uint N, C = 1                  Atom: name table entry N (a 2-byte reference)
//     negative fixint -1-N, C = 1    Var number N < 32 (numbered by first occurrence)
//     nil, C >= 3                    list run: [nil, X1, ..., Xn, Tail] for [X1,...,Xn|Tail]
//     true, C even                   Dict: [true, Tag, K1, V1, ..., Kk, Vk], keys sorted
//                                    (a key is an atom, a small int, or nil: the reserved [], PT3)
//     false, C = 3                   Rational: [false, Num, Den], normalised, Den > 1
//     false, C = 2                   Compound of arity 0: [false, Name], SWI-7's `foo()`
//
// NAME TABLE: the decoder appends every str literal it reads in name position, and
// every str literal of MIN_INTERNED_ATOM or more bytes in atom position. The encoder
// refers to a name already in the table instead of spelling it again (1 byte for a
// functor name among the first 128, 2 bytes for an atom), unless the reference would
// not be shorter. A term encoded alone starts with an empty table; in a batch
// (encodeMany) the table runs on from term to term, so a vocabulary is spelled once
// per batch. Variables are numbered per term in both cases.
//
// BUILT-IN NAMES: BUILTIN_NAMES is a fixed table, part of the format, of names common in
// any Prolog data. A name in it is always written by its code where a code exists:
// in name position always (-1-K), in atom position as true/false or ext NAME (when the
// literal would be 4 bytes or more; shorter built-in atoms stay literals and follow the
// NAME TABLE rules). Built-in codes never enter the name table. The decoder accepts a
// built-in name spelled out too (older bytes), but the encoder never writes it so.

// Extension type codes, clear of those msgpackr itself registers (0, 0x42, 0x52,
// 0x62, 0x65, 0x69, 0x70, 0x73, 0x74, 0x78, 0xff).
export const EXT_VAR = 0x31;
export const EXT_BIGINT = 0x33;
export const EXT_ATOM16 = 0x34;
export const EXT_STR16 = 0x35;
export const EXT_NAME = 0x36;
export const EXT_DECIMAL = 0x37;
export const EXT_NIL_NAME = 0x38;

/**
 * The built-in names, version 1. CHANGING THIS TABLE (order, entries) CHANGES THE FORMAT:
 * bytes written with one table decode to other names with another, and stored keys
 * (the ledger stores a key under its bytes) would no longer be found. Only append, and
 * only with a new format version. At most 128 entries (name position codes are -1..-128);
 * the first 32 have 1-byte codes in name position, so single-character names (which
 * save nothing with a 2-byte code) must be among them. Operators are SWI-Prolog's
 * defaults; then ISO and SWI names of data, errors and directives, and the names of
 * SWI library(paxos) messages.
 */
export const BUILTIN_NAMES: readonly string[] = [
  // 0..31: 1-byte codes in name position.
  ',', ';', '->', ':-', '=', '-', '+', '*', '/', ':', '|', 'is', '<', '>', '=<', '>=',
  '==', '=..', '\\+', '\\=', '\\==', '=:=', '=\\=', 'mod', '//', '**', '^', '\\', '-->', '?-', '@<', '@>',
  // 32..127: 2-byte codes in name position.
  'rem', '@=<', '@>=', '=@=', '\\=@=', '*->', ':=', '=>', 'div', 'rdiv', 'xor', '<<', '>>', '/\\', '\\/', 'as',
  '>:<', ':<', '?', '$', 'dynamic', 'discontiguous', 'initialization', 'meta_predicate', 'module_transparent',
  'multifile', 'public', 'thread_local', 'table', 'module', 'use_module', 'call',
  'true', 'false', 'fail', 'nil', 'null', 'error', 'ok', '{}', '[]', '$VAR', 'end_of_file', 'pair',
  'key', 'value', 'dict', 'json', 'type_error', 'domain_error', 'existence_error', 'permission_error',
  'representation_error', 'evaluation_error', 'resource_error', 'instantiation_error', 'syntax_error',
  'context', 'paxos', 'send', 'request', 'reply', 'prepare', 'accept', 'accepted', 'changed', 'retrieve',
  'learn', 'learned', 'forget', 'node', 'claim_node', 'ask', 'ip', 'session', 'user', 'created', 'quorum',
];

/** Name -> its index in BUILTIN_NAMES. */
export const BUILTIN_INDEX: ReadonlyMap<string, number> = new Map(BUILTIN_NAMES.map((n, i) => [n, i]));
if (BUILTIN_INDEX.size !== BUILTIN_NAMES.length || BUILTIN_NAMES.length > 128) throw new Error('bad BUILTIN_NAMES');

const POW10: number[] = [];
for (let s = 0; s <= 22; s++) POW10.push(10 ** s); // exact doubles

/**
 * The DECIMAL form of float v, as S | sign << 7 (the payload's first byte) times 2^24
 * plus the mantissa M (M < 2^24), or -1 when v has none: v finite, not float32 (that
 * form wins), and |v| === M / 10^S (IEEE division, correctly rounded) for the least S
 * in 1..22. The payload is 2 bytes when M < 256, else 4. Encoder and decoder both use
 * it, so the form is canonical.
 */
export function decimalForm(v: number): number {
  if (!(v === v) || v === Infinity || v === -Infinity || Math.fround(v) === v) return -1;
  const a = v < 0 ? -v : v;
  for (let s = 1; s <= 22; s++) {
    const p = POW10[s]!;
    const m = Math.round(a * p);
    if (m >= 16777216) return -1; // M only grows with S
    if (m / p === a) return (s | (v < 0 ? 0x80 : 0)) * 16777216 + m;
  }
  return -1;
}

/** The float of a DECIMAL payload (NaN for a bad scale; the caller checks canonicity). */
export function decimalValue(head: number, m: number): number {
  const s = head & 0x7f;
  const a = s >= 1 && s <= 22 ? m / POW10[s]! : NaN;
  return head & 0x80 ? -a : a;
}

/** An atom literal at least this long (UTF-8 bytes) in atom position enters the name table. */
export const MIN_INTERNED_ATOM = 2;

export class CodecError extends Error {
  override name = 'CodecError';
  constructor(message: string, readonly offset?: number) {
    super(offset === undefined ? message : `${message} at byte ${offset}`);
  }
}
