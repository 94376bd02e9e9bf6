// The paxos.pl wire vocabulary: the X of paxos(X), as typed values, and their
// conversion to and from terms. A request is sent with unbound reply slots
// (variables); each reply is the same term with those slots bound. Fields that are
// reply slots are optional here: undefined means "unbound".
//
// Decoding accepts everything SWI sends and rejects (returns undefined) what no SWI
// node would send, so a malformed datagram is ignored rather than crashing a node.
import { atom, compound, int, variable } from '../term/build.js';
import { isGround } from '../term/walk.js';
import type { Term } from '../term/types.js';
import type { Bitmap, NodeId } from './bits.js';

export type Gen = number;

/** The functor of an absence reply's key (see the retrieve message). */
const ABSENT = '$paxos_absent';

export type PaxosMsg =
  | { readonly t: 'prepare'; readonly key: Term; readonly node?: NodeId; readonly gen?: Gen; readonly value: Term }
  | { readonly t: 'accept'; readonly key: Term; readonly node?: NodeId; readonly gen: Gen; readonly genA?: Gen | 'nack'; readonly value: Term }
  | { readonly t: 'changed'; readonly key: Term; readonly gen: Gen; readonly value: Term; readonly acceptors: Bitmap }
  | { readonly t: 'learn'; readonly key: Term; readonly node?: NodeId; readonly gen: Gen; readonly genA?: Gen | 'nack'; readonly value: Term }
  | { readonly t: 'learned'; readonly key: Term; readonly gen: Gen; readonly value: Term; readonly acceptors: Bitmap }
  /**
   * `absent`: a reply of ours saying this node holds no record of the key. On the wire
   * it names the key `'$paxos_absent'(Key)` at generation 0, which does not unify
   * with the request, so SWI requesters skip it (thread_get_message/3 takes only
   * replies that unify) while our readers count it.
   */
  | { readonly t: 'retrieve'; readonly key: Term; readonly node?: NodeId; readonly gen?: Gen; readonly value?: Term; readonly absent?: true }
  | { readonly t: 'forget'; readonly nodes: Bitmap }
  | { readonly t: 'node'; readonly node?: NodeId | 'self'; readonly quorum?: Bitmap; readonly dead?: Bitmap }
  | { readonly t: 'claim_node'; readonly node: NodeId; readonly ok?: boolean }
  | { readonly t: 'ask'; readonly node?: NodeId; readonly message: Term };

export type MsgType = PaxosMsg['t'];

const slot = (x: Term | undefined): Term => x ?? variable();
const num = (n: number | undefined): Term => (n === undefined ? variable() : int(n));
const big = (n: bigint | undefined): Term => (n === undefined ? variable() : int(n));
const genA = (g: Gen | 'nack' | undefined): Term => (g === undefined ? variable() : g === 'nack' ? atom('nack') : int(g));

/** paxos(X) for a message. */
export function encodePaxos(m: PaxosMsg): Term {
  return compound('paxos', encodeBody(m));
}

export function encodeBody(m: PaxosMsg): Term {
  switch (m.t) {
    case 'prepare': return compound('prepare', m.key, num(m.node), num(m.gen), m.value);
    case 'accept': return compound('accept', m.key, num(m.node), int(m.gen), genA(m.genA), m.value);
    case 'changed': return compound('changed', m.key, int(m.gen), m.value, int(m.acceptors));
    case 'learn': return compound('learn', m.key, num(m.node), int(m.gen), genA(m.genA), m.value);
    case 'learned': return compound('learned', m.key, int(m.gen), m.value, int(m.acceptors));
    case 'retrieve':
      if (m.absent) return compound('retrieve', compound(ABSENT, m.key), num(m.node), int(0), atom('[]'));
      return compound('retrieve', m.key, num(m.node), num(m.gen), slot(m.value));
    case 'forget': return compound('forget', int(m.nodes));
    case 'node':
      return compound('node', m.node === 'self' ? atom('self') : num(m.node), big(m.quorum), big(m.dead));
    case 'claim_node':
      return compound('claim_node', int(m.node), m.ok === undefined ? variable() : atom(m.ok ? 'true' : 'false'));
    case 'ask': return compound('ask', num(m.node), m.message);
  }
}

function optInt(t: Term): number | undefined | null {
  if (t.kind === 'var') return undefined;
  if (t.kind === 'int' && typeof t.value === 'number' && t.value >= 0) return t.value;
  return null; // invalid
}
function reqInt(t: Term): number | null {
  return t.kind === 'int' && typeof t.value === 'number' && t.value >= 0 ? t.value : null;
}
function optBig(t: Term): bigint | undefined | null {
  if (t.kind === 'var') return undefined;
  if (t.kind === 'int') { const v = BigInt(t.value); return v >= 0n ? v : null; }
  return null;
}
function optGenA(t: Term): Gen | 'nack' | undefined | null {
  if (t.kind === 'atom' && t.name === 'nack') return 'nack';
  return optInt(t);
}

