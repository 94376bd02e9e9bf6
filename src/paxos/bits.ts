// Node-id bitmaps, as paxos.pl keeps them: bit N set <=> node N is in the set.
// Node ids are small non-negative integers (SWI allows 0..1000), so bitmaps are bigints.

export type NodeId = number;
export type Bitmap = bigint;

export const EMPTY: Bitmap = 0n;

export function bit(n: NodeId): Bitmap {
  return 1n << BigInt(n);
}

export function has(set: Bitmap, n: NodeId): boolean {
  return (set & bit(n)) !== 0n;
}

export function add(set: Bitmap, n: NodeId): Bitmap {
  return set | bit(n);
}

export function del(set: Bitmap, n: NodeId): Bitmap {
  return set & ~bit(n);
}

export function popcount(set: Bitmap): number {
  let c = 0;
  for (let s = set; s !== 0n; s &= s - 1n) c++;
  return c;
}

/** paxos.pl majority/2: popcount(SubSet) >= (popcount(Set)+2)//2. */
export function majority(subset: Bitmap, set: Bitmap): boolean {
  return popcount(subset) >= Math.floor((popcount(set) + 2) / 2);
}

/** Node ids in a bitmap, ascending. */
export function members(set: Bitmap): NodeId[] {
  const out: NodeId[] = [];
  let i = 0;
  for (let s = set; s !== 0n; s >>= 1n, i++) if (s & 1n) out.push(i);
  return out;
}

export function fromIds(ids: Iterable<NodeId>): Bitmap {
  let s = EMPTY;
  for (const n of ids) s |= bit(n);
  return s;
}
