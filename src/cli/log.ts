// Structured logs: JSON lines on stderr (stdout stays for data), written
// synchronously so the last lines before an exit on SIGTERM are not lost.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Quiet by default (lifecycle and problems); `verbose` adds protocol traffic at debug level. */
export function createLogger(verbose: boolean, fd = 2): Logger {
  return pino(
    { level: verbose ? 'debug' : 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd, sync: true }),
  );
}
