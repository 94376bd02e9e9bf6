// Unification (=/2, without occurs check, as SWI by default) for matching term
// patterns: listen/3 handlers, key enumeration, paxos_on_change/3 patterns.
import { compareDictKeys, sameName } from './build.js';
import { compareNumbers } from './compare.js';
import type { Term, Var } from './types.js';
import { children, mapTerm } from './walk.js';

/** Variable bindings made by unification. Terms themselves are never mutated. */
export type Bindings = Map<Var, Term>;

export function deref(t: Term, b: Bindings): Term {
  while (t.kind === 'var') {
    const v = b.get(t);
    if (v === undefined) return t;
    t = v;
  }
  return t;
}

/**
 * Unify a and b, extending `bindings` (a copy is made, the argument is untouched).
 * Returns the new bindings, or undefined when they do not unify.
 */
export function unify(a: Term, b: Term, bindings: Bindings = new Map()): Bindings | undefined {
  const bind = new Map(bindings);
  const stack: Term[] = [a, b];
  while (stack.length > 0) {
    const y = deref(stack.pop()!, bind);
    const x = deref(stack.pop()!, bind);
    if (x === y) continue;
    if (x.kind === 'var') { bind.set(x, y); continue; }
    if (y.kind === 'var') { bind.set(y, x); continue; }
    if (!sameFunctor(x, y)) return undefined;
    const xs = children(x);
    const ys = children(y);
    if (x.kind === 'dict' && y.kind === 'dict') {
      for (let i = 0; i < x.pairs.length; i++) {
        const kx = x.pairs[i]![0];
        const ky = y.pairs[i]![0];
        if (compareDictKeys(kx, ky) !== 0) return undefined;
      }
    }
    for (let i = xs.length - 1; i >= 0; i--) stack.push(xs[i]!, ys[i]!);
  }
  return bind;
}

function sameFunctor(x: Term, y: Term): boolean {
  switch (x.kind) {
    case 'atom': return y.kind === 'atom' && x.name === y.name;
    case 'string': return y.kind === 'string' && x.value === y.value;
    case 'nil': return y.kind === 'nil';
    case 'int': case 'float': case 'rational':
      return y.kind === x.kind && (x.kind === 'float'
        ? Object.is(x.value, (y as typeof x).value) || (Number.isNaN(x.value) && Number.isNaN((y as typeof x).value))
        : compareNumbers(x, y as typeof x) === 0);
    case 'compound': return y.kind === 'compound' && sameName(x, y) && x.args.length === y.args.length;
    case 'dict': return y.kind === 'dict' && x.pairs.length === y.pairs.length;
    case 'var': return false;
  }
}

/** Unify without keeping bindings: does `pattern` match `term`? */
export function unifiable(a: Term, b: Term): boolean {
  return unify(a, b) !== undefined;
}

/** Apply bindings: replace every bound variable by its value, all the way down. */
export function resolve(t: Term, bindings: Bindings): Term {
  if (bindings.size === 0) return t;
  const active = new Set<Var>();
  const leaf = (x: Term): Term => {
    if (x.kind !== 'var') return x;
    const v = bindings.get(x);
    if (v === undefined) return x;
    if (active.has(x)) throw new Error('cannot resolve a cyclic binding');
    active.add(x);
    const r = mapTerm(v, leaf);
    active.delete(x);
    return r;
  };
  return mapTerm(t, leaf);
}
