// Helpers for the reader tests: a Prolog program that dumps SWI's view of a term as
// JSON (so we compare structure, not text), and the comparison with our Term.
import type { Term } from '../src/term/types.js';

/**
 * Loaded into the swipl harness. dump(T) prints T as JSON:
 *   {"v":N} variable N (numbered by first occurrence), {"a":Codes} atom, {"n":1} [],
 *   {"i":"Digits"} integer, {"f":"Text"} float, {"r":"NrD"} rational, {"s":Codes} string,
 *   {"c":Codes,"x":[Args]} compound, {"cn":1,"x":[Args]} compound named by the reserved [],
 *   {"d":Tag,"p":[[Key,Value],...]} dict.
 * parse_dump(S) reads S with term_string/2 and dumps it, or prints {"err":KindCodes}.
 * mk(D, T) builds a term from a description (used to send random terms to SWI).
 */
export const DUMP_PROGRAM = String.raw`
dump(T) :- term_variables(T, Vs), dump(T, Vs).
dump(T, Vs) :- var(T), !, nth0(I, Vs, V), V == T, !, format('{"v":~d}', [I]).
dump([], _) :- !, write('{"n":1}').
dump(T, _) :- atom(T), !, atom_codes(T, C), format('{"a":~w}', [C]).
dump(T, _) :- integer(T), !, format('{"i":"~d"}', [T]).
dump(T, _) :- float(T), !, ( T =:= inf -> S = "inf" ; T =:= -inf -> S = "-inf" ; T =\= T -> S = "nan" ; format(string(S), "~17g", [T]) ), format('{"f":"~w"}', [S]).
dump(T, _) :- rational(T), !, rational(T, N, D), format('{"r":"~dr~d"}', [N, D]).
dump(T, _) :- string(T), !, string_codes(T, C), format('{"s":~w}', [C]).
dump(T, Vs) :- is_dict(T), !, dict_pairs(T, Tag, Pairs), write('{"d":'), dump(Tag, Vs), write(',"p":['),
    dump_pairs(Pairs, Vs), write(']}').
dump(T, Vs) :- compound_name_arguments(T, [], As), !, write('{"cn":1,"x":['), dump_list(As, Vs), write(']}').
dump(T, Vs) :- compound_name_arguments(T, N, As), atom_codes(N, C), format('{"c":~w,"x":[', [C]),
    dump_list(As, Vs), write(']}').
dump_list([], _).
dump_list([A], Vs) :- !, dump(A, Vs).
dump_list([A|As], Vs) :- dump(A, Vs), write(','), dump_list(As, Vs).
dump_pairs([], _).
dump_pairs([K-V], Vs) :- !, write('['), dump(K, Vs), write(','), dump(V, Vs), write(']').
dump_pairs([K-V|Ps], Vs) :- write('['), dump(K, Vs), write(','), dump(V, Vs), write('],'), dump_pairs(Ps, Vs).

parse_dump(S) :-
    catch(( term_string(T, S), dump(T) ), error(syntax_error(E), _), dump_err(E)).

% Like term_string/2 (a final " . " is added), but text after the term is an error,
% where term_string/2 silently ignores it. For texts SWI wrote (no trailing comments).
parse_dump_strict(S) :-
    catch(( string_concat(S, " . ", S2), open_string(S2, In),
            read_term(In, T, []), read_string(In, _, Rest0), close(In),
            split_string(Rest0, "", " \t\n", [Rest]),
            ( ( Rest == "" ; Rest == "." ) -> dump(T) ; dump_err(end_of_clause_expected) ) ),
          error(syntax_error(E), _), dump_err(E)).
dump_err(E) :- ( compound(E) -> functor(E, N, _) ; N = E ), atom_codes(N, C), format('{"err":~w}', [C]).

mk(v(N), V) :- !, nb_getval(mkvars, Vs), nth0(N, Vs, V).
mk(a(C), A) :- !, atom_codes(A, C).
mk(n, []) :- !.
mk(i(I), I) :- !.
mk(f(C), F) :- !, atom_codes(A, C),
    ( A == inf -> F is inf ; A == '-inf' -> F is -inf ; A == nan -> F is nan ; number_codes(F0, C), F is float(F0) ).
mk(r(N, D), R) :- !, R is N rdiv D.
mk(s(C), S) :- !, string_codes(S, C).
mk(c(C, As), T) :- !, atom_codes(N, C), maplist(mk, As, Ts), compound_name_arguments(T, N, Ts).
mk(cn(As), T) :- !, maplist(mk, As, Ts), compound_name_arguments(T, [], Ts).
mk(d(Tag, Ps), T) :- !, mk(Tag, G), maplist(mkp, Ps, Pairs), dict_pairs(T, G, Pairs).
mkp(K-V, K1-V1) :- mk(K, K1), mk(V, V1).

% For each description D: build, write in the style, and print [Text, Dump, Reread] as JSON,
% Reread being what SWI itself reads back from Text (its writer is not always readable).
write_styles(Ds, Style) :-
    length(Vs, 8), nb_setval(mkvars, Vs),
    write('['), write_each(Ds, Style), write(']').
write_each([], _).
write_each([D|Ds], Style) :-
    mk(D, T), with_output_to(codes(C), write_style(Style, T)),
    format('[~w,', [C]), dump(T), write(','), string_codes(S, C), parse_dump_strict(S), write(']'),
    ( Ds == [] -> true ; write(',') ), write_each(Ds, Style).
write_style(writeq, T) :- writeq(T).
write_style(print, T) :- print(T).
write_style(canonical, T) :- write_canonical(T).
write_style(wire, T) :- write_term(T, [quoted(true), ignore_ops(true), dotlists(false)]).
`;

