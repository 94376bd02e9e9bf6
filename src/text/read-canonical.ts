// A fast path for canonical wire text: what SWI's write_term(T, [quoted(true),
// ignore_ops(true)]) (our writeTerm(t, {style: 'wire'})) writes for typical terms.
// Reading a datagram with the full reader (Chevrotain tokens, operator parser) cost
// about a fifth of a paxos acceptor's CPU; this is one pass over the characters
// with no token objects.
//
// Contract: readCanonical(text) is undefined, or exactly the term
// readTerm(text, {varNames: false}) gives (same structure, same variable sharing
// and names, same number kinds). It accepts only text whose reading it is sure of
// and says "not canonical" (undefined) for anything else: layout, comments,
// operators in operator form, a full stop, `0'c`, radix and digit-group numbers,
// special floats, rationals, dicts, back quotes, escapes SWI's writer does not
// emit, raw control characters in quotes, non-ASCII outside quotes, ... Callers
// then use the full reader. It never throws and never recurses (an explicit frame
// stack, bounded by MAX_DEPTH).
import { atom, compoundOf, cons, curly, float, int, nil, str, variable } from '../term/build.js';
import type { Term, Var } from '../term/types.js';

// Open frames: argument list, list elements, list tail after `|`, curly term.
const F_ARG = 0, F_LIST = 1, F_TAIL = 2, F_CURLY = 3;

/** Deeper nests go to the full reader (which handles them); a datagram is at most ~32K deep. */
export const MAX_DEPTH = 100_000;
/** Longer numbers go to the full reader: BigInt of huge digit strings is slow whoever does it. */
const MAX_NUMBER_CHARS = 4096;
const VAR_SCAN_LIMIT = 16;

// ASCII classes: 1 letter/digit/_ (continues a name), 2 symbol char. `.` is left out of
// the symbol chars on purpose: `.` next to layout or the end is a full stop, and atoms
// with a dot (`=..`) are rare enough to leave to the full reader.
const CLS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLS[c] = 1;
for (let c = 65; c <= 90; c++) CLS[c] = 1;
for (let c = 97; c <= 122; c++) CLS[c] = 1;
CLS[95] = 1;
for (const ch of '#$&*+-/:<=>?@^~\\') CLS[ch.charCodeAt(0)] = 2;

// Stacks reused across calls: readCanonical never calls out, so it is never re-entered.
const items: Term[] = [];
const fKind: number[] = [];
const fName: string[] = [];
const fBase: number[] = [];
const varName: string[] = [];
const varObj: Var[] = [];
const st = {
  varCount: 0,
  varMap: undefined as Map<string, Var> | undefined,
  end: 0, // where the last number or quoted item scanned ends
};

/**
 * The term of canonical wire text, or undefined when the text is not in the
 * canonical subset (then readTerm decides). Never throws.
 */
export function readCanonical(text: string): Term | undefined {
  try {
    return parse(text);
  } catch {
    return undefined; // engine limits (string or array length): not ours to report
  } finally {
    st.varCount = 0;
    st.varMap = undefined;
    // Keep small stacks for the next datagram; drop big ones and what they hold.
    if (items.length > 1024) items.length = 0;
    if (fKind.length > 1024) { fKind.length = 0; fName.length = 0; fBase.length = 0; }
    if (varObj.length > 1024) { varName.length = 0; varObj.length = 0; }
  }
}

