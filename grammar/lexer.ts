// The Chevrotain lexer for SWI-Prolog 9 text.
//
// Tuned after Chevrotain's performance guide, measured on a 10 MB wire-form corpus:
//  - Every token pattern is a plain regexp or a one-character string: no custom
//    matcher. Chevrotain runs regexps sticky, single characters by a char-code test,
//    and a lexer without custom patterns preallocates its token vector and leaves
//    every token one object shape (custom matchers cost a call, a match array and a
//    `payload` property). That doubled the lexer's speed.
//  - First-character optimisation is enforced (`ensureOptimizations`); patterns too
//    large for Chevrotain's regexp analyser declare `start_chars_hint`, and each first
//    character has as few candidates as possible, in the order they usually match.
//  - Layout and comments are one skipped token; `positionTracking: 'onlyOffset'`
//    (line and column are computed from the offset only for an error message).
//  - Patterns are written so a regexp never backtracks more than linearly, also on
//    bad input (an unclosed quote is tried once, then taken by UnclosedQuote).
//
// The lexer cannot fail: every character belongs to some token (Illegal at worst);
// malformed literals are tokens that the parser reports with SWI's error kinds.
// Functional notation (`f(`) and dict tags (`t{`) need "immediately followed by";
// the parser reads that from offsets (`startOffset + image.length`).
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';
import { ALNUM, DIGIT_SCRIPTS, LAYOUT, LOWER, oneOf, SOLO, SYMBOL, UPPER } from './chars.js';

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const chars = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

const LAYOUT_BODY = ` \\t\\n\\v\\f\\r${LAYOUT.bmp}`; // SWI: ASCII 9-13, space and Unicode separators
const LAYOUT_STARTS = [9, 10, 11, 12, 13, 32, ...LAYOUT.starts];
const PAIR = '[\\ud800-\\udbff][\\udc00-\\udfff]';

// --- layout and comments -------------------------------------------------------

/**
 * A block comment with no nested `/*` before its first `*\/`. SWI nests block
 * comments (pl-read.c counts `/*` and `*\/` pairs, the first character after the
 * opening taken as is); a regexp cannot count, so a comment with a nested opening is
 * left to UnclosedComment and resolved by tokenize() (nestedCommentEnd).
 */
const BLOCK_COMMENT = '\\/\\*[^/*]*(?:(?:\\/(?!\\*)|\\*(?!\\/))[^/*]*)*\\*\\/';

/** Layout, `%` line comments and closed block comments, in one skipped token. */
export const Skip = createToken({
  name: 'Skip',
  pattern: new RegExp(`(?:[${LAYOUT_BODY}]+|%[^\\n]*|${BLOCK_COMMENT})+`),
  start_chars_hint: [...LAYOUT_STARTS, 37, 47],
  group: Lexer.SKIPPED,
});

/** `/*` without its `*\/`: swallows the rest of the text, as SWI does (end_of_file_in_block_comment). */
export const UnclosedComment = createToken({
  name: 'UnclosedComment',
  pattern: /\/\*[\s\S]*/,
  start_chars_hint: ['/'],
});

// --- end of clause -----------------------------------------------------------------

/** The end token: `.` followed by layout, `%` or the end of the text. */
export const End = createToken({
  name: 'End',
  pattern: new RegExp(`\\.(?![^${LAYOUT_BODY}%])`),
  start_chars_hint: ['.'],
});

// --- numbers -----------------------------------------------------------------------

/**
 * A digit group separator: `_` and any layout and comments after it (`1_000`,
 * `1_ %c<newline>000`, a block comment too), or one space (`1 000`).
 */
const GROUP = `(?:_(?:[${LAYOUT_BODY}]|%[^\\n]*|${BLOCK_COMMENT})*| )`;
/** `d+` with SWI's digit groups (`1_000_000`, `0xFF_FF`; a space only in decimals). */
const grouped = (d: string, sep = GROUP.replace('| )', ')')): string => `${d}+(?:${sep}${d}+)*`;
const radixDigit = (r: number): string =>
  r <= 10 ? `[0-${r - 1}]` : `[0-9a-${String.fromCharCode(86 + r)}A-${String.fromCharCode(54 + r)}]`;
