// Joining a unicast scope of our nodes from one seed address. A node admits a
// stranger whose datagram it accepts (the paxos node: a paxos message) as a peer,
// sends it the peers it knows and tells those peers about it; a node sent a peer
// list adds the addresses it lacks. So `--peer SEED` alone joins every node the seed
// knows, and they all hear the newcomer.
//
// SWI nodes have no listener for the peer list (their broadcast/1 finds none and
// ignores it) and hear only the peers they list: a mixed cluster keeps SWI's recipe,
// every node listing every node.
import { compound, list, variable } from '../term/build.js';
import type { Term } from '../term/types.js';
import { listItems } from '../term/walk.js';
import { type Address, addressFromTerm, addressTerm, sameAddress } from './address.js';
import type { AdmitHook, UnicastTransport } from './types.js';

/** `'$udp_peers'([ip(A,B,C,D):Port, ...])`: addresses the receiver should hear. */
export const PEERS_MESSAGE = '$udp_peers';

/** A datagram holds at most ~64 KB; more addresses than node ids exist would be nonsense. */
const MAX_LISTED = 1024;
/**
 * Strangers can add peers, so the table is capped: past it, newcomers are refused
 * (and logged by the caller) rather than memory growing with every forged sender.
 * An authenticated scope verifies a datagram before this hook sees it, so there
 * only key holders can become peers.
 */
export const DEFAULT_MAX_PEERS = 128;

export interface PeerExchangeOptions {
  /** Which strangers' datagrams make them peers (e.g. a paxos message). Peer lists always do. */
  readonly accept: (term: Term) => boolean;
  /** Told about each address added, with who brought it (the stranger itself, or a peer list's sender). */
  readonly onPeer?: (peer: Address, via: Address) => void;
  readonly onError?: (e: unknown) => void;
  /** At most this many peers (own address included); default DEFAULT_MAX_PEERS. */
  readonly maxPeers?: number;
  /** Told when a newcomer is refused because the table is full (once per address). */
  readonly onFull?: (peer: Address) => void;
}

export interface PeerExchange {
  /** For the scope's TransportConfig. */
  readonly admitStranger: AdmitHook;
  /** Handle peer lists on the opened scope; returns the unlisten function. */
  attach(t: UnicastTransport): () => void;
}

export function peerExchange(o: PeerExchangeOptions): PeerExchange {
  const isPeerList = (t: Term): boolean => t.kind === 'compound' && t.name === PEERS_MESSAGE && t.args.length === 1;
  const send = (p: Promise<void>): void => void p.catch((e: unknown) => o.onError?.(e));
  const max = o.maxPeers ?? DEFAULT_MAX_PEERS;
  const refused: Address[] = []; // bounded: at most MAX_LISTED remembered, only to log once
  const full = (t: UnicastTransport, a: Address): boolean => {
    if (t.peers().length < max) return false;
    if (!refused.some((r) => sameAddress(r, a)) && refused.length < MAX_LISTED) {
      refused.push(a);
      o.onFull?.(a);
    }
    return true;
  };
  const admitStranger: AdmitHook = (from, term, t) => {
    if (!isPeerList(term) && !o.accept(term)) return false;
    if (full(t, from)) return false;
    // Called before the transport adds `from`: the others are exactly the current peers.
    const others = t.peers().filter((p) => !t.isSelf(p) && !sameAddress(p, from));
    send(t.sendTo(from, peerList(others)));
    if (others.length > 0) send(t.broadcast(peerList([from]), { exceptSelf: true }));
    o.onPeer?.(from, from);
    return true;
  };
  const attach = (t: UnicastTransport): (() => void) => t.listen(compound(PEERS_MESSAGE, variable()), (m) => {
    const known = t.peers();
    const listed = m.term.kind === 'compound' ? listItems(m.term.args[0]!).items : [];
    for (const item of listed.slice(0, MAX_LISTED)) {
      const a = addressFromTerm(item);
      if (a === undefined || t.isSelf(a) || sameAddress(a, m.from) || known.some((p) => sameAddress(p, a))) continue;
      if (full(t, a)) break;
      t.addPeer(a);
      o.onPeer?.(a, m.from);
    }
    return undefined;
  });
  return { admitStranger, attach };
}

function peerList(peers: readonly Address[]): Term {
  return compound(PEERS_MESSAGE, list(peers.map(addressTerm)));
}
