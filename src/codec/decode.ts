// Bytes -> term (format.ts), iteratively with an explicit frame stack, so nesting
// depth is bounded by memory only. Untrusted input yields a CodecError, never an
// invalid term: every count is bounded by the bytes left, UTF-8 is checked, names and
// variables must be defined before use, rationals normalised, dict keys sorted.
//
// Speed: terms are immutable, so decoded atoms and small integers are shared objects
// (a small cache keyed by the bytes of short ASCII names), frames live in parallel
// arrays, and argument arrays are allocated once at their final size.
import { isUtf8 } from 'node:buffer';
import { int, nil, rational, variable } from '../term/build.js';
import { compareTerms } from '../term/compare.js';
import { LIST_FUNCTOR, type Atom, type DictKey, type Term, type Var } from '../term/types.js';
import { CodecError, EXT_ATOM16, EXT_BIGINT, EXT_STR16, EXT_VAR, MIN_INTERNED_ATOM } from './format.js';

const COMPOUND = 0;
const LIST = 1;
const DICT = 2;
const RATIONAL = 3;

const f32 = new Float32Array(1);
const f32b = new Uint8Array(f32.buffer);
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO32 = 2 ** 32;
const NIL: Term = nil();

const SMALL_INTS: Term[] = [];
for (let i = -32; i < 128; i++) SMALL_INTS.push(int(i)); // shared: terms are immutable

