// fast-check arbitraries of Prolog terms of every kind, biased toward the cases
// that break writers, readers and codecs: operator atoms, quoting corner cases,
// Unicode, special floats, big integers, shared variables, deep-ish nesting.
import fc from 'fast-check';
import {
  atom, compound, compoundOf, cons, curly, dict, float, int, list, nil, rational, str, variable,
} from '../../src/term/build.js';
import type { Atom, DictKey, Term, Var } from '../../src/term/types.js';

/** Atom texts that quoting and operator logic treat specially. */
export const SPECIAL_ATOMS: readonly string[] = [
  '', '[]', '{}', '|', ',', ';', '!', '.', '..', "'", '"', '`', '\\', '%', '/*', '*/', '$', '$VAR',
  '[|]', '-', '+', '*', '**', '^', ':-', '-->', '?-', '=', '\\+', '\\=', '=..', 'is', 'mod', 'rem',
  'xor', 'rdiv', 'dynamic', 'table', ':', '->', '*->', ':=', '>:<', 'as', '@', '#', '&', '~', '<>',
  'a', 'b', 'foo', 'f', 'x1', 'aB_c', 'A', '_', '_a', 'Abc', '1a', 'a b', 'hello world', 'end_of_file',
  'é', 'Été', 'aé', '²', 'x²', '¡', '­', 'ǅ', 'αβ', 'Γ', '日本', '∀', '∀∀', 'a∀', '/*∀', '🙂', 'a🙂',
  '\n', 'a\nb', '\t', '\x00', '\x7f', '\x85', '\xa0', '\u200b', '\u2028', 'it\'s', 'say "hi"', 'a\\b',
];

const OPERATOR_NAMES = [
  ':-', '-->', '=>', '?-', 'dynamic', 'discontiguous', 'initialization', 'table', '|', ';', '->', '*->', ',',
  ':=', '\\+', '<', '=', '=..', '=@=', '=:=', '=<', '==', '>=', '@<', '\\=', '\\==', 'as', 'is', '>:<', ':<',
  ':', '+', '-', '/\\', '\\/', 'xor', '*', '/', '//', 'rdiv', '<<', '>>', 'mod', 'rem', 'div', '**', '^', '\\', '.', '$',
];

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = LOWER + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';
const SYMBOL = '#$&*+-./:<=>?@\\^~';

/** Any Unicode scalar value (no lone surrogates). */
const arbCodePoint = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0x24f }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x10ffff }) },
).filter((c) => c < 0xd800 || c > 0xdfff);

const textOf = (cs: number[]): string => String.fromCodePoint(...cs);

export const arbAtomName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_ATOMS) },
  { weight: 3, arbitrary: fc.constantFrom(...OPERATOR_NAMES) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...LOWER), fc.string({ unit: fc.constantFrom(...ALNUM), maxLength: 8 })).map(([a, b]) => a + b) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...SYMBOL), minLength: 1, maxLength: 4 }) },
  { weight: 2, arbitrary: fc.array(arbCodePoint, { maxLength: 6 }).map(textOf) },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 0xff }), { maxLength: 5 }).map(textOf) },
);

export const arbAtom: fc.Arbitrary<Atom> = arbAtomName.map(atom);

export const arbInt: fc.Arbitrary<Term> = fc.oneof(
  fc.integer({ min: -30, max: 30 }).map(int),
  fc.integer().map(int),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(int),
  fc.constantFrom(2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n, 2n ** 53n + 1n, -(2n ** 53n)).map(int),
);

export const arbFloat: fc.Arbitrary<Term> = fc.oneof(
  fc.double().map(float),
  fc.constantFrom(0, -0, 0.1, 1, 1e15, 1e16, 123456789012345, 1234567890123456, 1e-4, 1e-5, 1.5e300, 5e-324,
    Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, NaN, 1e21, 1e22, -1.5e-7).map(float),
  fc.tuple(fc.integer({ min: -999999, max: 999999 }), fc.integer({ min: -25, max: 25 }))
    .map(([m, e]) => float(m * 10 ** e)),
);

export const arbRational: fc.Arbitrary<Term> = fc
  .tuple(fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), fc.bigInt({ min: 2n, max: 2n ** 70n }))
  .map(([n, d]) => rational(n, d));

export const arbNumber: fc.Arbitrary<Term> = fc.oneof(arbInt, arbFloat, arbRational);

export const arbString: fc.Arbitrary<Term> = fc.oneof(
  fc.constantFrom(...SPECIAL_ATOMS).map(str),
  fc.array(arbCodePoint, { maxLength: 10 }).map((cs) => str(textOf(cs))),
);

