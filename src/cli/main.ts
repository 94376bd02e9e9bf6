#!/usr/bin/env node
// The `prolog-paxos` binary: process wiring around dispatch.ts.
import { main } from './dispatch.js';
import { type CliIO, EXIT, say } from './io.js';

/** Process wiring: signals become an abort signal; a second one forces the exit. */
function runAsProcess(): void {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupt.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed pipe (`prolog-paxos keys | head`) ends output quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const io: CliIO = {
    stdin: process.stdin, stdout: process.stdout, stderr: process.stderr,
    env: process.env, cwd: process.cwd(), interrupt: interrupt.signal,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
      // Nothing long-running remains once a command returns; don't wait on stray handles.
      setImmediate(() => process.exit(code));
    },
    (e: unknown) => {
      say(process.stderr, `prolog-paxos: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      process.exit(EXIT.failed);
    },
  );
}

runAsProcess();
