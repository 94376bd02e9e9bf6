// `prolog-paxos set|del|get|keys|watch|status`: clients of a running node's admin API.
import { parseArgs } from 'node:util';
import { type Term, compoundOf, isGround, variable } from '../term/index.js';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { MAX_BODY_BYTES, keyValueProblem, setFailureText, termJSON, tooLargeText } from './admin-api.js';
import { MAX_KEY_VALUE_BYTES } from '../paxos/size-limit.js';
import { AdminError, RemoteCluster } from './admin-client.js';
import { TARGET_FLAGS, TARGET_USAGE, adminTarget } from './admin-target.js';
import type { Cluster, ClusterStatus, Entry } from './cluster.js';
import { type HostPort, UsageError, formatHostPort } from './hostport.js';
import { type CliIO, EXIT, type ExitCode, say } from './io.js';
import { clauseText, parseTermText, termText } from './term-text.js';

export type ClientCommand = 'set' | 'del' | 'get' | 'keys' | 'watch' | 'status' | 'promote' | 'demote' | 'remove';

const USAGE: Record<ClientCommand, string> = {
  set: `prolog-paxos set KEY VALUE|-|--file FILE ${TARGET_USAGE}
  VALUE is Prolog text; \`-\` reads it from standard input, --file from FILE (for large values;
  the atom - itself is '-'). Key and value together must fit one paxos message:
  ${MAX_KEY_VALUE_BYTES} bytes of text (docs/operations.md, "Size limit"); a larger one exits 2.`,
  del: `prolog-paxos del KEY ${TARGET_USAGE}`,
  get: `prolog-paxos get KEY [--json] [--quorum] ${TARGET_USAGE}
  --quorum   ask a majority even when this node holds a value (paxos_get/1's quorum read)`,
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
        options: { ...TARGET_FLAGS, json: { type: 'boolean' }, node: { type: 'string' }, file: { type: 'string' }, quorum: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
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
    if (values.quorum && cmd !== 'get') throw new UsageError(`--quorum is for get\n${clientUsage(cmd)}`);
    if (values.file !== undefined && cmd !== 'set') throw new UsageError(`--file is for set\n${clientUsage(cmd)}`);
    if (values.file !== undefined && positionals.length !== 1) throw new UsageError(`set KEY --file FILE takes no VALUE argument\n${clientUsage(cmd)}`);
    const [min, max] = ARITY[cmd];
    const given = positionals.length + (values.file !== undefined ? 1 : 0);
    if (given < min || given > max) throw new UsageError(clientUsage(cmd));
    // A large value comes from a file or stdin: an argument that long fails in exec ("Argument list too long").
    if (cmd === 'set' && (values.file !== undefined || positionals[1] === '-')) {
      positionals[1] = await valueText(values.file, io);
    }
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
    if (cmd === 'set' && !isGround(terms[1]!)) throw new UsageError(`VALUE must be ground: ${termText(terms[1]!)}`);
    // The node refuses it too (413); refused here, nothing is sent, with the same message.
    const tooLarge = cmd === 'set' ? keyValueProblem(terms[0]!, terms[1]!) : undefined;
    if (tooLarge !== undefined) throw new UsageError(tooLarge);
    cluster = new RemoteCluster(target);
    return await run(cmd, cluster, terms, json, io, node, values.quorum ?? false);
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

async function run(cmd: ClientCommand, cluster: Cluster, terms: Term[], json: boolean, io: CliIO, node: number | undefined, quorum: boolean): Promise<ExitCode> {
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
      const r = await cluster.read(key, { quorum });
      if (!r.ok) {
        say(io.stderr, r.outcome === 'absent' ? `prolog-paxos get: no agreed value for ${termText(key)}` : `prolog-paxos get: no agreement on ${termText(key)}: ${r.reason}`);
        return EXIT.failed;
      }
      show({ key, value: r.value }, (e) => termText(e.value));
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

/** The value's text from FILE, or from stdin; read no further than a body the node would take. */
async function valueText(file: string | undefined, io: CliIO): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const source = file === undefined ? io.stdin : createReadStream(resolve(io.cwd, file));
  try {
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (size > MAX_BODY_BYTES) throw new UsageError(tooLargeText(`more than ${MAX_BODY_BYTES}`));
      chunks.push(b);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--file: ${(e as Error).message}`);
  } finally {
    if (source !== io.stdin) (source as ReturnType<typeof createReadStream>).destroy();
  }
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    return text.decode(Buffer.concat(chunks));
  } catch {
    throw new UsageError(`VALUE from ${file ?? 'standard input'} is not valid UTF-8`);
  }
}

function variableTerm(): Term {
  return variable();
}

export function statusText(s: ClusterStatus, admin: HostPort | undefined): string {
  // Lists in brackets, so that `quorum [0]` cannot read as a size of 0.
  const ids = (xs: readonly number[]): string => (xs.length ? `[${xs.join(',')}]` : 'none');
  const n = (count: number, what: string): string => `${count} ${what}${count === 1 ? '' : 's'}`;
  const reserved = s.keys === undefined ? 0 : s.ledgerSize - s.keys;
  return [
    ...(admin ? [`admin    ${formatHostPort(admin)}`] : []),
    `node     ${s.node ?? '- (not joined)'}`,
    ...(s.role ? [`role     ${s.role}`] : []),
    `scope    ${s.scope}`,
    `quorum   ${ids(s.quorum)} (${n(s.quorum.length, 'member')})`,
    `failed   ${ids(s.failed)}`,
    `dead     ${ids(s.dead)}`,
    ...(s.learners ? [`learners ${ids(s.learners)}`] : []),
    `peers    ${s.peers.length ? s.peers.join(' ') : 'none'}`,
    s.keys === undefined
      ? `ledger   ${n(s.ledgerSize, 'key')}`
      : `keys     ${s.keys}${reserved > 0 ? ` (the ledger holds ${n(s.ledgerSize, 'key')}: paxos's membership keys and deleted ones too)` : ''}`,
  ].join('\n');
}
