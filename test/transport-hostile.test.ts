// Hostile input: random datagrams, truncated frames, huge terms, endless handlers and
// floods, from in-scope and out-of-scope senders. The process must stay up and
// responsive, count what it dropped, and still hear good messages.
import { expect } from 'chai';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { address } from '../src/transport/address.js';
import { seededRandom } from '../src/transport/faults.js';
import { prologTextCodec } from '../src/transport/framing.js';
import type { UnicastTransport } from '../src/transport/types.js';
import { openScope } from '../src/transport/udp-transport.js';
import { LOOPBACK, RawPeer, eventually, sleep, t, w } from './transport-support.js';

// Ports 41200-41299 of the transport range; 127.0.0.2 is loopback too, and no peer.
const VICTIM = 41200;
const GOOD = 41201;
const INSIDER = 41202;
const OUTSIDER = 41203;
const SMALL = 41204;

describe('transport: hostile input', function () {
  this.timeout(30000);
  let victim: UnicastTransport;
  let good: UnicastTransport;
  let insider: RawPeer;
  let outsider: RawPeer;
  const heard: string[] = [];
  const victimAddr = address(LOOPBACK, VICTIM);

  before(async () => {
    victim = await openScope(
      { method: 'unicast', port: VICTIM, bindAddress: LOOPBACK, peers: [address(LOOPBACK, GOOD)] },
      { maxSolutions: 50, maxInFlight: 20 },
    );
    good = await openScope({ method: 'unicast', port: GOOD, bindAddress: LOOPBACK, peers: [victimAddr] });
    insider = await RawPeer.bind(INSIDER, LOOPBACK);
    outsider = await RawPeer.bind(OUTSIDER, '127.0.0.2');
    victim.listen(t('note(X)'), (m) => { heard.push(w(m.term)); });
    victim.listen(t('forever(X)'), function* () { for (let i = 0; ; i++) yield t(`forever(${i})`); });
    victim.listen(t('slow(X)'), async () => { await sleep(300); return t('slow(done)'); });
  });

  after(async () => {
    await victim?.close();
    await good?.close();
    await insider?.close();
    await outsider?.close();
  });

  // UDP may drop (a full socket buffer during a flood, or load shedding): say it again until heard.
  async function stillHears(tag: string): Promise<void> {
    const end = Date.now() + 5000;
    while (!heard.includes(`note(${tag})`)) {
      if (Date.now() > end) throw new Error(`note(${tag}) never heard`);
      await good.broadcast(t(`note(${tag})`));
      await sleep(100);
    }
  }

  // Our sender shares the event loop with the victim: keep at most `window` datagrams in
  // the victim's socket buffer, so the kernel does not drop what the test counts.
  let sentTotal = 0;
  async function paced(from: RawPeer, data: Uint8Array | string, window = 32): Promise<void> {
    if (sentTotal === 0) sentTotal = victim.counters.datagramsIn;
    await eventually(() => (victim.counters.datagramsIn >= sentTotal - window ? true : undefined), 5000, 'victim to catch up');
    await from.send(data, victimAddr);
    sentTotal++;
  }

  it('random bytes, truncated frames and garbage after the magic line are counted as malformed', async () => {
    const before = victim.counters.malformed;
    sentTotal = victim.counters.datagramsIn;
    const rnd = seededRandom(2024);
    const frame = Buffer.from('%-prolog-\nsend(note(f("x",\'y z\',[1,2|T],1.5e10)))', 'latin1');
    let sent = 0;
    for (let i = 0; i < 200; i++) {
      const b = Buffer.alloc(1 + Math.floor(rnd() * 1500));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
      if (i % 2 === 0) Buffer.from('%-prolog-\n').copy(b); // past the magic check, into the reader
      await paced(insider, b);
      sent++;
    }
    for (let n = 0; n < frame.length - 1; n++) {
      const cut = frame.subarray(0, n);
      // Some prefixes are complete terms ("send(note(f(...)" is not, "%-prolog-\nsend" is an atom): all are not messages.
      await paced(insider, cut);
      sent++;
    }
    for (const junk of ['%-prolog-\n', '%-prolog-\nfoo(', '%-prolog-\nsend(a,b)', '%-prolog-\nreply(x)', '%-prolog-\n\'unterminated', '%-prolog-\n0\'', '%-prolog-\nsend(a) junk']) {
      await paced(insider, junk);
      sent++;
    }
    await eventually(() => (victim.counters.datagramsIn >= sentTotal ? true : undefined), 5000, 'all datagrams in').catch((e) => {
      throw new Error(`${e}: sent ${sent}, counters ${JSON.stringify(victim.counters)}`);
    });
    expect(victim.counters.malformed - before).to.equal(sent);
    expect(heard).to.deep.equal([]);
    await stillHears('after_garbage');
  });

  it("SWI's term_string/3 leniency: text after a complete term's full stop is ignored", async () => {
    await insider.send('%-prolog-\nsend(note(lenient)). junk', victimAddr);
    await eventually(() => (heard.includes('note(lenient)') ? true : undefined), 3000, 'lenient note');
  });

  it('huge datagrams (deep nests, long atoms, 65,507 bytes) do not stall the event loop', async () => {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const max = 65507;
    const open = '%-prolog-\nsend(note(';
    const depth = Math.floor((max - open.length - 10) / 3);
    const deep = open + 'f('.repeat(depth) + 'a' + ')'.repeat(depth) + '))';
    const unclosed = open + '['.repeat(max - open.length);
    const longAtom = open + "'" + 'a'.repeat(max - open.length - 5) + "'))";
    const before = victim.counters.datagramsIn;
    for (const text of [deep, unclosed, longAtom]) {
      expect(text.length).to.be.at.most(max);
      await insider.send(text, victimAddr);
    }
    await eventually(() => (victim.counters.datagramsIn >= before + 3 ? true : undefined), 10000, 'huge datagrams in');
    await stillHears('after_huge');
    h.disable();
    expect(h.max / 1e6, 'worst event-loop delay in ms').to.be.below(1000);
    // The deep nest and the long atom are proper messages, heard; the unclosed one is malformed.
    expect(heard.filter((x) => x.startsWith('note(f(f(') || x.startsWith('note(aaa'))).to.have.length(2);
  });

  it('oversized datagrams are counted and dropped before decoding', async () => {
    const small = await openScope({ method: 'unicast', port: SMALL, bindAddress: LOOPBACK, peers: [LOOPBACK] }, { maxInboundBytes: 1000 });
    try {
      const seen: string[] = [];
      small.listen(t('note(X)'), (m) => { seen.push(w(m.term)); });
      await insider.send(`%-prolog-\nsend(note('${'x'.repeat(2000)}'))`, address(LOOPBACK, SMALL));
      await insider.send('%-prolog-\nsend(note(small))', address(LOOPBACK, SMALL));
      await eventually(() => (seen.includes('note(small)') ? true : undefined), 3000, 'small note');
      expect(small.counters.oversized).to.equal(1);
      expect(seen).to.deep.equal(['note(small)']);
    } finally {
      await small.close();
    }
  });

  it('a utf8 scope carries any character and counts invalid UTF-8 as malformed', async () => {
    const codec = prologTextCodec({ encoding: 'utf8' });
    const u = await openScope({ method: 'unicast', port: SMALL + 1, bindAddress: LOOPBACK, peers: [LOOPBACK] }, { codec });
    try {
      const seen: string[] = [];
      u.listen(t('note(X)'), (m) => { seen.push(w(m.term)); });
      await insider.send(Buffer.from([...Buffer.from('%-prolog-\nsend(note(\'', 'latin1'), 0xc3, 0x28, ...Buffer.from("'))")]), address(LOOPBACK, SMALL + 1));
      await u.sendTo(address(LOOPBACK, SMALL + 1), t("note('☃ 🙂')"));
      await eventually(() => (seen.length > 0 ? true : undefined), 3000, 'utf8 note');
      expect(seen).to.deep.equal(["note('☃ 🙂')"]);
      expect(u.counters.malformed).to.equal(1);
    } finally {
      await u.close();
    }
  });

  it('a flood from out of scope is counted, never dispatched, and good traffic gets through', async () => {
    const before = victim.counters.outOfScope;
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const N = 3000;
    sentTotal = victim.counters.datagramsIn;
    for (let i = 0; i < N; i++) {
      await paced(outsider, `%-prolog-\nsend(note(flood(${i})))`, 100);
      if (i === N / 2) void good.broadcast(t('note(during_flood)'));
    }
    await eventually(() => (victim.counters.outOfScope - before >= N ? true : undefined), 5000, 'flood counted');
    await stillHears('during_flood');
    h.disable();
    expect(heard.some((x) => x.startsWith('note(flood('))).to.equal(false);
    expect(h.max / 1e6).to.be.below(1000);
  });

  it('an endless handler gives at most maxSolutions replies; a flood of slow requests is shed as overloaded', async () => {
    const replies: string[] = [];
    for await (const r of good.request(t('forever(X)'), { timeoutMs: 500 })) replies.push(w(r.term));
    expect(replies).to.have.length(50);
    expect(replies[49]).to.equal('forever(49)');
    const before = victim.counters.overloaded;
    sentTotal = victim.counters.datagramsIn;
    for (let i = 0; i < 60; i++) await paced(insider, `%-prolog-\nrequest(${i},slow(X))`);
    await eventually(() => (victim.counters.overloaded - before >= 30 ? true : undefined), 3000, 'overloaded');
    await stillHears('after_overload');
  });

  it('replies to unknown requests, and in-scope floods of them, are counted and dropped', async () => {
    const before = victim.counters.unknownReplies;
    sentTotal = victim.counters.datagramsIn;
    for (let i = 0; i < 500; i++) await paced(insider, `%-prolog-\nreply(${i},note(x))`, 100);
    await eventually(() => (victim.counters.unknownReplies - before >= 500 ? true : undefined), 5000, 'unknown replies');
    await stillHears('after_replies');
    expect(victim.closed).to.equal(false);
  });
});
