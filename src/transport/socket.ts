// One bound UDP socket behind a small interface, so that fault injection (and
// tests) can stand between the transport and the network.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { type Address, fromNodeAddress, ipText } from './address.js';

export type DatagramListener = (data: Buffer, from: Address) => void;

export interface DatagramSocket {
  /** The bound local port. */
  readonly port: number;
  /** Resolves when the datagram was handed to the kernel; rejects on a send error. */
  send(data: Uint8Array, to: Address): Promise<void>;
  /** The single consumer of inbound datagrams; replaces any previous one. */
  onMessage(listener: DatagramListener): void;
  close(): Promise<void>;
}

export interface BindOptions {
  /** Local address to bind (default 0.0.0.0, as SWI's tcp_bind/2 with a bare port). */
  readonly host?: string;
  /** 0 for an ephemeral port. */
  readonly port: number;
  /** SO_REUSEADDR, as SWI sets on the public port of broadcast and multicast scopes. */
  readonly reuseAddr?: boolean;
  /** SO_BROADCAST, as SWI sets on the private socket of a broadcast scope. */
  readonly broadcast?: boolean;
  /** Join this group (IP_ADD_MEMBERSHIP) after binding, optionally on one interface. */
  readonly multicastGroup?: string;
  readonly multicastInterface?: string;
  /** IP_MULTICAST_TTL for outbound multicast (the system default, 1, when absent). */
  readonly multicastTtl?: number;
}

/** Called for socket-level errors after binding (the socket stays usable where the OS allows). */
export type SocketErrorListener = (err: Error) => void;

// Every destination is a dotted quad (ipText), and bind hosts are IP literals: the
// default dns.lookup only defers each datagram by a tick to hand the text back.
// Anything else still goes to dns.lookup.
const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
function literalLookup(host: string, family: unknown, cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  if (DOTTED_QUAD.test(host)) cb(null, host, 4);
  else dns.lookup(host, family as number, cb);
}

export async function bindUdp(options: BindOptions, onError: SocketErrorListener): Promise<DatagramSocket> {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: options.reuseAddr ?? false, lookup: literalLookup });
  await new Promise<void>((resolve, reject) => {
    const fail = (e: Error): void => reject(e);
    sock.once('error', fail);
    sock.bind(options.port, options.host ?? '0.0.0.0', () => {
      sock.off('error', fail);
      resolve();
    });
  });
  try {
    if (options.broadcast) sock.setBroadcast(true);
    if (options.multicastTtl !== undefined) sock.setMulticastTTL(options.multicastTtl);
    if (options.multicastInterface !== undefined) sock.setMulticastInterface(options.multicastInterface);
    if (options.multicastGroup !== undefined) sock.addMembership(options.multicastGroup, options.multicastInterface);
  } catch (e) {
    sock.close();
    throw e;
  }
  sock.on('error', onError);
  return new NodeDatagramSocket(sock);
}

class NodeDatagramSocket implements DatagramSocket {
  readonly port: number;
  private listener: DatagramListener = () => {};
  private closed = false;

  constructor(private readonly sock: dgram.Socket) {
    this.port = sock.address().port;
    sock.on('message', (msg, rinfo) => {
      const from = fromNodeAddress(rinfo.address, rinfo.port);
      if (from !== undefined) this.listener(msg, from);
    });
  }

  send(data: Uint8Array, to: Address): Promise<void> {
    if (this.closed) return Promise.reject(new Error('socket is closed'));
    return new Promise((resolve, reject) => {
      this.sock.send(data, to.port, ipText(to.ip), (err) => (err ? reject(err) : resolve()));
    });
  }

  onMessage(listener: DatagramListener): void {
    this.listener = listener;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.sock.close(() => resolve()));
  }
}
