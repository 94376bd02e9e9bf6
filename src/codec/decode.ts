// Bytes -> term (format.ts), iteratively with an explicit stack, so nesting depth is
// bounded by memory only. Untrusted input yields a CodecError, never an invalid term:
// every count is bounded by the bytes left, UTF-8 is checked, names and variables must
// be defined before use, rationals normalised, dict keys sorted.
//
// Speed: one loop reads every item; finished values wait on a single reusable value
// stack, and open structures are frames in typed arrays (no per-node closures or
// arrays). A compound's arguments are copied off the value stack at their final size.
// Terms are immutable, so decoded atoms and small integers are shared objects (a cache
// keyed by the bytes of short names). Term objects come from make.ts: object literals
// with build.ts's property order (one hidden class per kind), at separate allocation
// sites for batches and single terms (make.ts says why).
import { isUtf8 } from 'node:buffer';
import { compareDictKeys, compoundOf, int, nil, rational, variable } from '../term/build.js';
import { LIST_FUNCTOR, type Atom, type DictKey, type Nil, type Term, type Var } from '../term/types.js';
import {
  BUILTIN_NAMES, CodecError, decimalForm, decimalValue, EXT_ATOM16, EXT_BIGINT, EXT_DECIMAL, EXT_NAME, EXT_NIL_NAME, EXT_STR16, EXT_VAR,
  MIN_INTERNED_ATOM,
} from './format.js';
import * as make from './make.js';

// Frame kinds.
const COMPOUND = 0;
const NIL_COMPOUND = 4; // a compound named by the reserved [] (EXT_NIL_NAME)
const LIST = 1;
const DICT = 2;
const RATIONAL = 3;

const f32 = new Float32Array(1);
const f32b = new Uint8Array(f32.buffer);
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO32 = 2 ** 32;
const NIL: Nil = nil();

// The built-in names as shared atoms (terms are immutable).
const BUILTIN_ATOMS: Atom[] = BUILTIN_NAMES.map((name): Atom => ({ kind: 'atom', name }));
const TRUE: Atom = BUILTIN_ATOMS[BUILTIN_NAMES.indexOf('true')]!;
const FALSE: Atom = BUILTIN_ATOMS[BUILTIN_NAMES.indexOf('false')]!;

const SMALL_INTS: Term[] = [];
for (let i = -32; i < 128; i++) SMALL_INTS.push(int(i)); // shared: terms are immutable

// Cache of short names: slot by a hash of the bytes, verified by comparing them with
// the slot's bytes (a typed array compares faster than a string's char codes).
const CACHE_SIZE = 4096;
const CACHE_MAX_LEN = 32;
const cacheLen = new Int32Array(CACHE_SIZE).fill(-1); // -1: empty
const cacheBytes = new Uint8Array(CACHE_SIZE * CACHE_MAX_LEN);
const cacheName: string[] = new Array<string>(CACHE_SIZE).fill('');
const cacheAtom: (Atom | undefined)[] = new Array<Atom | undefined>(CACHE_SIZE).fill(undefined);

/** Values left on the value stack after a call are dropped when there are more than this. */
const KEEP_VALUES = 4096;

