// `prolog-paxos set|del|get|keys|watch|status`: clients of a running node's admin API.
import { parseArgs } from 'node:util';
import { type Term, compoundOf, isGround, variable } from '../term/index.js';
import { setFailureText, termJSON } from './admin-api.js';
import { AdminError, RemoteCluster } from './admin-client.js';
import { TARGET_FLAGS, TARGET_USAGE, adminTarget } from './admin-target.js';
import type { Cluster, ClusterStatus, Entry } from './cluster.js';
import { type HostPort, UsageError, formatHostPort } from './hostport.js';
import { type CliIO, EXIT, type ExitCode, say } from './io.js';
import { clauseText, parseTermText, termText } from './term-text.js';

export type ClientCommand = 'set' | 'del' | 'get' | 'keys' | 'watch' | 'status' | 'promote' | 'demote' | 'remove';

const USAGE: Record<ClientCommand, string> = {
  set: `prolog-paxos set KEY VALUE ${TARGET_USAGE}`,
  del: `prolog-paxos del KEY ${TARGET_USAGE}`,
  get: `prolog-paxos get KEY [--json] ${TARGET_USAGE}`,
  keys: `prolog-paxos keys [PATTERN] [--json] ${TARGET_USAGE}`,
  watch: `prolog-paxos watch [PATTERN] [--json] ${TARGET_USAGE}`,
  status: `prolog-paxos status [--json] ${TARGET_USAGE}`,
  promote: `prolog-paxos promote [--node ID] ${TARGET_USAGE}`,
  demote: `prolog-paxos demote [--node ID] ${TARGET_USAGE}`,
  remove: `prolog-paxos remove --node ID ${TARGET_USAGE}`,
};
const ARITY: Record<ClientCommand, [number, number]> = {
  set: [2, 2], del: [1, 1], get: [1, 1], keys: [0, 1], watch: [0, 1], status: [0, 0], promote: [0, 0], demote: [0, 0], remove: [0, 0],
};

export function clientUsage(cmd: ClientCommand): string {
  return `usage: ${USAGE[cmd]}`;
}

/** Parse one argument as a term, or throw a UsageError naming the argument and the error's position. */
export function termArg(text: string, what: string): Term {
  const r = parseTermText(text);
  if (!r.ok) throw new UsageError(`${what}: ${r.message}`);
  return r.term;
}