/** A fixed pool, so variables are shared within (and across) generated terms. */
const VAR_POOL: readonly Var[] = Array.from({ length: 6 }, () => variable());
export const arbVar: fc.Arbitrary<Var> = fc.constantFrom(...VAR_POOL);

export interface TermShape {
  /** Include variables (default true). */
  readonly vars?: boolean;
  /** Largest number of keys in a dict (default 3; SWI writes keys in an internal order, so compare on <= 1). */
  readonly dictKeys?: number;
  /** Nesting depth bound (default 4). */
  readonly depth?: number;
  /** Include '$VAR'(_) terms (default true). */
  readonly numberVars?: boolean;
}

const arbDictKey: fc.Arbitrary<DictKey> = fc.oneof(
  { weight: 8, arbitrary: arbAtomName.map(atom) },
  { weight: 4, arbitrary: fc.integer({ min: -1000, max: 1000 }).map((n) => int(n) as DictKey) },
  { weight: 1, arbitrary: fc.constantFrom<DictKey>(nil(), atom('[]')) }, // the reserved [] and the atom '[]'
);

/** Terms of every kind. */
export function termArbitrary(shape: TermShape = {}): fc.Arbitrary<Term> {
  const withVars = shape.vars ?? true;
  const maxKeys = shape.dictKeys ?? 3;
  const leaves: fc.WeightedArbitrary<Term>[] = [
    { weight: 5, arbitrary: arbAtom },
    { weight: 3, arbitrary: arbNumber },
    { weight: 1, arbitrary: arbString },
    { weight: 1, arbitrary: fc.constant(nil()) },
  ];
  if (withVars) leaves.push({ weight: 2, arbitrary: arbVar });
  const leaf = fc.oneof(...leaves);
  const { tree } = fc.letrec<{ tree: Term; node: Term }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true, maxDepth: shape.depth ?? 4 }, leaf, tie('node')),
    node: fc.oneof(
      { weight: 6, arbitrary: fc.tuple(arbAtomName, fc.array(tie('tree'), { minLength: 1, maxLength: 3 })).map(([f, as]) => compoundOf(f, as)) },
      { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...OPERATOR_NAMES), fc.array(tie('tree'), { minLength: 1, maxLength: 2 })).map(([f, as]) => compoundOf(f, as)) },
      { weight: 1, arbitrary: arbAtomName.map((f) => compound(f)) },
      { weight: 1, arbitrary: fc.array(tie('tree'), { maxLength: 2 }).map((as) => compoundOf(nil(), as)) }, // [](...)
      { weight: 3, arbitrary: fc.tuple(fc.array(tie('tree'), { maxLength: 4 }), fc.option(tie('tree'), { freq: 3 })).map(([xs, t]) => list(xs, t ?? nil())) },
      { weight: 1, arbitrary: fc.tuple(tie('tree'), tie('tree')).map(([h, t]) => cons(h, t)) },
      { weight: 1, arbitrary: tie('tree').map(curly) },
      ...(shape.numberVars ?? true
        ? [{ weight: 1, arbitrary: fc.oneof(fc.integer({ min: -3, max: 60 }).map(int), arbInt, arbAtom).map((a) => compound('$VAR', a)) }]
        : []),
      {
        weight: 1,
        arbitrary: fc.tuple(
          withVars ? fc.oneof(arbAtom, arbVar) : arbAtom,
          fc.uniqueArray(fc.tuple(arbDictKey, tie('tree')), {
            maxLength: maxKeys,
            selector: ([k]) => (k.kind === 'atom' ? 'a' + k.name : k.kind === 'nil' ? 'n' : 'i' + String(k.value)),
          }),
        ).map(([tag, pairs]) => dict(tag, pairs)),
      },
    ),
  }));
  return tree;
}

export const arbTerm: fc.Arbitrary<Term> = termArbitrary();
export const arbGroundTerm: fc.Arbitrary<Term> = termArbitrary({ vars: false });

// --- Moving terms between JS and swipl without trusting either side's text syntax ---
//
// A term travels as a "spec": nested JSON arrays of small integers only (so JSON and
// Prolog read it the same), with every text as code points and every number as the
// codes of its decimal digits:
//   [0,Codes] atom  [1,Digits] integer  [3,NumDigits,DenDigits] rational  [4,Codes] string
//   [5] []  [6,NameCodes,[Args]] compound  [7,K] variable K (shared by K)  [8,Tag,[[Key,Value]...]] dict
//   [2,0] inf  [2,1] -inf  [2,2] nan  [2,3] -0.0  [2,4,Digits,K] the float Digits * 2^-K (exact)

