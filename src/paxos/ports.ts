// What the node runtime needs from its surroundings, narrowly. The real pieces
// (src/transport's Transport, src/store's Ledger) satisfy these directly; the
// simulator does not use them at all (it drives the machine itself).
import type { Term } from '../term/types.js';
import type { Address } from '../transport/address.js';
import type { Handler, ReplyStream, RequestOptions, SendOptions } from '../transport/index.js';
import type { RecordStore } from '../store/ledger.js';

/** The part of a udp_broadcast scope that paxos uses. */
export interface PaxosTransport {
  readonly ports: { readonly public: number; readonly private: number | undefined };
  /** Why `t` could not be sent (e.g. text the wire cannot carry), or undefined; optional for test doubles. */
  refusal?(t: Term): string | undefined;
  /** The bytes a request carrying `message` takes in its datagram (framing and signature included); optional for test doubles. */
  requestBytes?(message: Term): number;
  broadcast(term: Term, options?: SendOptions): Promise<void>;
  request(term: Term, options?: RequestOptions): ReplyStream;
  listen(pattern: Term, handler: Handler): () => void;
  close(): Promise<void>;
}

/** The node's storage: any RecordStore (src/store: LmdbLedger, MemoryLedger). */
export type PaxosLedger = RecordStore;

export type { Address };
