// The Chevrotain lexer definition: production skips Chevrotain's (slow) definition
// checks, so they run here, and the token boundaries of the one-pattern literals.
import { expect } from 'chai';
import { Lexer } from 'chevrotain';
import { ALL_TOKENS, LEXER_CONFIG, tokenize } from '../grammar/lexer.js';

describe('reader: lexer definition', () => {
  it('passes Chevrotain\'s definition checks with first-char optimisation', () => {
    const lexer = new Lexer(ALL_TOKENS, { ...LEXER_CONFIG, skipValidations: false });
    expect(lexer.lexerDefinitionErrors).to.deep.equal([]);
  });

  it('splits numbers, quoted items and names as SWI\'s tokeniser does', () => {
    const cases: [string, string[]][] = [
      ["2'1012", ["2'101", '2']], ["37'1", ['37', "'1"]], ["016'FF", ["016'FF"]], ['1.5NaN', ['1.5NaN']],
      ['1.0e', ['1.0', 'e']], ['0x', ['0x']], ["0'''a", ["0'''", 'a']], ['1_000_ 000', ['1_000_ 000']],
      ["'a''b'c", ["'a''b'", 'c']], ["'\\x41\\'", ["'\\x41\\'"]], ["'a''", ["'a''"]], ['été(Été)', ['été', '(', 'Été', ')']],
      ['a.b.', ['a', '.', 'b', '.']], ['𝑥+𝑦', ['𝑥', '+', '𝑦']], ['/* x', ['/* x']], ['a%c\n.', ['a', '.']],
    ];
    for (const [text, images] of cases) expect(tokenize(text).map((t) => t.image), text).to.deep.equal(images);
  });
});
