// Float text as SWI-Prolog 9.0.4's format_float(): the shortest digits that read
// back to the same double (dtoa mode 0, as JS's own number formatting), laid out
// with SWI's rules: 0.0001 but 1.0e-5, 123456789012345.0 but 1.0e+15.

export function formatFloat(v: number): string {
  if (v !== v) return '1.5NaN'; // JS has one NaN: the quiet NaN, mantissa 1.5 in SWI's notation
  if (v === Infinity) return '1.0Inf';
  if (v === -Infinity) return '-1.0Inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  // Fast path: where JS's own text is fixed-point, its digits are SWI's digits.
  const a = v < 0 ? -v : v;
  if (a >= 1e-4 && a < 1e15) {
    if (Number.isInteger(v)) return String(v) + '.0';
    // Two decimals (prices, measurements): if the decimal k/100 reads back as v
    // (IEEE division rounds k/100 exactly as reading its text does) and has at
    // most 15 digits, no other decimal of <= 15 digits reads as v (DBL_DIG), so
    // it is the shortest round-trip text: the same digits String(v) finds, built
    // from small integers, whose texts V8 caches.
    const k = hundredths(a);
    if (k >= 0) {
      const ip = Math.floor(k / 100);
      const fp = k - ip * 100;
      const frac = fp === 0 ? '0' : fp % 10 === 0 ? String(fp / 10) : fp < 10 ? '0' + fp : String(fp);
      return (v < 0 ? '-' : '') + ip + '.' + frac;
    }
    const s = String(v);
    return s.indexOf('.') >= 0 ? s : s + '.0';
  }
  // Below 1e-4 SWI's text is always exponential, and JS's exponential text has
  // the same shortest digits and layout ("1.5e-7"), short only of SWI's ".0" in
  // "1.0e-7".
  if (a < 1e-4) {
    const x = v.toExponential();
    if (x.indexOf('.') >= 0) return x;
    const ePos = x.indexOf('e');
    return x.slice(0, ePos) + '.0' + x.slice(ePos);
  }
  const neg = v < 0;
  const e = (neg ? -v : v).toExponential(); // "d.ddde+x": shortest round-trip digits
  const ePos = e.indexOf('e');
  const digits = e.charCodeAt(1) === 0x2e ? e[0]! + e.slice(2, ePos) : e.slice(0, ePos);
  const decpt = Number(e.slice(ePos + 1)) + 1;
  const n = digits.length;
  let out: string;
  if (decpt <= 0) {
    if (decpt <= -4) out = `${digits[0]}.${n > 1 ? digits.slice(1) : '0'}e${decpt - 1}`;
    else out = '0.' + '0'.repeat(-decpt) + digits;
  } else if (n > decpt) {
    out = digits.slice(0, decpt) + '.' + digits.slice(decpt);
  } else if (decpt > 15) {
    out = `${digits[0]}.${n > 1 ? digits.slice(1) : '0'}e+${decpt - 1}`;
  } else {
    out = digits + '0'.repeat(decpt - n) + '.0';
  }
  return neg ? '-' + out : out;
}

/**
 * For a positive finite `a` in [1e-4, 1e15): the integer k when the decimal k/100
 * (at most 15 digits) is a's shortest text, so the writer can print it as digits; else -1.
 * Why it is the shortest: see formatFloat.
 */
export function hundredths(a: number): number {
  const k = a * 100;
  return k < 1e15 && Number.isInteger(k) && k / 100 === a ? k : -1;
}
