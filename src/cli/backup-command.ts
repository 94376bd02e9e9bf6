// `prolog-paxos backup --data DIR DEST`: copy a node's durable ledger while the node
// runs (src/store/backup.ts); restoring is starting a node on DEST (docs/operations.md).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backupLedger } from '../store/index.js';
import { type CliIO, EXIT, type ExitCode, say } from './io.js';

const USAGE = `usage: prolog-paxos backup [--data DIR] [--compact] DEST
  Copy the durable ledger in DIR (default ./paxos-data, or PROLOG_PAXOS_DATA) into the
  new directory DEST, as of one instant, while its node runs. Restore: start a node with
  --data DEST (see docs/operations.md for which --node-id).
  --compact   leave out free pages (slower, smaller copy)`;

export async function backupCommand(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  let values: { data?: string; compact?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv], allowPositionals: true, strict: true,
      options: { data: { type: 'string' }, compact: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    say(io.stderr, `prolog-paxos backup: ${(e as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    say(io.stdout, USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    say(io.stderr, `prolog-paxos backup: expected one DEST directory\n${USAGE}`);
    return EXIT.usage;
  }
  const dir = resolve(io.cwd, values.data ?? (io.env.PROLOG_PAXOS_DATA || 'paxos-data'));
  const dest = resolve(io.cwd, positionals[0]!);
  try {
    await backupLedger(dir, dest, { compact: values.compact ?? false });
  } catch (e) {
    // LedgerError for a missing or existing ledger; LMDB's and the file system's errors name their cause.
    say(io.stderr, `prolog-paxos backup: ${(e as Error).message}`);
    return EXIT.failed;
  }
  say(io.stdout, `backed up ${dir} into ${dest}`);
  return EXIT.ok;
}