function parse(s: string): Term | undefined {
  const n = s.length;
  let pos = 0;
  let depth = 0;
  let top = 0; // items[0..top): arguments and list elements of every open frame
  st.varCount = 0;
  st.varMap = undefined;
  for (;;) {
    // A term starts at pos.
    if (pos >= n) return undefined;
    const c = s.charCodeAt(pos);
    let t!: Term; // set by every path that reaches the stop check
    let name: string | undefined; // an atom, or the functor if `(` follows
    if (c >= 97 && c <= 122) { // a-z: letter-digit atom
      let e = pos + 1;
      while (e < n) {
        const d = s.charCodeAt(e);
        if (d >= 128 || CLS[d] !== 1) break;
        e++;
      }
      name = s.substring(pos, e);
      pos = e;
    } else if (c === 39) { // 'quoted atom'
      name = quoted(s, pos, 39);
      if (name === undefined) return undefined;
      pos = st.end;
    } else if ((c >= 65 && c <= 90) || c === 95) { // A-Z _: variable
      let e = pos + 1;
      while (e < n) {
        const d = s.charCodeAt(e);
        if (d >= 128 || CLS[d] !== 1) break;
        e++;
      }
      t = e === pos + 1 && c === 95 ? variable() : named(s.substring(pos, e)); // each `_` is fresh
      pos = e;
    } else if (c >= 48 && c <= 57) {
      const r = number(s, pos, false);
      if (r === undefined) return undefined;
      t = r;
      pos = st.end;
    } else if (c === 45 && pos + 1 < n && s.charCodeAt(pos + 1) >= 48 && s.charCodeAt(pos + 1) <= 57) {
      // `-` glued to a digit at a term start is a negative number (`- 1` would be -(1)).
      const r = number(s, pos + 1, true);
      if (r === undefined) return undefined;
      t = r;
      pos = st.end;
    } else if (c < 128 && CLS[c] === 2) { // symbol-char atom: `-`, `+`, `\+`, `:-`, ...
      let e = pos + 1;
      while (e < n) {
        const d = s.charCodeAt(e);
        if (d >= 128 || CLS[d] !== 2) break;
        e++;
      }
      name = s.substring(pos, e);
      if (name.indexOf('/*') >= 0) return undefined; // a comment to the lexer
      pos = e;
    } else if (c === 33 || c === 59) { // solo `!` `;`
      name = c === 33 ? '!' : ';';
      pos++;
    } else if (c === 91) { // [
      if (s.charCodeAt(pos + 1) === 93) {
        t = nil(); // `[](` (a compound named by the reserved []): the stop check below bails on the `(`
        pos += 2;
      } else {
        if (depth >= MAX_DEPTH) return undefined;
        fKind[depth] = F_LIST;
        fBase[depth] = top;
        depth++;
        pos++;
        continue;
      }
    } else if (c === 123) { // {
      if (s.charCodeAt(pos + 1) === 125) {
        name = '{}';
        pos += 2;
      } else {
        if (depth >= MAX_DEPTH) return undefined;
        fKind[depth] = F_CURLY;
        fBase[depth] = top;
        depth++;
        pos++;
        continue;
      }
    } else if (c === 34) { // "string" (SWI-7 default double_quotes=string)
      const v = quoted(s, pos, 34);
      if (v === undefined) return undefined;
      t = str(v);
      pos = st.end;
    } else {
      return undefined;
    }
    if (name !== undefined) {
      if (s.charCodeAt(pos) === 40) { // name( : functional notation (no layout before `(`)
        if (s.charCodeAt(pos + 1) === 41) { // SWI-7's zero-argument compound `f()`
          t = compoundOf(name, []);
          pos += 2;
        } else {
          if (depth >= MAX_DEPTH) return undefined;
          fKind[depth] = F_ARG;
          fName[depth] = name;
          fBase[depth] = top;
          depth++;
          pos++;
          continue;
        }
      } else {
        // An atom standing alone in an argument, element, tail or curly position (the
        // stop check below makes sure) reads as that atom even when it is an operator:
        // the full reader turns a lone prefix operator into an atom (SWI's Modify).
        t = atom(name);
      }
    }
    // t is complete: the next character must end it and maybe close frames.
    for (;;) {
      if (depth === 0) return pos === n ? t : undefined;
      const d = s.charCodeAt(pos); // NaN past the end: no case matches
      const k = fKind[depth - 1];
      if (k === F_ARG) {
        items[top++] = t;
        if (d === 44) { pos++; break; } // next argument
        if (d !== 41) return undefined;
        pos++;
        depth--;
        const base = fBase[depth]!;
        t = compoundOf(fName[depth]!, items.slice(base, top));
        top = base;
      } else if (k === F_LIST) {
        items[top++] = t;
        if (d === 44) { pos++; break; }
        if (d === 124) { fKind[depth - 1] = F_TAIL; pos++; break; }
        if (d !== 93) return undefined;
        pos++;
        depth--;
        t = popList(fBase[depth]!, top, nil());
        top = fBase[depth]!;
      } else if (k === F_TAIL) {
        if (d !== 93) return undefined;
        pos++;
        depth--;
        t = popList(fBase[depth]!, top, t);
        top = fBase[depth]!;
      } else { // F_CURLY
        if (d !== 125) return undefined;
        pos++;
        depth--;
        t = curly(t);
      }
    }
  }
}

function popList(from: number, to: number, tail: Term): Term {
  let t = tail;
  for (let k = to - 1; k >= from; k--) t = cons(items[k]!, t);
  return t;
}

/** The variable of a name other than `_`: one Var per name in the text, as the full reader. */
function named(name: string): Var {
  const map = st.varMap;
  if (map !== undefined) {
    let v = map.get(name);
    if (v === undefined) { v = variable(name); map.set(name, v); }
    return v;
  }
  const n = st.varCount;
  for (let k = 0; k < n; k++) if (varName[k] === name) return varObj[k]!;
  const v = variable(name);
  varName[n] = name;
  varObj[n] = v;
  st.varCount = n + 1;
  if (n + 1 === VAR_SCAN_LIMIT) {
    const m = new Map<string, Var>();
    for (let k = 0; k <= n; k++) m.set(varName[k]!, varObj[k]!);
    st.varMap = m;
  }
  return v;
}

