// What a subcommand gets from the process, so tests can run commands in-process.
import type { Readable, Writable } from 'node:stream';

export interface CliIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborts on SIGINT/SIGTERM: long-running commands (node, watch, console) stop on it. */
  readonly interrupt: AbortSignal;
}

/** Exit codes: 0 success; 1 no agreement, unknown key or unreachable node; 2 usage or syntax error. */
/** Exit statuses: 1 a failure (for set: not chosen, safe to retry), 2 a usage error, 3 a set whose outcome is unknown. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unknown: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function say(stream: Writable, line: string): void {
  stream.write(line.endsWith('\n') ? line : line + '\n');
}
