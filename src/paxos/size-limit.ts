// Every paxos message that carries a value carries its key too, in one UDP datagram
// (library(udp_broadcast) has no fragmentation): so key and value together must fit
// one datagram with room for the message around them. One limit and one message for
// the node, the admin API and the CLI, checked before any message goes out.
import { MAX_UDP_PAYLOAD } from '../transport/framing.js';

/** Room for the rest of a message: framing, request id, signature, generations, an acceptor bitmap. */
const MESSAGE_ROOM = 512;

/** The most bytes key and value may take together on the wire (as Prolog text, with the default codec). */
export const MAX_KEY_VALUE_BYTES = MAX_UDP_PAYLOAD - MESSAGE_ROOM;

/** Why a key and value of `bytes` bytes (a number, or e.g. "more than 1048576") cannot be set. */
export function tooLargeText(bytes: number | string): string {
  return `value too large: key and value take ${bytes} bytes, and a paxos message carries both in one UDP datagram, ` +
    `which leaves at most ${MAX_KEY_VALUE_BYTES} bytes for them`;
}
