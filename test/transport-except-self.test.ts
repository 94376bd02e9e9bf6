// SendOptions.exceptSelf (ports 41950-41959): a unicast scope that lists itself among
// its peers sends to itself, as SWI does, unless the sender asks to leave itself out
// (paxos nodes handle their own messages locally and would only drop the copy).
import { expect } from 'chai';
import { address } from '../src/transport/address.js';
import type { UnicastTransport } from '../src/transport/types.js';
import { openScope } from '../src/transport/udp-transport.js';
import { LOOPBACK, eventually, sleep, t, w } from './transport-support.js';

const SELF = 41950;
const OTHER = 41951;

describe('transport: exceptSelf leaves the own socket out of a unicast fan-out', function () {
  this.timeout(10000);
  let self: UnicastTransport;
  let other: UnicastTransport;
  const selfHeard: string[] = [];
  const otherHeard: string[] = [];

  before(async () => {
    const peers = [address(LOOPBACK, SELF), address(LOOPBACK, OTHER)];
    self = await openScope({ method: 'unicast', port: SELF, bindAddress: LOOPBACK, peers });
    other = await openScope({ method: 'unicast', port: OTHER, bindAddress: LOOPBACK, peers });
    self.listen(t('m(X)'), (m) => { selfHeard.push(w(m.term)); return true; });
    other.listen(t('m(X)'), (m) => { otherHeard.push(w(m.term)); return true; });
  });
  after(async () => {
    await self?.close();
    await other?.close();
  });

  it('broadcast: without the option the sender hears itself (SWI), with it only the others hear', async () => {
    await self.broadcast(t('m(plain)'));
    await self.broadcast(t('m(skip)'), { exceptSelf: true });
    await eventually(() => (otherHeard.length >= 2 ? true : undefined), 3000, 'both broadcasts at the other peer');
    await eventually(() => (selfHeard.includes('m(plain)') ? true : undefined), 3000, 'the plain broadcast at the sender');
    await sleep(100);
    expect(otherHeard).to.have.members(['m(plain)', 'm(skip)']);
    expect(selfHeard).to.deep.equal(['m(plain)']);
    expect(self.peers()).to.have.length(2); // the peer list is untouched
  });

  it('request: replies come from the others only, and the sender is not asked', async () => {
    selfHeard.length = 0;
    const replies: string[] = [];
    for await (const r of self.request(t('m(_)'), { timeoutMs: 300, exceptSelf: true })) replies.push(`${r.from.port}`);
    expect(replies).to.deep.equal([String(OTHER)]);
    expect(selfHeard).to.deep.equal([]);
    const all: string[] = [];
    for await (const r of self.request(t('m(_)'), { timeoutMs: 300 })) all.push(`${r.from.port}`);
    expect(all).to.have.members([String(SELF), String(OTHER)]);
  });
});
