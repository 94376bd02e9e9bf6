// The authenticated frame (src/transport/auth.ts) on its own, with a clock the test
// moves: what is accepted, what is dropped and why, key roll-over, and the bounded
// replay cache. The wire against real swipl nodes is in transport-auth and paxos-auth.
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { AUTH_MAGIC, AuthConfigError, FrameAuth, parseKeys } from '../src/transport/auth.js';

const K1 = { id: 'k1', secret: 'c2VjcmV0LW9uZS0xMjM0NTY3OA==' };
const K2 = { id: 'k2', secret: '0123456789abcdef0123456789abcdef' };
const INNER = Buffer.from('%-prolog-\nsend(paxos(changed(k,1,v(\'é\'),3)))', 'latin1');

function clock(start = 1_700_000_000_000): { now: () => number; at: number } {
  const c = { at: start, now: () => c.at };
  return c;
}

describe('auth frame: sign and verify (fake clock)', () => {
  it('signs as documented: the MAC is HMAC-SHA-256 over the frame without its MAC field', () => {
    const c = clock();
    const a = new FrameAuth({ keys: [K1], now: c.now });
    const f = a.sign(INNER);
    const text = f.toString('latin1');
    const m = /^%-auth-1 ([0-9a-f]{64}) k1 (\d+) ([0-9a-z]+)\n/.exec(text);
    expect(m, text).to.not.equal(null);
    expect(Number(m![2])).to.equal(c.at);
    const signed = AUTH_MAGIC + text.slice(AUTH_MAGIC.length + 65);
    expect(createHmac('sha256', K1.secret).update(Buffer.from(signed, 'latin1')).digest('hex')).to.equal(m![1]);
    expect(f.subarray(f.length - INNER.length).equals(INNER)).to.equal(true);
    const v = new FrameAuth({ keys: [K1], now: c.now }).verify(f);
    expect(v.ok && v.inner.equals(INNER)).to.equal(true);
  });

  it('two sends of one message differ (nonce), and each is accepted once', () => {
    const c = clock();
    const a = new FrameAuth({ keys: [K1], now: c.now });
    const b = new FrameAuth({ keys: [K1], now: c.now });
    const f1 = a.sign(INNER);
    const f2 = a.sign(INNER);
    expect(f1.equals(f2)).to.equal(false);
    expect(b.verify(f1).ok).to.equal(true);
    expect(b.verify(f2).ok).to.equal(true);
    expect(b.verify(f1)).to.deep.equal({ ok: false, reason: 'replayed' });
    expect(b.drops.replayed).to.equal(1);
  });

  it('every flipped bit and every truncation is dropped, by the reason its place gives', () => {
    const c = clock();
    const a = new FrameAuth({ keys: [K1], now: c.now });
    const b = new FrameAuth({ keys: [K1], now: c.now });
    const f = a.sign(INNER);
    let dropped = 0;
    for (let i = 0; i < f.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const g = Buffer.from(f);
        g[i]! ^= 1 << bit;
        const v = b.verify(g);
        expect(v.ok, `byte ${i} bit ${bit}`).to.equal(false);
        dropped++;
      }
    }
    for (let n = 0; n < f.length; n++) expect(b.verify(f.subarray(0, n)).ok, `first ${n} bytes`).to.equal(false);
    dropped += f.length;
    const d = b.drops;
    expect(d.unsigned + d.badHeader + d.unknownKey + d.badMac + d.outOfWindow + d.replayed).to.equal(dropped);
    expect(d.badMac).to.be.greaterThan(0);
    expect(d.unsigned).to.be.greaterThan(0);
    expect(d.replayed).to.equal(0);
    // The original still passes: nothing above was remembered.
    expect(b.verify(f).ok).to.equal(true);
  });

  it('drops unsigned frames, unknown key ids, other secrets under a known id', () => {
    const c = clock();
    const b = new FrameAuth({ keys: [K1], now: c.now });
    expect(b.verify(INNER)).to.deep.equal({ ok: false, reason: 'unsigned' });
    expect(b.verify(new FrameAuth({ keys: [K2], now: c.now }).sign(INNER))).to.deep.equal({ ok: false, reason: 'unknownKey' });
    const forged = new FrameAuth({ keys: [{ id: 'k1', secret: K2.secret }], now: c.now }).sign(INNER);
    expect(b.verify(forged)).to.deep.equal({ ok: false, reason: 'badMac' });
  });

  it('drops stamps outside the window, and stamps from before its start', () => {
    const c = clock();
    const sender = new FrameAuth({ keys: [K1], now: c.now });
    const old = sender.sign(INNER);
    c.at += 5;
    const b = new FrameAuth({ keys: [K1], windowMs: 2000, now: c.now });
    expect(b.verify(old)).to.deep.equal({ ok: false, reason: 'outOfWindow' }); // sent before b started
    c.at += 1000;
    const f = sender.sign(INNER);
    c.at += 2001;
    expect(b.verify(f)).to.deep.equal({ ok: false, reason: 'outOfWindow' });
    const ahead = new FrameAuth({ keys: [K1], now: () => c.at + 2001 }).sign(INNER);
    expect(b.verify(ahead)).to.deep.equal({ ok: false, reason: 'outOfWindow' });
    const edge = new FrameAuth({ keys: [K1], now: () => c.at + 2000 }).sign(INNER);
    expect(b.verify(edge).ok).to.equal(true);
  });

  it('key roll-over: signs with the first key, accepts either', () => {
    const c = clock();
    const oldOnly = new FrameAuth({ keys: [K1], now: c.now });
    const both = new FrameAuth({ keys: [K1, K2], now: c.now });
    const swapped = new FrameAuth({ keys: [K2, K1], now: c.now });
    const newOnly = new FrameAuth({ keys: [K2], now: c.now });
    const ok = (from: FrameAuth, to: FrameAuth): boolean => to.verify(from.sign(INNER)).ok;
    expect([ok(oldOnly, both), ok(both, oldOnly), ok(both, swapped), ok(swapped, both), ok(swapped, newOnly), ok(newOnly, swapped)])
      .to.deep.equal([true, true, true, true, true, true]);
    expect([ok(oldOnly, newOnly), ok(newOnly, oldOnly), ok(swapped, oldOnly)]).to.deep.equal([false, false, false]);
  });

  it('the replay cache stays bounded under a flood of fresh frames, and an evicted MAC is still refused', () => {
    const c = clock();
    const a = new FrameAuth({ keys: [K1], now: c.now });
    const b = new FrameAuth({ keys: [K1], replayCache: 64, now: c.now });
    const first = a.sign(INNER);
    expect(b.verify(first).ok).to.equal(true);
    for (let i = 0; i < 1000; i++) {
      c.at += 1;
      expect(b.verify(a.sign(INNER)).ok).to.equal(true);
      expect(b.cached).to.be.at.most(64);
    }
    expect(b.verify(first)).to.deep.equal({ ok: false, reason: 'outOfWindow' }); // evicted, under the floor now
    // Past the window, entries expire on their own: the cache shrinks with traffic.
    c.at += 20_000;
    for (let i = 0; i < 40; i++) expect(b.verify(a.sign(INNER)).ok).to.equal(true);
    expect(b.cached).to.be.below(64);
  });

  it('key text: lines or commas of "ID SECRET", comments; bad keys are refused without echoing the secret', () => {
    expect(parseKeys(`# keys\n${K1.id} ${K1.secret}\n\n${K2.id}\t${K2.secret}\n`, 'f')).to.deep.equal([K1, K2]);
    expect(parseKeys(`${K2.id} ${K2.secret},${K1.id} ${K1.secret}`, 'env')).to.deep.equal([K2, K1]);
    const bad = (text: string): string => {
      try { parseKeys(text, 'f'); } catch (e) { expect(e).to.be.instanceOf(AuthConfigError); return (e as Error).message; }
      throw new Error('accepted');
    };
    expect(bad('')).to.match(/one or two keys/);
    expect(bad(`a ${K1.secret}\nb ${K1.secret}\nc ${K1.secret}`)).to.match(/one or two keys/);
    expect(bad('k1 short')).to.match(/16-256/).and.not.include('short');
    expect(bad(`k1 ${K1.secret}\nk1 ${K2.secret}`)).to.match(/two keys with the id k1/);
    expect(bad(`bad/id ${K1.secret}`)).to.match(/key id/);
    expect(bad('justone')).to.match(/ID SECRET/);
  });
});
