// SWI-Prolog 9.0.4's standard order of terms (compare/3, msort/2), iteratively.
//
// Var < Number < String < Atom < Compound. Rules measured against swipl 9.0.4
// (whose manual says Atom < String, but whose compare/3 puts strings first):
// - Numbers by value; a comparison involving a float is done in doubles, and on a
//   tie Float < Int and Float < Rational. NaN sorts before every other number and
//   equals NaN; -0.0 sorts before 0.0.
// - The reserved `[]` sorts before every atom (even ''), as a name too (`[](a) @< ''(a)`).
// - Atoms and strings by Unicode code point.
// - Compounds by arity, then name, then arguments left to right. A dict is the
//   compound `dict(Tag, V1, K1, V2, K2, ...)`, as SWI lays it out.
// - Variables by age (creation order), which is stable within a process.
import { compareCodePoints } from './build.js';
import type { Dict, Num, Term } from './types.js';

export type Order = -1 | 0 | 1;

const RANK: Record<Term['kind'], number> = {
  var: 0, int: 1, float: 1, rational: 1, string: 2, nil: 3, atom: 3, compound: 4, dict: 4,
};

export function compareTerms(a: Term, b: Term): Order {
  const stack: Term[] = [a, b];
  while (stack.length > 0) {
    const y = stack.pop()!;
    const x = stack.pop()!;
    if (x === y) continue;
    const c = compareShallow(x, y);
    if (c !== 0) return c;
    // Same kind, arity and name: compare arguments left to right.
    const xa = argsOf(x);
    const ya = argsOf(y);
    for (let i = xa.length - 1; i >= 0; i--) stack.push(xa[i]!, ya[i]!);
  }
  return 0;
}

/** Everything but the arguments; 0 means "equal so far, compare arguments". */
function compareShallow(x: Term, y: Term): Order {
  const rx = RANK[x.kind];
  const ry = RANK[y.kind];
  if (rx !== ry) return rx < ry ? -1 : 1;
  switch (rx) {
    case 0: return sign((x as { id: number }).id - (y as { id: number }).id);
    case 1: return compareNumbers(x as Num, y as Num);
    case 2: return compareCodePoints((x as { value: string }).value, (y as { value: string }).value) as Order;
    case 3:
      if (x.kind === 'nil') return y.kind === 'nil' ? 0 : -1;
      if (y.kind === 'nil') return 1;
      return compareCodePoints((x as { name: string }).name, (y as { name: string }).name) as Order;
    default: {
      const ax = arityOf(x);
      const ay = arityOf(y);
      if (ax !== ay) return ax < ay ? -1 : 1;
      const nx = x.kind === 'compound' && x.nilName === true; // the reserved [] before every atom
      const ny = y.kind === 'compound' && y.nilName === true;
      if (nx || ny) return nx === ny ? 0 : nx ? -1 : 1;
      return compareCodePoints(nameOf(x), nameOf(y)) as Order;
    }
  }
}

function sign(n: number): Order {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function arityOf(t: Term): number {
  if (t.kind === 'compound') return t.args.length;
  return 1 + 2 * (t as Dict).pairs.length;
}

function nameOf(t: Term): string {
  return t.kind === 'compound' ? t.name : 'dict';
}

/** Arguments in SWI's order; for a dict: tag, then value and key of each pair. */
export function argsOf(t: Term): readonly Term[] {
  if (t.kind === 'compound') return t.args;
  if (t.kind === 'dict') {
    const out: Term[] = [t.tag];
    for (const [k, v] of t.pairs) out.push(v, k);
    return out;
  }
  return [];
}

export function compareNumbers(x: Num, y: Num): Order {
  if (x.kind === 'float' || y.kind === 'float') {
    const dx = toDouble(x);
    const dy = toDouble(y);
    const nx = Number.isNaN(dx);
    const ny = Number.isNaN(dy);
    if (nx || ny) return nx && ny ? tieByType(x, y) : nx ? -1 : 1;
    if (dx !== dy) return dx < dy ? -1 : 1;
    if (dx === 0 && x.kind === 'float' && y.kind === 'float') {
      const zx = Object.is(dx, -0);
      const zy = Object.is(dy, -0);
      if (zx !== zy) return zx ? -1 : 1;
    }
    return tieByType(x, y);
  }
  // Exact comparison of integers and rationals: a/b vs c/d as a*d vs c*b (b, d > 0).
  const [an, ad] = exact(x);
  const [bn, bd] = exact(y);
  const l = an * bd;
  const r = bn * ad;
  return l < r ? -1 : l > r ? 1 : 0;
}

// On equal value, Float < Int and Float < Rational.
function tieByType(x: Num, y: Num): Order {
  const fx = x.kind === 'float';
  const fy = y.kind === 'float';
  if (fx === fy) return 0;
  return fx ? -1 : 1;
}

function exact(n: Num): [bigint, bigint] {
  if (n.kind === 'int') return [BigInt(n.value), 1n];
  if (n.kind === 'rational') return [n.num, n.den];
  throw new Error('unreachable: float in exact comparison');
}

export function toDouble(n: Num): number {
  switch (n.kind) {
    case 'float': return n.value;
    case 'int': return Number(n.value);
    case 'rational': return ratToDouble(n.num, n.den);
  }
}

function ratToDouble(num: bigint, den: bigint): number {
  const a = Number(num);
  const b = Number(den);
  if (Number.isFinite(a) && Number.isFinite(b)) return a / b;
  // Scale both into double range, keeping 64 bits of quotient precision.
  const shift = BigInt(Math.max(bitLength(num) - bitLength(den) - 64, 0));
  const sn = (num << 64n) >> shift;
  return Number(sn / den) * 2 ** (Number(shift) - 64);
}

function bitLength(n: bigint): number {
  return (n < 0n ? -n : n).toString(2).length;
}

/** `msort/2`: sort by standard order, keeping duplicates. */
export function msort(terms: readonly Term[]): Term[] {
  return [...terms].sort(compareTerms);
}

/** `sort/2`: sort by standard order and remove duplicates (==). */
export function sortUnique(terms: readonly Term[]): Term[] {
  const sorted = msort(terms);
  return sorted.filter((t, i) => i === 0 || compareTerms(sorted[i - 1]!, t) !== 0);
}
