// startCluster: a paxos node in this process, behind the Cluster interface, from typed
// options. The options are those of `prolog-paxos node` (config.ts validates both the
// same way, so a library node and a command-line node cannot disagree on defaults).
import { nodeConfig } from '../cli/config.js';
import type { Cluster } from '../cli/cluster.js';
import { startNodeCluster } from '../cli/node-cluster.js';
import type { Settings } from '../paxos/settings.js';

/** Options of {@link startCluster}; each is the `prolog-paxos node` flag of the same name. */
export interface ClusterOptions {
  /** UDP style (default unicast). */
  readonly method?: 'unicast' | 'broadcast' | 'multicast';
  /**
   * unicast: the address to bind and announce (default 127.0.0.1, loopback only: give
   * this machine's address to reach other machines); broadcast: this host's address on
   * the subnet; multicast: the group.
   */
  readonly ip?: string;
  /** UDP port (default 20005, udp_broadcast's). */
  readonly port?: number;
  /** Unicast peers as "HOST:PORT" (this node is always its own peer). */
  readonly peers?: readonly string[];
  /** udp_broadcast scope (default paxos). */
  readonly scope?: string;
  /** Rejoin with this node id: give every durable node a fixed one (docs/operations.md). */
  readonly nodeId?: number;
  /** Durable ledger directory; without it (and without `memory`) ./paxos-data of the working directory. */
  readonly data?: string;
  /** Keep the ledger in memory only (excludes `data` and `nodeId`). */
  readonly memory?: boolean;
  /** Follow the quorum without voting (docs/learners.md). */
  readonly learner?: boolean;
  /** File of "ID SECRET" lines: sign and check every datagram (docs/security.md). */
  readonly authKeyFile?: string;
  /** library(paxos) settings under SWI's names, e.g. `{ response_timeout: 2 }`. */
  readonly settings?: Partial<Settings>;
}

/**
 * Start a paxos node in this process and join the cluster its options describe
 * (only these options: no PROLOG_PAXOS_* variable or config file is read).
 * Rejects with a message naming the option (as its flag) when an option is invalid,
 * or when the node cannot start (port in use, ledger unusable). Close it with
 * {@link Cluster.close}: it leaves the quorum and releases the ledger and transport.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const args = nodeConfig(flagsOf(options), {}, process.cwd());
  if (args.help) throw new Error('unreachable: no --help among the options');
  return startNodeCluster(args.config);
}

function flagsOf(o: ClusterOptions): string[] {
  const flags: string[] = [];
  const put = (flag: string, v: string | number | undefined): void => {
    if (v !== undefined) flags.push(`--${flag}=${v}`);
  };
  put('method', o.method);
  put('ip', o.ip);
  put('port', o.port);
  for (const p of o.peers ?? []) put('peer', p);
  put('scope', o.scope);
  put('node-id', o.nodeId);
  put('data', o.data);
  if (o.memory) flags.push('--memory');
  if (o.learner) flags.push('--learner');
  put('auth-key-file', o.authKeyFile);
  for (const [name, v] of Object.entries(o.settings ?? {})) put(name.replace(/_/g, '-'), v);
  return flags;
}