/**
 * An integer `123` or a float `1.5`, `1.0e10`, `1.0e-5` whose digits start at p
 * (after the `-` when negative); sets st.end. Undefined for a number that overflows
 * a double or is too long. Any other numeric form (`0x1F`, `0'c`, `1r3`, `1.0Inf`,
 * `1e10`, `1_000`) ends at a character the caller's stop check rejects.
 */
function number(s: string, p: number, negative: boolean): Term | undefined {
  const n = s.length;
  let e = p;
  let v = 0;
  while (e < n) {
    const d = s.charCodeAt(e) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    e++;
  }
  if (e - p > MAX_NUMBER_CHARS) return undefined;
  if (s.charCodeAt(e) === 46) { // `.`: a float needs a digit after it
    let f = e + 1;
    while (f < n && s.charCodeAt(f) >= 48 && s.charCodeAt(f) <= 57) f++;
    if (f === e + 1) return undefined;
    const x = s.charCodeAt(f);
    if (x === 101 || x === 69) { // e E
      let g = f + 1;
      const sign = s.charCodeAt(g);
      if (sign === 43 || sign === 45) g++;
      const g0 = g;
      while (g < n && s.charCodeAt(g) >= 48 && s.charCodeAt(g) <= 57) g++;
      if (g === g0) return undefined;
      f = g;
    }
    if (f - p > MAX_NUMBER_CHARS) return undefined;
    const x2 = Number(s.substring(p, f)); // what the full reader computes, underflow included
    if (!Number.isFinite(x2)) return undefined; // float_overflow there
    st.end = f;
    return float(negative ? -x2 : x2);
  }
  st.end = e;
  // v is exact while every partial value stays below 2^53 (a rounded partial never
  // drops below 2^53 again), so a safe final v is the value, leading zeros and all.
  if (e - p <= 15 || v <= Number.MAX_SAFE_INTEGER) return int(negative ? -v : v);
  const b = BigInt(s.substring(p, e));
  return int(negative ? -b : b);
}

const hexVal = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : 99;

/** A valid code point for the full reader (no surrogates, at most U+10FFFF). */
const badCode = (v: number): boolean => v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff);

/**
 * The text of a quoted item at s[p] === q, with the escapes SWI's writer emits;
 * sets st.end. Undefined for a doubled quote, an unclosed quote, a raw control
 * character, or any other escape (octal, `\e`, `\s`, `\c`, backslash-newline, `\x41`
 * without its closing `\`, ...).
 */
function quoted(s: string, p: number, q: number): string | undefined {
  const n = s.length;
  let i = p + 1;
  let from = i;
  let out = '';
  for (;;) {
    if (i >= n) return undefined;
    const c = s.charCodeAt(i);
    if (c === q) {
      if (s.charCodeAt(i + 1) === q) return undefined; // '' inside: not what the writer emits
      st.end = i + 1;
      return from === p + 1 ? s.substring(from, i) : out + s.substring(from, i);
    }
    if (c === 92) {
      out += s.substring(from, i);
      const e = s.charCodeAt(i + 1);
      let code: number;
      let next = i + 2;
      switch (e) {
        case 92: case 39: case 34: case 96: code = e; break; // \\ \' \" \`
        case 110: code = 10; break; // n
        case 116: code = 9; break; // t
        case 97: code = 7; break; // a
        case 98: code = 8; break; // b
        case 102: code = 12; break; // f
        case 118: code = 11; break; // v
        case 114: code = 13; break; // r
        case 120: { // \xHEX\ (writeq)
          code = 0;
          while (next < n && hexVal(s.charCodeAt(next)) < 16) {
            code = code * 16 + hexVal(s.charCodeAt(next++));
            if (badCode(code)) return undefined; // SWI checks after every digit
          }
          if (next === i + 2 || s.charCodeAt(next) !== 92) return undefined;
          next++;
          break;
        }
        case 117: case 85: { // \uXXXX \UXXXXXXXX (print, the wire form)
          const len = e === 117 ? 4 : 8;
          code = 0;
          for (let k = 0; k < len; k++) {
            const h = hexVal(s.charCodeAt(next + k));
            if (h >= 16) return undefined;
            code = code * 16 + h;
          }
          if (badCode(code)) return undefined;
          next += len;
          break;
        }
        default:
          return undefined;
      }
      out += String.fromCodePoint(code);
      i = next;
      from = i;
    } else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
      return undefined; // the writer escapes these
    } else {
      i++;
    }
  }
}
