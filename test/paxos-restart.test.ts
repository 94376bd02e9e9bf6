// Restart safety of an acceptor (ports 42600-42619): an accept a node acknowledged
// is a promise it must keep. Its reply leaves only once the accept is durable, and a
// restart restores pending records too, so a proposal older than the accepted one is
// refused afterwards (an acceptor that forgot would accept it: two values could be chosen).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atom, compound, int, variable } from '../src/term/build.js';
import type { Term } from '../src/term/types.js';
import { isValidHolders } from '../src/store/ledger.js';
import { LmdbLedger } from '../src/store/lmdb.js';
import { openScope, type UnicastTransport } from '../src/transport/index.js';
import { decodePaxos, type PaxosMsg } from '../src/paxos/messages.js';
import { PaxosNode } from '../src/paxos/node.js';
import { openTransport } from './paxos-support.js';

const NODE_PORT = 42601;
const PROPOSER_PORT = 42602;
const KEY = atom('restart_k');

/** A bare proposer: a udp_broadcast scope that sends paxos requests to the node and reads its replies. */
async function ask(t: UnicastTransport, body: Term): Promise<PaxosMsg[]> {
  const out: PaxosMsg[] = [];
  const s = t.request(compound('paxos', body), { timeoutMs: 300, to: { ip: [127, 0, 0, 1], port: NODE_PORT } });
  for await (const r of s) {
    const m = decodePaxos(r.term);
    if (m) out.push(m);
    break;
  }
  s.close();
  return out;
}

const accept = (gen: number, value: string): Term => compound('accept', KEY, variable(), int(gen), variable(), atom(value));

describe('paxos node: an acknowledged accept survives a restart', function () {
  this.timeout(30_000);
  let dir: string;
  let proposer: UnicastTransport | undefined;
  let node: PaxosNode | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paxos-restart-'));
    proposer = await openScope({
      method: 'unicast', scope: 'paxos', port: PROPOSER_PORT, bindAddress: '127.0.0.1',
      peers: [{ ip: [127, 0, 0, 1], port: NODE_PORT }],
    });
  });
  after(async () => {
    await node?.close();
    await proposer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acks an accept only once it is on disk, and refuses an older generation after a restart', async () => {
    const ledger = LmdbLedger.open(dir);
    node = await PaxosNode.start({ transport: await openTransport(NODE_PORT, [NODE_PORT, PROPOSER_PORT]), ledger });
    const id = node.property().node!;

    const acked = await ask(proposer!, accept(20, 'new'));
    expect(acked).to.have.length(1);
    expect(acked[0]).to.deep.include({ t: 'accept', gen: 20, genA: 20 });
    // Write-ahead: when the ack arrives, the pending accept is committed already.
    const held = await ledger.entries(KEY);
    expect(held.map((e) => [e.gen, isValidHolders(e.holders) ? 'valid' : e.holders.status])).to.deep.include([20, 'accepted']);

    await node.close();
    node = await PaxosNode.start({
      transport: await openTransport(NODE_PORT, [NODE_PORT, PROPOSER_PORT]), ledger: LmdbLedger.open(dir), node: id,
    });

    // The older proposal is refused, a prepare reports the accepted generation, and
    // the pending record is not served as a value (it was never confirmed).
    const old = await ask(proposer!, accept(10, 'old'));
    expect(old).to.have.length(1);
    expect(old[0]).to.deep.include({ t: 'accept', gen: 10, genA: 'nack' });
    const prep = await ask(proposer!, compound('prepare', KEY, variable(), variable(), atom('x')));
    expect(prep[0]).to.deep.include({ t: 'prepare', gen: 20 });
    expect(node.ledgerRecord(KEY)).to.equal(undefined);
    // The same generation with its value is a retransmission, still acknowledged.
    const again = await ask(proposer!, accept(20, 'new'));
    expect(again[0]).to.deep.include({ genA: 20 });
  });
});
