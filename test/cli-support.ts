// Running `prolog-paxos` in tests: in-process through dispatch's main(), or as a
// real child process (the binary under tsx), with helpers to end what was started.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/dispatch.js';
import type { CliIO } from '../src/cli/io.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MAIN = join(ROOT, 'src/cli/main.ts');
/** The built binary, as an installed package runs it (`npm run build` first). */
export const DIST_MAIN = join(ROOT, 'dist/src/cli/main.js');
/** tsx's loader by URL, so children in any working directory find it. */
const TSX_LOADER = import.meta.resolve('tsx');

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a command in-process; `interrupt` aborts it like SIGINT. */
export async function runCli(
  argv: string[],
  opts: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string; interrupt?: AbortSignal } = {},
): Promise<RunResult> {
  const out = collect();
  const err = collect();
  const io: CliIO = {
    stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
    stdout: out.stream,
    stderr: err.stream,
    env: opts.env ?? {},
    cwd: opts.cwd ?? ROOT,
    interrupt: opts.interrupt ?? new AbortController().signal,
  };
  const code = await main(argv, io);
  return { code, stdout: out.text(), stderr: err.text() };
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** A child process running the binary; its stdout/stderr are collected. */
export class CliProcess {
  readonly proc: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  /** `dist`: run the built binary (dist/src/cli/main.js) instead of the sources under tsx. */
  constructor(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; dist?: boolean } = {}) {
    if (opts.dist && !existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} is missing: run npm run build`);
    this.proc = spawn(process.execPath, [...(opts.dist ? [DIST_MAIN] : ['--import', TSX_LOADER, MAIN]), ...argv], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.proc.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString('utf8')));
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString('utf8')));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  }

  /** Wait until stderr (the JSON log) or stdout has a line matching `re`. */
  async waitFor(re: RegExp, timeoutMs = 20_000, stream: 'stdout' | 'stderr' = 'stderr'): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this[stream]);
      if (m) return m[0];
      if (this.proc.exitCode !== null) throw new Error(`process exited (${this.proc.exitCode}) before ${re}: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Send a signal and wait for the exit code; SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | null> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.exited;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** JSON log lines from a node's stderr. */
export function logLines(stderr: string): Record<string, unknown>[] {
  return stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Run the binary to its end (a client command) as a child process, as a user's shell would; bounded by `timeoutMs`. */
export async function runBin(
  argv: string[],
  opts: { stdin?: string; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; dist?: boolean } = {},
): Promise<RunResult> {
  const p = new CliProcess(argv, { dist: opts.dist ?? false, ...(opts.cwd && { cwd: opts.cwd }), ...(opts.env && { env: opts.env }) });
  p.proc.stdin!.end(opts.stdin ?? '');
  const timer = setTimeout(() => p.proc.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
  const code = await p.exited;
  clearTimeout(timer);
  return { code: code ?? -1, stdout: p.stdout, stderr: p.stderr };
}
