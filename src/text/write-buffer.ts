// The writer's output: UTF-16 code units copied into one growable typed array and
// turned into a string once per write. Cheaper than concatenating (a rope of tiny
// cons strings that must be flattened later) or joining an array of pieces, and
// it keeps lone surrogates as they are.

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class OutBuffer {
  private units = new Uint16Array(4096);
  /** A Buffer view of `units`, for its native UTF-16LE decoder. */
  private bytes = Buffer.from(this.units.buffer);
  private n = 0;
  /** Largest size kept between writes, so one huge term does not pin its buffer forever. */
  private static readonly KEEP = 1 << 20;

  reset(): void {
    this.n = 0;
  }

  /** Appends `s` and returns its last code unit (`s` is not empty). */
  put(s: string): number {
    const len = s.length;
    let n = this.n;
    if (n + len > this.units.length) this.grow(len);
    const u = this.units;
    let c = 0;
    for (let i = 0; i < len; i++) {
      c = s.charCodeAt(i);
      u[n++] = c;
    }
    this.n = n;
    return c;
  }

  /** Appends the decimal digits of `v`, an integer in 0 .. 2^31-1, and returns the last digit's code. */
  putSmallUint(v: number): number {
    let digits = 1;
    for (let p = 10; p <= v && digits < 10; p *= 10) digits++;
    if (this.n + digits > this.units.length) this.grow(digits);
    const u = this.units;
    const end = this.n + digits;
    let i = end;
    do {
      const q = (v / 10) | 0;
      u[--i] = 0x30 + v - q * 10;
      v = q;
    } while (v > 0);
    this.n = end;
    return u[end - 1]!;
  }

  putChar(c: number): void {
    if (this.n === this.units.length) this.grow(1);
    this.units[this.n++] = c;
  }

  /** The text written since reset(). */
  text(): string {
    const n = this.n;
    let out: string;
    if (LITTLE_ENDIAN) {
      out = this.bytes.toString('utf16le', 0, n * 2);
    } else {
      out = '';
      for (let i = 0; i < n; i += 8192) out += String.fromCharCode(...this.units.subarray(i, Math.min(n, i + 8192)));
    }
    this.n = 0;
    if (this.units.length > OutBuffer.KEEP) this.resize(4096);
    return out;
  }

  private grow(extra: number): void {
    let size = this.units.length * 2;
    while (size < this.n + extra) size *= 2;
    this.resize(size);
  }

  private resize(size: number): void {
    const units = new Uint16Array(size);
    units.set(this.units.subarray(0, Math.min(this.n, size)));
    this.units = units;
    this.bytes = Buffer.from(units.buffer);
  }
}
