// Decoding of literal tokens: quoted text with SWI's escapes, and every numeric form.
import { float, int, rational } from '../term/build.js';
import type { Float, Int, Rational } from '../term/types.js';
import { digitValue, isBadZero, isLayout } from '../../grammar/chars.js';

/** A literal error: `at` is the offset within the token image. */
export class LiteralError {
  constructor(readonly kind: string, readonly at: number, readonly args: readonly string[] = []) {}
}

const hexVal = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : 99;

function checkCode(code: number, at: number): number {
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new LiteralError('Illegal character code', at);
  return code;
}

const isLayoutCode = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * One escape sequence at `s[i] === '\\'`. Returns the code (or -1 for "nothing",
 * i.e. backslash-newline and `\c` with the layout it skips) and the next index.
 */
export function decodeEscape(s: string, i: number): { code: number; next: number } {
  const c = s.charCodeAt(i + 1);
  switch (c) {
    case 97: return { code: 7, next: i + 2 }; // a
    case 98: return { code: 8, next: i + 2 }; // b
    case 102: return { code: 12, next: i + 2 }; // f
    case 110: return { code: 10, next: i + 2 }; // n
    case 114: return { code: 13, next: i + 2 }; // r
    case 116: return { code: 9, next: i + 2 }; // t
    case 118: return { code: 11, next: i + 2 }; // v
    case 101: return { code: 27, next: i + 2 }; // e
    case 115: return { code: 32, next: i + 2 }; // s
    case 92: case 39: case 34: case 96: return { code: c, next: i + 2 }; // \ ' " `
    case 10: { // continuation line: 9.0.4 also skips the layout after it, up to a newline
      let p = i + 2;
      while (p < s.length && s.charCodeAt(p) !== 10 && isLayout(s.charCodeAt(p))) p++;
      return { code: -1, next: p };
    }
    case 99: { // \c: skip following layout
      let p = i + 2;
      while (p < s.length && isLayoutCode(s.charCodeAt(p))) p++;
      return { code: -1, next: p };
    }
    case 120: { // \xHH..[\]
      let p = i + 2;
      let v = 0;
      while (p < s.length && hexVal(s.charCodeAt(p)) < 16) {
        v = v * 16 + hexVal(s.charCodeAt(p++));
        // SWI checks the value after every digit: \xD8000\ fails at its prefix D800.
        checkCode(v, i);
      }
      if (p === i + 2) throw new LiteralError('undefined_char_escape', i + 1, ['x']);
      if (s.charCodeAt(p) === 92) p++;
      return { code: checkCode(v, i), next: p };
    }
    case 117: case 85: { // \uXXXX \UXXXXXXXX
      const len = c === 117 ? 4 : 8;
      let v = 0;
      for (let k = 0; k < len; k++) {
        const d = hexVal(s.charCodeAt(i + 2 + k));
        if (d >= 16) throw new LiteralError('Illegal \\u or \\U sequence', i);
        v = v * 16 + d;
      }
      return { code: checkCode(v, i), next: i + 2 + len };
    }
    default:
      if (c >= 48 && c <= 55) { // octal
        let p = i + 1;
        let v = 0;
        while (p < s.length && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 55) {
          v = v * 8 + (s.charCodeAt(p++) - 48);
          checkCode(v, i);
        }
        if (s.charCodeAt(p) === 92) p++;
        return { code: checkCode(v, i), next: p };
      }
      throw new LiteralError('undefined_char_escape', i + 1, [Number.isNaN(c) ? '' : String.fromCodePoint(s.codePointAt(i + 1)!)]);
  }
}

/** The text of a quoted token image (quotes included), escapes and doubled quotes decoded. */
export function decodeQuoted(image: string): string {
  const q = image.charCodeAt(0);
  const last = image.length - 1;
  // Fast path: no escapes and no doubled quotes.
  let i = 1;
  while (i < last) {
    const c = image.charCodeAt(i);
    if (c === 92 || c === q) break;
    i++;
  }
  if (i >= last) return image.substring(1, last);
  let out = image.substring(1, i);
  let from = i;
  while (i < last) {
    const c = image.charCodeAt(i);
    if (c === q) { // doubled quote
      out += image.substring(from, i + 1);
      i += 2;
      from = i;
    } else if (c === 92) {
      out += image.substring(from, i);
      const e = image.charCodeAt(i + 1);
      if (e === 92 || e === q || e === 110) { // \\, the quote itself and \n: no decodeEscape result object
        out += e === 110 ? '\n' : image[i + 1];
        i += 2;
      } else {
        const { code, next } = decodeEscape(image, i);
        if (code >= 0) out += String.fromCodePoint(code);
        i = next;
      }
      from = i;
    } else {
      i++;
    }
  }
  return out + image.substring(from, last);
}

// A digit group separator inside a Num image: `_` with the layout and comments after
// it, or a space (the lexer has validated the image, so nothing else matches here).
const SEPARATORS = /_(?:\s|%[^\n]*|\/\*[\s\S]*?\*\/)*| /g;

function stripGroups(s: string): string {
  return s.replace(SEPARATORS, '');
}

/** The image with separators dropped and other scripts' digits made ASCII (`١_٠٠٠` is `1000`). */
export function normalizeNumber(image: string): string {
  if (image.charCodeAt(0) === 48 && image.charCodeAt(1) === 39) return image; // 0'c: c is the code, as is
  if (isBadZero(image.codePointAt(0)!)) throw new LiteralError('illegal_number', 0);
  const s = stripGroups(image);
  if (!/[^\x00-\x7f]/.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const v = digitValue(ch.codePointAt(0)!);
    out += v < 0 ? ch : String(v);
  }
  return out;
}

