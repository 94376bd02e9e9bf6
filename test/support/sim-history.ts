// Histories of simulated client runs (src/paxos/fuzz.ts clientsRun) for the
// register linearizability checker: sets of unique values are writes, quorum gets reads.
import { termKey } from '../../src/term/equal.js';
import type { CallHandle } from '../../src/paxos/sim.js';
import type { CallResult } from '../../src/paxos/machine.js';
import type { HistoryOp } from './linearizability.js';

/** A failed set is definite unless the node says its outcome is unknown. */
function setOutcome(r: CallResult): HistoryOp['outcome'] {
  if (r.ok) return 'ok';
  return 'outcome' in r && r.outcome === 'unknown' ? 'unknown' : 'fail';
}

/** Clients' calls: a client's operation, and when it stopped waiting for it (if it did). */
type Calls = readonly { readonly client: number; readonly handle: CallHandle; readonly gaveUpAt?: number }[];

export function simHistory(ops: Calls): HistoryOp[] {
  const out: HistoryOp[] = [];
  for (const { client, handle: h, gaveUpAt } of ops) {
    const call = h.call;
    const who = `client ${client} on ${h.addr}`;
    const answered = h.done && (gaveUpAt === undefined || h.doneAt! <= gaveUpAt);
    if (call.op === 'set') {
      const key = termKey(call.key);
      const value = termKey(call.value);
      const outcome = answered ? setOutcome(h.result!) : 'unknown';
      out.push({ key, kind: 'write', value, invoke: h.at, complete: answered ? h.doneAt! : Infinity, outcome, who });
    } else if (call.op === 'get' && answered) {
      const r = h.result!;
      const key = termKey(call.key);
      if (r.ok && r.op === 'get') out.push({ key, kind: 'read', value: termKey(r.value), invoke: h.at, complete: h.doneAt!, outcome: 'ok', who });
      else if (!r.ok && r.reason === 'no such key') out.push({ key, kind: 'read', value: null, invoke: h.at, complete: h.doneAt!, outcome: 'ok', who });
    }
  }
  return out;
}
