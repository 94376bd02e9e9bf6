// SWI-Prolog's own syntax edge cases: for each text, swipl reads it with term_string/2
// and dumps the structure (or the syntax error kind); our readTerm must agree.
import { expect } from 'chai';
import { readTerm, PrologSyntaxError } from '../src/text/read.js';
import { useSwipl } from './support/swipl.js';
import { DUMP_PROGRAM, diffDump, fromCodes, prologString, type Dump } from './read-support.js';

const CASES: string[] = [
  // operators as atoms, prefix minus and negative numbers
  'X = (a|b)', '(a|b)', '[-]', 'f(+, -)', '- = +', '- 1', '-(1)', '-1', 'a- -1', '1 - -1', 'a -1', 'a - 1',
  '- a', '-(-(1))', '- - 1', '- - -', '- (-)', '\\+ (a,b)', 'f(a, -)', '[a|-]', 'a= \\+', ':- :- a',
  '1 + 2 + 3', 'a = b = c', '-(-)', '-(a)', '- (a,b)', '-(a,b)', 'f(a:-b)', '[a:-b]', 'f(:-)', 'f(a;b)',
  '(a:-b,c;d->e)', '*', 'f(* , *)', '* = *', '- - a', '\\ \\ a', 'a * - 1', 'a * -1', 'a - (-1)', '2 ** -1',
  '1 = -', '- =', 'f(- , a)', '[- , a]', 'f(-)', 'f(- )', '-(-(-))', 'dynamic foo/1', '- - - a', 'f(a- , b)',
  'p :- \\+ \\+ a', 'a = -(-(1))', '- 1.0', '-1.0', '- 0x10', '-0x10', '-0\'a', '- 0\'a', '-(0\'a)',
  '- (1)+2', '-(1)+2', '- (1) * 2', '-(1) * 2', 'a- (1)', '- -1', '-(-1)', '- (-1)', '[-1]', 'f(-1)', '1-1',
  'a-1', '+(1)', '+ 1', '+1', '\\', 'a:b:c', 'a.b', 'a.b.c', 'X.y', '- - - -', "'-'(1)", "'-' 1",
  "'dynamic' foo", "a '=' b", 'f(a|b)', "'|'(a,b)", 'a|b',
  // quoted atoms and escapes
  "'\\x41\\'", "'\\101\\'", "'\\e'", "'\\s'", "'\\z'", "'\\u00e9'", "'\\U0001F600'", "'a\\\nb'",
  "'\\a\\b\\f\\v\\0\\'", "'\\0'", "'\\c  a'", "'\\/'", "'\\`'", "'\\d'", "'\\xD800\\'", "'\\x110000\\'",
  "'\\x'", "'\\x41'", "'\\u12'", "'\\777777777\\'", "'\\U00110000'", "'a\nb'", "'hello''s'", "''", "'\\N'",
  "'\\\\'", "'abc", "'\\z", "'\\xD8000\\'", "'\\x1D800\\'", "'\\xD8FF0\\'", "'\\x10D800\\'", "'\\uD800'",
  // char codes, radix, digit groups, floats, rationals
  "0'c", "0'''", "0''", "0'\\n", "0' ", "0'''a", "0'\\\\", "0'a'", "0'\\x41\\", "0'\\x41", "0'\\'", "0'ab",
  "0'\\z", "0'\\c", "0'\\\n", '16\'FF', '0xFF', '0o17', '0b101', '36\'ZZ', '37\'1', '1 000 000', '1_000_000',
  '1_000_ 000', '1__0', '1 000_000', '0x1_F', '1 0', 'f(1 2)', '1_', '1 _000', '0x', '0xg', '0b102', '0o8',
  '0x_1', '1.0e10', '1e10', '1.0Inf', '-1.0Inf', '1.5NaN', '1.0e', '1.e5', '1.0E+3', '0.5e-3', '1.0e+',
  '1.0e309', '1.0e-400', '0.0', '-0.0', '- 0.0', '1Inf', '1.0InfX', 'inf', '1.0e10Inf', '1_000.5', '1.5_0',
  '1r3', '-1r3', '2r4', '1r0', '1R3', '0r3', '1r-3', '123456789012345678901234567890',
  '-123456789012345678901234567890', '0xFFFFFFFFFFFFFFFFFFFF', '36\'ZZZZZZZZZZZZZZZZ',
  // strings, code lists, compounds, curly terms, lists
  '"a""b"', '`abc`', '`a``b`', '"\\x41\\"', '"a\\\nb"', '"\\z"', '"abc', '""', 'f()', '{}', '{a,b}', '[]',
  "'[]'", '[a|T]', '[a|b|c]', '[a,b|c,d]', '[ ]', '{ }', '[a|[]]', '[ a | b ]', '[a|b,c]', '[a|]', '[a,]',
  '{a}', "'{}'(a)", "'[]'(a)", '{}(a)', '{a}(b)', '(a)(b)', 'f(a)(b)', 'f (a)', 'f(a)b',
  // dicts
  '_{a:1}', 'a{b:1}', 'a {b:1}', 'X{a:1}', "'a'{x:1}", '_{}', '_{1:a, b:2}', '_{a:1,a:2}', 'a{b:1}.c',
  '"x"{a:1}', 'X = _{a:1}.a', '_{b:X, a:Y, c:X}', '-{}', '-{a}', '-{a:1}', '\\+{a}', 'a-{b}', "'[]'{}",
  '!{}', 'f(a){}', 'a{b:1}(x)', '_{ a:1 }', "_{'a b':1}", '_{a:1,}', '_{a}', '_{- : 1}', '_{-1:a}', '_{1.0:a}',
  '_{"s":a}', '_{X:a}', '_{a:b:c}', '_{a:(b,c)}', '_{a:b,c}', '- {}', 'a{ }', '_{{}:0}', '_{ {} :0}',
  // variables
  'f(A,B,A,_,_)', '_A+_', 'X(a)',
  // layout, comments, unicode
  '/* abc', 'a /* c */ + b', 'a % c\n+ b', 'a.%c', 'f(a.)', 'a.', 'a. ', '𝑥', 'été', 'Été', '日本', '×',
  'a×b', '→', 'ª', '_été', 'µ', 'x²', '½', '\u0001', 'a\u0001',
  // errors
  'f(,)', 'a,', '(', ')', 'f(a', '0\'', '1e', '{', 'a b', "'a' 'b'", '', '   ', 'a;',
];

describe('reader: SWI-Prolog syntax edge cases (compared with swipl)', function () {
  const swipl = useSwipl(DUMP_PROGRAM);

  for (const text of CASES) {
    it(`reads ${JSON.stringify(text)} as SWI does`, async () => {
      const swi = JSON.parse(await swipl().output(`parse_dump(${prologString(text)})`)) as Dump;
      let ours: unknown;
      try {
        ours = readTerm(text);
      } catch (e) {
        expect(e).to.be.instanceOf(PrologSyntaxError);
        expect(swi, `we fail with ${(e as Error).message}`).to.have.property('err');
        expect((e as PrologSyntaxError).kind).to.equal(fromCodes((swi as { err: number[] }).err));
        return;
      }
      expect(swi, 'swi fails but we read a term').to.not.have.property('err');
      const d = diffDump(ours as never, swi);
      expect(d, d).to.equal(undefined);
    });
  }
});
