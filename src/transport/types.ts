// The transport's public surface: what the paxos layer (and anyone else) uses.
import type { Term } from '../term/types.js';
import type { Address } from './address.js';
import type { AuthDrops, AuthOptions } from './auth.js';
import type { Codec } from './framing.js';
import type { FaultCounters, FaultProfile } from './faults.js';
import type { Handler } from './listeners.js';
import type { ReplyStream } from './requests.js';

export interface SendOptions {
  /**
   * Unicast scopes: skip the peers that are this scope's own socket (SWI sends to
   * itself when it is listed). For senders that handle their own messages locally;
   * a plain broadcast or multicast datagram cannot leave anyone out.
   */
  readonly exceptSelf?: boolean;
}

export interface RequestOptions extends SendOptions {
  /** How long replies are collected, in milliseconds (SWI's default: 250). */
  readonly timeoutMs?: number;
  /** Ask one listener only (SWI's `Term:ip(A,B,C,D):Port`); replies from elsewhere are ignored. */
  readonly to?: Address;
  /** Hand out replies that do not unify with the request too (RawReply), as they are. */
  readonly raw?: boolean;
}

/** Inbound datagrams are counted by fate: each lands in one of the counters from `oversized` to `joined` (or is still being handled). */
export interface TransportCounters {
  datagramsIn: number;
  /** Larger than the scope's inbound limit. */
  oversized: number;
  /** From a sender the scope does not hear (in_scope/2), with no join hook taking it. */
  outOfScope: number;
  /** Authenticated scopes: not signed with one of our keys, or stale, or replayed (`auth.drops` says which). */
  unauthenticated: number;
  /** Not a send/request/reply message in the scope's encoding. */
  malformed: number;
  /** Refused by the black-list hook. */
  blacklisted: number;
  /** Dropped because too many inbound messages were still being handled. */
  overloaded: number;
  /** Handed to listeners or to a request. */
  accepted: number;
  /** From an unlisted address of a unicast scope, and accepted by the admit or join hook (a join hook's rejection counts as outOfScope). */
  joined: number;

  /** Replies to no open request of ours (late, or never ours). */
  unknownReplies: number;
  /** Replies to an open request that did not unify with its template, came from the wrong address, or overflowed its queue. */
  skippedReplies: number;
  /** Handlers (and hooks) that threw or rejected. */
  handlerErrors: number;
  /** Datagrams sent (one per peer for a unicast broadcast) and replies sent among them. */
  datagramsOut: number;
  repliesSent: number;
  /** Sends the OS refused, and replies that could not be encoded. */
  sendErrors: number;
}

export interface Transport {
  readonly scope: string;
  readonly method: 'broadcast' | 'multicast' | 'unicast';
  /** The public port and, for broadcast and multicast, the private one (replies and directed messages). */
  readonly ports: { readonly public: number; readonly private: number | undefined };
  /** Why `t` could not be sent in a message of this scope (its codec's refusal), or undefined. */
  refusal(t: Term): string | undefined;
  /** `send(Term)` to every listener of the scope (broadcast(udp(Scope, Term))). */
  broadcast(term: Term, options?: SendOptions): Promise<void>;
  /** `send(Term)` to one listener (broadcast(udp(Scope, Term:To))). */
  sendTo(to: Address, term: Term): Promise<void>;
  /**
   * `request(Id, Term)`: the replies, unified with `term`, as they arrive until the
   * timeout. Throws TransportError at once when the term cannot be sent. As in SWI,
   * a ground term is only broadcast, and the stream ends without replies.
   */
  request(term: Term, options?: RequestOptions): ReplyStream;
  /** Register a handler for terms unifying with pattern (listen/3); returns the unlisten function. */
  listen(pattern: Term, handler: Handler): () => void;
  readonly counters: Readonly<TransportCounters>;
  /** Present when the scope authenticates its datagrams: the key ids (the first signs) and the drops by reason. */
  readonly auth: { readonly keyIds: readonly string[]; readonly drops: Readonly<AuthDrops> } | undefined;
  /** Present when the scope runs under fault injection. */
  readonly faults: { readonly send: Readonly<FaultCounters>; readonly receive: Readonly<FaultCounters> } | undefined;
  close(): Promise<void>;
  readonly closed: boolean;
}

/** A unicast scope also manages its peers (udp_peer_add/2, udp_peer_del/2, udp_peer/2). */
export interface UnicastTransport extends Transport {
  readonly method: 'unicast';
  /** A bare IP takes the scope's port. */
  addPeer(peer: Address | string | readonly number[]): void;
  removePeer(peer: Address | string | readonly number[]): void;
  peers(): readonly Address[];
  /** `peer` is this scope's own socket (its port on a loopback, wildcard or the bind address). */
  isSelf(peer: Address): boolean;
}

/**
 * udp_unicast_join_hook/3: a unicast scope heard `term` from `from`, which is no
 * peer. Return false (or nothing) to ignore it; true, or an instance of `term`,
 * to accept it. For a request that instance is the reply. Typically calls
 * `transport.addPeer(from)`.
 */
export type JoinHook = (from: Address, term: Term, transport: UnicastTransport) => boolean | void | Term | Promise<boolean | void | Term>;

/**
 * A unicast scope heard `term` from `from`, an address not among its peers (SWI
 * hears every port of a peer's IP, so it may be heard already): return true to make the
 * sender a peer and handle its datagram as any peer's (a request is answered by the
 * listeners). Unlike the join hook, nothing is lost: the first datagram is handled too.
 * Runs after authentication and decoding, before the black list.
 */
export type AdmitHook = (from: Address, term: Term, transport: UnicastTransport) => boolean;

export interface TransportHooks {
  /** udp_term_string_hook/3 (default: prologTextCodec(), SWI's own format). */
  readonly codec?: Codec;
  /** black_list/1: true to ignore an inbound send, request or reply carrying this term. */
  readonly blackList?: (term: Term) => boolean;
  readonly joinHook?: JoinHook;
  /** Tried before joinHook; see AdmitHook. */
  readonly admitStranger?: AdmitHook;
  /** Told about handler exceptions and send failures (SWI prints them); they are counted either way. */
  readonly onError?: (error: unknown, context: string) => void;
}

export interface TransportLimits {
  /** Inbound datagrams above this many bytes are dropped (default 65,535, SWI's max_message_size). */
  readonly maxInboundBytes?: number;
  /** Replies one handler may give to one request (default 1000). */
  readonly maxSolutions?: number;
  /** Inbound messages handled at once; more are dropped as overloaded (default 1000). */
  readonly maxInFlight?: number;
  /** Replies queued for one request before more are dropped (default 10,000). */
  readonly maxQueuedReplies?: number;
}

export interface TransportConfig extends TransportHooks, TransportLimits {
  readonly faults?: FaultProfile;
  /**
   * Sign every datagram and drop every inbound one that is not signed with one of
   * these keys, fresh and seen for the first time (src/transport/auth.ts), before
   * it is decoded. The SWI side: prolog/paxos_auth.pl.
   */
  readonly auth?: AuthOptions;
}

export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    readonly code: 'too_large' | 'unrepresentable' | 'closed' | 'not_unicast',
    message: string,
  ) {
    super(message);
  }
}
