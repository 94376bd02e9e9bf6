// `prolog-paxos console`: an interactive session against a running node.
//
//   Key := Value.      set (paxos_set/2)
//   Key.  get(Key).    get (paxos_get/2); use get(Key) when the key is itself a command word
//   keys.  keys(P).    list keys that unify with P
//   status.  help.  halt.
//
// Statements end with a full stop and may span lines. With a terminal it prompts
// and keeps a history file; with piped input it just answers, one line each.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { type Term, compoundOf, isGround, variable } from '../term/index.js';
import { setFailureText } from './admin-api.js';
import { AdminError, RemoteCluster } from './admin-client.js';
import { TARGET_FLAGS, TARGET_USAGE, adminTarget } from './admin-target.js';
import { statusText } from './client-commands.js';
import type { Cluster } from './cluster.js';
import { UsageError } from './hostport.js';
import { type CliIO, EXIT, type ExitCode, say } from './io.js';
import { type PrologSyntaxError, readClauses } from '../text/read.js';
import { clauseText, hasFullStop, termText } from './term-text.js';

const HELP = `Statements end with a full stop:
  Key := Value.     agree on a value for Key
  Key.  get(Key).   show Key's agreed value
  keys.  keys(Pattern).   list keys (that unify with Pattern)
  status.   help.   halt.   (end of input also quits)`;

const HISTORY_SIZE = 500;

export async function consoleCommand(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: { ...TARGET_FLAGS, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (e) {
    say(io.stderr, `prolog-paxos console: ${(e as Error).message}`);
    return EXIT.usage;
  }
  if (values.help) {
    say(io.stdout, `usage: prolog-paxos console ${TARGET_USAGE}\n${HELP}`);
    return EXIT.ok;
  }
  let cluster: RemoteCluster;
  try {
    const { target, warnings } = adminTarget(values, io.env, io.cwd);
    for (const w of warnings) say(io.stderr, `prolog-paxos console: warning: ${w}`);
    cluster = new RemoteCluster(target);
  } catch (e) {
    say(io.stderr, `prolog-paxos console: ${(e as Error).message}`);
    return EXIT.usage;
  }
  const tty = (io.stdin as { isTTY?: boolean }).isTTY === true;
  const historyFile = io.env.PROLOG_PAXOS_HISTORY ?? join(homedir(), '.prolog_paxos_history');
  const history = tty ? loadHistory(historyFile) : [];
  const rl = createInterface({
    input: io.stdin,
    output: tty ? io.stdout : undefined,
    terminal: tty,
    history,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
  });
  if (tty) rl.on('history', (h: string[]) => saveHistory(historyFile, h));
  const onInterrupt = (): void => rl.close();
  io.interrupt.addEventListener('abort', onInterrupt);

  const prompt = (more: boolean): void => {
    if (!tty) return;
    rl.setPrompt(more ? '|    ' : 'paxos> ');
    rl.prompt();
  };
  if (tty) say(io.stdout, `Connected to ${cluster.admin.host}:${cluster.admin.port}. Type help. for help.`);
  let buffer = '';
  // In raw mode Ctrl-C reaches readline, not the process: drop a half-typed
  // statement, or quit at an empty prompt.
  rl.on('SIGINT', () => {
    if (buffer === '' && rl.line === '') {
      rl.close();
      return;
    }
    buffer = '';
    io.stdout.write('^C\n');
    rl.write(null, { ctrl: true, name: 'u' });
    prompt(false);
  });
  prompt(false);
  try {
    for await (const line of rl) {
      buffer += (buffer ? '\n' : '') + line;
      if (buffer.trim() === '') {
        buffer = '';
        prompt(false);
        continue;
      }
      if (!hasFullStop(buffer)) {
        prompt(true);
        continue;
      }
      const statement = buffer;
      buffer = '';
      let quit = false;
      for (const r of readClauses(statement)) {
        quit = r.error ? reportSyntaxError(statement, r.error, io) : await runStatement(r.term, cluster, io);
        if (quit) break;
      }
      if (quit) break;
      prompt(false);
    }
    if (buffer.trim() !== '') say(io.stderr, 'Syntax error: Unexpected end of file (statement without a full stop)');
  } finally {
    io.interrupt.removeEventListener('abort', onInterrupt);
    rl.close();
    await cluster.close();
  }
  return EXIT.ok;
}

function reportSyntaxError(text: string, e: PrologSyntaxError, io: CliIO): false {
  say(io.stderr, e.message);
  say(io.stderr, caret(text, e.offset));
  return false;
}

/** Run one statement; true when it asks to quit. Every failure is reported, none is thrown. */
export async function runStatement(t: Term, cluster: Cluster, io: CliIO): Promise<boolean> {
  try {
    if (t.kind === 'atom' && ['halt', 'quit', 'end_of_file'].includes(t.name)) return true;
    if (t.kind === 'atom' && t.name === 'help') {
      say(io.stdout, HELP);
    } else if (t.kind === 'atom' && t.name === 'status') {
      say(io.stdout, statusText(await cluster.status(), cluster instanceof RemoteCluster ? cluster.admin : undefined));
    } else if (t.kind === 'atom' && t.name === 'keys') {
      await listKeys(cluster, variable(), io);
    } else if (t.kind === 'compound' && t.name === 'keys' && t.args.length === 1) {
      await listKeys(cluster, t.args[0]!, io);
    } else if (t.kind === 'compound' && t.name === ':=' && t.args.length === 2) {
      const [key, value] = t.args as [Term, Term];
      if (!isGround(key)) throw new UsageError(`key must be ground: ${termText(key)}`);
      if (!isGround(value)) throw new UsageError(`value must be ground: ${termText(value)}`);
      const r = await cluster.set(key, value);
      say(io.stdout, r.ok ? 'true.' : `${setFailureText(r.outcome, termText(key), r.reason)}.`);
    } else {
      const key = t.kind === 'compound' && t.name === 'get' && t.args.length === 1 ? t.args[0]! : t;
      if (!isGround(key)) throw new UsageError(`key must be ground: ${termText(key)}`);
      const value = await cluster.get(key);
      say(io.stdout, value === undefined ? `no agreed value for ${termText(key)}.` : clauseText(compoundOf(':=', [key, value])));
    }
  } catch (e) {
    say(io.stderr, e instanceof AdminError || e instanceof UsageError ? e.message : `error: ${(e as Error).message}`);
  }
  return false;
}

async function listKeys(cluster: Cluster, pattern: Term, io: CliIO): Promise<void> {
  let n = 0;
  for await (const e of cluster.keys(pattern)) {
    say(io.stdout, termText(e.key));
    n++;
  }
  say(io.stdout, `% ${n} key${n === 1 ? '' : 's'}`);
}

/** The statement's line with a caret under the error position. */
function caret(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const endNl = text.indexOf('\n', offset);
  const line = text.slice(start, endNl < 0 ? text.length : endNl);
  return `${line}\n${' '.repeat(Math.max(0, offset - start))}^`;
}

function loadHistory(file: string): string[] {
  try {
    if (!existsSync(file)) return [];
    // readline wants newest first; the file is oldest first, like a shell's.
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

function saveHistory(file: string, newestFirst: readonly string[]): void {
  try {
    writeFileSync(file, [...newestFirst].reverse().join('\n') + '\n', { mode: 0o600 });
  } catch {
    // history is a convenience: an unwritable home must not break the console
  }
}
