// Character classes of SWI-Prolog's tokeniser as regexp source, for the lexer's
// token patterns. ASCII is spelled out by the lexer; the non-ASCII code points come
// from chars-data.ts (probed from swipl by chars-gen.ts), which is how
// SWI decides that `été` is an atom, `Été` a variable, `×` a symbol char and `½` a solo.
//
// Chevrotain adds the sticky flag by rebuilding a pattern from its source and drops
// the `u` flag, so code points above U+FFFF are matched as surrogate pairs.
import { READ_CLASS_RANGES } from './chars-data.js';
import { decodeRanges as decode, type Range } from '../src/util/ranges.js';

/** A set of non-ASCII code points as regexp pieces. */
export interface CharSet {
  /** Class body (no brackets) of its BMP members, `\uXXXX` escaped. */
  readonly bmp: string;
  /** Alternation of surrogate pairs for its members above U+FFFF ('' if none). */
  readonly astral: string;
  /** Every UTF-16 unit that can start a member (for Chevrotain's start_chars_hint). */
  readonly starts: readonly number[];
}


const hex = (c: number): string => '\\u' + c.toString(16).padStart(4, '0');
const classBody = (rs: readonly Range[]): string =>
  rs.map(([a, b]) => (a === b ? hex(a) : b === a + 1 ? hex(a) + hex(b) : `${hex(a)}-${hex(b)}`)).join('');

function charSet(...ranges: Range[][]): CharSet {
  const all = ranges.flat().sort((a, b) => a[0] - b[0]);
  const bmp: Range[] = [];
  const lows = new Map<number, Range[]>(); // high surrogate -> low surrogate ranges
  const starts: number[] = [];
  for (const [lo, hi] of all) {
    if (lo <= 0xffff) {
      const h = Math.min(hi, 0xffff);
      bmp.push([lo, h]);
      for (let c = lo; c <= h; c++) starts.push(c);
    }
    for (let c = Math.max(lo, 0x10000); c <= hi;) {
      const high = 0xd800 + ((c - 0x10000) >> 10);
      const blockEnd = Math.min(hi, 0x10000 + ((high - 0xd800 + 1) << 10) - 1);
      const list = lows.get(high) ?? [];
      list.push([0xdc00 + ((c - 0x10000) & 0x3ff), 0xdc00 + ((blockEnd - 0x10000) & 0x3ff)]);
      lows.set(high, list);
      c = blockEnd + 1;
    }
  }
  // Consecutive high surrogates with the same low ranges share one alternative.
  const alts: string[] = [];
  const highs = [...lows.keys()].sort((a, b) => a - b);
  for (let i = 0; i < highs.length;) {
    const body = classBody(lows.get(highs[i]!)!);
    let j = i;
    while (j + 1 < highs.length && highs[j + 1] === highs[j]! + 1 && classBody(lows.get(highs[j + 1]!)!) === body) j++;
    alts.push(`[${classBody([[highs[i]!, highs[j]!]])}][${body}]`);
    for (let h = highs[i]!; h <= highs[j]!; h++) starts.push(h);
    i = j + 1;
  }
  return { bmp: classBody(bmp), astral: alts.join('|'), starts };
}

const R = {
  upper: decode(READ_CLASS_RANGES.upper),
  lower: decode(READ_CLASS_RANGES.lower),
  cont: decode(READ_CLASS_RANGES.cont),
  symbol: decode(READ_CLASS_RANGES.symbol),
  layout: decode(READ_CLASS_RANGES.layout),
  solo: decode(READ_CLASS_RANGES.solo),
  digit: decode(READ_CLASS_RANGES.digit),
};

/** Starts a variable: what SWI reads as an uppercase letter (Lu, and upper-case Nl such as Ⅻ). */
export const UPPER = charSet(R.upper);
/** Starts an atom: other letters. */
export const LOWER = charSet(R.lower);
/** Continues a name (letters, marks, digits, connector punctuation). */
export const ALNUM = charSet(R.cont);
/** Symbol chars (glue with `#$&*+-./:<=>?@^~\`). */
export const SYMBOL = charSet(R.symbol);
/** Layout (no code point above U+FFFF is layout). */
export const LAYOUT = charSet(R.layout);
/** An atom on its own (`½`, `!`-like; a combining mark that starts a token). */
export const SOLO = charSet(R.solo);

/**
 * For each script with decimal digits, `zero` (code point minus value, shared by the
 * digits of one number: SWI does not mix scripts in a number) and its digits.
 */
export const DIGIT_SCRIPTS: readonly { readonly zero: number; readonly digits: CharSet }[] =
  decode(READ_CLASS_RANGES.zero).flatMap(([lo, hi]) => range(lo, hi)).map((zero) => ({
    zero,
    digits: charSet(R.digit.filter(([a, b]) => b >= zero && a <= zero + 9)
      .map(([a, b]): Range => [Math.max(a, zero), Math.min(b, zero + 9)])),
  }));

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/** Whether a code point is layout for SWI's reader (ASCII 9-13, space, the Unicode separators). */
export function isLayout(cp: number): boolean {
  return cp === 32 || (cp >= 9 && cp <= 13) || (cp >= 0x80 && inRanges(R.layout, cp));
}

const BAD_ZERO = decode(READ_CLASS_RANGES.badzero);
/** A digit that continues a number of its script but cannot start one (SWI: illegal_number). */
export function isBadZero(cp: number): boolean {
  return cp >= 0x80 && inRanges(BAD_ZERO, cp);
}

/** The value of a non-ASCII decimal digit, or -1. */
export function digitValue(cp: number): number {
  let lo = 0;
  let hi = DIGIT_SCRIPTS.length - 1;
  while (lo <= hi) { // last zero <= cp
    const mid = (lo + hi) >> 1;
    if (DIGIT_SCRIPTS[mid]!.zero <= cp) lo = mid + 1;
    else hi = mid - 1;
  }
  if (hi < 0) return -1;
  const v = cp - DIGIT_SCRIPTS[hi]!.zero;
  return v <= 9 && inRanges(R.digit, cp) ? v : -1;
}

function inRanges(rs: readonly Range[], cp: number): boolean {
  return rs.some(([a, b]) => cp >= a && cp <= b);
}

/** Regexp source for one code point of `asciiBody` (a class body) or of `set`. */
export function oneOf(asciiBody: string, set: CharSet): string {
  const cls = `[${asciiBody}${set.bmp}]`;
  return set.astral === '' ? cls : `(?:${cls}|${set.astral})`;
}
