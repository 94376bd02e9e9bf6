// Code point ranges in the compact text form of the generated character tables
// (grammar/chars-data.ts for the reader, src/text/write-chars-data.ts for the writer):
// alternating gap/length numbers in base 36, comma separated.

export type Range = [lo: number, hi: number];

export function encodeRanges(ranges: readonly Range[]): string {
  const out: string[] = [];
  let prev = 0;
  for (const [lo, hi] of ranges) {
    out.push((lo - prev).toString(36), (hi - lo + 1).toString(36));
    prev = hi + 1;
  }
  return out.join(',');
}

export function decodeRanges(s: string): Range[] {
  const out: Range[] = [];
  const nums = s.split(',').map((x) => parseInt(x, 36));
  let prev = 0;
  for (let i = 0; i + 1 < nums.length; i += 2) {
    const lo = prev + nums[i]!;
    const hi = lo + nums[i + 1]! - 1;
    out.push([lo, hi]);
    prev = hi + 1;
  }
  return out;
}