export type Dump =
  | { v: number } | { a: number[] } | { n: 1 } | { i: string } | { f: string } | { r: string }
  | { s: number[] } | { c: number[]; x: Dump[] } | { cn: 1; x: Dump[] } | { d: Dump; p: [Dump, Dump][] } | { err: number[] };

export const fromCodes = (c: number[]): string => String.fromCodePoint(...c);

/**
 * Where our term differs from SWI's dump, or undefined when they are the same term
 * (variables compared up to a consistent renaming). Iterative: deep terms are fine.
 */
export function diffDump(t: Term, d: Dump): string | undefined {
  const varMap = new Map<number, number>(); // our Var.id -> dump index
  const seen = new Set<number>();
  const stack: [Term, Dump, string][] = [[t, d, '']];
  while (stack.length) {
    const [x, y, path] = stack.pop()!;
    const bad = (): string => `at ${path || 'root'}: ours ${JSON.stringify(x, big)} swi ${JSON.stringify(y)}`;
    if ('v' in y) {
      if (x.kind !== 'var') return bad();
      const m = varMap.get(x.id);
      if (m === undefined) {
        if (seen.has(y.v)) return bad();
        varMap.set(x.id, y.v);
        seen.add(y.v);
      } else if (m !== y.v) return bad();
    } else if ('a' in y) {
      if (x.kind !== 'atom' || x.name !== fromCodes(y.a)) return bad();
    } else if ('n' in y) {
      if (x.kind !== 'nil') return bad();
    } else if ('i' in y) {
      if (x.kind !== 'int' || String(x.value) !== y.i) return bad();
    } else if ('f' in y) {
      if (x.kind !== 'float') return bad();
      const want = y.f === 'inf' ? Infinity : y.f === '-inf' ? -Infinity : y.f === 'nan' ? NaN : Number(y.f);
      if (!Object.is(x.value, want) && !(Number.isNaN(want) && Number.isNaN(x.value))) return bad();
    } else if ('r' in y) {
      if (x.kind !== 'rational' || `${x.num}r${x.den}` !== y.r) return bad();
    } else if ('s' in y) {
      if (x.kind !== 'string' || x.value !== fromCodes(y.s)) return bad();
    } else if ('c' in y) {
      if (x.kind !== 'compound' || x.nilName || x.name !== fromCodes(y.c) || x.args.length !== y.x.length) return bad();
      for (let i = x.args.length - 1; i >= 0; i--) stack.push([x.args[i]!, y.x[i]!, `${path}/${x.name}#${i + 1}`]);
    } else if ('cn' in y) {
      if (x.kind !== 'compound' || !x.nilName || x.args.length !== y.x.length) return bad();
      for (let i = x.args.length - 1; i >= 0; i--) stack.push([x.args[i]!, y.x[i]!, `${path}/[]#${i + 1}`]);
    } else if ('d' in y) {
      if (x.kind !== 'dict' || x.pairs.length !== y.p.length) return bad();
      stack.push([x.tag, y.d, `${path}/tag`]);
      for (let i = 0; i < y.p.length; i++) {
        stack.push([x.pairs[i]![0], y.p[i]![0], `${path}/key${i}`]);
        stack.push([x.pairs[i]![1], y.p[i]![1], `${path}/val${i}`]);
      }
    } else {
      return `swi says error ${fromCodes(y.err)}, we read ${JSON.stringify(x, big)}`;
    }
  }
  return undefined;
}

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

/** A Prolog string literal for any text (for sending texts to swipl in a goal). */
export function prologString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (c < 32 || c === 127 || (c >= 0xd800 && c <= 0xdfff)) out += `\\x${c.toString(16)}\\`;
    else out += ch;
  }
  return out + '"';
}
