// UDP transport compatible with SWI-Prolog's library(udp_broadcast).
export * from './address.js';
export * from './auth.js';
export * from './framing.js';
export * from './faults.js';
export type { Handler, Inbound, Solutions } from './listeners.js';
export { RawReply } from './listeners.js';
export type { Reply, ReplyStream } from './requests.js';
export { randomRequestId } from './requests.js';
export * from './scope.js';
export * from './scopes.js';
export type { DatagramSocket } from './socket.js';
export * from './types.js';
export { DEFAULT_REQUEST_TIMEOUT_MS, openScope } from './udp-transport.js';
export * from './peer-exchange.js';
