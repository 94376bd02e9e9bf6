// The decoder's term objects, each kind made at one of two allocation sites: one for
// batches (decodeMany: every term is kept, the caller holds the array) and one for
// single terms. V8 decides per allocation site whether to allocate straight into the
// old generation ("pretenuring"), from how many of the site's objects survive a young
// collection, and a site judged short-lived stays so. With one shared site, decoding
// short-lived single terms first made every later batch pay for copying all its objects
// out of the young generation (a batch ran at half speed, bench/codec.ts). The
// duplicated literals below are deliberate: do not merge them.
//
// Shapes and property order are build.ts's, so V8 keeps one hidden class per kind.
import {
  LIST_FUNCTOR, type Atom, type Compound, type Dict, type DictKey, type Float, type Int, type Str, type Term, type Var,
} from '../term/types.js';

export function compound(kept: boolean, name: string, args: readonly Term[]): Compound {
  return kept ? { kind: 'compound', name, args } : { kind: 'compound', name, args };
}

/** A compound's arguments, vals[base .. base + n), as a packed array (literals up to 6). */
export function args(kept: boolean, vals: readonly Term[], base: number, n: number): Term[] {
  return kept ? keptArgs(vals, base, n) : briefArgs(vals, base, n);
}

function keptArgs(vals: readonly Term[], base: number, n: number): Term[] {
  switch (n) {
    case 1: return [vals[base]!];
    case 2: return [vals[base]!, vals[base + 1]!];
    case 3: return [vals[base]!, vals[base + 1]!, vals[base + 2]!];
    case 4: return [vals[base]!, vals[base + 1]!, vals[base + 2]!, vals[base + 3]!];
    case 5: return [vals[base]!, vals[base + 1]!, vals[base + 2]!, vals[base + 3]!, vals[base + 4]!];
    case 6: return [vals[base]!, vals[base + 1]!, vals[base + 2]!, vals[base + 3]!, vals[base + 4]!, vals[base + 5]!];
    default: return vals.slice(base, base + n);
  }
}

function briefArgs(vals: readonly Term[], base: number, n: number): Term[] {
  switch (n) {
    case 1: return [vals[base]!];
    case 2: return [vals[base]!, vals[base + 1]!];
    case 3: return [vals[base]!, vals[base + 1]!, vals[base + 2]!];
    case 4: return [vals[base]!, vals[base + 1]!, vals[base + 2]!, vals[base + 3]!];
    case 5: return [vals[base]!, vals[base + 1]!, vals[base + 2]!, vals[base + 3]!, vals[base + 4]!];
    case 6: return [vals[base]!, vals[base + 1]!, vals[base + 2]!, vals[base + 3]!, vals[base + 4]!, vals[base + 5]!];
    default: return vals.slice(base, base + n);
  }
}

/** A list cell '[|]'(Head, Tail). */
export function cell(kept: boolean, head: Term, tail: Term): Compound {
  return kept ? { kind: 'compound', name: LIST_FUNCTOR, args: [head, tail] } : { kind: 'compound', name: LIST_FUNCTOR, args: [head, tail] };
}

/** An Int of a safe integer (the caller checks; -0 is not one). */
export function int(kept: boolean, value: number): Int {
  return kept ? { kind: 'int', value } : { kind: 'int', value };
}

export function float(kept: boolean, value: number): Float {
  return kept ? { kind: 'float', value } : { kind: 'float', value };
}

export function string(kept: boolean, value: string): Str {
  return kept ? { kind: 'string', value } : { kind: 'string', value };
}

export function pair(kept: boolean, key: DictKey, value: Term): readonly [DictKey, Term] {
  return kept ? [key, value] : [key, value];
}

/** An empty array for a dict's pairs. */
export function pairs(kept: boolean): (readonly [DictKey, Term])[] {
  return kept ? [] : [];
}

export function dict(kept: boolean, tag: Atom | Var, pairs: readonly (readonly [DictKey, Term])[]): Dict {
  return kept ? { kind: 'dict', tag, pairs } : { kind: 'dict', tag, pairs };
}