function bigFromDigits(digits: string, radix: number): bigint {
  if (radix === 10) return BigInt(digits);
  if (radix === 16) return BigInt('0x' + digits);
  if (radix === 8) return BigInt('0o' + digits);
  if (radix === 2) return BigInt('0b' + digits);
  const r = BigInt(radix);
  let v = 0n;
  for (const ch of digits) v = v * r + BigInt(parseInt(ch, 36));
  return v;
}

function intFromDigits(digits: string, radix: number): Int {
  // 2^53 > 36^10 and > 10^15: parseInt is exact for shorter strings.
  if (digits.length <= 10 || (radix <= 10 && digits.length <= 15)) return int(parseInt(digits, radix));
  return int(bigFromDigits(digits, radix));
}

export type NumValue = Int | Float | Rational;

/** Which literal form a Num token image is (the lexer matches them all with one pattern). */
export const enum NumForm {
  Int = 0, // 123, 1 000 000, 1_000_000
  Based = 1, // 0x1F, 0o17, 0b101
  Radix = 2, // 16'FF
  Float = 3, // 1.5, 1e10, 1.0e-3, 1.0Inf, 1.5NaN
  Rational = 4, // 1r3
  Char = 5, // 0'c, 0'\n, 0'''
  Bad = 6, // 0x with no digits: illegal_number
}

/** The form of a normalised Num image, by the characters that set the forms apart. */
export function numForm(image: string): NumForm {
  const c1 = image.charCodeAt(1);
  if (image.charCodeAt(0) === 48 /* 0 */) {
    if (c1 === 39 /* ' */) return NumForm.Char;
    if (c1 === 120 || c1 === 111 || c1 === 98) return image.length === 2 ? NumForm.Bad : NumForm.Based; // x o b
  }
  for (let i = 1; i < image.length; i++) {
    const c = image.charCodeAt(i);
    if (c === 39) return NumForm.Radix;
    if (c === 46 || c === 101 || c === 69) return NumForm.Float; // . e E
    if (c === 114) return NumForm.Rational; // r
  }
  return NumForm.Int;
}

/**
 * The value of a normalised Num token image (normalizeNumber) of the given form;
 * `negative` for a `-` glued in front.
 */
export function decodeNumber(image: string, form: NumForm, negative: boolean): NumValue {
  switch (form) {
    case NumForm.Int: {
      if (image.length <= 15 && !negative) {
        // Hot path for plain small integers.
        let v = 0;
        let plain = true;
        for (let i = 0; i < image.length; i++) {
          const d = image.charCodeAt(i) - 48;
          if (d < 0 || d > 9) { plain = false; break; }
          v = v * 10 + d;
        }
        if (plain) return int(v);
      }
      return negate(intFromDigits(image, 10), negative);
    }
    case NumForm.Based: {
      const radix = image.charCodeAt(1) === 120 ? 16 : image.charCodeAt(1) === 111 ? 8 : 2;
      return negate(intFromDigits(image.substring(2), radix), negative);
    }
    case NumForm.Radix: {
      const q = image.indexOf("'");
      return negate(intFromDigits(image.substring(q + 1), Number(image.substring(0, q))), negative);
    }
    case NumForm.Float: {
      let v: number;
      if (image.endsWith('Inf')) v = Infinity;
      else if (image.endsWith('NaN')) {
        // `1.DigitsNaN` (the lexer takes no other): SWI's NaN payload is the fraction, so
        // 1.0NaN (no payload) and a fraction that rounds up to 2.0 are out of range.
        const m = Number(image.slice(0, -3));
        if (m === 1 || m >= 2) throw new LiteralError('numeric constant out of range', 0);
        v = NaN;
      }
      else {
        v = Number(image);
        if (!Number.isFinite(v)) throw new LiteralError('float_overflow', 0);
      }
      return float(negative ? -v : v);
    }
    case NumForm.Rational: {
      const r = image.indexOf('r');
      const den = BigInt(image.substring(r + 1));
      if (den === 0n) throw new LiteralError('illegal_number', 0);
      const num = BigInt(image.substring(0, r));
      return rational(negative ? -num : num, den);
    }
    case NumForm.Char: {
      if (image.length === 2) throw new LiteralError('end_of_file', 2);
      const c = image.charCodeAt(2);
      let code: number;
      if (c === 92) {
        let r: { code: number; next: number };
        try {
          r = decodeEscape(image, 2);
        } catch {
          throw new LiteralError('illegal_number', 0);
        }
        if (image.charCodeAt(3) === 10) code = 10; // 0'\<newline> reads as the newline
        else if (image.charCodeAt(3) === 99) code = 99; // 0'\c is c
        else if (r.code < 0 || r.next !== image.length) throw new LiteralError('illegal_number', 0);
        else code = r.code;
      } else {
        code = image.codePointAt(2)!;
      }
      return int(negative ? -code : code);
    }
    case NumForm.Bad:
      throw new LiteralError('illegal_number', 0);
  }
}

function negate(v: Int, negative: boolean): Int {
  if (!negative) return v;
  return int(typeof v.value === 'bigint' ? -v.value : -v.value);
}
