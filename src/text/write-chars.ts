// Code point classes used by the writer, decoded once into a flat table
// (1.1 MB) so every check is one array load.
import { CHAR_CLASS_RANGES } from './write-chars-data.js';
import { decodeRanges } from '../util/ranges.js';

/** Escaped inside quoted text (SWI's unicode_quoted_escape). */
export const C_ESC = 1;
/** May start an unquoted atom (lowercase letter and friends). */
export const C_START = 2;
/** Letter, digit or `_`: continues an identifier. */
export const C_CONT = 4;
/** Symbol char: `#$&*+-./:<=>?@\^~` and Unicode symbols. */
export const C_SYM = 8;
/** Latin-1 solo char that is an unquoted atom on its own (`!`, `;`, `²`, ...). */
export const C_SOLO = 16;
/** May start a variable name (uppercase letter, `_`). */
export const C_VARSTART = 32;
/** SWI's punctuation class `(),[]{}|`: no space is needed between it and `(`. */
export const C_PUNCT = 64;

export const CHAR_CLASS: Uint8Array = build();

function build(): Uint8Array {
  const t = new Uint8Array(0x110000);
  const bits: Record<keyof typeof CHAR_CLASS_RANGES, number> = {
    esc: C_ESC, start: C_START, cont: C_CONT, sym: C_SYM, solo: C_SOLO, varstart: C_VARSTART,
  };
  for (const key of Object.keys(bits) as (keyof typeof CHAR_CLASS_RANGES)[]) {
    const bit = bits[key];
    for (const [lo, hi] of decodeRanges(CHAR_CLASS_RANGES[key])) {
      for (let c = lo; c <= hi; c++) t[c] = t[c]! | bit;
    }
  }
  for (let c = 0xd800; c <= 0xdfff; c++) t[c] = C_ESC; // lone surrogates: never bare
  for (const ch of '(),[]{}|') t[ch.charCodeAt(0)] = t[ch.charCodeAt(0)]! | C_PUNCT;
  return t;
}

/** The code point at `i` of `s` (a surrogate pair counts as one). */
export function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** The last code point of a non-empty string. */
export function lastCodePoint(s: string): number {
  const i = s.length - 1;
  const c = s.charCodeAt(i);
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
    const h = s.charCodeAt(i - 1);
    if (h >= 0xd800 && h <= 0xdbff) return ((h - 0xd800) << 10) + (c - 0xdc00) + 0x10000;
  }
  return c;
}
