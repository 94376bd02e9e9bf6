// Checks on terms for codec and store tests: variant equality (== up to a consistent
// renaming of variables) and the term model's invariants, both iterative.
import { compareTerms } from '../src/term/compare.js';
import { children } from '../src/term/walk.js';
import type { Term, Var } from '../src/term/types.js';

/** a and b are equal up to a bijective renaming of variables (=@= on plain terms). */
export function isVariant(a: Term, b: Term): boolean {
  const ab = new Map<Var, Var>();
  const ba = new Map<Var, Var>();
  const stack: Term[] = [a, b];
  while (stack.length > 0) {
    const y = stack.pop()!;
    const x = stack.pop()!;
    if (x.kind === 'var' || y.kind === 'var') {
      if (x.kind !== 'var' || y.kind !== 'var') return false;
      const mx = ab.get(x);
      const my = ba.get(y);
      if (mx === undefined && my === undefined) { ab.set(x, y); ba.set(y, x); continue; }
      if (mx !== y || my !== x) return false;
      continue;
    }
    if (x.kind === 'dict' || y.kind === 'dict' || x.kind === 'compound' || y.kind === 'compound') {
      if (x.kind !== y.kind) return false;
      if (x.kind === 'compound' && y.kind === 'compound') {
        if (x.name !== y.name || x.args.length !== y.args.length) return false;
      }
      if (x.kind === 'dict' && y.kind === 'dict') {
        if (x.pairs.length !== y.pairs.length) return false;
        for (let i = 0; i < x.pairs.length; i++) if (compareTerms(x.pairs[i]![0], y.pairs[i]![0]) !== 0) return false;
      }
      const xs = children(x);
      const ys = children(y);
      for (let i = xs.length - 1; i >= 0; i--) stack.push(xs[i]!, ys[i]!);
      continue;
    }
    if (x.kind !== y.kind || compareTerms(x, y) !== 0) return false;
  }
  return true;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Throws unless every subterm keeps the invariants of src/term/types.ts. */
export function assertValidTerm(t: Term): void {
  const stack: Term[] = [t];
  while (stack.length > 0) {
    const x = stack.pop()!;
    switch (x.kind) {
      case 'int':
        if (typeof x.value === 'number' ? !Number.isSafeInteger(x.value) || Object.is(x.value, -0)
          : x.value <= MAX_SAFE && x.value >= -MAX_SAFE) throw new Error(`unnormalised int ${x.value}`);
        break;
      case 'rational':
        if (x.den <= 1n || gcd(x.num, x.den) !== 1n) throw new Error('unnormalised rational');
        break;
      case 'atom': if (typeof x.name !== 'string') throw new Error('bad atom'); break;
      case 'string': if (typeof x.value !== 'string') throw new Error('bad string'); break;
      case 'float': if (typeof x.value !== 'number') throw new Error('bad float'); break;
      case 'compound':
        if (typeof x.name !== 'string' || !Array.isArray(x.args) || (x.nilName !== undefined && (x.nilName !== true || x.name !== '[]'))) {
          throw new Error('bad compound');
        }
        break;
      case 'dict':
        if (x.tag.kind !== 'atom' && x.tag.kind !== 'var') throw new Error('bad dict tag');
        for (let i = 0; i < x.pairs.length; i++) {
          const k = x.pairs[i]![0];
          if (k.kind !== 'atom' && k.kind !== 'nil' && !(k.kind === 'int' && typeof k.value === 'number')) throw new Error('bad dict key');
          if (i > 0 && compareTerms(x.pairs[i - 1]![0], k) >= 0) throw new Error('dict keys unsorted');
        }
        break;
      case 'nil': case 'var': break;
      default: throw new Error(`unknown kind ${(x as { kind: string }).kind}`);
    }
    for (const c of children(x)) stack.push(c);
  }
}
