// A deterministic corpus of realistic terms for benchmarks: facts and rules with
// operators, records with strings and numbers, lists, nested data, dicts, a
// little Unicode and quoting. `makeCorpus(bytes, seed)` gives the same terms for
// the same arguments, adding terms until their wire form reaches `bytes`.
import {
  atom, compound, dict, float, int, list, rational, str, variable,
} from '../src/term/build.js';
import type { Term } from '../src/term/types.js';
import { writeTerm } from '../src/text/write.js';
import { mulberry32 } from '../src/util/prng.js';

const rng = mulberry32;

const FUNCTORS = ['person', 'order', 'edge', 'event', 'config', 'node', 'item', 'log_entry', 'point', 'account'];
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'red', 'green', 'blue', 'open', 'closed', 'pending',
  'amsterdam', 'paris', 'tokyo', 'São Paulo', 'Zürich', 'naïve', 'x', 'y', 'z', 'true', 'false', '[]', 'it\'s', 'Hello'];
const GOALS = ['member', 'append', 'length', 'format', 'assertz', 'retract', 'nb_getval', 'succ_or_fail'];
const OPS = ['=', '==', '\\=', '<', '>=', 'is', '=..', '+', '-', '*', '/', 'mod', ':'];

export function makeCorpus(bytes: number, seed = 1): Term[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const n = (max: number): number => Math.floor(r() * max);

  const scalar = (): Term => {
    switch (n(9)) {
      case 0: return int(n(1000));
      case 1: return int(n(2 ** 31) - 2 ** 30);
      case 2: return float(Math.round(r() * 1e6) / 100);
      case 3: return float((r() - 0.5) * 10 ** (n(40) - 20));
      case 4: return str(`${pick(WORDS)} ${pick(WORDS)} #${n(10000)}`);
      case 5: return n(50) === 0 ? int(BigInt(n(2 ** 30)) ** 3n) : atom(pick(WORDS));
      case 6: return n(40) === 0 ? rational(n(100) + 1, n(50) + 2) : atom(pick(WORDS) + '_' + n(100));
      default: return atom(pick(WORDS));
    }
  };

  const data = (depth: number): Term => {
    if (depth <= 0 || r() < 0.35) return scalar();
    switch (n(5)) {
      case 0: return list(Array.from({ length: n(8) }, () => data(depth - 1)));
      case 1: return compound(pick(FUNCTORS), ...Array.from({ length: 1 + n(4) }, () => data(depth - 1)));
      case 2: return compound(pick(OPS), data(depth - 1), data(depth - 1));
      case 3: {
        const keys = new Set<string>();
        for (let i = n(4); i >= 0; i--) keys.add(pick(['name', 'age', 'city', 'tags', 'score', 'id']));
        return dict(n(2) ? 'rec' : variable(), [...keys].map((k) => [k, data(depth - 1)] as const));
      }
      default: return compound(pick(FUNCTORS), int(n(100000)), data(depth - 1));
    }
  };

  const rule = (): Term => {
    const vars = Array.from({ length: 1 + n(4) }, () => variable());
    const v = (): Term => pick(vars);
    const head = compound(pick(FUNCTORS), ...vars.slice(0, 1 + n(vars.length)));
    const goals: Term[] = [];
    for (let i = 1 + n(5); i > 0; i--) {
      switch (n(5)) {
        case 0: goals.push(compound(pick(GOALS), v(), data(2))); break;
        case 1: goals.push(compound('is', v(), compound(pick(['+', '-', '*']), v(), int(n(100))))); break;
        case 2: goals.push(compound('\\+', compound(pick(GOALS), v()))); break;
        case 3: goals.push(compound(pick(['<', '>=', '==', '=']), v(), scalar())); break;
        default: goals.push(compound(';', compound('->', compound(pick(GOALS), v()), atom('true')), atom('fail')));
      }
    }
    let body = goals[goals.length - 1]!;
    for (let i = goals.length - 2; i >= 0; i--) body = compound(',', goals[i]!, body);
    return compound(':-', head, body);
  };

  const out: Term[] = [];
  let size = 0;
  while (size < bytes) {
    const k = n(10);
    const t = k < 3 ? rule() : k < 9 ? compound(pick(FUNCTORS), ...Array.from({ length: 1 + n(5) }, () => data(3))) : data(5);
    out.push(t);
    size += writeTerm(t, { style: 'wire' }).length + 2; // ".\n"
  }
  return out;
}