/** Prolog clauses: `spec_term(+Spec, -Term)` and `term_spec(+Term, -Spec)`. */
export const PROLOG_SPEC_CODEC = String.raw`
spec_term(S, T) :- spec_term(S, T, _).
spec_term([0,Cs], T, _) :- !, atom_codes(T, Cs).
spec_term([1,Ds], T, _) :- !, number_codes(T, Ds).
spec_term([2,0], T, _) :- !, T is inf.
spec_term([2,1], T, _) :- !, T is -inf.
spec_term([2,2], T, _) :- !, T is nan.
spec_term([2,3], T, _) :- !, T is -0.0.
spec_term([2,4,Ds,K], T, _) :- !, number_codes(N, Ds), F is float(N), ( K =:= 0 -> T = F ; T is F * 2.0**(-K) ).
spec_term([3,Ns,Ds], T, _) :- !, number_codes(N, Ns), number_codes(D, Ds), T is N rdiv D.
spec_term([4,Cs], T, _) :- !, string_codes(T, Cs).
spec_term([5], [], _) :- !.
spec_term([6,Cs,As], T, Vs) :- !, atom_codes(F, Cs), spec_terms(As, Ts, Vs), compound_name_arguments(T, F, Ts).
spec_term([9,As], T, Vs) :- !, spec_terms(As, Ts, Vs), compound_name_arguments(T, [], Ts).
spec_term([7,K], V, Vs) :- !, memberchk(K-V, Vs).
spec_term([8,Tag,Ps], T, Vs) :- spec_term(Tag, TT, Vs), spec_pairs(Ps, KVs, Vs), dict_create(T, TT, KVs).
spec_terms([], [], _).
spec_terms([S|Ss], [T|Ts], Vs) :- spec_term(S, T, Vs), spec_terms(Ss, Ts, Vs).
spec_pairs([], [], _).
spec_pairs([[K,V]|Ps], [KT-VT|KVs], Vs) :- spec_term(K, KT, Vs), spec_term(V, VT, Vs), spec_pairs(Ps, KVs, Vs).

term_spec(T, S) :- term_variables(T, Vs), term_spec(T, S, Vs).
term_spec(T, [7,K], Vs) :- var(T), !, var_index(Vs, T, 0, K).
term_spec([], [5], _) :- !.
term_spec(T, [0,Cs], _) :- atom(T), !, atom_codes(T, Cs).
term_spec(T, [1,Ds], _) :- integer(T), !, number_codes(T, Ds).
term_spec(T, S, _) :- float(T), !, float_spec(T, S).
term_spec(T, [3,Ns,Ds], _) :- rational(T), !, rational(T, N, D), number_codes(N, Ns), number_codes(D, Ds).
term_spec(T, [4,Cs], _) :- string(T), !, string_codes(T, Cs).
term_spec(T, [8,TagS,Ps], Vs) :- is_dict(T), !, dict_pairs(T, Tag, KVs), term_spec(Tag, TagS, Vs),
    findall([KS,VS], (member(K-V, KVs), term_spec(K, KS, Vs), term_spec(V, VS, Vs)), Ps).
term_spec(T, [9,As], Vs) :- compound_name_arguments(T, [], Ts), !, term_specs(Ts, As, Vs).
term_spec(T, [6,Cs,As], Vs) :- compound_name_arguments(T, F, Ts), atom_codes(F, Cs), term_specs(Ts, As, Vs).
term_specs([], [], _).
term_specs([T|Ts], [S|Ss], Vs) :- term_spec(T, S, Vs), term_specs(Ts, Ss, Vs).
var_index([V|_], T, K, K) :- V == T, !.
var_index([_|Vs], T, K0, K) :- K1 is K0+1, var_index(Vs, T, K1, K).
float_spec(F, [2,2]) :- float_class(F, nan), !.
float_spec(F, [2,S]) :- float_class(F, infinite), !, (F > 0 -> S = 0 ; S = 1).
float_spec(F, [2,3]) :- float_class(F, zero), F2 is copysign(1.0, F), F2 < 0, !.
float_spec(F, [2,4,Ds,K]) :- R is rational(F), rational(R, N, D), K is msb(D), number_codes(N, Ds).
`;

const digits = (v: number | bigint): string => `[${[...String(v)].map((c) => c.charCodeAt(0)).join(',')}]`;
const codesOf = (s: string): string => {
  let out = '[';
  for (const ch of s) out += (out.length > 1 ? ',' : '') + ch.codePointAt(0)!;
  return out + ']';
};

