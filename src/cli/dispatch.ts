// The `prolog-paxos` command's dispatch, separate from process wiring so tests can call it.
import type { ClientCommand } from './client-commands.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliIO, EXIT, say } from './io.js';

const USAGE = `usage: prolog-paxos COMMAND [options]
  node                   run a node in the foreground (single-node cluster on loopback by default)
  set KEY VALUE          agree on a value
  del KEY                delete a key (reads then answer absent)
  get KEY                print a key's agreed value
  keys [PATTERN]         list keys that unify with PATTERN
  watch [PATTERN]        print changes as they are agreed
  status                 node id, role, quorum, failed and dead nodes, learners, peers, ledger size
  promote [--node ID]    make a learner (default: the node reached) a voting member
  demote [--node ID]     make a voting member a learner
  remove --node ID       take a member that will not come back out of the quorum
  console                interactive session against a node
  backup [--data DIR] DEST  copy a node's durable ledger while it runs (restore: docs/operations.md)
  term ...               read and write Prolog terms (see prolog-paxos term --help)
KEY, VALUE and PATTERN are Prolog text. Client commands reach a node's admin API
at --admin HOST:PORT or https://HOST:PORT (default 127.0.0.1:20080, or PROLOG_PAXOS_ADMIN),
with --admin-token-file FILE (or PROLOG_PAXOS_ADMIN_TOKEN) and --admin-ca FILE when it needs them.
Run \`prolog-paxos COMMAND --help\` for a command's options; \`prolog-paxos --version\` (-V) prints the version.`;

const CLIENT = new Set<string>(['set', 'del', 'get', 'keys', 'watch', 'status', 'promote', 'demote', 'remove']);

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    // Each command loads only what it needs: a client call should not load the paxos node.
    case 'node': return (await import('./node-command.js')).nodeCommand(rest, io);
    case 'console': return (await import('./console.js')).consoleCommand(rest, io);
    case 'term': return (await import('./term.js')).termCommand(rest, io);
    case 'backup': return (await import('./backup-command.js')).backupCommand(rest, io);
    case '--version': case '-V': case 'version':
      say(io.stdout, packageVersion());
      return EXIT.ok;
    case undefined: case 'help': case '--help': case '-h':
      say(cmd === undefined ? io.stderr : io.stdout, USAGE);
      return cmd === undefined ? EXIT.usage : EXIT.ok;
    default:
      if (CLIENT.has(cmd)) return (await import('./client-commands.js')).clientCommand(cmd as ClientCommand, rest, io);
      say(io.stderr, `prolog-paxos: unknown command ${cmd}\n${USAGE}`);
      return EXIT.usage;
  }
}

/** This package's version, from the package.json above this module (src/cli or dist/src/cli). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'prolog-paxos' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
  }
  return 'unknown';
}