// Cache of short ASCII names: slot by a hash of the bytes, verified by comparing.
const CACHE_SIZE = 4096;
const CACHE_MAX_LEN = 32;
const cacheName: (string | undefined)[] = new Array<string | undefined>(CACHE_SIZE).fill(undefined);
const cacheAtom: (Atom | undefined)[] = new Array<Atom | undefined>(CACHE_SIZE).fill(undefined);

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class Decoder {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  private names: string[] = [];
  private nameAtoms: (Atom | undefined)[] = [];
  private vars: Var[] = []; // the first varCount entries are this term's
  private varCount = 0;
  // The frame stack, as parallel arrays.
  private fKind: number[] = [];
  private fName: string[] = [];
  private fItems: Term[][] = [];
  private fFill: number[] = [];
  private fStart: number[] = [];
  private lastSlot = -1;

  /** Exactly one term (encodeTerm) filling `bytes`. */
  decode(bytes: Uint8Array): Term {
    this.reset(bytes);
    const t = this.next();
    if (this.pos !== this.end) throw new CodecError('trailing bytes after term', this.pos);
    return t;
  }

  /** Every term of a batch (encodeMany). */
  decodeMany(bytes: Uint8Array): Term[] {
    const out: Term[] = [];
    this.reset(bytes);
    while (this.pos < this.end) out.push(this.next());
    return out;
  }

  /** The terms of a batch one by one. */
  *iterate(bytes: Uint8Array): Generator<Term> {
    this.reset(bytes);
    while (this.pos < this.end) yield this.next();
  }

  /** One self-contained term (encodeTerm) at `offset`; returns it and the offset after it. */
  decodeAt(bytes: Uint8Array, offset: number): { term: Term; next: number } {
    this.reset(bytes);
    if (!(offset >= 0 && offset <= this.end)) throw new RangeError('offset out of range');
    this.pos = offset;
    const term = this.next();
    return { term, next: this.pos };
  }

  private reset(bytes: Uint8Array): void {
    this.buf = asBuffer(bytes);
    this.pos = 0;
    this.end = this.buf.length;
    if (this.names.length !== 0) { this.names.length = 0; this.nameAtoms.length = 0; }
  }

  private fail(msg: string, at = this.pos): never {
    throw new CodecError(msg, at);
  }

  private need(n: number): void {
    if (this.pos + n > this.end) this.fail('truncated input');
  }

  /** One whole term from this.pos. */
  private next(): Term {
    this.varCount = 0;
    const fItems = this.fItems;
    const fFill = this.fFill;
    if (fItems.length !== 0) { // left over from a failed decode (setting length is not free)
      this.fKind.length = this.fName.length = fItems.length = fFill.length = this.fStart.length = 0;
    }
    for (;;) {
      let t = this.item();
      if (t === undefined) continue; // a structure was opened
      for (;;) {
        const top = fItems.length - 1;
        if (top < 0) return t;
        const items = fItems[top]!;
        const i = fFill[top]!;
        items[i] = t;
        if (i + 1 < items.length) { fFill[top] = i + 1; break; }
        t = this.finish();
      }
    }
  }

  private push(kind: number, name: string, need: number, start: number): undefined {
    this.fKind.push(kind);
    this.fName.push(name);
    this.fItems.push(new Array<Term>(need));
    this.fFill.push(0);
    this.fStart.push(start);
    return undefined;
  }

  /** A leaf term, or undefined after pushing a frame for a structure. */
  private item(): Term | undefined {
    if (this.pos >= this.end) this.fail('truncated input');
    const b = this.buf;
    const c = b[this.pos++]!;
    if (c < 0x80) return SMALL_INTS[c + 32]!;
    if (c >= 0xe0) return SMALL_INTS[c - 0xe0]!;
    if (c >= 0xa0 && c <= 0xbf) return this.atomLiteral(c & 0x1f);
    if (c >= 0x90 && c <= 0x9f) return this.open(c & 0x0f);
    switch (c) {
      case 0xc0: return NIL;
      case 0xcc: this.need(1); return int(b[this.pos++]!);
      case 0xcd: this.need(2); this.pos += 2; return int(b.readUInt16BE(this.pos - 2));
      case 0xce: this.need(4); this.pos += 4; return int(b.readUInt32BE(this.pos - 4));
      case 0xcf: this.need(8); this.pos += 8; return int(this.u64(this.pos - 8));
      case 0xd0: this.need(1); this.pos += 1; return int(b.readInt8(this.pos - 1));
      case 0xd1: this.need(2); this.pos += 2; return int(b.readInt16BE(this.pos - 2));
      case 0xd2: this.need(4); this.pos += 4; return int(b.readInt32BE(this.pos - 4));
      case 0xd3: this.need(8); this.pos += 8; return int(b.readBigInt64BE(this.pos - 8));
      case 0xca: {
        this.need(4);
        const p = this.pos;
        if (LITTLE) { f32b[3] = b[p]!; f32b[2] = b[p + 1]!; f32b[1] = b[p + 2]!; f32b[0] = b[p + 3]!; }
        else for (let i = 0; i < 4; i++) f32b[i] = b[p + i]!;
        this.pos += 4;
        return { kind: 'float', value: f32[0]! };
      }
      case 0xcb: {
        this.need(8);
        const p = this.pos;
        if (LITTLE) for (let i = 0; i < 8; i++) f64b[7 - i] = b[p + i]!;
        else for (let i = 0; i < 8; i++) f64b[i] = b[p + i]!;
        this.pos += 8;
        return { kind: 'float', value: f64[0]! };
      }
      case 0xd9: return this.atomLiteral(this.len(1));
      case 0xda: return this.atomLiteral(this.len(2));
      case 0xdb: return this.atomLiteral(this.len(4));
      case 0xc4: return { kind: 'string', value: this.utf8(this.len(1)) };
      case 0xc5: return { kind: 'string', value: this.utf8(this.len(2)) };
      case 0xc6: return { kind: 'string', value: this.utf8(this.len(4)) };
      case 0xdc: return this.open(this.len(2));
      case 0xdd: return this.open(this.len(4));
      case 0xd4: return this.ext(1);
      case 0xd5: return this.ext(2);
      case 0xd6: return this.ext(4);
      case 0xd7: return this.ext(8);
      case 0xd8: return this.ext(16);
      case 0xc7: return this.ext(this.len(1));
      case 0xc8: return this.ext(this.len(2));
      case 0xc9: return this.ext(this.len(4));
      default: return this.fail(`unexpected msgpack byte 0x${c.toString(16)}`, this.pos - 1);
    }
  }

  /** A big-endian unsigned number of n bytes (1, 2 or 4). */
  private len(n: number): number {
    this.need(n);
    const b = this.buf;
    const p = this.pos;
    this.pos += n;
    return n === 1 ? b[p]! : n === 2 ? (b[p]! << 8) | b[p + 1]! : b.readUInt32BE(p);
  }

  private u64(p: number): number | bigint {
    const hi = this.buf.readUInt32BE(p);
    const lo = this.buf.readUInt32BE(p + 4);
    return hi < 0x200000 ? hi * TWO32 + lo : this.buf.readBigUInt64BE(p);
  }

  /**
   * Text of n UTF-8 bytes at pos. Short ASCII text comes from the name cache; the
   * slot it used is left in lastSlot (-1 when not cached) for atomLiteral.
   */
  private text(n: number, cache: boolean): string {
    this.need(n);
    const b = this.buf;
    const s = this.pos;
    const e = s + n;
    this.pos = e;
    this.lastSlot = -1;
    if (n <= CACHE_MAX_LEN) {
      let h = 0x811c9dc5 ^ n;
      for (let i = s; i < e; i++) {
        const c = b[i]!;
        if (c >= 0x80) return this.utf8Slow(s, e);
        h = Math.imul(h ^ c, 0x01000193);
      }
      if (!cache) return b.toString('latin1', s, e);
      const slot = (h >>> 0) & (CACHE_SIZE - 1);
      const hit = cacheName[slot];
      if (hit !== undefined && hit.length === n) {
        let same = true;
        for (let i = 0; i < n; i++) if (hit.charCodeAt(i) !== b[s + i]) { same = false; break; }
        if (same) { this.lastSlot = slot; return hit; }
      }
      const str = b.toString('latin1', s, e);
      cacheName[slot] = str;
      cacheAtom[slot] = undefined;
      this.lastSlot = slot;
      return str;
    }
    for (let i = s; i < e; i++) if (b[i]! >= 0x80) return this.utf8Slow(s, e);
    return b.toString('latin1', s, e);
  }

  private utf8(n: number): string {
    return this.text(n, false);
  }

  private utf8Slow(s: number, e: number): string {
    const b = this.buf;
    if (!isUtf8(b.subarray(s, e))) this.fail('invalid UTF-8', s);
    return b.toString('utf8', s, e);
  }

  private utf16(n: number): string {
    this.need(n);
    if (n & 1) this.fail('odd UTF-16 length');
    const s = this.buf.toString('utf16le', this.pos, this.pos + n);
    this.pos += n;
    // Canonical: this form is only for text without a UTF-8 form.
    if ((s as unknown as { isWellFormed(): boolean }).isWellFormed()) this.fail('UTF-16 text that has a UTF-8 form', this.pos - n);
    return s;
  }

  private atomLiteral(n: number): Atom {
    const name = this.text(n, true);
    const slot = this.lastSlot;
    let a: Atom | undefined;
    if (slot >= 0) {
      a = cacheAtom[slot];
      if (a === undefined) cacheAtom[slot] = a = { kind: 'atom', name };
    } else {
      a = { kind: 'atom', name };
    }
    if (n >= MIN_INTERNED_ATOM) { this.names.push(name); this.nameAtoms.push(a); }
    return a;
  }

  private nameRef(i: number, at: number): string {
    const name = this.names[i];
    if (name === undefined) this.fail('reference to an undefined name', at);
    return name;
  }

  private atomRef(i: number, at: number): Atom {
    const a = this.nameAtoms[i];
    if (a !== undefined) return a;
    const name = this.nameRef(i, at);
    return (this.nameAtoms[i] = { kind: 'atom', name });
  }

  /** Variable i: one seen before, or the next new one. */
  private varRef(i: number, at: number): Var {
    const n = this.varCount;
    if (i < n) return this.vars[i]!;
    if (i !== n) this.fail('variable numbered out of order', at);
    const v = variable();
    this.vars[n] = v;
    this.varCount = n + 1;
    return v;
  }

  private ext(n: number): Term {
    this.need(n + 1);
    const b = this.buf;
    const type = b[this.pos++]!;
    const p = this.pos;
    switch (type) {
      case EXT_VAR: {
        if (n !== 1 && n !== 2 && n !== 4) this.fail('bad variable number size', p - 1);
        return this.varRef(this.len(n), p);
      }
      case EXT_BIGINT: {
        if (n < 2) this.fail('short bigint', p);
        const sign = b[p]!;
        if (sign > 1) this.fail('bad bigint sign', p);
        const mag = BigInt('0x' + b.toString('hex', p + 1, p + n));
        this.pos += n;
        return int(sign ? -mag : mag);
      }
      case EXT_ATOM16: return { kind: 'atom', name: this.utf16(n) };
      case EXT_STR16: return { kind: 'string', value: this.utf16(n) };
      default: return this.fail(`unknown extension type ${type}`, p - 1);
    }
  }

  /** A compound's name: a str literal (entering the table), a uint reference, or ATOM16. */
  private functorName(start: number): string {
    this.need(1);
    const b = this.buf;
    const c = b[this.pos++]!;
    if (c < 0x80) return this.nameRef(c, start);
    if (c >= 0xa0 && c <= 0xbf) return this.enterName(c & 0x1f);
    switch (c) {
      case 0xcc: return this.nameRef(this.len(1), start);
      case 0xcd: return this.nameRef(this.len(2), start);
      case 0xce: return this.nameRef(this.len(4), start);
      case 0xd9: return this.enterName(this.len(1));
      case 0xda: return this.enterName(this.len(2));
      case 0xdb: return this.enterName(this.len(4));
      case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: case 0xc7: case 0xc8: case 0xc9: {
        const n = c === 0xd4 ? 1 : c === 0xd5 ? 2 : c === 0xd6 ? 4 : c === 0xd7 ? 8 : c === 0xd8 ? 16
          : this.len(c === 0xc7 ? 1 : c === 0xc8 ? 2 : 4);
        this.need(n + 1);
        if (b[this.pos++] !== EXT_ATOM16) this.fail('bad compound name', start);
        return this.utf16(n);
      }
      default: return this.fail('bad compound name', start);
    }
  }

  private enterName(n: number): string {
    const name = this.text(n, true);
    this.names.push(name);
    this.nameAtoms.push(undefined);
    return name;
  }

  /** An array: its first item says what it is. */
  private open(count: number): Term | undefined {
    const start = this.pos - 1;
    if (count === 0) this.fail('empty array', start);
    if (count > this.end - this.pos) this.fail('truncated input'); // each item >= 1 byte
    const c = this.buf[this.pos]!;
    switch (c) {
      case 0xc0:
        if (count < 3) this.fail('list run without items', start);
        this.pos++;
        return this.push(LIST, '', count - 1, start);
      case 0xc3:
        if ((count & 1) !== 0) this.fail('dict with odd item count', start);
        this.pos++;
        return this.push(DICT, '', count - 1, start);
      case 0xc2:
        this.pos++;
        if (count === 2) return { kind: 'compound', name: this.functorName(start), args: [] };
        if (count !== 3) this.fail('bad rational or zero-arity compound', start);
        return this.push(RATIONAL, '', 2, start);
    }
    if (count === 1) {
      this.pos++;
      if (c >= 0xe0) return this.varRef(0xff - c, start); // [-1-N]: variable N
      // [N]: an atom by reference.
      const i = c < 0x80 ? c : c === 0xcc ? this.len(1) : c === 0xcd ? this.len(2) : c === 0xce ? this.len(4) : -1;
      if (i < 0) this.fail('bad atom reference', start);
      return this.atomRef(i, start);
    }
    const name = this.functorName(start);
    return this.push(COMPOUND, name, count - 1, start);
  }

  /** Build the term of frame `top` and pop it. */
  private finish(): Term {
    const kind = this.fKind.pop()!;
    const name = this.fName.pop()!;
    const items = this.fItems.pop()!;
    this.fFill.pop();
    const start = this.fStart.pop()!;
    switch (kind) {
      case COMPOUND: return { kind: 'compound', name, args: items };
      case LIST: {
        let t = items[items.length - 1]!;
        for (let i = items.length - 2; i >= 0; i--) t = { kind: 'compound', name: LIST_FUNCTOR, args: [items[i]!, t] };
        return t;
      }
      case RATIONAL: {
        const n = items[0]!;
        const d = items[1]!;
        if (n.kind !== 'int' || d.kind !== 'int') this.fail('rational parts must be integers', start);
        if (!(d.value > 1)) this.fail('rational denominator must be > 1', start);
        const r = rational(BigInt(n.value), BigInt(d.value));
        if (r.kind !== 'rational' || r.num !== BigInt(n.value) || r.den !== BigInt(d.value)) {
          this.fail('rational not normalised', start);
        }
        return r;
      }
      default: {
        const tag = items[0]!;
        if (tag.kind !== 'atom' && tag.kind !== 'var') this.fail('dict tag must be an atom or a variable', start);
        const pairs: (readonly [DictKey, Term])[] = [];
        let prev: DictKey | undefined;
        for (let i = 1; i < items.length; i += 2) {
          const k = items[i]!;
          if (!(k.kind === 'atom' || (k.kind === 'int' && typeof k.value === 'number'))) {
            this.fail('dict key must be an atom or a small integer', start);
          }
          if (prev !== undefined && compareTerms(prev, k) >= 0) this.fail('dict keys not sorted and unique', start);
          prev = k;
          pairs.push([k, items[i + 1]!]);
        }
        return { kind: 'dict', tag, pairs };
      }
    }
  }
}
