// Scope configuration with SWI's defaults (udp_broadcast_initialize/2), and its
// in_scope/2 rule: who may be heard.
import {
  type Address, AddressError, type IPv4, broadcastAddress, checkPort, defaultSubnetMask, isMulticast, sameIp, toIPv4,
} from './address.js';

/** SWI's default public port. */
export const DEFAULT_PORT = 20005;
/** SWI's default scope name. */
export const DEFAULT_SCOPE = 'subnet';

type IPInput = string | readonly number[];

interface Common {
  /** Scope name (default `subnet`), as udp(Scope, Term) names it. */
  readonly scope?: string;
  /** Public port (default 20005). */
  readonly port?: number;
}

export interface BroadcastOptions extends Common {
  readonly method: 'broadcast';
  /** Our IP address on the LAN to broadcast on. */
  readonly ip: IPInput;
  /** Default: the class A, B or C mask of `ip`. */
  readonly subnetMask?: IPInput;
}

export interface MulticastOptions extends Common {
  readonly method: 'multicast';
  /** The group, 224.0.0.0 - 239.255.255.255. */
  readonly group: IPInput;
  /** Local interface address for membership and outbound multicast (the OS default when absent). */
  readonly interface?: string;
  /** IP_MULTICAST_TTL (system default 1 when absent, as SWI leaves it). */
  readonly ttl?: number;
}

export interface UnicastOptions extends Common {
  readonly method: 'unicast';
  /** Local address to bind (default 0.0.0.0, as SWI). */
  readonly bindAddress?: string;
  /** Initial peers; a bare IP takes the scope's port (udp_peer_add/2). */
  readonly peers?: readonly (Address | IPInput)[];
}

export type ScopeOptions = BroadcastOptions | MulticastOptions | UnicastOptions;

/** The resolved scope, SWI's udp_scope/2 data. */
export type ScopeDef =
  | { readonly method: 'broadcast'; readonly name: string; readonly port: number; readonly ip: IPv4; readonly subnet: IPv4; readonly broadcast: IPv4 }
  | { readonly method: 'multicast'; readonly name: string; readonly port: number; readonly group: IPv4; readonly interface: string | undefined; readonly ttl: number | undefined }
  | { readonly method: 'unicast'; readonly name: string; readonly port: number; readonly bindAddress: string };

export function resolveScope(o: ScopeOptions): ScopeDef {
  const name = o.scope ?? DEFAULT_SCOPE;
  const port = checkPort(o.port ?? DEFAULT_PORT);
  switch (o.method) {
    case 'broadcast': {
      const ip = toIPv4(o.ip);
      const subnet = o.subnetMask !== undefined ? toIPv4(o.subnetMask) : defaultSubnetMask(ip);
      if (subnet === undefined) throw new AddressError(`no default subnet for ${ip.join('.')} (SWI: domain_error(ip_with_subnet))`);
      return { method: 'broadcast', name, port, ip, subnet, broadcast: broadcastAddress(ip, subnet) };
    }
    case 'multicast': {
      const group = toIPv4(o.group);
      if (!isMulticast(group)) throw new AddressError(`not a multicast group: ${group.join('.')} (SWI: domain_error(multicast_network))`);
      return { method: 'multicast', name, port, group, interface: o.interface, ttl: o.ttl };
    }
    case 'unicast':
      return { method: 'unicast', name, port, bindAddress: o.bindAddress ?? '0.0.0.0' };
  }
}

/** udp_peer_add/2's canonical form: IP:Port, a bare IP taking the scope's port. */
export function peerAddress(p: Address | IPInput, defaultPort: number): Address {
  if (typeof p === 'object' && 'ip' in p) return { ip: toIPv4(p.ip), port: checkPort(p.port) };
  return { ip: toIPv4(p), port: defaultPort };
}

/**
 * SWI's in_scope/3: broadcast hears its own subnet (the sender's broadcast address
 * under our mask is ours), multicast hears everyone, unicast hears the IP of a
 * registered peer, from any port.
 */
export function inScope(def: ScopeDef, from: Address, peers: readonly Address[]): boolean {
  switch (def.method) {
    case 'broadcast': return sameIp(broadcastAddress(from.ip, def.subnet), def.broadcast);
    case 'multicast': return true;
    case 'unicast': return peers.some((p) => sameIp(p.ip, from.ip));
  }
}
