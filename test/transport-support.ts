// Shared by the transport suites: waiting, raw sockets, term text helpers.
import dgram from 'node:dgram';
import type { Term } from '../src/term/types.js';
import { readTerm } from '../src/text/read.js';
import { writeTerm } from '../src/text/write.js';
import { type Address, address, fromNodeAddress } from '../src/transport/address.js';

export const LOOPBACK = '127.0.0.1';

export function t(text: string): Term {
  return readTerm(text);
}

export function w(term: Term): string {
  return writeTerm(term, { style: 'wire' });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `probe` until it returns a value other than undefined, or fail after `ms`. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 3000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export interface Captured {
  readonly data: Buffer;
  readonly from: Address;
}

/** A plain UDP socket that records what it receives: a stand-in peer for wire-level checks. */
export class RawPeer {
  readonly received: Captured[] = [];
  private constructor(private readonly sock: dgram.Socket, readonly address: Address) {
    sock.on('message', (data, r) => {
      const from = fromNodeAddress(r.address, r.port);
      if (from) this.received.push({ data, from });
    });
  }

  static async bind(port: number, host = LOOPBACK): Promise<RawPeer> {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((res, rej) => {
      sock.once('error', rej);
      sock.bind(port, host, () => res());
    });
    return new RawPeer(sock, address(host, sock.address().port));
  }

  send(data: Uint8Array | string, to: Address): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    return new Promise((res, rej) => this.sock.send(buf, to.port, to.ip.join('.'), (e) => (e ? rej(e) : res())));
  }

  private cursor = 0;

  /** Forget what arrived so far. */
  skipAll(): void {
    this.cursor = this.received.length;
  }

  /** The next datagram not taken yet (waiting for it if need be). */
  async take(ms = 3000): Promise<Captured> {
    await eventually(() => (this.received.length > this.cursor ? true : undefined), ms, 'a datagram');
    return this.received[this.cursor++]!;
  }

  close(): Promise<void> {
    return new Promise((r) => this.sock.close(() => r()));
  }
}
