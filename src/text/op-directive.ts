// `:- op(P, T, Names)` directives, applied to an operator table as consult/1 runs them
// between clauses: a conjunction of op/3 goals, and the op/3 items of a `:- module/2`
// export list, count too. A directive SWI would reject (bad priority, type or name)
// changes nothing here; consult prints a warning and reads on, and so does the reader.
import type { Term } from '../term/types.js';
import { OpError, type OpTable, type OpType } from './ops.js';

const TYPES: ReadonlySet<string> = new Set(['xfx', 'xfy', 'yfx', 'fy', 'fx', 'xf', 'yf']);

/** Apply the op/3 goals of a clause if it is such a directive; true when it was one. */
export function applyOpDirective(clause: Term, ops: OpTable): boolean {
  if (clause.kind !== 'compound' || clause.name !== ':-' || clause.args.length !== 1) return false;
  const goal = clause.args[0]!;
  if (goal.kind === 'compound' && goal.name === 'module' && goal.args.length === 2) {
    let found = false;
    for (let l = goal.args[1]!; l.kind === 'compound' && l.name === '[|]' && l.args.length === 2; l = l.args[1]!) {
      found = applyGoal(l.args[0]!, ops) || found;
    }
    return found;
  }
  return applyGoal(goal, ops);
}

function applyGoal(g: Term, ops: OpTable): boolean {
  if (g.kind !== 'compound') return false;
  if (g.name === ',' && g.args.length === 2) {
    const a = applyGoal(g.args[0]!, ops);
    return applyGoal(g.args[1]!, ops) || a;
  }
  if (g.name !== 'op' || g.args.length !== 3) return false;
  const [p, t, n] = g.args as [Term, Term, Term];
  const names = opNames(n);
  if (p.kind !== 'int' || typeof p.value !== 'number' || t.kind !== 'atom' || !TYPES.has(t.name) || names === undefined) {
    return true;
  }
  for (const name of names) { // SWI applies a list's names one by one, up to a bad one
    try {
      ops.op(p.value, t.name as OpType, name);
    } catch (e) {
      if (e instanceof OpError) break;
      throw e;
    }
  }
  return true;
}

/** The names of op/3's third argument (an atom, `[]` or a proper list of atoms), or undefined. */
function opNames(n: Term): string[] | undefined {
  if (n.kind === 'atom') return [n.name];
  const out: string[] = [];
  let l: Term = n;
  for (; l.kind === 'compound' && l.name === '[|]' && l.args.length === 2; l = l.args[1]!) {
    const h = l.args[0]!;
    if (h.kind !== 'atom') return undefined;
    out.push(h.name);
  }
  return l.kind === 'nil' ? out : undefined;
}
