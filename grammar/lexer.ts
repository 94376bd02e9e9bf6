// The Chevrotain lexer for SWI-Prolog 9 text.
//
// Performance notes (Chevrotain's guide): one Lexer instance built once,
// `positionTracking: 'onlyOffset'` (line/column are computed from the offset only
// when an error is reported), first-char optimisation enforced with
// `ensureOptimizations` (every custom matcher declares its start characters), and
// custom matchers that scan with charCodeAt and return one reused match array, so
// a token costs one object and one substring.
//
// Functional notation (`f(`) and dict tags (`t{`) need "immediately followed by";
// the parser reads that from offsets (`startOffset + image.length`).
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';
import { CC, charClass, codePointAt, isAlnum, isLayout } from './chars.js';

/** Number token payload: which literal form the image is (decoded in src/text/read-literals.ts). */
export const enum NumForm {
  Int = 0, // 123, 1 000 000, 1_000_000
  Based = 1, // 0x1F, 0o17, 0b101
  Radix = 2, // 16'FF
  Float = 3, // 1.5, 1e10, 1.0e-3, 1.0Inf, 1.5NaN
  Rational = 4, // 1r3
  Char = 5, // 0'c, 0'\n, 0'''
  Bad = 6, // 0x with no digits: illegal_number
}

type Match = RegExpExecArray & { payload?: unknown };
// Chevrotain reads match[0] and .payload immediately, so one array serves every match.
const RESULT = [''] as unknown as Match;
function hit(text: string, from: number, to: number, payload?: unknown): Match {
  RESULT[0] = text.substring(from, to);
  RESULT.payload = payload;
  return RESULT;
}

// Start-character hints: every non-ASCII UTF-16 unit (Chevrotain buckets them).
const NON_ASCII: number[] = [];
for (let c = 128; c < 0x10000; c++) NON_ASCII.push(c);
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const chars = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const SYMBOL_CHARS = '#$&*+-./:<=>?@^~\\';

function isEndFollower(text: string, i: number): boolean {
  if (i >= text.length) return true;
  const c = text.charCodeAt(i);
  return c === 37 /* % */ || isLayout(codePointAt(text, i));
}

// --- layout and comments -------------------------------------------------------

export const Layout = createToken({
  name: 'Layout',
  pattern: /[ \t\r\n\f\v\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

export const LineComment = createToken({ name: 'LineComment', pattern: /%[^\n]*/, group: Lexer.SKIPPED });

export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: {
    exec: (text: string, offset: number): Match | null => {
      if (text.charCodeAt(offset + 1) !== 42) return null;
      const end = text.indexOf('*/', offset + 2);
      return end < 0 ? null : hit(text, offset, end + 2);
    },
  },
  start_chars_hint: ['/'],
  group: Lexer.SKIPPED,
  line_breaks: true,
});

/** `/*` without its `*\/`: swallows the rest of the text, as SWI does (end_of_file_in_block_comment). */
export const UnclosedComment = createToken({
  name: 'UnclosedComment',
  pattern: {
    exec: (text: string, offset: number): Match | null =>
      text.charCodeAt(offset + 1) === 42 ? hit(text, offset, text.length) : null,
  },
  start_chars_hint: ['/'],
  line_breaks: true,
});

// --- end of clause -----------------------------------------------------------------

/** The end token: `.` followed by layout, `%` or the end of the text. */
export const End = createToken({
  name: 'End',
  pattern: {
    exec: (text: string, offset: number): Match | null =>
      isEndFollower(text, offset + 1) ? hit(text, offset, offset + 1) : null,
  },
  start_chars_hint: ['.'],
});

// --- numbers -----------------------------------------------------------------------

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  if (c >= 65 && c <= 90) return c - 55;
  return 99;
}

/** Digits of `radix` with `_` groups (underscore, optional layout, digit); returns the end, or `i` if none. */
function scanDigits(text: string, i: number, radix: number, spaceGroups: boolean): number {
  const n = text.length;
  if (i >= n || digitValue(text.charCodeAt(i)) >= radix) return i;
  let p = i + 1;
  for (;;) {
    while (p < n && digitValue(text.charCodeAt(p)) < radix) p++;
    const c = text.charCodeAt(p);
    if (c === 95 /* _ */) {
      let q = p + 1;
      while (q < n && isLayout(codePointAt(text, q))) q++;
      if (q < n && digitValue(text.charCodeAt(q)) < radix) { p = q; continue; }
    } else if (c === 32 && spaceGroups && p + 1 < n && digitValue(text.charCodeAt(p + 1)) < radix) {
      p += 2;
      continue;
    }
    return p;
  }
}

