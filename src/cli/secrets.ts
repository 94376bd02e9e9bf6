// Secrets of the node and its clients (the cluster's keys, the admin token) come from
// files or environment variables, never from a flag's value: argv is visible to every
// user of the machine (ps, /proc/PID/cmdline), a process's environment and a 0600 file
// are not.
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from './hostport.js';

export interface SecretText {
  readonly text: string;
  /** Set when the file can be read by others than its owner. */
  readonly warning?: string;
}

export function readSecretFile(path: string, what: string): SecretText {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(path, 'utf8');
    mode = statSync(path).mode;
  } catch (e) {
    throw new UsageError(`${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return (mode & 0o077) !== 0
    ? { text, warning: `${what} ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}): chmod 600 it` }
    : { text };
}

/** An admin bearer token: 16 or more printable ASCII characters without spaces (e.g. openssl rand -hex 32). */
export function checkToken(raw: string, what: string): string {
  const token = raw.trim();
  if (!/^[\x21-\x7e]{16,4096}$/.test(token)) throw new UsageError(`${what}: a token is 16 or more printable ASCII characters without spaces (e.g. openssl rand -hex 32)`);
  return token;
}
