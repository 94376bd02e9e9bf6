// SWI-Prolog's own read and write test cases (extracted in test/swi-cases/cases.ts),
// each checked three ways: the installed swipl (9.0.4) gives the result SWI's test
// expects, our reader reads the text as swipl does, and our writer writes the term
// byte for byte as swipl does.
import { expect } from 'chai';
import type { Term, Var } from '../src/term/types.js';
import { OpTable } from '../src/text/ops.js';
import { PrologSyntaxError, readTerm, readTermWithVars } from '../src/text/read.js';
import { writeTerm, type WriteStyle } from '../src/text/write.js';
import { prologString } from './read-support.js';
import { useSwipl } from './support/swipl.js';
import { SWI_CASES, type CaseOp, type SwiCase } from './swi-cases/cases.js';

// Case texts travel as code lists; operators are set in a scratch module for one
// goal and removed after it, so no case sees another's operators.
const PROGRAM = String.raw`
sc_text(Codes, S) :- string_codes(S, Codes).
sc_with_ops(Ops, G) :-
    setup_call_cleanup(forall(member(op(P,T,N), Ops), (atom_string(A, N), op(P, T, sc_ops:A))), G,
                       forall(member(op(_,T,N), Ops), (atom_string(A, N), op(0, T, sc_ops:A)))).
sc_term(Codes, Ops, T) :- sc_text(Codes, S), sc_with_ops(Ops, term_string(T, S, [module(sc_ops)])).
sc_same(Codes, ECodes, Ops) :-
    sc_text(ECodes, E),
    sc_term(Codes, Ops, T), sc_with_ops(Ops, term_string(X, E, [module(sc_ops)])),
    ( T =@= X -> write(same) ; print(different(T, X)) ).
sc_error(Codes, Ops) :-
    catch(( sc_term(Codes, Ops, _), write(no_error) ), error(syntax_error(K), _), print(K)).
sc_canonical(Codes, Ops) :- sc_term(Codes, Ops, T), write_canonical(T).
sc_writeq(Codes, [], T0) :- !, sc_term(Codes, [], T0), writeq(T0).
sc_writeq(Codes, Ops, T) :- sc_term(Codes, Ops, T), sc_with_ops(Ops, write_term(T, [quoted(true), numbervars(true), module(sc_ops)])).
sc_writeq(Codes, Ops) :- sc_writeq(Codes, Ops, _).
sc_wire(Codes, Ops) :- sc_term(Codes, Ops, T), write_term(T, [quoted(true), ignore_ops(true)]).
sc_write(Codes, GoalCodes) :-
    sc_text(Codes, S), term_string(T, S, [variable_names(Bs)]),
    sc_text(GoalCodes, G), term_string(Goal, G, [variable_names(GBs)]),
    maplist(sc_bind(T, Bs), GBs),
    call(Goal).
sc_bind(T, Bs, N=V) :- ( N == 'T' -> V = T ; memberchk(N=V, Bs) -> true ; true ).
`;

const codes = (s: string): string => JSON.stringify([...s].map((c) => c.codePointAt(0)));
const opsArg = (ops: readonly CaseOp[] | undefined): string =>
  '[' + (ops ?? []).map(([p, t, n]) => `op(${p},${t},${prologString(n)})`).join(',') + ']';
const opTable = (ops: readonly CaseOp[] | undefined): OpTable | undefined => {
  if (!ops) return undefined;
  const t = OpTable.swi();
  for (const [p, ty, n] of ops) t.op(p, ty as Parameters<OpTable['op']>[1], n);
  return t;
};
/** Fresh variables print as `_` and a number that differs between systems. */
const anonVars = (s: string): string => s.replace(/\b_G?[0-9]+\b/g, '_');

function title(c: SwiCase): string {
  const what = c.kind === 'write' ? `writes ${JSON.stringify(c.text)} as ${JSON.stringify(c.expected)}`
    : c.kind === 'read' ? `reads ${JSON.stringify(c.text)}` : `rejects ${JSON.stringify(c.text)} (${c.error})`;
  return `${c.source}: ${what}`;
}

describe('SWI-Prolog test suite cases (swipl 9.0.4, our reader, our writer)', function () {
  const swipl = useSwipl(PROGRAM);

  for (const c of SWI_CASES) {
    describe(title(c), () => {
      if (c.skip !== undefined) {
        it.skip(`skipped: ${c.skip}`, () => undefined);
        return;
      }
      const ops = opsArg(c.kind === 'write' ? undefined : c.ops);
      const table = opTable(c.kind === 'write' ? undefined : c.ops);

      if (c.kind === 'syntax-error') {
        it('swipl: is the syntax error SWI expects', async () => {
          expect(await swipl().output(`sc_error(${codes(c.text)}, ${ops})`)).to.equal(c.error);
        });
        it('reader: is a syntax error for us too', () => {
          expect(() => readTerm(c.text, { ops: table })).to.throw(PrologSyntaxError);
        });
        return;
      }

      if (c.kind === 'read') {
        it('swipl: reads the term SWI expects', async () => {
          expect(await swipl().output(`sc_same(${codes(c.text)}, ${codes(c.term)}, ${ops})`)).to.equal('same');
        });
      } else {
        it('swipl: writes what SWI expects', async () => {
          expect(await swipl().output(`sc_write(${codes(c.text)}, ${codes(c.goal)})`)).to.equal(c.expected);
        });
      }

      it('reader: reads the same term as swipl', async () => {
        const swi = await swipl().output(`sc_canonical(${codes(c.text)}, ${ops})`);
        expect(writeTerm(readTerm(c.text, { ops: table }), { style: 'canonical' })).to.equal(swi);
      });

      if (c.kind === 'read') {
        // The term comes to us in wire form, so this checks the writer apart from the reader.
        it('writer: writes the term as swipl does (writeq and wire form)', async () => {
          const wire = await swipl().output(`sc_wire(${codes(c.text)}, ${ops})`);
          const t = readTerm(wire);
          expect(anonVars(writeTerm(t, { style: 'wire' }))).to.equal(anonVars(wire));
          const swiq = await swipl().output(`sc_writeq(${codes(c.text)}, ${ops})`);
          expect(anonVars(writeTerm(t, { style: 'writeq', ops: table }))).to.equal(anonVars(swiq));
        });
      } else {
        it('writer: writes it as swipl does', () => {
          const { term, varNames } = readTermWithVars(c.text);
          let names: Map<Var, string> | undefined;
          if (c.names) {
            names = new Map();
            for (const [from, to] of Object.entries(c.names)) names.set(varNames.get(from)!, to);
          }
          const out = writeTerm(term as Term, {
            style: c.style as WriteStyle, numbervars: c.numbervars, variableNames: names,
          });
          expect(out).to.equal(c.expected);
        });
      }
    });
  }
});
