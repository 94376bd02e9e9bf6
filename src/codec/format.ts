// The binary term format, "PT1". A term is ONE msgpack value, and a batch a msgpack
// sequence: any msgpack decoder parses our bytes (test/codec.test.ts checks with
// msgpackr). We write and read them with our own code rather than through msgpackr
// because a term must decode iteratively (msgpackr nests recursively and overflows
// the stack on deep terms) and because we need full control of determinism: equal
// (==) terms give equal bytes.
//
// Preorder, one msgpack item per node:
//   int (fixint, u8..u64, i8..i64)   Int
//   float32 / float64                Float; float32 exactly when lossless; NaN is 7fc00000
//   nil (c0)                         Nil, the reserved []
//   str                              Atom, spelled out (a "literal": see NAME TABLE)
//   bin                              String (UTF-8)
//   ext VAR    (fixext 1/2/4)        Var number N >= 32 (numbered by first occurrence)
//   ext BIGINT                       Int outside the 64-bit range: sign byte, magnitude BE
//   ext ATOM16 / STR16               Atom / String whose text has a lone surrogate (so
//                                    no UTF-8 form): UTF-16LE code units
//   array of C items, by its first item:
//     name (str, ATOM16, or uint N = name table entry N), C >= 2
//                                    Compound of arity C-1: [Name, Arg1, ..., ArgN]
//     uint N, C = 1                  Atom: name table entry N (a 2-byte reference)
//     negative fixint -1-N, C = 1    Var number N < 32 (numbered by first occurrence)
//     nil, C >= 3                    list run: [nil, X1, ..., Xn, Tail] for [X1,...,Xn|Tail]
//     true, C even                   Dict: [true, Tag, K1, V1, ..., Kk, Vk], keys sorted
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

// Extension type codes, clear of those msgpackr itself registers (0, 0x42, 0x52,
// 0x62, 0x65, 0x69, 0x70, 0x73, 0x74, 0x78, 0xff).
export const EXT_VAR = 0x31;
export const EXT_BIGINT = 0x33;
export const EXT_ATOM16 = 0x34;
export const EXT_STR16 = 0x35;

/** An atom literal at least this long (UTF-8 bytes) in atom position enters the name table. */
export const MIN_INTERNED_ATOM = 2;

export class CodecError extends Error {
  override name = 'CodecError';
  constructor(message: string, readonly offset?: number) {
    super(offset === undefined ? message : `${message} at byte ${offset}`);
  }
}