/** The spec of `t` (see PROLOG_SPEC_CODEC), as text that is both JSON and Prolog. */
export function termToSpec(t: Term): string {
  const vars = new Map<Var, number>();
  const out: string[] = [];
  // Iterative: a stack of terms and literal text.
  const todo: (Term | string)[] = [t];
  while (todo.length > 0) {
    const x = todo.pop()!;
    if (typeof x === 'string') { out.push(x); continue; }
    switch (x.kind) {
      case 'atom': out.push(`[0,${codesOf(x.name)}]`); break;
      case 'int': out.push(`[1,${digits(x.value)}]`); break;
      case 'float': out.push(floatSpec(x.value)); break;
      case 'rational': out.push(`[3,${digits(x.num)},${digits(x.den)}]`); break;
      case 'string': out.push(`[4,${codesOf(x.value)}]`); break;
      case 'nil': out.push('[5]'); break;
      case 'var': {
        let k = vars.get(x);
        if (k === undefined) { k = vars.size; vars.set(x, k); }
        out.push(`[7,${k}]`);
        break;
      }
      case 'compound': {
        out.push(x.nilName ? '[9,[' : `[6,${codesOf(x.name)},[`);
        todo.push(']]');
        for (let i = x.args.length - 1; i >= 0; i--) {
          todo.push(x.args[i]!);
          if (i > 0) todo.push(',');
        }
        break;
      }
      case 'dict': {
        out.push('[8,');
        todo.push(']]');
        for (let i = x.pairs.length - 1; i >= 0; i--) {
          todo.push(']', x.pairs[i]![1], ',', x.pairs[i]![0], '[');
          if (i > 0) todo.push(',');
        }
        todo.push(',[', x.tag);
        break;
      }
    }
  }
  return out.join('');
}

function floatSpec(v: number): string {
  if (v !== v) return '[2,2]';
  if (v === Infinity) return '[2,0]';
  if (v === -Infinity) return '[2,1]';
  if (Object.is(v, -0)) return '[2,3]';
  if (v === 0) return '[2,4,[48],0]';
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else { m |= 1n << 52n; e = bexp - 1075; }
  while (e < 0 && (m & 1n) === 0n) { m >>= 1n; e++; }
  if (e > 0) { m <<= BigInt(e); e = 0; }
  if (v < 0) m = -m;
  return `[2,4,${digits(m)},${-e}]`;
}

type Spec = number | Spec[];
const textOfCodes = (cs: Spec): string => String.fromCodePoint(...(cs as number[]));
const bigOfCodes = (cs: Spec): bigint => BigInt(textOfCodes(cs));

/** The term a spec (as printed by term_spec/2, or made by termToSpec) stands for. */
export function specToTerm(json: string): Term {
  const vars = new Map<number, Var>();
  const conv = (s: Spec): Term => {
    const a = s as Spec[];
    switch (a[0]) {
      case 0: return atom(textOfCodes(a[1]!));
      case 1: return int(bigOfCodes(a[1]!));
      case 2: switch (a[1]) {
        case 0: return float(Infinity);
        case 1: return float(-Infinity);
        case 2: return float(NaN);
        case 3: return float(-0);
        default: {
          const n = Number(bigOfCodes(a[2]!));
          const k = a[3] as number;
          // n * 2^-k in two steps, each exact: 2^-k alone may underflow.
          return float(k > 1000 ? (n * 2 ** -1000) * 2 ** (1000 - k) : n * 2 ** -k);
        }
      }
      case 3: return rational(bigOfCodes(a[1]!), bigOfCodes(a[2]!));
      case 4: return str(textOfCodes(a[1]!));
      case 5: return nil();
      case 6: return compoundOf(textOfCodes(a[1]!), (a[2] as Spec[]).map(conv));
      case 9: return compoundOf(nil(), (a[1] as Spec[]).map(conv));
      case 7: {
        const k = a[1] as number;
        let v = vars.get(k);
        if (v === undefined) { v = variable(); vars.set(k, v); }
        return v;
      }
      case 8: {
        const tag = conv(a[1]!);
        if (tag.kind !== 'atom' && tag.kind !== 'var') throw new Error('bad dict tag');
        return dict(tag, (a[2] as Spec[]).map((p) => {
          const [k, v] = p as Spec[];
          const kt = conv(k!);
          if (kt.kind !== 'atom' && kt.kind !== 'int') throw new Error('bad dict key');
          return [kt, conv(v!)] as const;
        }));
      }
      default: throw new Error(`bad spec ${JSON.stringify(s)}`);
    }
  };
  return conv(JSON.parse(json) as Spec);
}
