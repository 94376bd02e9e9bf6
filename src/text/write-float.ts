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
    const s = String(v);
    return s.indexOf('.') >= 0 ? s : s + '.0';
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