const RADIX = range(2, 36).reverse().map((r) => `${r}'${grouped(radixDigit(r))}`).join('|');
const ESCAPE_0 = `\\\\(?:x[0-9a-fA-F]*\\\\?|[0-7]+\\\\?|u[0-9a-fA-F]{0,4}|U[0-9a-fA-F]{0,8}|${PAIR}|[\\s\\S])?`;

/**
 * A decimal number in the digits `d` of one script: an integer with digit groups
 * and an optional grouped denominator (`1 000r3`), a float (`Inf` after any script's
 * digits, NaN only in ASCII), or `d+e±d+`.
 */
const decimal = (d: string): string =>
  `${d}+(?:\\.${d}+(?:[eE][+-]?${d}+|Inf)?|[eE][+-]?${d}+|(?:${GROUP}${d}+)*(?:r${grouped(d, GROUP)})?)`;

/** The decimal numbers of the other scripts (`١٢`, `١٢.٣`, `１r３`): digits of one script only. */
const SCRIPT_NUMBERS = DIGIT_SCRIPTS.map((s) => decimal(oneOf('', s.digits))).join('|');

/**
 * Every numeric literal, in one pattern (src/text/read-literals.ts tells the forms
 * apart and decodes them): `0'c` character codes (any escape shape; the decoder
 * validates), `0x`/`0o`/`0b` (digits may be missing: illegal_number), digit groups
 * (`1 000 000`, `1_000`: nothing may follow but a grouped denominator), `R'digits`
 * for radix 2..36 (leading zeros allowed), plain integers, floats (`1.5`, `1e10`,
 * `1.0Inf`, and NaN only as `1.DigitsNaN`, as SWI has it), rationals (`1r3`), and
 * the decimal numbers of the other scripts.
 */
export const Num = createToken({
  name: 'Num',
  pattern: new RegExp(
    // Fast paths first: a plain integer or float that nothing can extend.
    `\\d+(?:\\.\\d+)?(?![\\d_ '.eEINrxob])|` +
    `0'(?:''?|${ESCAPE_0}|${PAIR}|[\\s\\S])?` +
      `|0x(?:${grouped('[0-9a-fA-F]')})?|0o(?:${grouped('[0-7]')})?|0b(?:${grouped('[01]')})?` +
      `|(?=\\d+')0*(?:${RADIX})` +
      `|1\\.\\d+NaN` +
      `|${decimal('\\d')}` +
      `|${SCRIPT_NUMBERS}`,
  ),
  start_chars_hint: [...range(48, 57), ...DIGIT_SCRIPTS.flatMap((s) => s.digits.starts)],
});

// --- names ------------------------------------------------------------------------

/** The rest of a letter-digit name: ASCII runs, then any non-ASCII alphanumerics. */
const NAME_REST = `[a-zA-Z0-9_]*(?:${oneOf('', ALNUM)}[a-zA-Z0-9_]*)*`;

export const Var = createToken({
  name: 'Var',
  pattern: new RegExp(oneOf('A-Z_', UPPER) + NAME_REST),
  start_chars_hint: [...range(65, 90), 95, ...UPPER.starts],
});

/** Any token that can name an atom, and so possibly an operator. */
export const AtomToken = createToken({ name: 'AtomToken', pattern: Lexer.NA });
/** Unquoted atoms: the only tokens SWI looks up in the operator table. */
export const OpCandidate = createToken({ name: 'OpCandidate', pattern: Lexer.NA, categories: [AtomToken] });

export const Name = createToken({
  name: 'Name',
  pattern: new RegExp(oneOf('a-z', LOWER) + NAME_REST),
  start_chars_hint: [...range(97, 122), ...LOWER.starts],
  categories: [OpCandidate],
});

const SYMBOL_ASCII = '#$&*+./:<=>?@^~\\-';
export const Symbol = createToken({
  name: 'Symbol',
  pattern: new RegExp(oneOf('#$&*+\\-./:<=>?@^~\\\\', SYMBOL) + '+'),
  start_chars_hint: [...chars(SYMBOL_ASCII), ...SYMBOL.starts],
  categories: [OpCandidate],
});

export const Solo = createToken({
  name: 'Solo',
  pattern: new RegExp(oneOf('!;', SOLO)),
  start_chars_hint: [33, 59, ...SOLO.starts],
  categories: [OpCandidate],
});

// --- quoted --------------------------------------------------------------------------

/**
 * A quoted item up to its closing quote; escapes are only skipped here, decoded (and
 * validated) by the reader. `\x41\` and `\101\` take their digits and closing
 * backslash whole, so the pattern has one way to match and fails in linear time.
 */