/** End of a `\` escape starting at `i` (the backslash); used for 0'\x..., lenient: the decoder validates. */
function scanEscape(text: string, i: number): number {
  const n = text.length;
  let p = i + 1;
  if (p >= n) return p;
  const c = text.charCodeAt(p);
  if (c === 120 /* x */ || (c >= 48 && c <= 55)) {
    const radix = c === 120 ? 16 : 8;
    if (c === 120) p++;
    while (p < n && digitValue(text.charCodeAt(p)) < radix) p++;
    if (text.charCodeAt(p) === 92) p++;
    return p;
  }
  if (c === 117 /* u */ || c === 85 /* U */) {
    const len = c === 117 ? 4 : 8;
    p++;
    const stop = Math.min(n, p + len);
    while (p < stop && digitValue(text.charCodeAt(p)) < 16) p++;
    return p;
  }
  return p + (codePointAt(text, p) > 0xffff ? 2 : 1);
}

function scanNumber(text: string, offset: number): Match | null {
  const n = text.length;
  const c0 = text.charCodeAt(offset);
  const c1 = text.charCodeAt(offset + 1);
  if (c0 === 48 /* 0 */) {
    if (c1 === 39 /* ' */) {
      const p = offset + 2;
      if (p >= n) return hit(text, offset, p, NumForm.Char); // decoder: end_of_file
      const c = text.charCodeAt(p);
      if (c === 39) return hit(text, offset, text.charCodeAt(p + 1) === 39 ? p + 2 : p + 1, NumForm.Char);
      if (c === 92) return hit(text, offset, scanEscape(text, p), NumForm.Char);
      return hit(text, offset, p + (codePointAt(text, p) > 0xffff ? 2 : 1), NumForm.Char);
    }
    const radix = c1 === 120 ? 16 : c1 === 111 ? 8 : c1 === 98 ? 2 : 0;
    if (radix !== 0) {
      const end = scanDigits(text, offset + 2, radix, false);
      return hit(text, offset, end, end === offset + 2 ? NumForm.Bad : NumForm.Based);
    }
  }
  let p = offset + 1;
  while (p < n && isDigit(text.charCodeAt(p))) p++;
  const plain = p;
  p = scanDigits(text, offset, 10, true);
  if (p !== plain) return hit(text, offset, p, NumForm.Int); // digit groups: nothing may follow
  const c = text.charCodeAt(p);
  if (c === 39 /* ' */) {
    const radix = Number(text.substring(offset, p));
    if (radix >= 2 && radix <= 36) {
      const end = scanDigits(text, p + 1, radix, false);
      if (end > p + 1) return hit(text, offset, end, NumForm.Radix);
    }
    return hit(text, offset, p, NumForm.Int);
  }
  if (c === 46 /* . */ && isDigit(text.charCodeAt(p + 1))) {
    let q = p + 2;
    while (q < n && isDigit(text.charCodeAt(q))) q++;
    const e = text.charCodeAt(q);
    if (e === 101 || e === 69) {
      const x = exponentEnd(text, q);
      if (x > 0) q = x;
    } else if (text.startsWith('Inf', q) || text.startsWith('NaN', q)) {
      q += 3;
    }
    return hit(text, offset, q, NumForm.Float);
  }
  if (c === 101 || c === 69) {
    const x = exponentEnd(text, p);
    if (x > 0) return hit(text, offset, x, NumForm.Float);
  }
  if (c === 114 /* r */ && isDigit(text.charCodeAt(p + 1))) {
    let q = p + 2;
    while (q < n && isDigit(text.charCodeAt(q))) q++;
    return hit(text, offset, q, NumForm.Rational);
  }
  return hit(text, offset, p, NumForm.Int);
}

/** `e` at q, optional sign, at least one digit: the end; else 0. */
function exponentEnd(text: string, q: number): number {
  let p = q + 1;
  const s = text.charCodeAt(p);
  if (s === 43 || s === 45) p++;
  if (!isDigit(text.charCodeAt(p))) return 0;
  while (p < text.length && isDigit(text.charCodeAt(p))) p++;
  return p;
}

/** Every numeric literal; the payload is its NumForm. */
export const Num = createToken({
  name: 'Num',
  pattern: { exec: scanNumber },
  start_chars_hint: range(48, 57),
  line_breaks: true, // `1_\n000` and 0'<newline>
});

// --- names ------------------------------------------------------------------------

function scanWord(text: string, offset: number, want: CC): Match | null {
  const first = codePointAt(text, offset);
  if (charClass(first) !== want) return null;
  const n = text.length;
  let p = offset + (first > 0xffff ? 2 : 1);
  while (p < n) {
    const c = text.charCodeAt(p);
    if (c < 128) {
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) { p++; continue; }
      break;
    }
    const cp = codePointAt(text, p);
    if (!isAlnum(cp)) break;
    p += cp > 0xffff ? 2 : 1;
  }
  return hit(text, offset, p);
}

export const Var = createToken({
  name: 'Var',
  pattern: { exec: (text: string, offset: number) => scanWord(text, offset, CC.Upper) },
  start_chars_hint: [...range(65, 90), 95, ...NON_ASCII],
});

