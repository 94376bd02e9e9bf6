// Issue 13: text after the first term's full stop, against swipl's term_string/2.
// term_string/2 reads the first term and ignores whatever follows its end (another
// clause, garbage, an unclosed quote or comment). readTerm is strict on purpose: it
// reads the term when only layout and comments follow, and otherwise raises
// end_of_clause_expected (docs/reader.md says why). The wire codec, where SWI's
// udp_term_string/3 (term_string/3) is the contract, reads exactly as swipl does.
import { expect } from 'chai';
import { PROLOG_MAGIC, prologTextCodec } from '../src/transport/framing.js';
import type { Term } from '../src/term/types.js';
import { PrologSyntaxError, readTerm } from '../src/text/read.js';
import { DUMP_PROGRAM, diffDump, fromCodes, prologString, type Dump } from './read-support.js';
import { useSwipl } from './support/swipl.js';

const AFTER_END = [
  'a. b', 'a. b.', 'a. b c', 'f(X). g(X)', 'a.\nb(', 'a. )', "a. 'unclosed", 'a. "unclosed', 'a. /*', 'a. /* x',
  "a. 0'", 'a. .', 'a.\t.', '- . x', 'f(X, Y). X = 1.', '[1,2]. junk', '"s". 1', 'a. % c\nb',
];
// Nothing but layout and comments after the end: readTerm agrees with term_string/2.
const CLEAN_END = ['a.', 'a. ', 'a .', 'a.  % c', 'a. /* c */', 'a.\n\n', 'f(X).', 'a.b', 'a'];
// Errors before the end are errors for both.
const BAD_FIRST = ['a.. b', 'f(. g', ') . a'];

describe('reader: text after the first full stop (compared with swipl term_string/2)', function () {
  this.timeout(60_000);
  const swipl = useSwipl(DUMP_PROGRAM);
  const swi = async (text: string): Promise<Dump> => JSON.parse(await swipl().output(`parse_dump(${prologString(text)})`)) as Dump;
  const ours = (text: string): Term | string => {
    try {
      return readTerm(text);
    } catch (e) {
      if (e instanceof PrologSyntaxError) return e.kind;
      throw e;
    }
  };

  it('readTerm raises end_of_clause_expected where term_string/2 drops the rest; the wire codec reads as swipl', async () => {
    const codec = prologTextCodec();
    for (const text of AFTER_END) {
      const d = await swi(text);
      expect('err' in d, `swipl reads ${JSON.stringify(text)}`).to.equal(false);
      expect(ours(text), text).to.equal('end_of_clause_expected');
      const wire = codec.decode(Buffer.from(PROLOG_MAGIC + text, 'latin1'));
      expect(wire, text).to.not.equal(undefined);
      expect(diffDump(wire!, d), text).to.equal(undefined);
    }
  });

  it('readTerm reads the same term as term_string/2 when only layout and comments follow', async () => {
    for (const text of CLEAN_END) {
      const t = ours(text);
      expect(typeof t, `${JSON.stringify(text)}: ${String(t)}`).to.not.equal('string');
      expect(diffDump(t as Term, await swi(text)), text).to.equal(undefined);
    }
  });

  it('an error in the first term is an error for both, of the same kind', async () => {
    const codec = prologTextCodec();
    for (const text of BAD_FIRST) {
      const d = await swi(text);
      expect('err' in d, text).to.equal(true);
      expect(ours(text), text).to.equal(fromCodes((d as { err: number[] }).err));
      expect(codec.decode(Buffer.from(PROLOG_MAGIC + text, 'latin1')), text).to.equal(undefined);
    }
  });
});
