// A syntax error says what SWI-Prolog's print_message/2 says of it (`Syntax error:
// Operator expected`), not only the kind of its error term: checked against swipl's
// own message text for every kind our reader and swipl's term_string/2 agree on.
import { expect } from 'chai';
import { PrologSyntaxError, readTerm } from '../src/text/read.js';
import { useSwipl } from './support/swipl.js';

const PROGRAM = String.raw`
se_message(Codes) :-
    string_codes(S, Codes),
    catch(( term_string(_, S), print(no_error) ), error(E, _),
          ( phrase('$messages':translate_message(error(E, _)), L),
            with_output_to(string(M), print_message_lines(current_output, '', L)),
            print(E-M) )).
`;

// One text per kind, as our reader and swipl name it.
const TEXTS: readonly string[] = [
  'f(a b)', 'f(.', 'a :- .', 'f(a,)', '[a|b,c]', "'abc", '"abc', '`abc', '/* x', '0\'\\q',
  '"\\q"', 'f(a', 'a :- :- b', '1e', '{a', '(a', 'f(a]', 'a ; |', '_{a:1, a:2}',
];

describe('Syntax error texts: the words of SWI-Prolog 9.0.4 print_message/2', function () {
  const swipl = useSwipl(PROGRAM);
  for (const text of TEXTS) {
    it(`says what swipl says of ${JSON.stringify(text)}`, async () => {
      let ours: PrologSyntaxError | undefined;
      try { readTerm(text); } catch (e) { if (e instanceof PrologSyntaxError) ours = e; else throw e; }
      const swi = await swipl().output(`se_message(${JSON.stringify([...text].map((c) => c.codePointAt(0)))})`);
      expect(ours, `swipl: ${swi}`).to.be.instanceOf(PrologSyntaxError);
      const m = /^syntax_error\((.*)\)-"(.*)\\n"$/s.exec(swi);
      expect(m, swi).to.not.equal(null);
      expect(ours!.kind).to.equal(m![1]!.replace(/\(.*$/s, ''));
      expect(`Syntax error: ${ours!.text}`).to.equal(m![2]!.replace(/\\(.)/g, '$1'));
      expect(ours!.message).to.equal(`Syntax error: ${ours!.text} at line ${ours!.line}, column ${ours!.column}`);
    });
  }
});
