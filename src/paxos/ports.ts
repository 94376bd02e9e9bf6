// What the node runtime needs from its surroundings, narrowly. The real pieces
// (src/transport's Transport, src/store's Ledger) satisfy these directly; the
// simulator does not use them at all (it drives the machine itself).
import type { Term } from '../term/types.js';
import type { Address } from '../transport/address.js';
import type { Handler, ReplyStream, RequestOptions, SendOptions } from '../transport/index.js';
import type { Ledger } from '../store/ledger.js';

/** The part of a udp_broadcast scope that paxos uses. */
export interface PaxosTransport {
  readonly ports: { readonly public: number; readonly private: number | undefined };
  broadcast(term: Term, options?: SendOptions): Promise<void>;
  request(term: Term, options?: RequestOptions): ReplyStream;
  listen(pattern: Term, handler: Handler): () => void;
  close(): Promise<void>;
}

export type PaxosLedger = Pick<Ledger, 'immediate' | 'current' | 'records' | 'create' | 'accept' | 'learn' | 'setHolders' | 'forgetNodes' | 'close'>;

export type { Address };
