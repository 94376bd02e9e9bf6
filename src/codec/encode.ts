// Term -> bytes (format.ts), iteratively. One Encoder reuses its buffer and tables
// across terms, so a batch costs no per-term set-up.
import { LIST_FUNCTOR, type Compound, type Term, type Var } from '../term/types.js';
import {
  BUILTIN_INDEX, decimalForm, EXT_ATOM16, EXT_BIGINT, EXT_DECIMAL, EXT_NAME, EXT_NIL_NAME, EXT_STR16, EXT_VAR, MIN_INTERNED_ATOM,
} from './format.js';

const f32 = new Float32Array(1);
const f32b = new Uint8Array(f32.buffer);
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const U64_LIMIT = 1n << 64n;
const I64_MIN = -(1n << 63n);
const TWO32 = 2 ** 32;
/** Variables of a term found by linear scan before resorting to a Map. */
const SMALL = 16;

type Str = { isWellFormed(): boolean };

export class Encoder {
  private buf: Buffer;
  private pos = 0;
  // Name table and variable numbers. A term has few variables, so the first SMALL are
  // found by a linear scan of an array (identity compares, cheaper than a Map); the
  // rest, and names, go into Maps, which are not cleared per term (Map.clear
  // reallocates): an entry counts only if it is >= the current base, its number is
  // value - base.
  private names = new Map<string, number>();
  private nameBase = 0;
  private nameCount = 0;
  private varList: Var[] = [];
  private vars = new Map<Var, number>();
  private varBase = 0;
  private varCount = 0;
  private stack: Term[] = [];

