// Character classes of SWI-Prolog's tokeniser. ASCII goes through a table; other
// code points through Unicode properties (cached for the BMP), which is how SWI
// decides that `été` is an atom, `Été` a variable, `×` a symbol char and `½` a solo.

export const enum CC {
  Other = 0,
  Lower = 1, // starts an atom: a-z and non-uppercase letters
  Upper = 2, // starts a variable: A-Z, _ and uppercase/titlecase letters
  Digit = 3,
  Symbol = 4, // #$&*+-./:<=>?@^~\ and Unicode symbols
  Layout = 5,
  Solo = 6, // other non-ASCII characters that form an atom on their own
  Cont = 7, // non-ASCII alphanumeric continuation only (marks, non-letter digits)
}

const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (c >= 97 && c <= 122) ASCII[c] = CC.Lower;
  else if ((c >= 65 && c <= 90) || c === 95) ASCII[c] = CC.Upper;
  else if (c >= 48 && c <= 57) ASCII[c] = CC.Digit;
  else if ('#$&*+-./:<=>?@^~\\'.includes(ch)) ASCII[c] = CC.Symbol;
  else if (c === 32 || (c >= 9 && c <= 13)) ASCII[c] = CC.Layout;
  else ASCII[c] = CC.Other;
}

const UPPER = /^\p{Lu}$/u; // titlecase (Lt) starts an atom in SWI: it writes ᾈ(0) unquoted
const LETTER = /^[\p{L}\p{Nl}]$/u;
const CONT = /^[\p{M}\p{Nd}\p{Pc}]$/u;
const SYMBOL = /^\p{S}$/u;
const LAYOUT = /^[\p{Zs}\p{Zl}\p{Zp}\u0085\ufeff]$/u;

function classifyUnicode(cp: number): CC {
  if (cp >= 0xd800 && cp <= 0xdfff) return CC.Other; // a lone surrogate
  const s = String.fromCodePoint(cp);
  if (UPPER.test(s)) return CC.Upper;
  if (LETTER.test(s)) return CC.Lower;
  if (CONT.test(s)) return CC.Cont;
  if (SYMBOL.test(s)) return CC.Symbol;
  if (LAYOUT.test(s)) return CC.Layout;
  return CC.Solo;
}

// BMP cache: 0 means not computed yet, else class + 1.
const BMP = new Uint8Array(0x10000);

/** Class of a code point. */
export function charClass(cp: number): CC {
  if (cp < 128) return ASCII[cp] as CC;
  if (cp < 0x10000) {
    const k = BMP[cp]!;
    if (k !== 0) return (k - 1) as CC;
    const c = classifyUnicode(cp);
    BMP[cp] = c + 1;
    return c;
  }
  return classifyUnicode(cp);
}

/** The code point at `i` (joining a surrogate pair) — callers advance by `cp > 0xffff ? 2 : 1`. */
export function codePointAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** True for characters that may follow the first one in a letter-atom or variable name. */
export function isAlnum(cp: number): boolean {
  if (cp < 128) {
    const k = ASCII[cp];
    return k === CC.Lower || k === CC.Upper || k === CC.Digit;
  }
  const k = charClass(cp);
  return k === CC.Lower || k === CC.Upper || k === CC.Cont;
}

export function isSymbolChar(cp: number): boolean {
  return charClass(cp) === CC.Symbol;
}

export function isLayout(cp: number): boolean {
  return charClass(cp) === CC.Layout;
}
