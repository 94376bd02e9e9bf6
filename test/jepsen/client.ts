// The clients' side of a fault run: sets, deletes and reads over a node's admin API,
// each with its outcome as the linearizability checker needs it.
import type { HistoryOp } from '../support/linearizability.js';
import type { Member } from './processes.js';

export type Read = { ok: true; value: string | null } | { ok: false };

export async function httpSet(m: Member, key: string, value: string, tmo: number, why: (s: string) => void): Promise<HistoryOp['outcome']> {
  try {
    const r = await fetch(`http://127.0.0.1:${m.admin}/set?key=${encodeURIComponent(key)}`, {
      method: 'PUT', body: value, headers: { 'content-type': 'application/x-prolog' }, signal: AbortSignal.timeout(tmo),
    });
    const text = await r.text();
    if (r.status === 204) return 'ok';
    why(`${r.status} ${text.trim()}`);
    // 503 with the outcome header: not chosen, and never will be. Anything else proves nothing.
    if (r.status === 503 && r.headers.get('x-paxos-outcome') === 'rejected') return 'fail';
    return 'unknown';
  } catch (e) {
    // A refused connection never reached the node: that set never started.
    const code = (e as { cause?: { code?: string } }).cause?.code;
    why(`${(e as Error).name} ${code ?? ''}`);
    return code === 'ECONNREFUSED' ? 'fail' : 'unknown';
  }
}

export async function httpGet(m: Member, key: string, quorum: boolean, tmo: number): Promise<Read> {
  try {
    const r = await fetch(`http://127.0.0.1:${m.admin}/get?key=${encodeURIComponent(key)}${quorum ? '&quorum=true' : ''}`, { signal: AbortSignal.timeout(tmo) });
    const text = (await r.text()).trim();
    if (r.status === 200) return { ok: true, value: text };
    if (r.status === 404) return { ok: true, value: null };
    return { ok: false };
  } catch {
    return { ok: false };
  }
}

/** DELETE /key: a set of the tombstone (departure 16), with a set's outcomes. */
export async function httpDelete(m: Member, key: string, tmo: number): Promise<HistoryOp['outcome']> {
  try {
    const r = await fetch(`http://127.0.0.1:${m.admin}/key?key=${encodeURIComponent(key)}`, { method: 'DELETE', signal: AbortSignal.timeout(tmo) });
    await r.text();
    if (r.status === 204) return 'ok';
    return r.status === 503 && r.headers.get('x-paxos-outcome') === 'rejected' ? 'fail' : 'unknown';
  } catch (e) {
    return (e as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED' ? 'fail' : 'unknown';
  }
}

/**
 * Run a fault scenario when its module is the process's entry point (the tests spawn each
 * scenario as its own process): argv[2] is its JSON options; the result is the last stdout line.
 */
export function runWhenMain<O, R>(moduleUrl: string, name: string, run: (o: O) => Promise<R>): void {
  if (!process.argv[1] || !moduleUrl.endsWith(process.argv[1].split('/').pop()!)) return;
  run(JSON.parse(process.argv[2] ?? '{}') as O).then((r) => {
    process.stdout.write('\n' + JSON.stringify(r) + '\n');
    process.exit(0);
  }, (e: unknown) => {
    process.stderr.write(`${name} run failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