// Buffer's native slicers, which toString(encoding, start, end) calls after checking its arguments.
interface Slices { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string }

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class Decoder {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  // The name table: entries below nameCount are this batch's (arrays are not
  // truncated between calls, which is not free).
  private names: string[] = [];
  private nameAtoms: (Atom | undefined)[] = [];
  private nameCount = 0;
  private vars: Var[] = []; // the first varCount entries are this term's
  private varCount = 0;
  // Finished values waiting for their parent, and the open structures (frames):
  // frame d owns vals[fBase[d] .. fEnd[d]) and is complete when that range is full.
  private vals: Term[] = [];
  private depth = 0;
  private fKind = new Int32Array(64);
  private fBase = new Int32Array(64);
  private fEnd = new Int32Array(64);
  private fStart = new Float64Array(64); // byte offset of the frame, for errors
  private fName: string[] = [];
  private lastSlot = -1;
  /** Whether the terms being made are a batch's, kept by the caller (make.ts says why it matters). */
  private kept = false;

  /** Exactly one term (encodeTerm) filling `bytes`. */
  decode(bytes: Uint8Array): Term {
    this.reset(bytes);
    const t = this.next();
    if (this.pos !== this.end) this.fail('trailing bytes after term');
    this.release();
    return t;
  }

  /** Every term of a batch (encodeMany). */
  decodeMany(bytes: Uint8Array): Term[] {
    const out: Term[] = [];
    this.reset(bytes);
    this.kept = true;
    try {
      while (this.pos < this.end) out.push(this.next());
    } finally {
      this.kept = false;
    }
    this.release();
    return out;
  }

  /** The terms of a batch one by one. */
  *iterate(bytes: Uint8Array): Generator<Term> {
    this.reset(bytes);
    while (this.pos < this.end) yield this.next();
    this.release();
  }

  /** One self-contained term (encodeTerm) at `offset`; returns it and the offset after it. */
  decodeAt(bytes: Uint8Array, offset: number): { term: Term; next: number } {
    this.reset(bytes);
    if (!(offset >= 0 && offset <= this.end)) throw new RangeError('offset out of range');
    this.pos = offset;
    const term = this.next();
    this.release();
    return { term, next: this.pos };
  }

  private reset(bytes: Uint8Array): void {
    this.buf = asBuffer(bytes);
    this.pos = 0;
    this.end = this.buf.length;
    this.nameCount = 0;
  }

  /** Do not keep a big term alive through the value stack. */
  private release(): void {
    if (this.vals.length > KEEP_VALUES) this.vals = [];
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
    this.depth = 0;
    const b = this.buf;
    const end = this.end;
    const vals = this.vals;
    let vtop = 0;
    for (;;) {
      if (this.pos >= end) this.fail('truncated input');
      const c = b[this.pos++]!;
      let t: Term | undefined;
      if (c < 0x80) t = SMALL_INTS[c + 32]!;
      else if (c >= 0xe0) t = SMALL_INTS[c - 0xe0]!;
      else if (c >= 0xa0 && c <= 0xbf) t = this.atomLiteral(c & 0x1f);
      else if (c >= 0x90 && c <= 0x9f) t = this.open(c & 0x0f, vtop);
      else t = this.leaf(c, vtop);
      if (t === undefined) continue; // a structure was opened
      // Store t; close every frame this completes.
      let d = this.depth;
      for (;;) {
        if (d === 0) { this.depth = 0; return t; }
        vals[vtop++] = t;
        if (vtop !== this.fEnd[d - 1]) break;
        d--;
        const base = this.fBase[d]!;
        if (this.fKind[d] === COMPOUND) {
          // Literal arrays for the common arities: allocated inline, and packed.
          const kept = this.kept;
          t = make.compound(kept, this.fName[d]!, make.args(kept, vals, base, vtop - base));
        } else t = this.finish(d, base, vtop);
        vtop = base;
      }
      this.depth = d;
    }
  }

  /** Open a frame of `count` values from vals[vtop]. */
  private push(kind: number, name: string, count: number, vtop: number, start: number): undefined {
    const d = this.depth;
    if (d === this.fKind.length) this.grow();
    this.fKind[d] = kind;
    this.fBase[d] = vtop;
    this.fEnd[d] = vtop + count;
    this.fStart[d] = start;
    this.fName[d] = name;
    this.depth = d + 1;
    return undefined;
  }

  private grow(): void {
    const n = this.fKind.length * 2;
    const kind = new Int32Array(n); kind.set(this.fKind); this.fKind = kind;
    const base = new Int32Array(n); base.set(this.fBase); this.fBase = base;
    const end = new Int32Array(n); end.set(this.fEnd); this.fEnd = end;
    const start = new Float64Array(n); start.set(this.fStart); this.fStart = start;
  }

  /** Any item but a small int, a fixstr or a fixarray: a leaf, or undefined after opening a frame. */
  private leaf(c: number, vtop: number): Term | undefined {
    const b = this.buf;
    switch (c) {
      case 0xc0: return NIL;
      case 0xc3: return TRUE;
      case 0xc2: return FALSE;
      case 0xcc: this.need(1); return make.int(this.kept, b[this.pos++]!);
      case 0xcd: { this.need(2); const p = this.pos; this.pos = p + 2; return make.int(this.kept, (b[p]! << 8) | b[p + 1]!); }
      case 0xce: this.need(4); this.pos += 4; return make.int(this.kept, b.readUInt32BE(this.pos - 4));
      case 0xcf: this.need(8); this.pos += 8; return int(this.u64(this.pos - 8));
      case 0xd0: { this.need(1); const v = b[this.pos++]!; return make.int(this.kept, v >= 0x80 ? v - 0x100 : v); }
      case 0xd1: { this.need(2); const p = this.pos; this.pos = p + 2; return make.int(this.kept, (((b[p]! << 8) | b[p + 1]!) << 16) >> 16); }
      case 0xd2: this.need(4); this.pos += 4; return make.int(this.kept, b.readInt32BE(this.pos - 4));
      case 0xd3: this.need(8); this.pos += 8; return int(b.readBigInt64BE(this.pos - 8));
      case 0xca: {
        this.need(4);
        const p = this.pos;
        if (LITTLE) { f32b[3] = b[p]!; f32b[2] = b[p + 1]!; f32b[1] = b[p + 2]!; f32b[0] = b[p + 3]!; }
        else { f32b[0] = b[p]!; f32b[1] = b[p + 1]!; f32b[2] = b[p + 2]!; f32b[3] = b[p + 3]!; }
        this.pos = p + 4;
        return make.float(this.kept, f32[0]!);
      }
      case 0xcb: {
        this.need(8);
        const p = this.pos;
        if (LITTLE) {
          f64b[7] = b[p]!; f64b[6] = b[p + 1]!; f64b[5] = b[p + 2]!; f64b[4] = b[p + 3]!;
          f64b[3] = b[p + 4]!; f64b[2] = b[p + 5]!; f64b[1] = b[p + 6]!; f64b[0] = b[p + 7]!;
        } else for (let i = 0; i < 8; i++) f64b[i] = b[p + i]!;
        this.pos = p + 8;
        return make.float(this.kept, f64[0]!);
      }
      case 0xd9: return this.atomLiteral(this.len(1));
      case 0xda: return this.atomLiteral(this.len(2));
      case 0xdb: return this.atomLiteral(this.len(4));
      case 0xc4: return make.string(this.kept, this.text(this.len(1), false));
      case 0xc5: return make.string(this.kept, this.text(this.len(2), false));
      case 0xc6: return make.string(this.kept, this.text(this.len(4), false));
      case 0xdc: return this.open(this.len(2), vtop);
      case 0xdd: return this.open(this.len(4), vtop);
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
   * Text of n UTF-8 bytes at pos. With `cache`, short text comes from the name cache,
   * and the slot it used is left in lastSlot (-1 when not cached) for atomLiteral.
   */
  private text(n: number, cache: boolean): string {
    this.need(n);
    const b = this.buf;
    const s = this.pos;
    const e = s + n;
    this.pos = e;
    this.lastSlot = -1;
    if (cache && n <= CACHE_MAX_LEN) {
      let h = 0x811c9dc5 ^ n;
      let high = 0;
      for (let i = s; i < e; i++) {
        const c = b[i]!;
        high |= c;
        h = Math.imul(h ^ c, 0x01000193);
      }
      const slot = (h >>> 0) & (CACHE_SIZE - 1);
      const o = slot * CACHE_MAX_LEN;
      if (cacheLen[slot] === n) {
        let i = 0;
        while (i < n && cacheBytes[o + i] === b[s + i]) i++;
        if (i === n) { this.lastSlot = slot; return cacheName[slot]!; }
      }
      const str = high < 0x80 ? ascii(b, s, e) : this.utf8(s, e); // may throw: fill the slot after
      for (let i = 0; i < n; i++) cacheBytes[o + i] = b[s + i]!;
      cacheLen[slot] = n;
      cacheName[slot] = str;
      cacheAtom[slot] = undefined;
      this.lastSlot = slot;
      return str;
    }
    for (let i = s; i < e; i++) if (b[i]! >= 0x80) return this.utf8(s, e);
    return ascii(b, s, e);
  }

  /** Bytes [s, e) as UTF-8, checked. */
  private utf8(s: number, e: number): string {
    const b = this.buf;
    if (!(e - s <= 64 ? isUtf8Short(b, s, e) : isUtf8(b.subarray(s, e)))) this.fail('invalid UTF-8', s);
    return (b as unknown as Slices).utf8Slice(s, e);
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
    if (n >= MIN_INTERNED_ATOM) {
      const i = this.nameCount++;
      this.names[i] = name;
      this.nameAtoms[i] = a;
    }
    return a;
  }

  private nameRef(i: number, at: number): string {
    if (i >= this.nameCount) this.fail('reference to an undefined name', at);
    return this.names[i]!;
  }

  private atomRef(i: number, at: number): Atom {
    if (i >= this.nameCount) this.fail('reference to an undefined name', at);
    const a = this.nameAtoms[i];
    if (a !== undefined) return a;
    return (this.nameAtoms[i] = { kind: 'atom', name: this.names[i]! });
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
      case EXT_NAME: {
        if (n !== 1 || b[p]! >= BUILTIN_ATOMS.length) this.fail('bad built-in name', p - 1);
        const a = BUILTIN_ATOMS[b[p]!]!;
        if (a.name.length < 3 || a === TRUE || a === FALSE) this.fail('built-in name with a shorter form', p - 1);
        this.pos++;
        return a;
      }
      case EXT_DECIMAL: {
        if (n !== 2 && n !== 4) this.fail('bad decimal float size', p - 1);
        const m = n === 2 ? b[p + 1]! : (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
        const v = decimalValue(b[p]!, m);
        if (decimalForm(v) !== b[p]! * 16777216 + m || (n === 2) !== (m < 0x100)) this.fail('non-canonical decimal float', p - 1);
        this.pos += n;
        return make.float(this.kept, v);
      }
      case EXT_ATOM16: return { kind: 'atom', name: this.utf16(n) };
      case EXT_STR16: return { kind: 'string', value: this.utf16(n) };
      default: return this.fail(`unknown extension type ${type}`, p - 1);
    }
  }

  /** A compound's name: a str literal (entering the table), a uint reference, ATOM16, or null for EXT_NIL_NAME. */
  private functorName(start: number): string | null {
    this.need(1);
    const b = this.buf;
    const c = b[this.pos++]!;
    if (c < 0x80) {
      if (c >= this.nameCount) this.fail('reference to an undefined name', start);
      return this.names[c]!;
    }
    if (c >= 0xa0 && c <= 0xbf) return this.enterName(c & 0x1f);
    if (c >= 0xe0) return BUILTIN_NAMES[0xff - c]!;
    switch (c) {
      case 0xd0: {
        this.need(1);
        const k = 0xff - b[this.pos++]!; // -1-K, canonical int8: K in 32..127
        if (k < 32 || k >= BUILTIN_NAMES.length) this.fail('bad built-in name', start);
        return BUILTIN_NAMES[k]!;
      }
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
        const type = b[this.pos++];
        if (type === EXT_NIL_NAME && c === 0xd4 && b[this.pos] === 0) { this.pos++; return null; }
        if (type !== EXT_ATOM16) this.fail('bad compound name', start);
        return this.utf16(n);
      }
      default: return this.fail('bad compound name', start);
    }
  }

  private enterName(n: number): string {
    const name = this.text(n, true);
    const i = this.nameCount++;
    this.names[i] = name;
    this.nameAtoms[i] = undefined;
    return name;
  }

  /** An array: its first item says what it is. A leaf, or undefined after opening a frame. */
  private open(count: number, vtop: number): Term | undefined {
    const start = this.pos - 1;
    if (count === 0) this.fail('empty array', start);
    if (count > this.end - this.pos) this.fail('truncated input'); // each item >= 1 byte
    const c = this.buf[this.pos]!;
    switch (c) {
      case 0xc0:
        if (count < 3) this.fail('list run without items', start);
        this.pos++;
        return this.push(LIST, LIST_FUNCTOR, count - 1, vtop, start);
      case 0xc3:
        if ((count & 1) !== 0) this.fail('dict with odd item count', start);
        this.pos++;
        return this.push(DICT, '', count - 1, vtop, start);
      case 0xc2:
        this.pos++;
        if (count === 2) return compoundOf(this.functorName(start) ?? NIL, []);
        if (count !== 3) this.fail('bad rational or zero-arity compound', start);
        return this.push(RATIONAL, '', 2, vtop, start);
    }
    if (count === 1) {
      this.pos++;
      if (c >= 0xe0) return this.varRef(0xff - c, start); // [-1-N]: variable N
      // [N]: an atom by reference.
      const i = c < 0x80 ? c : c === 0xcc ? this.len(1) : c === 0xcd ? this.len(2) : c === 0xce ? this.len(4) : -1;
      if (i < 0) this.fail('bad atom reference', start);
      return this.atomRef(i, start);
    }
    let name: string | null;
    if (c < 0x80) { // the common cases first: a name by 1-byte reference, or a fixstr literal
      this.pos++;
      if (c >= this.nameCount) this.fail('reference to an undefined name', start);
      name = this.names[c]!;
    } else if (c >= 0xa0 && c <= 0xbf) {
      this.pos++;
      name = this.enterName(c & 0x1f);
    } else if (c >= 0xe0) { // a built-in name, 1-byte code
      this.pos++;
      name = BUILTIN_NAMES[0xff - c]!;
    } else name = this.functorName(start);
    return name === null ? this.push(NIL_COMPOUND, '[]', count - 1, vtop, start) : this.push(COMPOUND, name, count - 1, vtop, start);
  }

  /** The term of frame d (not a compound), from vals[base .. top). */
  private finish(d: number, base: number, top: number): Term {
    const vals = this.vals;
    const start = this.fStart[d]!;
    switch (this.fKind[d]) {
      case NIL_COMPOUND: return compoundOf(NIL, vals.slice(base, top));
      case LIST: {
        const kept = this.kept;
        let t = vals[top - 1]!;
        for (let i = top - 2; i >= base; i--) t = make.cell(kept, vals[i]!, t);
        return t;
      }
      case RATIONAL: {
        const n = vals[base]!;
        const dn = vals[base + 1]!;
        if (n.kind !== 'int' || dn.kind !== 'int') this.fail('rational parts must be integers', start);
        if (!(dn.value > 1)) this.fail('rational denominator must be > 1', start);
        const r = rational(BigInt(n.value), BigInt(dn.value));
        if (r.kind !== 'rational' || r.num !== BigInt(n.value) || r.den !== BigInt(dn.value)) {
          this.fail('rational not normalised', start);
        }
        return r;
      }
      default: { // DICT
        const tag = vals[base]!;
        if (tag.kind !== 'atom' && tag.kind !== 'var') this.fail('dict tag must be an atom or a variable', start);
        const kept = this.kept;
        const pairs = make.pairs(kept);
        let prev: DictKey | undefined;
        for (let i = base + 1; i < top; i += 2) {
          const k = vals[i]!;
          if (!(k.kind === 'atom' || k.kind === 'nil' || (k.kind === 'int' && typeof k.value === 'number'))) {
            this.fail('dict key must be an atom, [] or a small integer', start);
          }
          if (prev !== undefined && !keyBefore(prev, k)) this.fail('dict keys not sorted and unique', start);
          prev = k;
          pairs.push(make.pair(kept, k, vals[i + 1]!));
        }
        return make.dict(kept, tag, pairs);
      }
    }
  }
}

/** a < b in the standard order of dict keys (small integers, the reserved `[]`, atoms). */
function keyBefore(a: DictKey, b: DictKey): boolean {
  return compareDictKeys(a, b) < 0;
}

/**
 * Whether bytes [s, e) are well-formed UTF-8 (no overlong forms, surrogates or code
 * points above 0x10FFFF): for short text, cheaper than a native call on a subarray.
 */
function isUtf8Short(b: Buffer, s: number, e: number): boolean {
  let i = s;
  while (i < e) {
    const c = b[i++]!;
    if (c < 0x80) continue;
    let more: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) { more = 2; if (c === 0xe0) lo = 0xa0; else if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { more = 3; if (c === 0xf0) lo = 0x90; else if (c === 0xf4) hi = 0x8f; }
    else return false;
    if (i + more > e) return false;
    const c1 = b[i]!; // the second byte has the narrowed range
    if (c1 < lo || c1 > hi) return false;
    for (let k = 1; k < more; k++) if ((b[i + k]! & 0xc0) !== 0x80) return false;
    i += more;
  }
  return true;
}

/** ASCII bytes [s, e) as a string: a loop beats a native call for short text. */
function ascii(b: Buffer, s: number, e: number): string {
  if (e - s > 12) return (b as unknown as Slices).latin1Slice(s, e);
  let str = '';
  for (let i = s; i < e; i++) str += String.fromCharCode(b[i]!);
  return str;
}