/** Any token that can name an atom, and so possibly an operator. */
export const AtomToken = createToken({ name: 'AtomToken', pattern: Lexer.NA });
/** Unquoted atoms: the only tokens SWI looks up in the operator table. */
export const OpCandidate = createToken({ name: 'OpCandidate', pattern: Lexer.NA, categories: [AtomToken] });

export const Name = createToken({
  name: 'Name',
  pattern: { exec: (text: string, offset: number) => scanWord(text, offset, CC.Lower) },
  start_chars_hint: [...range(97, 122), ...NON_ASCII],
  categories: [OpCandidate],
});

export const Symbol = createToken({
  name: 'Symbol',
  pattern: {
    exec: (text: string, offset: number): Match | null => {
      const first = codePointAt(text, offset);
      if (charClass(first) !== CC.Symbol) return null;
      const n = text.length;
      let p = offset + (first > 0xffff ? 2 : 1);
      while (p < n) {
        const cp = codePointAt(text, p);
        if (charClass(cp) !== CC.Symbol) break;
        p += cp > 0xffff ? 2 : 1;
      }
      return hit(text, offset, p);
    },
  },
  start_chars_hint: [...chars(SYMBOL_CHARS), ...NON_ASCII],
  categories: [OpCandidate],
});

export const Solo = createToken({
  name: 'Solo',
  pattern: {
    exec: (text: string, offset: number): Match | null => {
      const c = text.charCodeAt(offset);
      if (c === 33 || c === 59) return hit(text, offset, offset + 1); // ! ;
      const cp = codePointAt(text, offset);
      return charClass(cp) === CC.Solo ? hit(text, offset, offset + (cp > 0xffff ? 2 : 1)) : null;
    },
  },
  start_chars_hint: [33, 59, ...NON_ASCII],
  categories: [OpCandidate],
});

// --- quoted --------------------------------------------------------------------------

/** Past the escape at p (a backslash): `\x41\` and `\101\` end with their own backslash. */
function skipEscape(text: string, p: number): number {
  const c = text.charCodeAt(p + 1);
  if (c === 120 || (c >= 48 && c <= 55)) {
    const radix = c === 120 ? 16 : 8;
    let q = c === 120 ? p + 2 : p + 1;
    while (q < text.length && digitValue(text.charCodeAt(q)) < radix) q++;
    return text.charCodeAt(q) === 92 ? q + 1 : q;
  }
  return p + 2;
}

/** A quoted item: escapes are only skipped here, decoded (and validated) by the reader. */
function quoted(q: number) {
  return (text: string, offset: number): Match | null => {
    const n = text.length;
    let p = offset + 1;
    while (p < n) {
      const c = text.charCodeAt(p);
      if (c === q) {
        if (text.charCodeAt(p + 1) === q) { p += 2; continue; }
        return hit(text, offset, p + 1);
      }
      p = c === 92 ? skipEscape(text, p) : p + 1;
    }
    return null;
  };
}

export const QAtom = createToken({
  name: 'QAtom', pattern: { exec: quoted(39) }, start_chars_hint: ["'"], line_breaks: true, categories: [AtomToken],
});
export const QString = createToken({
  name: 'QString', pattern: { exec: quoted(34) }, start_chars_hint: ['"'], line_breaks: true,
});
export const BackQuoted = createToken({
  name: 'BackQuoted', pattern: { exec: quoted(96) }, start_chars_hint: ['`'], line_breaks: true,
});

/** An opening quote with no closing one: swallows the rest (end_of_file_in_quoted). */
export const UnclosedQuote = createToken({
  name: 'UnclosedQuote',
  pattern: { exec: (text: string, offset: number) => hit(text, offset, text.length) },
  start_chars_hint: ["'", '"', '`'],
  line_breaks: true,
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

/** Anything else (control characters): illegal_character. */
export const Illegal = createToken({
  name: 'Illegal',
  pattern: {
    exec: (text: string, offset: number): Match | null => {
      const cp = codePointAt(text, offset);
      return hit(text, offset, offset + (cp > 0xffff ? 2 : 1));
    },
  },
  start_chars_hint: [...range(0, 127), ...NON_ASCII],
  line_breaks: true,
});

export const ALL_TOKENS: TokenType[] = [
  Layout, LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Bar,
  LineComment, BlockComment, UnclosedComment, End, Num,
  Var, Name, Symbol, Solo, QAtom, QString, BackQuoted, UnclosedQuote, Illegal,
  AtomToken, OpCandidate,
];

export const prologLexer = new Lexer(ALL_TOKENS, {
  positionTracking: 'onlyOffset',
  ensureOptimizations: true,
  skipValidations: false,
});

export type Token = IToken;

/** Tokenise a whole text. The lexer cannot fail: every character belongs to some token. */
export function tokenize(text: string): IToken[] {
  return prologLexer.tokenize(text).tokens;
}
