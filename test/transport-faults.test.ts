// Fault injection (after packages-paxos' test/poor_udp.pl): seeded drop, duplicate,
// late (reorder) and delay, on the send and the receive side of one node.
import { expect } from 'chai';
import { compound, int } from '../src/term/build.js';
import type { Address } from '../src/transport/address.js';
import { type FaultProfile, FaultySocket, seededRandom } from '../src/transport/faults.js';
import type { DatagramListener, DatagramSocket } from '../src/transport/socket.js';
import type { Transport, UnicastTransport } from '../src/transport/types.js';
import { openScope } from '../src/transport/udp-transport.js';
import { LOOPBACK, eventually, sleep, t, w } from './transport-support.js';

const HERE: Address = { ip: [127, 0, 0, 1], port: 1 };

/** An in-memory socket: what is "received" is pushed by the test, what is sent is recorded. */
class MemorySocket implements DatagramSocket {
  readonly port = 1;
  readonly sent: string[] = [];
  listener: DatagramListener = () => {};
  send(data: Uint8Array): Promise<void> { this.sent.push(Buffer.from(data).toString()); return Promise.resolve(); }
  onMessage(l: DatagramListener): void { this.listener = l; }
  receive(text: string): void { this.listener(Buffer.from(text), HERE); }
  close(): Promise<void> { return Promise.resolve(); }
}

async function run(profile: FaultProfile, n: number): Promise<{ received: string[]; sent: string[]; f: FaultySocket }> {
  const mem = new MemorySocket();
  const f = new FaultySocket(mem, { maxHoldMs: 30, ...profile });
  const received: string[] = [];
  f.onMessage((d) => received.push(d.toString()));
  for (let i = 0; i < n; i++) {
    mem.receive(`r${i}`);
    await f.send(Buffer.from(`s${i}`), HERE);
  }
  await sleep(120); // held and delayed datagrams come out
  await f.close();
  return { received, sent: mem.sent, f };
}

describe('transport: fault injection', function () {
  this.timeout(20000);

  it('seededRandom is deterministic per seed and spreads over [0,1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).to.deep.equal(xs);
    expect(Math.min(...xs)).to.be.at.least(0);
    expect(Math.max(...xs)).to.be.below(1);
    expect(xs.filter((x) => x < 0.5).length).to.be.within(400, 600);
    expect(seededRandom(8)()).to.not.equal(seededRandom(7)());
  });

  it('drop: a rate of 1 loses everything, 0.3 about a third, and the counters say how many', async () => {
    const all = await run({ seed: 1, receive: { drop: 1 }, send: { drop: 1 } }, 50);
    expect(all.received).to.deep.equal([]);
    expect(all.sent).to.deep.equal([]);
    expect(all.f.receiveCounters.dropped).to.equal(50);
    expect(all.f.sendCounters.dropped).to.equal(50);
    const some = await run({ seed: 2, receive: { drop: 0.3 } }, 300);
    expect(some.received.length + some.f.receiveCounters.dropped).to.equal(300);
    expect(some.f.receiveCounters.dropped).to.be.within(60, 120);
    expect(some.sent).to.have.length(300);
  });

  it('duplicate: every datagram twice with rate 1', async () => {
    const r = await run({ seed: 3, receive: { duplicate: { rate: 1, decay: 0.5 } } }, 40);
    expect(r.received).to.have.length(80);
    for (let i = 0; i < 40; i++) expect(r.received.filter((x) => x === `r${i}`)).to.have.length(2);
    expect(r.f.receiveCounters.duplicated).to.equal(40);
  });

  it('late: datagrams are reordered but none is lost', async () => {
    const r = await run({ seed: 4, receive: { late: { rate: 0.3, decay: 0.5 } }, send: { late: { rate: 0.3, decay: 0.5 } } }, 100);
    const inOrder = Array.from({ length: 100 }, (_, i) => `r${i}`);
    expect([...r.received].sort()).to.deep.equal([...inOrder].sort());
    expect(r.received).to.not.deep.equal(inOrder);
    expect(r.f.receiveCounters.reordered).to.be.greaterThan(10);
    expect(r.sent).to.have.length(100);
    expect(r.sent).to.not.deep.equal(Array.from({ length: 100 }, (_, i) => `s${i}`));
  });

  it('delay: datagrams come out after 10 ms steps', async () => {
    const mem = new MemorySocket();
    const f = new FaultySocket(mem, { seed: 5, receive: { delay: { rate: 1, decay: 0.5 } } });
    const at: number[] = [];
    f.onMessage(() => at.push(Date.now()));
    const start = Date.now();
    mem.receive('x');
    expect(at).to.have.length(0);
    await eventually(() => (at.length === 1 ? true : undefined), 2000, 'delayed datagram');
    expect(at[0]! - start).to.be.at.least(9);
    expect(f.receiveCounters.delayed).to.equal(1);
    await f.close();
  });

  it('the same seed gives the same run; another seed another', async () => {
    const p = (seed: number): FaultProfile => ({ seed, receive: { drop: 0.2, duplicate: { rate: 0.2, decay: 0.5 }, late: { rate: 0.2, decay: 0.5 } }, send: { drop: 0.2 } });
    const a = await run(p(11), 200);
    const b = await run(p(11), 200);
    const c = await run(p(12), 200);
    expect(b.received).to.deep.equal(a.received);
    expect(b.sent).to.deep.equal(a.sent);
    expect(c.received).to.not.deep.equal(a.received);
  });

  describe('on a scope (ports 41100-41199)', () => {
    let a: UnicastTransport;
    let b: Transport;
    after(async () => { await a?.close(); await b?.close(); });

    it('a node under faults still talks; its counters show the faults', async () => {
      a = await openScope({ method: 'unicast', port: 41100, bindAddress: LOOPBACK, peers: [{ ip: [127, 0, 0, 1], port: 41101 }] });
      b = await openScope(
        { method: 'unicast', port: 41101, bindAddress: LOOPBACK, peers: [{ ip: [127, 0, 0, 1], port: 41100 }] },
        { faults: { seed: 99, receive: { drop: 0.25, duplicate: { rate: 0.25, decay: 0.5 } }, maxHoldMs: 30 } },
      );
      const got: number[] = [];
      b.listen(t('n(X)'), (m) => { got.push(Number(w(m.term).slice(2, -1))); });
      for (let i = 0; i < 200; i++) await a.broadcast(compound('n', int(i)));
      await sleep(200);
      const f = b.faults!;
      expect(f.receive.dropped).to.be.greaterThan(20);
      expect(f.receive.duplicated).to.be.greaterThan(10);
      expect(got.length).to.equal(200 - f.receive.dropped + f.receive.duplicated);
      expect(a.faults).to.equal(undefined);
    });
  });
});
