// Runs test/jepsen/run.ts inside a network namespace of its own, created here and
// removed afterwards with whatever still runs in it (so every process ends).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createNamespace, destroyNamespace } from './netns.js';
import type { RunOptions, RunResult } from './run.js';

const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));

export async function jepsen(o: RunOptions, ns = `jepsen-${process.pid}`, log: (line: string) => void = () => {}): Promise<RunResult> {
  // Bounded: the run's own length, its start-up and the 30 s convergence limit, with margin.
  return inNamespace<RunResult>(RUN, o, ns, (o.seconds + 120) * 1000, log, `jepsen run (seed ${o.seed})`);
}

/**
 * Run `script` (a module that takes its options as JSON in argv[2] and prints its result
 * as JSON on the last line of stdout) inside a namespace of its own, killed after `limitMs`.
 */
export async function inNamespace<T>(script: string, options: unknown, ns: string, limitMs: number, log: (line: string) => void = () => {}, what = script): Promise<T> {
  createNamespace(ns);
  try {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); for (const l of d.toString().split('\n')) if (l) log(l); });
    const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    clearTimeout(limit);
    const last = out.trim().split('\n').pop() ?? '';
    if (code !== 0 || !last.startsWith('{')) throw new Error(`${what} failed with ${code}:\n${err.slice(-4000)}`);
    return JSON.parse(last) as T;
  } finally {
    destroyNamespace(ns);
  }
}
