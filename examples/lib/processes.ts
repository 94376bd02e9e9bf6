// Starting and stopping the processes of the cluster examples: `prolog-paxos node`
// (run from source through tsx, so the examples need no build) and swipl nodes.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
/** tsx's loader by URL, so children in any working directory find it. */
const TSX_LOADER = import.meta.resolve('tsx');

export interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  /** Resolves with the first output line matching `re` (stdout or stderr). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

function track(name: string, proc: ChildProcess, echo: (line: string) => void): Child {
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const onLine = (line: string): void => {
    lines.push(line);
    echo(line);
    for (const w of [...waiters]) {
      if (w.re.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  for (const s of [proc.stdout, proc.stderr]) {
    let buf = '';
    s?.setEncoding('utf8');
    s?.on('data', (d: string) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      parts.forEach(onLine);
    });
  }
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    name,
    proc,
    waitFor(re, timeoutMs = 30_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no line matching ${re} within ${timeoutMs} ms`)), timeoutMs);
        const onExit = (): void => reject(new Error(`${name} exited before printing ${re}`));
        proc.once('exit', onExit);
        waiters.push({ re, resolve: (l) => { clearTimeout(timer); proc.off('exit', onExit); resolve(l); } });
      });
    },
    async stop(graceMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function ready(child: Child, re: RegExp): Promise<Child> {
  try {
    await child.waitFor(re);
    return child;
  } catch (e) {
    await child.stop();
    throw e;
  }
}

/** Start all, keeping those that started in `into` even when another fails, so they can be stopped. */
export async function startAll(into: Child[], starts: Promise<Child>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  for (const r of results) if (r.status === 'fulfilled') into.push(r.value);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** The line `prolog-paxos node` logs once it has joined and serves its admin API. */
export const NODE_READY = /"msg":"node ready"/;

/** `prolog-paxos node ARGS...`; resolves once the node logs that it is ready. */
export function startNode(name: string, args: string[], echo: (line: string) => void): Promise<Child> {
  return startProcess(name, process.execPath, ['--import', TSX_LOADER, MAIN, 'node', ...args], NODE_READY, echo);
}

/** Any command; resolves once it prints a line matching `readyLine` (stopped if it never does). */
export function startProcess(
  name: string, command: string, args: string[], readyLine: RegExp, echo: (line: string) => void,
  opts: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<Child> {
  const proc = spawn(command, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return ready(track(name, proc, echo), readyLine);
}

/** `prolog-paxos COMMAND ARGS...` to completion: its exit code and output. */
export function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', TSX_LOADER, MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    proc.on('error', reject);
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A swipl paxos node (examples/swi-node.pl) on 127.0.0.1:port with the given unicast
 * peers; resolves once it has joined. It runs the goals written to its stdin.
 */
export async function startSwiNode(name: string, port: number, peers: number[], echo: (line: string) => void): Promise<Child> {
  const proc = spawn('swipl', ['-q', join(ROOT, 'examples', 'swi-node.pl'), String(port), peers.join(',')], {
    cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'],
  });
  return ready(track(name, proc, echo), /^ready node \d+/);
}

/** Run `onStop` on the first SIGINT or SIGTERM (Ctrl-C), once. */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Poll a node's admin API until its quorum has `size` members. */
export async function waitForQuorum(admin: string, size: number, timeoutMs = 30_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = (await (await fetch(`http://${admin}/status`)).json()) as { quorum: number[] };
    if (s.quorum.length >= size) return s.quorum;
    if (Date.now() > deadline) throw new Error(`quorum at ${admin} is ${JSON.stringify(s.quorum)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