/** Decode paxos(X); undefined when it is not a paxos message we understand. */
export function decodePaxos(t: Term): PaxosMsg | undefined {
  if (t.kind !== 'compound' || t.name !== 'paxos' || t.args.length !== 1) return undefined;
  return decodeBody(t.args[0]!);
}

export function decodeBody(b: Term): PaxosMsg | undefined {
  // Runs on every datagram: a switch on the name then the arity (no key string),
  // optional fields set only when bound (a field is absent, never undefined).
  if (b.kind !== 'compound') return undefined;
  const a = b.args;
  const n = a.length;
  switch (b.name) {
    case 'prepare': {
      if (n !== 4) return undefined;
      const node = optInt(a[1]!); const gen = optInt(a[2]!);
      if (node === null || gen === null || !isGround(a[0]!) || !isGround(a[3]!)) return undefined;
      const m: { t: 'prepare'; key: Term; node?: NodeId; gen?: Gen; value: Term } = { t: 'prepare', key: a[0]!, value: a[3]! };
      if (node !== undefined) m.node = node;
      if (gen !== undefined) m.gen = gen;
      return m;
    }
    case 'accept': case 'learn': {
      if (n !== 5) return undefined;
      const node = optInt(a[1]!); const gen = reqInt(a[2]!); const ga = optGenA(a[3]!);
      if (node === null || gen === null || ga === null || !isGround(a[0]!) || !isGround(a[4]!)) return undefined;
      const m: { t: 'accept' | 'learn'; key: Term; node?: NodeId; gen: Gen; genA?: Gen | 'nack'; value: Term } = { t: b.name, key: a[0]!, gen, value: a[4]! };
      if (node !== undefined) m.node = node;
      if (ga !== undefined) m.genA = ga;
      return m;
    }
    case 'changed': case 'learned': {
      if (n !== 4) return undefined;
      const gen = reqInt(a[1]!); const acc = optBig(a[3]!);
      if (gen === null || acc == null || !isGround(a[0]!) || !isGround(a[2]!)) return undefined;
      return { t: b.name, key: a[0]!, gen, value: a[2]!, acceptors: acc };
    }
    case 'retrieve': {
      if (n !== 4) return undefined;
      const node = optInt(a[1]!); const gen = optInt(a[2]!);
      if (node === null || gen === null || !isGround(a[0]!)) return undefined;
      const v = a[3]!;
      const k = a[0]!;
      // No record is ever reported at generation 0, so this shape is only an absence.
      if (gen === 0 && node !== undefined && k.kind === 'compound' && k.name === ABSENT && k.args.length === 1) {
        return { t: 'retrieve', key: k.args[0]!, node, absent: true };
      }
      const m: { t: 'retrieve'; key: Term; node?: NodeId; gen?: Gen; value?: Term } = { t: 'retrieve', key: a[0]! };
      if (node !== undefined) m.node = node;
      if (gen !== undefined) m.gen = gen;
      if (v.kind !== 'var') m.value = v;
      return m;
    }
    case 'forget': {
      if (n !== 1) return undefined;
      const nodes = optBig(a[0]!);
      return nodes == null ? undefined : { t: 'forget', nodes };
    }
    case 'node': {
      if (n !== 3) return undefined;
      const x = a[0]!;
      const node = x.kind === 'atom' && x.name === 'self' ? 'self' as const : optInt(x);
      const q = optBig(a[1]!); const d = optBig(a[2]!);
      if (node === null || q === null || d === null) return undefined;
      const m: { t: 'node'; node?: NodeId | 'self'; quorum?: Bitmap; dead?: Bitmap } = { t: 'node' };
      if (node !== undefined) m.node = node;
      if (q !== undefined) m.quorum = q;
      if (d !== undefined) m.dead = d;
      return m;
    }
    case 'claim_node': {
      if (n !== 2) return undefined;
      const node = reqInt(a[0]!); const ok = a[1]!;
      if (node === null) return undefined;
      if (ok.kind === 'var') return { t: 'claim_node', node };
      if (ok.kind === 'atom' && (ok.name === 'true' || ok.name === 'false')) return { t: 'claim_node', node, ok: ok.name === 'true' };
      return undefined;
    }
    case 'ask': {
      if (n !== 2) return undefined;
      const node = optInt(a[0]!);
      if (node === null) return undefined;
      return node === undefined ? { t: 'ask', message: a[1]! } : { t: 'ask', node, message: a[1]! };
    }
    default: return undefined;
  }
}
