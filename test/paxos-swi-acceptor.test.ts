// What a real SWI-Prolog 9.0.4 acceptor (library(paxos), ports 47800-47899) reports and
// takes, the facts behind departure 17 (docs/paxos-departures.md): a bare udp_broadcast
// peer sends it paxos messages one at a time and reads its answers.
//  - retrieve/4 and prepare/4 report its newest confirmed record, not a newer accepted one;
//  - it nacks a second copy of a ballot it took (so its nack is no refusal);
//  - a changed/4 for an older generation that arrives after a newer accept moves that older
//    record in front (ledger_update_holders/3 asserts it), and it then takes a ballot below
//    the one it accepted: paxos.pl's acceptor is not monotone under reordering.
import { expect } from 'chai';
import { atom, compound, int, variable } from '../src/term/build.js';
import type { Term } from '../src/term/types.js';
import { decodePaxos } from '../src/paxos/messages.js';
import { openScope, type UnicastTransport } from '../src/transport/index.js';
import { requireSwipl } from './support/swipl.js';
import { SwiNode } from './paxos-support.js';

const LOOPBACK = [127, 0, 0, 1] as const;
const SWI_PORT = 47800;
const OUR_PORT = 47801;

describe('paxos: a real SWI acceptor (paxos.pl 9.0.4) as our nodes must take it', function () {
  this.timeout(30_000);
  let swi: SwiNode | undefined;
  let t: UnicastTransport | undefined;

  before(async function () {
    requireSwipl(this);
    swi = await SwiNode.start(SWI_PORT, [SWI_PORT, OUR_PORT]);
    t = await openScope({ method: 'unicast', scope: 'paxos', port: OUR_PORT, bindAddress: '127.0.0.1', peers: [{ ip: LOOPBACK, port: SWI_PORT }] }) as UnicastTransport;
  });
  after(async () => {
    await t?.close();
    await swi?.quit();
  });

  /** The SWI node's one reply to a paxos request, decoded. */
  async function ask(body: Term): Promise<ReturnType<typeof decodePaxos>> {
    for await (const r of t!.request(compound('paxos', body), { timeoutMs: 500 })) return decodePaxos(r.term);
    return undefined;
  }
  const key = (k: string): Term => compound('acc', atom(k));
  /** A prepare creates the key's generation-0 record (paxos.pl takes no accept without one). */
  const prepare = async (k: string): Promise<number | undefined> => {
    const m = await ask(compound('prepare', key(k), variable(), variable(), atom('x')));
    return m?.t === 'prepare' ? m.gen : undefined;
  };
  const accept = async (k: string, gen: number, v: string): Promise<number | 'nack' | undefined> => {
    const m = await ask(compound('accept', key(k), variable(), int(gen), variable(), atom(v)));
    return m?.t === 'accept' ? m.genA : undefined;
  };
  const retrieved = async (k: string): Promise<number | undefined> => {
    const m = await ask(compound('retrieve', key(k), variable(), variable(), variable()));
    return m?.t === 'retrieve' ? m.gen : undefined;
  };
  const changed = (k: string, gen: number, v: string): Promise<void> =>
    t!.broadcast(compound('paxos', compound('changed', key(k), int(gen), atom(v), int(3))));
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 200));

  it('reports its newest confirmed record, not the newer one it accepted', async () => {
    expect(await prepare('a')).to.equal(0);
    expect(await accept('a', 10, 'v10')).to.equal(10);
    await changed('a', 10, 'v10');
    await settle();
    expect(await accept('a', 20, 'v20')).to.equal(20);
    expect(await retrieved('a'), 'retrieve hides the accepted 20').to.equal(10);
  });

  it('nacks a second copy of a ballot it took', async () => {
    expect(await prepare('b')).to.equal(0);
    expect(await accept('b', 10, 'v10')).to.equal(10);
    expect(await accept('b', 10, 'v10')).to.equal('nack');
  });

  it('after a late changed/4 of an older generation, takes a ballot below one it accepted', async () => {
    expect(await prepare('c')).to.equal(0);
    expect(await accept('c', 10, 'v10')).to.equal(10);
    expect(await accept('c', 20, 'v20')).to.equal(20);
    expect(await accept('c', 15, 'v15'), 'monotone so far').to.equal('nack');
    await changed('c', 10, 'v10'); // delayed past the accept of 20
    await settle();
    expect(await accept('c', 15, 'v15'), '15 < 20, taken').to.equal(15);
  });
});
