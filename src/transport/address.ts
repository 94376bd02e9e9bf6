// IPv4 addresses as library(udp_broadcast) speaks them: `ip(A,B,C,D)` and
// `ip(A,B,C,D):Port` on the Prolog side, dotted quads in Node's dgram API.
import { compound, int } from '../term/build.js';
import type { Term } from '../term/types.js';

/** Four octets, each 0..255. */
export type IPv4 = readonly [number, number, number, number];

/** A UDP endpoint: what SWI writes as `ip(A,B,C,D):Port`. */
export interface Address {
  readonly ip: IPv4;
  readonly port: number;
}

export class AddressError extends Error {
  override name = 'AddressError';
}

function octet(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 255) throw new AddressError(`not an IPv4 octet: ${String(n)}`);
  return n;
}

/** `'10.0.0.1'` or `[10,0,0,1]` to an IPv4; throws AddressError (SWI: syntax_error(illegal_ip_address)). */
export function toIPv4(ip: string | readonly number[]): IPv4 {
  const parts = typeof ip === 'string' ? ip.split('.').map((s) => (/^\d{1,3}$/.test(s) ? Number(s) : NaN)) : [...ip];
  if (parts.length !== 4) throw new AddressError(`illegal IPv4 address: ${String(ip)}`);
  return [octet(parts[0]), octet(parts[1]), octet(parts[2]), octet(parts[3])];
}

export function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AddressError(`not a UDP port: ${port}`);
  return port;
}

export function address(ip: string | readonly number[], port: number): Address {
  return { ip: toIPv4(ip), port: checkPort(port) };
}

// Per-datagram work: the same few peer addresses come and go all the time, so their
// texts are computed once per Address/IPv4 object (fromNodeAddress hands out shared ones).
const ipTexts = new WeakMap<IPv4, string>();
const addressTexts = new WeakMap<Address, string>();

export function ipText(ip: IPv4): string {
  let s = ipTexts.get(ip);
  if (s === undefined) { s = ip.join('.'); ipTexts.set(ip, s); }
  return s;
}

export function addressText(a: Address): string {
  let s = addressTexts.get(a);
  if (s === undefined) { s = `${ipText(a.ip)}:${a.port}`; addressTexts.set(a, s); }
  return s;
}

export function sameIp(a: IPv4, b: IPv4): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.port === b.port && sameIp(a.ip, b.ip);
}

/** `ip(A,B,C,D)`. */
export function ipTerm(ip: IPv4): Term {
  return compound('ip', int(ip[0]), int(ip[1]), int(ip[2]), int(ip[3]));
}

/** `ip(A,B,C,D):Port`, the `From` of SWI's replies. */
export function addressTerm(a: Address): Term {
  return compound(':', ipTerm(a.ip), int(a.port));
}

/** The inverse of addressTerm; undefined for anything else. */
export function addressFromTerm(t: Term): Address | undefined {
  if (t.kind !== 'compound' || t.name !== ':' || t.args.length !== 2) return undefined;
  const [ipT, portT] = t.args as [Term, Term];
  if (ipT.kind !== 'compound' || ipT.name !== 'ip' || ipT.args.length !== 4 || portT.kind !== 'int') return undefined;
  try {
    const octets = ipT.args.map((o) => (o.kind === 'int' && typeof o.value === 'number' ? o.value : NaN));
    return address(octets, typeof portT.value === 'number' ? portT.value : NaN);
  } catch {
    return undefined;
  }
}

/** SWI's default_subnet/2: the class A, B or C mask; undefined for class D and E addresses. */
export function defaultSubnetMask(ip: IPv4): IPv4 | undefined {
  const a = ip[0];
  if (a <= 127) return [255, 0, 0, 0];
  if (a <= 191) return [255, 255, 0, 0];
  if (a <= 223) return [255, 255, 255, 0];
  return undefined;
}

/** SWI's udp_broadcast_address/3: each octet of ip OR the inverted mask. */
export function broadcastAddress(ip: IPv4, mask: IPv4): IPv4 {
  return [ip[0] | (mask[0] ^ 255), ip[1] | (mask[1] ^ 255), ip[2] | (mask[2] ^ 255), ip[3] | (mask[3] ^ 255)];
}

/** SWI's multicast_address/1: the first octet is 224..239. */
export function isMulticast(ip: IPv4): boolean {
  return ip[0] >= 224 && ip[0] <= 239;
}

// Parsed senders by host and port (every inbound datagram has one); frozen because
// the same object is handed to every consumer. Bounded: a flood of distinct senders
// only restarts the cache.
const senders = new Map<string, Map<number, Address>>();
let sendersSize = 0;
const MAX_SENDERS = 4096;

/** Node reports IPv4 senders as dotted quads (or IPv4-mapped IPv6 on dual-stack sockets). */
export function fromNodeAddress(host: string, port: number): Address | undefined {
  const known = senders.get(host)?.get(port);
  if (known !== undefined) return known;
  const h = host.startsWith('::ffff:') ? host.slice(7) : host;
  let a: Address;
  try {
    a = address(h, port);
  } catch {
    return undefined;
  }
  Object.freeze(a.ip);
  Object.freeze(a);
  if (sendersSize >= MAX_SENDERS) { senders.clear(); sendersSize = 0; }
  let byPort = senders.get(host);
  if (byPort === undefined) { byPort = new Map(); senders.set(host, byPort); }
  byPort.set(port, a);
  sendersSize++;
  return a;
}
