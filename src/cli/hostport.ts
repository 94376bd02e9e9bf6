// HOST:PORT addresses as flags, environment variables and config files give them.
import { isIPv4 } from 'node:net';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parsePort(text: string, what: string, allowZero = false): number {
  if (!/^\d{1,5}$/.test(text)) throw new UsageError(`${what}: not a port number: ${text}`);
  const n = Number(text);
  if (n > 65535 || (n === 0 && !allowZero)) throw new UsageError(`${what}: port out of range: ${text}`);
  return n;
}

/** `HOST:PORT`, `:PORT` or `PORT` (host defaults to `defaultHost`). IPv6 hosts go in brackets. */
export function parseHostPort(text: string, what: string, defaultHost = '127.0.0.1', allowZero = false): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  if (!m) throw new UsageError(`${what}: expected HOST:PORT, got ${JSON.stringify(text)}`);
  const host = m[1] || m[2] || defaultHost;
  return { host, port: parsePort(m[3]!, what, allowZero) };
}

export function formatHostPort(a: HostPort): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

export function parseIPv4(text: string, what: string): string {
  if (!isIPv4(text)) throw new UsageError(`${what}: not an IPv4 address: ${text}`);
  return text;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