  constructor(initialSize = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** The bytes of one term, in a fresh Buffer. */
  encode(t: Term): Buffer {
    this.pos = 0;
    this.resetNames();
    this.write(t);
    return this.take();
  }

  /** A batch: the terms back to back, sharing one name table (decodeMany reads it). */
  encodeMany(terms: Iterable<Term>): Buffer {
    this.pos = 0;
    this.resetNames();
    for (const t of terms) this.write(t);
    return this.take();
  }

  private take(): Buffer {
    const n = this.pos;
    const out = Buffer.allocUnsafe(n); // pooled for small sizes
    if (n <= 128) { const b = this.buf; for (let i = 0; i < n; i++) out[i] = b[i]!; } // cheaper than copy's checks
    else this.buf.copy(out, 0, 0, n);
    return out;
  }

  private resetNames(): void {
    this.nameBase += this.nameCount + 1;
    this.nameCount = 0;
    if (this.nameBase > 2 ** 50 || this.names.size > 50_000) { this.names.clear(); this.nameBase = 0; }
  }

  /** The name table index of `name`, or -1. */
  private nameRef(name: string): number {
    const v = this.names.get(name);
    return v === undefined || v < this.nameBase ? -1 : v - this.nameBase;
  }

  /** Append `name` to the table; `known` when it is already there (found by nameRef). */
  private addName(name: string, known: boolean): void {
    const i = this.nameCount++;
    if (!known) this.names.set(name, this.nameBase + i);
  }

  /** The number of variable x, numbering it if new. */
  private varNumber(x: Var): number {
    const count = this.varCount;
    const list = this.varList;
    const k = count < SMALL ? count : SMALL;
    for (let i = 0; i < k; i++) if (list[i] === x) return i;
    if (count > SMALL) {
      const v = this.vars.get(x);
      if (v !== undefined && v >= this.varBase) return v - this.varBase;
    }
    this.varCount = count + 1;
    if (count < SMALL) list[count] = x;
    else this.vars.set(x, this.varBase + count);
    return count;
  }

  /** Append one term to the output, continuing the current name table. */
  private write(t: Term): void {
    this.varBase += this.varCount + 1;
    this.varCount = 0;
    if (this.varBase > 2 ** 50 || this.vars.size > 50_000) { this.vars.clear(); this.varBase = 0; }
    const stack = this.stack;
    if (stack.length !== 0) stack.length = 0; // left over from a throw
    stack.push(t);
    while (stack.length > 0) {
      const x = stack.pop()!;
      switch (x.kind) {
        case 'int':
          if (typeof x.value === 'number') this.intNumber(x.value);
          else this.intBig(x.value);
          break;
        case 'float': this.float(x.value); break;
        case 'nil': this.ensure(1); this.buf[this.pos++] = 0xc0; break;
        case 'atom': this.atom(x.name); break;
        case 'string': this.string(x.value); break;
        case 'var': {
          const n = this.varNumber(x);
          if (n < 32) { // [-1-N]: 2 bytes for the first 32 variables
            this.ensure(2);
            this.buf[this.pos] = 0x91;
            this.buf[this.pos + 1] = 0xff - n;
            this.pos += 2;
          } else this.extIndex(EXT_VAR, n);
          break;
        }
        case 'rational':
          this.arrayHeader(3);
          this.ensure(1);
          this.buf[this.pos++] = 0xc2;
          this.intBig(x.num);
          this.intBig(x.den);
          break;
        case 'dict': {
          const pairs = x.pairs;
          this.arrayHeader(2 + 2 * pairs.length);
          this.ensure(1);
          this.buf[this.pos++] = 0xc3;
          for (let i = pairs.length - 1; i >= 0; i--) stack.push(pairs[i]![1], pairs[i]![0]);
          stack.push(x.tag);
          break;
        }
        case 'compound': {
          if (x.name === LIST_FUNCTOR && x.args.length === 2) {
            // A run of list cells: [nil, X1, ..., Xn, Tail].
            let n = 0;
            let c: Term = x;
            while (c.kind === 'compound' && c.name === LIST_FUNCTOR && c.args.length === 2) {
              n++;
              c = c.args[1]!;
            }
            stack.push(c);
            // Push items in reverse: collect forward, then reverse in place.
            c = x;
            const start = stack.length;
            while (c.kind === 'compound' && c.name === LIST_FUNCTOR && c.args.length === 2) {
              stack.push(c.args[0]!);
              c = c.args[1]!;
            }
            reverse(stack, start, stack.length - 1);
            this.arrayHeader(n + 2);
            this.ensure(1);
            this.buf[this.pos++] = 0xc0;
            break;
          }
          const args = x.args;
          if (args.length === 0) {
            this.arrayHeader(2);
            this.ensure(1);
            this.buf[this.pos++] = 0xc2;
            this.functorName(x);
            break;
          }
          this.arrayHeader(args.length + 1);
          this.functorName(x);
          for (let i = args.length - 1; i >= 0; i--) stack.push(args[i]!);
          break;
        }
        default:
          throw new TypeError(`not a term: ${JSON.stringify((x as { kind?: unknown }).kind)}`);
      }
    }
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private arrayHeader(n: number): void {
    this.ensure(5);
    const b = this.buf;
    if (n < 16) b[this.pos++] = 0x90 | n;
    else if (n < 0x10000) { b[this.pos] = 0xdc; b[this.pos + 1] = n >>> 8; b[this.pos + 2] = n & 0xff; this.pos += 3; }
    else { b[this.pos] = 0xdd; b.writeUInt32BE(n, this.pos + 1); this.pos += 5; }
  }

  private uint(n: number): void {
    this.ensure(9);
    const b = this.buf;
    if (n < 128) b[this.pos++] = n;
    else if (n < 0x100) { b[this.pos] = 0xcc; b[this.pos + 1] = n; this.pos += 2; }
    else if (n < 0x10000) { b[this.pos] = 0xcd; b[this.pos + 1] = n >>> 8; b[this.pos + 2] = n & 0xff; this.pos += 3; }
    else if (n < TWO32) { b[this.pos] = 0xce; b.writeUInt32BE(n, this.pos + 1); this.pos += 5; }
    else {
      b[this.pos] = 0xcf;
      b.writeUInt32BE(Math.floor(n / TWO32), this.pos + 1);
      b.writeUInt32BE(n >>> 0, this.pos + 5);
      this.pos += 9;
    }
  }

  private intNumber(n: number): void {
    if (n >= 0) { this.uint(n); return; }
    this.ensure(9);
    const b = this.buf;
    if (n >= -32) b[this.pos++] = n & 0xff;
    else if (n >= -0x80) { b[this.pos] = 0xd0; b[this.pos + 1] = n & 0xff; this.pos += 2; }
    else if (n >= -0x8000) { b[this.pos] = 0xd1; b.writeInt16BE(n, this.pos + 1); this.pos += 3; }
    else if (n >= -0x80000000) { b[this.pos] = 0xd2; b.writeInt32BE(n, this.pos + 1); this.pos += 5; }
    else { b[this.pos] = 0xd3; b.writeBigInt64BE(BigInt(n), this.pos + 1); this.pos += 9; }
  }

  private intBig(v: bigint): void {
    if (v >= -0x80000000n && v < 0x100000000n) { this.intNumber(Number(v)); return; }
    if (v >= 0n && v < U64_LIMIT) {
      this.ensure(9); this.buf[this.pos] = 0xcf; this.buf.writeBigUInt64BE(v, this.pos + 1); this.pos += 9; return;
    }
    if (v < 0n && v >= I64_MIN) {
      this.ensure(9); this.buf[this.pos] = 0xd3; this.buf.writeBigInt64BE(v, this.pos + 1); this.pos += 9; return;
    }
    const neg = v < 0n;
    let hex = (neg ? -v : v).toString(16);
    if (hex.length & 1) hex = '0' + hex;
    const len = hex.length / 2;
    this.extHeader(EXT_BIGINT, len + 1);
    this.buf[this.pos++] = neg ? 1 : 0;
    this.buf.write(hex, this.pos, len, 'hex');
    this.pos += len;
  }

  private float(v: number): void {
    this.ensure(9);
    const b = this.buf;
    if (v !== v) { // NaN: one canonical pattern, so == terms give equal bytes
      b[this.pos] = 0xca; b[this.pos + 1] = 0x7f; b[this.pos + 2] = 0xc0; b[this.pos + 3] = 0; b[this.pos + 4] = 0;
      this.pos += 5;
      return;
    }
    f32[0] = v;
    if (Object.is(f32[0], v)) {
      b[this.pos] = 0xca;
      if (LITTLE) { b[this.pos + 1] = f32b[3]!; b[this.pos + 2] = f32b[2]!; b[this.pos + 3] = f32b[1]!; b[this.pos + 4] = f32b[0]!; }
      else b.set(f32b, this.pos + 1);
      this.pos += 5;
      return;
    }
    const d = decimalForm(v);
    if (d >= 0) { // DECIMAL: head byte, then M in 1 or 3 bytes
      const m = d % 16777216;
      b[this.pos + 1] = EXT_DECIMAL;
      b[this.pos + 2] = (d - m) / 16777216;
      if (m < 0x100) { b[this.pos] = 0xd5; b[this.pos + 3] = m; this.pos += 4; }
      else { b[this.pos] = 0xd6; b[this.pos + 3] = m >>> 16; b[this.pos + 4] = (m >>> 8) & 0xff; b[this.pos + 5] = m & 0xff; this.pos += 6; }
      return;
    }
    f64[0] = v;
    b[this.pos] = 0xcb;
    if (LITTLE) for (let i = 0; i < 8; i++) b[this.pos + 1 + i] = f64b[7 - i]!;
    else b.set(f64b, this.pos + 1);
    this.pos += 9;
  }

  /** An ext item with a length-prefixed payload; the caller writes `len` bytes next. */
  private extHeader(type: number, len: number): void {
    this.ensure(6 + len);
    const b = this.buf;
    switch (len) {
      case 1: b[this.pos++] = 0xd4; break;
      case 2: b[this.pos++] = 0xd5; break;
      case 4: b[this.pos++] = 0xd6; break;
      case 8: b[this.pos++] = 0xd7; break;
      case 16: b[this.pos++] = 0xd8; break;
      default:
        if (len < 0x100) { b[this.pos] = 0xc7; b[this.pos + 1] = len; this.pos += 2; }
        else if (len < 0x10000) { b[this.pos] = 0xc8; b.writeUInt16BE(len, this.pos + 1); this.pos += 3; }
        else { b[this.pos] = 0xc9; b.writeUInt32BE(len, this.pos + 1); this.pos += 5; }
    }
    b[this.pos++] = type;
  }

  /** VAR: a big-endian index in 1, 2 or 4 bytes. */
  private extIndex(type: number, n: number): void {
    this.ensure(6);
    const b = this.buf;
    if (n < 0x100) { b[this.pos] = 0xd4; b[this.pos + 1] = type; b[this.pos + 2] = n; this.pos += 3; }
    else if (n < 0x10000) { b[this.pos] = 0xd5; b[this.pos + 1] = type; b.writeUInt16BE(n, this.pos + 2); this.pos += 4; }
    else { b[this.pos] = 0xd6; b[this.pos + 1] = type; b.writeUInt32BE(n, this.pos + 2); this.pos += 6; }
  }

  private functorName(c: Compound): void {
    if (c.nilName) { // the reserved []: fixext 1 EXT_NIL_NAME, payload 0
      this.ensure(3);
      this.buf[this.pos] = 0xd4; this.buf[this.pos + 1] = EXT_NIL_NAME; this.buf[this.pos + 2] = 0; this.pos += 3;
      return;
    }
    const name = c.name;
    const k = BUILTIN_INDEX.get(name);
    if (k !== undefined) { // -1-K: fixint or int8
      this.ensure(2);
      if (k < 32) this.buf[this.pos++] = 0xff - k;
      else { this.buf[this.pos] = 0xd0; this.buf[this.pos + 1] = 0xff - k; this.pos += 2; }
      return;
    }
    const ref = this.nameRef(name);
    if (ref >= 0) { this.uint(ref); return; }
    if (this.text(name, 0xa0, 0xd9) < 0) this.utf16(EXT_ATOM16, name);
    else this.addName(name, false);
  }

  private atom(name: string): void {
    if (name.length >= 3) { // built-in names are ASCII: bytes = length
      const k = BUILTIN_INDEX.get(name);
      if (k !== undefined) {
        this.ensure(3);
        const b = this.buf;
        if (name === 'true') b[this.pos++] = 0xc3;
        else if (name === 'false') b[this.pos++] = 0xc2;
        else { b[this.pos] = 0xd4; b[this.pos + 1] = EXT_NAME; b[this.pos + 2] = k; this.pos += 3; }
        return;
      }
    }
    const ref = this.nameRef(name);
    // A reference [N] costs 2 bytes (N < 128) or more; a literal at least 1 + length.
    if (ref >= 0 && (ref < 0x80 ? 2 : ref < 0x100 ? 3 : ref < 0x10000 ? 4 : 6) <= name.length) {
      this.ensure(1);
      this.buf[this.pos++] = 0x91;
      this.uint(ref);
      return;
    }
    const n = this.text(name, 0xa0, 0xd9);
    if (n < 0) this.utf16(EXT_ATOM16, name);
    else if (n >= MIN_INTERNED_ATOM) this.addName(name, ref >= 0);
  }

  private string(s: string): void {
    if (this.text(s, -1, 0xc4) < 0) this.utf16(EXT_STR16, s);
  }

  /**
   * Write s as UTF-8 with a str (fix = 0xa0, first = 0xd9) or bin (fix = -1,
   * first = 0xc4) header. Returns the byte length, or -1 (nothing written) when s
   * has a lone surrogate and so no UTF-8 form.
   */
  private text(s: string, fix: number, first: number): number {
    const units = s.length;
    // Fast path: assume ASCII, so the byte length is the unit count.
    this.ensure(units + 5);
    const start = this.pos;
    this.lengthHeader(units, fix, first);
    const b = this.buf;
    let p = this.pos;
    let i = 0;
    for (; i < units; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[p++] = c;
    }
    if (i === units) { this.pos = p; return units; }
    // Not ASCII: check, measure, and write natively.
    if (!(s as unknown as Str).isWellFormed()) { this.pos = start; return -1; }
    const len = Buffer.byteLength(s, 'utf8');
    this.pos = start;
    this.ensure(len + 5);
    this.lengthHeader(len, fix, first);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
    return len;
  }

  private lengthHeader(len: number, fix: number, first: number): void {
    const b = this.buf;
    if (fix >= 0 && len < 32) b[this.pos++] = fix | len;
    else if (len < 0x100) { b[this.pos] = first; b[this.pos + 1] = len; this.pos += 2; }
    else if (len < 0x10000) { b[this.pos] = first + 1; b[this.pos + 1] = len >>> 8; b[this.pos + 2] = len & 0xff; this.pos += 3; }
    else { b[this.pos] = first + 2; b.writeUInt32BE(len, this.pos + 1); this.pos += 5; }
  }

  private utf16(type: number, s: string): void {
    const len = s.length * 2;
    this.extHeader(type, len);
    this.buf.write(s, this.pos, len, 'utf16le');
    this.pos += len;
  }
}

function reverse(a: Term[], i: number, j: number): void {
  while (i < j) { const t = a[i]!; a[i++] = a[j]!; a[j--] = t; }
}