function quoted(q: string): RegExp {
  const esc = '\\\\(?:x[0-9a-fA-F]*(?![0-9a-fA-F])(?:\\\\|(?!\\\\))|[0-7]+(?![0-7])(?:\\\\|(?!\\\\))|[^x0-7])';
  const run = `[^${q}\\\\]*`;
  return new RegExp(`${q}${run}(?:(?:${q}${q}|${esc})${run})*${q}(?!${q})`);
}

export const QAtom = createToken({
  name: 'QAtom', pattern: quoted("'"), start_chars_hint: ["'"], categories: [AtomToken],
});
export const QString = createToken({ name: 'QString', pattern: quoted('"'), start_chars_hint: ['"'] });
export const BackQuoted = createToken({ name: 'BackQuoted', pattern: quoted('`'), start_chars_hint: ['`'] });

/** An opening quote with no closing one: swallows the rest (end_of_file_in_quoted). */
export const UnclosedQuote = createToken({
  name: 'UnclosedQuote',
  pattern: /['"`][\s\S]*/,
  start_chars_hint: ["'", '"', '`'],
});

// --- punctuation -------------------------------------------------------------------

export const LParen = createToken({ name: 'LParen', pattern: '(' });
export const RParen = createToken({ name: 'RParen', pattern: ')' });
export const LBracket = createToken({ name: 'LBracket', pattern: '[' });
export const RBracket = createToken({ name: 'RBracket', pattern: ']' });
export const LBrace = createToken({ name: 'LBrace', pattern: '{' });
export const RBrace = createToken({ name: 'RBrace', pattern: '}' });
export const Comma = createToken({ name: 'Comma', pattern: ',' });
export const Bar = createToken({ name: 'Bar', pattern: '|' });

/** Anything else (control characters, lone surrogates, a mark with no name before it): illegal_character. */
export const Illegal = createToken({
  name: 'Illegal',
  pattern: new RegExp(`${PAIR}|[\\s\\S]`),
  start_chars_hint: range(0, 0xffff),
});

// Order = priority among the candidates of one first character: punctuation and the
// frequent tokens first; comments before Symbol for `/*`, End before Symbol for `.`.
export const ALL_TOKENS: TokenType[] = [
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Bar,
  Num, Name, QAtom, Var, QString, Skip, UnclosedComment, End, Symbol, Solo, BackQuoted,
  UnclosedQuote, Illegal,
  AtomToken, OpCandidate,
];

/**
 * Chevrotain's definition checks parse every pattern with its regexp analyser, which
 * takes ~0.4 s on the large Unicode classes at every start; test/read-lexer.test.ts
 * builds the lexer with them on instead.
 */
export const LEXER_CONFIG = {
  positionTracking: 'onlyOffset',
  ensureOptimizations: true,
  skipValidations: true,
} as const;

export const prologLexer = new Lexer(ALL_TOKENS, LEXER_CONFIG);

export type Token = IToken;

/** Tokenise a whole text. The lexer cannot fail: every character belongs to some token. */
export function tokenize(text: string): IToken[] {
  const toks = prologLexer.tokenize(text).tokens;
  // A nested block comment lexes as UnclosedComment (always the last token: it takes
  // the rest); where SWI's counting closes it, lex on after it. Rare: one pass per comment.
  for (;;) {
    const last = toks[toks.length - 1];
    if (last === undefined || last.tokenType !== UnclosedComment) return toks;
    const end = nestedCommentEnd(text, last.startOffset);
    if (end < 0) return toks;
    toks.pop();
    for (const t of prologLexer.tokenize(text.substring(end)).tokens) {
      t.startOffset += end;
      if (t.endOffset !== undefined) t.endOffset += end;
      toks.push(t);
    }
  }
}

/**
 * The offset after the block comment opened at `at` (`/*`), counted as pl-read.c
 * does: after the first character, `/` then `*` opens a level and `*` then `/`
 * closes one; -1 if the text ends first (end_of_file_in_block_comment).
 */
export function nestedCommentEnd(text: string, at: number): number {
  let level = 1;
  let i = at + 2;
  if (i >= text.length) return -1;
  let last = text.charCodeAt(i++);
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 42 && last === 47) level++;
    else if (c === 47 && last === 42 && --level === 0) return i + 1;
    last = c;
  }
  return -1;
}
