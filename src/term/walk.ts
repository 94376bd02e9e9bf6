// Iterative traversals: groundness, variables, copying, lists.
import { LIST_FUNCTOR, type Compound, type Dict, type Term, type Var } from './types.js';
import { compoundOf, functorName, variable } from './build.js';

/** Direct subterms, in left-to-right order (a dict's tag, then each key's value). */
export function children(t: Term): readonly Term[] {
  if (t.kind === 'compound') return t.args;
  if (t.kind === 'dict') {
    const out: Term[] = [t.tag];
    for (const [, v] of t.pairs) out.push(v);
    return out;
  }
  return [];
}

/** Visit every subterm depth-first, left to right, without recursion. */
export function* subterms(t: Term): Generator<Term> {
  const stack: Term[] = [t];
  while (stack.length > 0) {
    const x = stack.pop()!;
    yield x;
    const c = children(x);
    for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]!);
  }
}

export function isGround(t: Term): boolean {
  // Hot on every paxos message (decode checks keys and values): no generator, and
  // atomic arguments are checked without going through the stack.
  if (t.kind === 'var') return false;
  if (t.kind !== 'compound' && t.kind !== 'dict') return true;
  const stack: Term[] = [t];
  while (stack.length > 0) {
    const x = stack.pop()!;
    const c = x.kind === 'compound' ? x.args : children(x);
    for (let i = 0; i < c.length; i++) {
      const y = c[i]!;
      if (y.kind === 'var') return false;
      if (y.kind === 'compound' || y.kind === 'dict') stack.push(y);
    }
  }
  return true;
}

/** `term_variables/2`: distinct variables in depth-first, left-to-right order. */
export function termVariables(t: Term): Var[] {
  const seen = new Set<Var>();
  for (const x of subterms(t)) if (x.kind === 'var') seen.add(x);
  return [...seen];
}

/**
 * Rebuild a term bottom-up, iteratively: `leaf` maps atomic terms and variables,
 * compounds and dicts are rebuilt only when an argument changed.
 */
export function mapTerm(t: Term, leaf: (x: Term) => Term): Term {
  type Frame = { node: Compound | Dict; kids: readonly Term[]; i: number; out: Term[] };
  const frames: Frame[] = [];
  let result: Term | undefined;
  let current: Term | undefined = t;
  for (;;) {
    if (current !== undefined) {
      if (current.kind === 'compound' || current.kind === 'dict') {
        const kids = children(current);
        if (kids.length > 0) {
          frames.push({ node: current, kids, i: 0, out: [] });
          current = kids[0];
          continue;
        }
        result = current;
      } else {
        result = leaf(current);
      }
      current = undefined;
    }
    const f = frames[frames.length - 1];
    if (!f) return result!;
    f.out.push(result!);
    f.i++;
    if (f.i < f.kids.length) { current = f.kids[f.i]; continue; }
    frames.pop();
    result = rebuild(f.node, f.out);
  }
}

function rebuild(node: Compound | Dict, out: Term[]): Term {
  const kids = children(node);
  let same = true;
  for (let i = 0; i < out.length; i++) if (out[i] !== kids[i]) { same = false; break; }
  if (same) return node;
  if (node.kind === 'compound') return compoundOf(functorName(node), out);
  const tag = out[0] as Dict['tag'];
  return { kind: 'dict', tag, pairs: node.pairs.map(([k], i) => [k, out[i + 1]!] as const) };
}

/** `copy_term/2` for attribute-free terms: fresh variables, sharing preserved. */
export function copyTerm(t: Term): Term {
  const map = new Map<Var, Var>();
  return mapTerm(t, (x) => {
    if (x.kind !== 'var') return x;
    let v = map.get(x);
    if (!v) { v = variable(x.name); map.set(x, v); }
    return v;
  });
}

export function isCons(t: Term): t is Compound & { args: readonly [Term, Term] } {
  return t.kind === 'compound' && t.name === LIST_FUNCTOR && t.args.length === 2;
}

/** Items of a (possibly partial) list, and what ends it: Nil for a proper list. */
export function listItems(t: Term): { items: Term[]; tail: Term } {
  const items: Term[] = [];
  let x = t;
  while (isCons(x)) { items.push(x.args[0]); x = x.args[1]; }
  return { items, tail: x };
}

/** The items of a proper list, or undefined if `t` is not one. */
export function properList(t: Term): Term[] | undefined {
  const { items, tail } = listItems(t);
  return tail.kind === 'nil' ? items : undefined;
}
