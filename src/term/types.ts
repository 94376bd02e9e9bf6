// The Prolog term model, shaped after SWI-Prolog 7+'s data types.
//
// Terms are immutable plain objects with a `kind` discriminant. Constructors in
// build.ts enforce the invariants below; code that makes terms by hand must keep
// them too (the codec and reader use the constructors):
//   - Int.value is a JS number exactly when it is a safe integer, else a bigint.
//   - Rational is normalised (gcd 1), its denominator > 1 (else it is an Int).
//   - Compound '[|]'/2 is a list cell; the reserved empty list is Nil, which is
//     distinct from the atom '[]' (SWI-7's default, non-traditional mode).
//   - Dict pairs are sorted by key in the standard order, keys unique.
//   - A compound's name or a dict key may be the reserved [] (NilCompound, Nil key),
//     distinct from the atom '[]' as in SWI-7.
//   - A Var is identified by object identity: the same Var object occurring
//     twice in a term is one shared variable. `name` is only for display.

export interface Atom {
  readonly kind: 'atom';
  readonly name: string;
}

export interface Int {
  readonly kind: 'int';
  readonly value: number | bigint;
}

export interface Float {
  readonly kind: 'float';
  readonly value: number;
}

export interface Rational {
  readonly kind: 'rational';
  readonly num: bigint;
  readonly den: bigint;
}

export interface Str {
  readonly kind: 'string';
  readonly value: string;
}

export interface Nil {
  readonly kind: 'nil';
}

interface CompoundBase {
  readonly kind: 'compound';
  readonly args: readonly Term[];
}

/** A compound named by an atom: `f(X)`, and `'[]'(X)` too. */
export interface AtomCompound extends CompoundBase {
  readonly name: string;
  readonly nilName?: undefined;
}

/**
 * A compound named by the reserved `[]` (SWI-7's `[](X)`), which is not `'[]'(X)`:
 * they do not unify and sort apart. `name` is '[]' for code that only shows names.
 */
export interface NilCompound extends CompoundBase {
  readonly name: '[]';
  readonly nilName: true;
}

export type Compound = AtomCompound | NilCompound;

export interface Var {
  readonly kind: 'var';
  /** Unique per process; gives variables a stable identity for hashing and ordering. */
  readonly id: number;
  /** Source name (`X`, `_Foo`), or undefined for fresh and anonymous variables. */
  readonly name: string | undefined;
}

/** A dict key: an atom, a small integer, or the reserved `[]` (`_{[]:1, '[]':2}` has two keys). */
export type DictKey = Atom | Int | Nil;

export interface Dict {
  readonly kind: 'dict';
  /** An atom, or a variable for an anonymous dict (`_{a:1}`). */
  readonly tag: Atom | Var;
  readonly pairs: readonly (readonly [DictKey, Term])[];
}

export type Num = Int | Float | Rational;
export type Atomic = Atom | Num | Str | Nil;
export type Term = Atomic | Compound | Var | Dict;
export type TermKind = Term['kind'];

/** SWI-7's list constructor functor name. */
export const LIST_FUNCTOR = '[|]';
