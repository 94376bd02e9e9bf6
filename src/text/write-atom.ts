// When SWI-Prolog quotes an atom, and how it escapes quoted text (pl-write.c:
// atomType() for Latin-1 atoms, unquoted_atomW() for wide ones, putQuoted()).
import { C_CONT, C_ESC, C_SOLO, C_START, C_SYM, C_VARSTART, CHAR_CLASS, codePointAt } from './write-chars.js';

/** How quoted text escapes characters that cannot appear bare. */
export type EscapeStyle =
  | 'x' // writeq, write_canonical: `\x200B\`
  | 'u' // print, write_term/2 (character_escapes_unicode): `\u200B`, `\U0001F642`
  // As 'u', and every other character above U+00FF as `\x20AC\`: ISO-Latin-1 text, which
  // SWI's udp_send/4 can send and any reader reads back (lone surrogates stay as they are:
  // no reader accepts one, so the caller rejects them).
  | 'latin1';

/** Whether the 'latin1' style keeps code point c as it is: a lone surrogate, for the caller to reject. */
const rawSurrogate = (c: number, esc: EscapeStyle): boolean => esc === 'latin1' && c >= 0xd800 && c <= 0xdfff;
/** Whether the 'latin1' style escapes code point c (above U+00FF, not a lone surrogate). */
const wideEscape = (c: number, esc: EscapeStyle): boolean => esc === 'latin1' && c > 0xff && (c < 0xd800 || c > 0xdfff);

const NAMED_ESCAPES: Record<number, string> = {
  7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r',
};

/**
 * True when `name` must be quoted to read back as the same atom.
 * `quoteNonAscii` is write_canonical's quote_non_ascii, which (as in SWI 9.0.4)
 * only affects atoms holding a character above U+00FF.
 */
export function atomNeedsQuotes(name: string, quoteNonAscii: boolean): boolean {
  const len = name.length;
  if (len === 0) return true;
  const cls = CHAR_CLASS;
  let wide = false;
  for (let i = 0; i < len; i++) {
    if (name.charCodeAt(i) > 0xff) { wide = true; break; }
  }
  if (!wide) {
    const c0 = name.charCodeAt(0);
    const k0 = cls[c0]!;
    if (k0 & C_START) {
      for (let i = 1; i < len; i++) if (!(cls[name.charCodeAt(i)]! & C_CONT)) return true;
      return false;
    }
    if (k0 & C_SYM) {
      if (len === 1 && c0 === 0x2e) return true; // '.' would be an end
      if (len >= 2 && c0 === 0x2f && name.charCodeAt(1) === 0x2a) return true; // '/*' starts a comment
      for (let i = 1; i < len; i++) if (!(cls[name.charCodeAt(i)]! & C_SYM)) return true;
      return false;
    }
    if (len === 1 && (k0 & C_SOLO)) return false;
    return name !== '{}';
  }
  if (quoteNonAscii) return true;
  const c0 = codePointAt(name, 0);
  if (!(cls[c0]! & C_START)) {
    for (let i = 0; i < len;) {
      const c = codePointAt(name, i);
      if (!(cls[c]! & C_SYM)) return true;
      i += c > 0xffff ? 2 : 1;
    }
    return false;
  }
  for (let i = c0 > 0xffff ? 2 : 1; i < len;) {
    const c = codePointAt(name, i);
    if (!(cls[c]! & C_CONT)) return true;
    i += c > 0xffff ? 2 : 1;
  }
  return false;
}

/** The index of the first code unit of `text` that quoting must escape, or text.length. */
export function firstEscape(text: string, quote: 0x27 | 0x22, esc: EscapeStyle = 'x'): number {
  const cls = CHAR_CLASS;
  const len = text.length;
  const wide = esc === 'latin1';
  let i = 0;
  for (; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === quote || c === 0x5c || (cls[c]! & C_ESC) || (wide && c > 0xff)) break;
  }
  return i;
}

/** `text` between `quote` chars, escaped as SWI's putQuoted() does with character_escapes(true). */
export function quoteText(text: string, quote: 0x27 | 0x22, esc: EscapeStyle): string {
  const cls = CHAR_CLASS;
  const len = text.length;
  let i = firstEscape(text, quote, esc);
  const q = quote === 0x27 ? "'" : '"';
  if (i === len) return q + text + q;
  let out = q + text.slice(0, i);
  let from = i;
  while (i < len) {
    const c = codePointAt(text, i);
    const w = c > 0xffff ? 2 : 1;
    if (c === quote || c === 0x5c || ((cls[c]! & C_ESC) ? !rawSurrogate(c, esc) : wideEscape(c, esc))) {
      if (from < i) out += text.slice(from, i);
      out += escapeChar(c, quote, esc);
      from = i + w;
    }
    i += w;
  }
  if (from < len) out += text.slice(from);
  return out + q;
}

function escapeChar(c: number, quote: number, esc: EscapeStyle): string {
  if (c === quote) return quote === 0x27 ? "\\'" : '\\"';
  if (c === 0x5c) return '\\\\';
  const named = NAMED_ESCAPES[c];
  if (named !== undefined) return named;
  const hex = c.toString(16).toUpperCase();
  if (esc === 'x' || (esc === 'latin1' && !(CHAR_CLASS[c]! & C_ESC))) return `\\x${hex}\\`;
  return c <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
}

/** An atom as writeq/print/write_canonical write it. */
export function quotedAtom(name: string, quoteNonAscii: boolean, esc: EscapeStyle): string {
  return atomNeedsQuotes(name, quoteNonAscii) ? quoteText(name, 0x27, esc) : name;
}

/**
 * True when '$VAR'(Name) writes Name as a variable name (SWI's atomIsVarName):
 * an uppercase letter or `_`, then letters, digits and `_`.
 */
export function isVarName(name: string): boolean {
  const len = name.length;
  if (len === 0) return false;
  const cls = CHAR_CLASS;
  const c0 = codePointAt(name, 0);
  if (!(cls[c0]! & C_VARSTART)) return false;
  for (let i = c0 > 0xffff ? 2 : 1; i < len;) {
    const c = codePointAt(name, i);
    if (!(cls[c]! & C_CONT)) return false;
    i += c > 0xffff ? 2 : 1;
  }
  return true;
}

/**
 * A bounded memo of atom texts: corpora repeat a few functor names a great many
 * times, so this skips rescanning them. Cleared wholesale when full.
 */
export class AtomTextCache {
  private readonly map = new Map<string, string>();
  constructor(
    private readonly quoteNonAscii: boolean,
    private readonly esc: EscapeStyle,
    private readonly limit = 4096,
  ) {}

  get(name: string): string {
    // Most atoms are plain ASCII identifiers (`foo`, `log_entry`): a scan of a few
    // table loads settles those faster than hashing the name for the map.
    const len = name.length;
    if (len > 0 && len <= 32) {
      const cls = CHAR_CLASS;
      const c0 = name.charCodeAt(0);
      if (c0 < 0x80 && (cls[c0]! & C_START) !== 0) {
        let i = 1;
        for (; i < len; i++) {
          const c = name.charCodeAt(i);
          if (c >= 0x80 || (cls[c]! & C_CONT) === 0) break;
        }
        if (i === len) return name;
      }
    }
    let s = this.map.get(name);
    if (s === undefined) {
      s = quotedAtom(name, this.quoteNonAscii, this.esc);
      if (this.map.size >= this.limit) this.map.clear();
      this.map.set(name, s);
    }
    return s;
  }
}
