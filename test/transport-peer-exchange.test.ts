// Peer exchange on real UDP (loopback, ports 47450-47479): strangers cannot grow a
// node's peer table past its cap, and on an authenticated scope only a sender with
// the key becomes a peer (the frame is verified before the admit hook runs).
import { expect } from 'chai';
import type { AuthKey } from '../src/transport/auth.js';
import { address } from '../src/transport/address.js';
import { peerExchange } from '../src/transport/peer-exchange.js';
import type { UnicastTransport } from '../src/transport/types.js';
import { openScope } from '../src/transport/udp-transport.js';
import { LOOPBACK, eventually, sleep, t } from './transport-support.js';

const SEED = 47450;
const KEY: AuthKey = { id: 'k1', secret: '6b1f0c4e9a3d7b2f8e5c1a0d4b7e9f23' };
const OTHER: AuthKey = { id: 'k1', secret: 'Zm9yIHRoZSBuZXcga2V5IG9ubHkhISE=' };

describe('transport: peer exchange admits strangers, bounded and authenticated', function () {
  this.timeout(30_000);
  const open: UnicastTransport[] = [];
  afterEach(async () => { await Promise.all(open.splice(0).map((s) => s.close())); });

  async function scope(port: number, peers: number[], auth?: AuthKey, maxPeers?: number, refused?: string[]): Promise<UnicastTransport> {
    const ex = peerExchange({
      accept: (term) => term.kind === 'compound' && term.name === 'paxos',
      ...(maxPeers !== undefined && { maxPeers }),
      ...(refused && { onFull: (a) => refused.push(`${a.ip.join('.')}:${a.port}`) }),
    });
    const s = await openScope(
      { method: 'unicast', port, bindAddress: LOOPBACK, peers: [port, ...peers].map((p) => address(LOOPBACK, p)) },
      { admitStranger: ex.admitStranger, ...(auth && { auth: { keys: [auth] } }) },
    ) as UnicastTransport;
    ex.attach(s);
    open.push(s);
    return s;
  }

  it('a seed with a cap of 4 peers (itself included) adds 3 of 8 strangers and refuses the rest, naming each once', async () => {
    const refused: string[] = [];
    const seed = await scope(SEED, [], undefined, 4, refused);
    const strangers = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => scope(SEED + i, [SEED])));
    for (let round = 0; round < 3; round++) {
      for (const s of strangers) await s.broadcast(t('paxos(hello)'), { exceptSelf: true });
      await sleep(100);
    }
    await eventually(() => (refused.length === 5 ? true : undefined), 3000, 'five refusals');
    expect(seed.peers()).to.have.length(4);
    expect(new Set(refused).size).to.equal(5);
  });

  it('an authenticated seed adds a stranger with the key, not one with another secret', async () => {
    const seed = await scope(SEED + 10, [], KEY);
    await scope(SEED + 11, [SEED + 10], KEY);
    const forger = await scope(SEED + 12, [SEED + 10], OTHER);
    const member = open[1]!;
    const ports = (): number[] => seed.peers().map((p) => p.port).sort();
    await eventually(async () => {
      await member.broadcast(t('paxos(hello)'), { exceptSelf: true });
      await forger.broadcast(t('paxos(hello)'), { exceptSelf: true });
      return ports().includes(SEED + 11) ? true : undefined;
    }, 5000, 'the key holder added');
    await forger.broadcast(t('paxos(hello)'), { exceptSelf: true });
    await sleep(200);
    expect(ports()).to.deep.equal([SEED + 10, SEED + 11]);
    expect(seed.auth!.drops.badMac).to.be.greaterThan(0);
  });
});
