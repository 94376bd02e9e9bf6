// `prolog-paxos node`: run a paxos node in the foreground with its admin API,
// until SIGINT or SIGTERM; then leave the quorum cleanly and close the ledger.
import { type AdminServer, startAdminServer } from './admin-server.js';
import type { Cluster } from './cluster.js';
import { NODE_USAGE, type NodeConfig, nodeConfig } from './config.js';
import { UsageError, formatHostPort, isLoopback } from './hostport.js';
import { type CliIO, EXIT, type ExitCode, say } from './io.js';
import { createLogger } from './log.js';
import { startNodeCluster } from './node-cluster.js';
import { LedgerLockedError } from '../store/index.js';

export async function nodeCommand(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  let config: NodeConfig;
  try {
    const args = nodeConfig(argv, io.env, io.cwd);
    if (args.help) {
      say(io.stdout, NODE_USAGE);
      return EXIT.ok;
    }
    config = args.config;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    say(io.stderr, `prolog-paxos node: ${e.message}`);
    return EXIT.usage;
  }
  const log = createLogger(config.verbose);
  for (const w of config.warnings) log.warn(w);
  if (!isLoopback(config.admin.host)) {
    if (config.adminToken === undefined) {
      log.warn({ admin: formatHostPort(config.admin) }, 'the admin API listens beyond loopback without a token: whoever reaches it can read and write the cluster (--admin-token-file)');
    } else if (config.adminTls === undefined) {
      log.warn({ admin: formatHostPort(config.admin) }, 'the admin API listens beyond loopback without TLS: its token and data travel in clear (--admin-tls-cert, --admin-tls-key)');
    }
  }
  let cluster: Cluster | undefined;
  let admin: AdminServer | undefined;
  let ready = false; // a node that never started says only its one start-up line
  try {
    try {
      cluster = await startNodeCluster(config, log);
      admin = await startAdminServer(cluster, config.admin, log, {
        ...(config.adminToken !== undefined && { token: config.adminToken }),
        ...(config.adminTls && { tls: config.adminTls }),
      });
    } catch (e) {
      const line = startupProblem(e, config, cluster === undefined ? 'udp' : 'admin');
      if (line === undefined) throw e;
      say(io.stderr, `prolog-paxos node: ${line}`);
      return EXIT.failed;
    }
    const s = await cluster.status();
    log.info({
      node: s.node, scope: config.scope, udp: `${config.ip}:${config.port}`, method: config.method,
      peers: s.peers, admin: formatHostPort(admin.address), adminTls: admin.tls, adminToken: config.adminToken !== undefined,
      auth: config.auth ? { keys: config.auth.keys.map((k) => k.id), windowMs: config.auth.windowMs, from: config.auth.from } : false,
      ledger: config.ledger.kind === 'durable' ? config.ledger.dir : 'memory',
    }, 'node ready');
    ready = true;
    if (!io.interrupt.aborted) {
      await new Promise<void>((resolve) => io.interrupt.addEventListener('abort', () => resolve(), { once: true }));
    }
    log.info('leaving the cluster');
    return EXIT.ok;
  } catch (e) {
    log.error({ err: e }, 'node failed');
    return EXIT.failed;
  } finally {
    await admin?.close().catch((e: unknown) => log.error({ err: e }, 'closing the admin API failed'));
    await cluster?.close().catch((e: unknown) => log.error({ err: e }, 'leaving the cluster failed'));
    if (ready) log.info('stopped');
  }
}

/** A start-up failure the user can fix, as one line naming the flag to change; else undefined (logged in full). */
function startupProblem(e: unknown, config: NodeConfig, phase: 'udp' | 'admin'): string | undefined {
  if (e instanceof LedgerLockedError) {
    return `${e.message}: stop that node, or give this one --data DIR (or --memory)`;
  }
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const where = phase === 'udp' ? `UDP ${config.ip}:${config.port}` : `admin API ${formatHostPort(config.admin)}`;
  const flag = phase === 'udp' ? '--port PORT (or --ip)' : '--admin HOST:PORT';
  if (code === 'EADDRINUSE') return `${where} is already in use (another node?): choose another ${flag}`;
  if (code === 'EADDRNOTAVAIL') return `cannot bind ${where}: no interface of this host has that address (${flag})`;
  if (code === 'EACCES') return `cannot bind ${where}: permission denied (ports below 1024 need privileges; ${flag})`;
  return undefined;
}