export async function clientCommand(cmd: ClientCommand, argv: readonly string[], io: CliIO): Promise<ExitCode> {
  let cluster: Cluster | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        options: { ...TARGET_FLAGS, json: { type: 'boolean' }, node: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
        strict: true,
      });
    } catch (e) {
      throw new UsageError(`${(e as Error).message}\n${clientUsage(cmd)}`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      say(io.stdout, clientUsage(cmd));
      return EXIT.ok;
    }
    const [min, max] = ARITY[cmd];
    if (positionals.length < min || positionals.length > max) throw new UsageError(clientUsage(cmd));
    const { target, warnings } = adminTarget(values, io.env, io.cwd);
    for (const w of warnings) say(io.stderr, `prolog-paxos ${cmd}: warning: ${w}`);
    const json = values.json ?? false;
    // --node: which node to promote or demote (default: the one whose admin API we reach).
    let node: number | undefined;
    if (values.node !== undefined) {
      if (cmd !== 'promote' && cmd !== 'demote' && cmd !== 'remove') throw new UsageError(`--node is for promote, demote and remove\n${clientUsage(cmd)}`);
      if (!/^\d{1,4}$/.test(values.node)) throw new UsageError(`--node: expected a node id, got ${values.node}`);
      node = Number(values.node);
    }
    if (cmd === 'remove' && node === undefined) throw new UsageError(`remove needs --node ID\n${clientUsage(cmd)}`);
    // Parse everything before touching the network: a typo is exit 2, whatever the cluster's state.
    const terms = positionals.map((p, i) => termArg(p, cmd === 'set' ? (i === 0 ? 'KEY' : 'VALUE') : cmd === 'get' || cmd === 'del' ? 'KEY' : 'PATTERN'));
    if ((cmd === 'set' || cmd === 'del' || cmd === 'get') && !isGround(terms[0]!)) throw new UsageError(`KEY must be ground: ${positionals[0]}`);
    if (cmd === 'set' && !isGround(terms[1]!)) throw new UsageError(`VALUE must be ground: ${positionals[1]}`);
    cluster = new RemoteCluster(target);
    return await run(cmd, cluster, terms, json, io, node);
  } catch (e) {
    if (e instanceof UsageError) {
      say(io.stderr, `prolog-paxos ${cmd}: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof AdminError) {
      // 400 or 413 from the node: a request it found malformed or too large, a usage error too.
      say(io.stderr, `prolog-paxos ${cmd}: ${e.message}`);
      return e.status === 400 || e.status === 413 ? EXIT.usage : EXIT.failed;
    }
    say(io.stderr, `prolog-paxos ${cmd}: ${(e as Error).message}`);
    return EXIT.failed;
  } finally {
    await cluster?.close();
  }
}

async function run(cmd: ClientCommand, cluster: Cluster, terms: Term[], json: boolean, io: CliIO, node: number | undefined): Promise<ExitCode> {
  const show = (e: Entry, line: (e: Entry) => string): void => {
    say(io.stdout, json ? JSON.stringify({ key: termJSON(e.key), value: termJSON(e.value) }) : line(e));
  };
  switch (cmd) {
    case 'set': case 'del': {
      const [key, value] = terms as [Term, Term];
      const r = cmd === 'set' ? await cluster.set(key, value) : await cluster.delete(key);
      if (r.ok) return EXIT.ok;
      const hint = r.outcome === 'unknown' ? ' (it may have been chosen: read the key before writing again)' : '';
      say(io.stderr, `prolog-paxos ${cmd}: ${setFailureText(r.outcome, termText(key), r.reason)}${hint}`);
      return r.outcome === 'unknown' ? EXIT.unknown : EXIT.failed;
    }
    case 'get': {
      const key = terms[0]!;
      const value = await cluster.get(key);
      if (value === undefined) {
        say(io.stderr, `prolog-paxos get: no agreed value for ${termText(key)}`);
        return EXIT.failed;
      }
      show({ key, value }, (e) => termText(e.value));
      return EXIT.ok;
    }
    case 'keys':
      for await (const e of cluster.keys(terms[0] ?? variableTerm())) show(e, (x) => termText(x.key));
      return EXIT.ok;
    case 'watch': {
      for await (const e of cluster.watch(terms[0] ?? variableTerm(), io.interrupt)) {
        show(e, (x) => clauseText(compoundOf(':=', [x.key, x.value])));
      }
      if (io.interrupt.aborted) return EXIT.ok;
      say(io.stderr, 'prolog-paxos watch: the node closed the stream');
      return EXIT.failed;
    }
    case 'promote': case 'demote':
      // A refusal is an AdminError (409) with the node's reason: exit 1.
      await cluster.changeRole!(cmd === 'promote' ? 'voter' : 'learner', node);
      return EXIT.ok;
    case 'remove':
      await cluster.removeMember!(node!);
      return EXIT.ok;
    case 'status': {
      const s = await cluster.status();
      say(io.stdout, json ? JSON.stringify(s) : statusText(s, cluster instanceof RemoteCluster ? cluster.admin : undefined));
      return EXIT.ok;
    }
  }
}

function variableTerm(): Term {
  return variable();
}

export function statusText(s: ClusterStatus, admin: HostPort | undefined): string {
  const ids = (xs: readonly number[]): string => (xs.length ? xs.join(' ') : '-');
  return [
    ...(admin ? [`admin    ${formatHostPort(admin)}`] : []),
    `node     ${s.node ?? '- (not joined)'}`,
    ...(s.role ? [`role     ${s.role}`] : []),
    `scope    ${s.scope}`,
    `quorum   ${ids(s.quorum)}`,
    `failed   ${ids(s.failed)}`,
    `dead     ${ids(s.dead)}`,
    ...(s.learners ? [`learners ${ids(s.learners)}`] : []),
    `peers    ${s.peers.length ? s.peers.join(' ') : '-'}`,
    `ledger   ${s.ledgerSize} keys`,
  ].join('\n');
}
