// Authenticated scopes on real UDP (loopback, ports 45000-45099): hostile datagrams
// from an in-scope address without the key (random, unsigned, replayed, bit-flipped,
// truncated, out of the window, wrong key) change nothing, are counted by reason, and
// the scope keeps hearing its members; a flood from another process does not stall
// the event loop; key roll-over; and a real swipl scope with prolog/paxos_auth.pl
// speaking the same frames both ways, dropping the same hostile datagrams.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type AuthDrops, type AuthKey, FrameAuth } from '../src/transport/auth.js';
import { address } from '../src/transport/address.js';
import { seededRandom } from '../src/transport/faults.js';
import type { UnicastTransport } from '../src/transport/types.js';
import { openScope } from '../src/transport/udp-transport.js';
import { ROOT } from './cli-support.js';
import { Swipl, requireSwipl } from './support/swipl.js';
import { LOOPBACK, RawPeer, eventually, sleep, t, w } from './transport-support.js';

const K1: AuthKey = { id: 'k1', secret: '6b1f0c4e9a3d7b2f8e5c1a0d4b7e9f23' };
const K2: AuthKey = { id: 'k2', secret: 'Zm9yIHRoZSBuZXcga2V5IG9ubHkhISE=' };
const AUTH_PL = join(ROOT, 'prolog/paxos_auth.pl');

const VICTIM = 45000;
const GOOD = 45001;
const INSIDER = 45002;
const TAP = 45003;

function sum(d: Readonly<AuthDrops>): number {
  return d.unsigned + d.badHeader + d.unknownKey + d.badMac + d.outOfWindow + d.replayed;
}

describe('transport: authenticated scopes on loopback', function () {
  this.timeout(60_000);
  let victim: UnicastTransport;
  let good: UnicastTransport;
  let insider: RawPeer;
  let tap: RawPeer;
  const heard: string[] = [];
  const victimAddr = address(LOOPBACK, VICTIM);

  before(async () => {
    victim = await openScope(
      { method: 'unicast', port: VICTIM, bindAddress: LOOPBACK, peers: [address(LOOPBACK, GOOD)] },
      { auth: { keys: [K1] } },
    );
    // The tap is a peer of good: it gets the very bytes good sends the victim.
    good = await openScope(
      { method: 'unicast', port: GOOD, bindAddress: LOOPBACK, peers: [victimAddr, address(LOOPBACK, TAP)] },
      { auth: { keys: [K1] } },
    );
    insider = await RawPeer.bind(INSIDER, LOOPBACK);
    tap = await RawPeer.bind(TAP, LOOPBACK);
    victim.listen(t('note(X)'), (m) => { heard.push(w(m.term)); });
    victim.listen(t('echo(X)'), () => [t('echo(answered)')]);
  });

  after(async () => {
    await victim?.close();
    await good?.close();
    await insider?.close();
    await tap?.close();
  });

  async function stillHears(tag: string): Promise<void> {
    const end = Date.now() + 5000;
    while (!heard.includes(`note(${tag})`)) {
      if (Date.now() > end) throw new Error(`note(${tag}) never heard`);
      await good.broadcast(t(`note(${tag})`));
      await sleep(100);
    }
  }

  // One datagram in flight at a time: the kernel then drops none of what is counted.
  async function paced(data: Uint8Array | string): Promise<void> {
    const target = victim.counters.datagramsIn + 1;
    await insider.send(data, victimAddr);
    sent++;
    await eventually(() => (victim.counters.datagramsIn >= target ? true : undefined), 5000, 'the victim to read it');
  }
  let sent = 0;

  it('members hear each other, requests and replies included', async () => {
    await stillHears('hello');
    const replies = [];
    for await (const r of good.request(t('echo(X)'), { timeoutMs: 300, to: victimAddr })) replies.push(w(r.term));
    expect(replies).to.deep.equal(['echo(answered)']);
    expect(victim.auth?.keyIds).to.deep.equal(['k1']);
  });

  it('hostile datagrams from an in-scope address are dropped before decoding, counted by reason, and change nothing', async () => {
    // Real frames of good's, as the tap saw them, once the victim took each.
    tap.skipAll();
    const captured: Buffer[] = [];
    for (let i = 0; i < 10; i++) {
      await stillHears(`orig${i}`);
      for (;;) {
        const c = await tap.take();
        if (c.data.toString('latin1').endsWith(`note(orig${i}))`)) { captured.push(c.data); break; }
      }
    }
    const c0 = { ...victim.counters };
    const d0 = { ...victim.auth!.drops };
    const heardBefore = heard.length;
    sent = 0;
    const rnd = seededRandom(4501);
    const expected: Partial<AuthDrops> = {};
    const expect1 = (r: keyof AuthDrops, n = 1): void => { expected[r] = (expected[r] ?? 0) + n; };

    // Random bytes, and SWI's plain frames: unsigned.
    for (let i = 0; i < 60; i++) {
      const b = Buffer.alloc(1 + Math.floor(rnd() * 1200));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
      await paced(b);
    }
    for (let i = 0; i < 20; i++) await paced(`%-prolog-\nsend(note(evil${i}))`);
    expect1('unsigned', 80);
    // Exact replays of accepted frames.
    for (const c of captured) await paced(c);
    expect1('replayed', captured.length);
    // One flipped bit anywhere, and truncations: never accepted (the reason depends on the place).
    let mangled = 0;
    for (let i = 0; i < 80; i++) {
      const g = Buffer.from(captured[i % captured.length]!);
      const at = Math.floor(rnd() * g.length);
      g[at]! ^= 1 << Math.floor(rnd() * 8);
      await paced(g);
      mangled++;
    }
    for (let i = 0; i < 40; i++) {
      const c = captured[i % captured.length]!;
      await paced(c.subarray(0, 1 + Math.floor(rnd() * (c.length - 1))));
      mangled++;
    }
    // Signed with the right key, but 11 s old or 11 s ahead (window: 10 s).
    for (const skew of [-11_000, 11_000]) {
      await paced(new FrameAuth({ keys: [K1], now: () => Date.now() + skew }).sign(Buffer.from('%-prolog-\nsend(note(evil_time))', 'latin1')));
    }
    expect1('outOfWindow', 2);
    // Wrong keys: an id we do not have; our id with another secret. A request too: no reply may leave.
    const inner = Buffer.from('%-prolog-\nrequest(77,echo(_))', 'latin1');
    await paced(new FrameAuth({ keys: [K2] }).sign(inner));
    expect1('unknownKey');
    await paced(new FrameAuth({ keys: [{ id: 'k1', secret: K2.secret }] }).sign(inner));
    expect1('badMac');

    await eventually(() => (victim.counters.datagramsIn - c0.datagramsIn >= sent ? true : undefined), 5000, 'all counted');
    const d = victim.auth!.drops;
    const c = victim.counters;
    expect(c.datagramsIn - c0.datagramsIn).to.equal(sent);
    expect(c.unauthenticated - c0.unauthenticated).to.equal(sent);
    expect(sum(d) - sum(d0)).to.equal(sent);
    for (const [r, n] of Object.entries(expected) as [keyof AuthDrops, number][]) {
      if (r === 'badMac' || r === 'badHeader' || r === 'unsigned') continue; // the mangled ones add to these
      expect(d[r] - d0[r], r).to.equal(n);
    }
    expect(d.unsigned + d.badHeader + d.badMac - d0.unsigned - d0.badHeader - d0.badMac).to.equal(80 + 1 + mangled);
    expect(c.accepted - c0.accepted, 'nothing hostile was accepted').to.equal(0);
    expect(c.malformed - c0.malformed, 'nothing reached the decoder').to.equal(0);
    expect(heard.length).to.equal(heardBefore);
    expect(heard.some((h) => h.includes('evil'))).to.equal(false);
    await sleep(100);
    expect(insider.received, 'no reply to a forged request').to.have.length(0);
    await stillHears('after_hostile');
  });

  it('a flood from another process (20,000 hostile datagrams) is all dropped and counted, and the event loop stays responsive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-flood-'));
    try {
      tap.skipAll();
      await stillHears('flood_sample');
      const sample = (await tap.take()).data; // already accepted: its copies are replays
      const frames = [sample.toString('base64')];
      const flipped = Buffer.from(sample);
      flipped[flipped.length - 3]! ^= 4;
      frames.push(flipped.toString('base64'));
      frames.push(Buffer.from('%-prolog-\nsend(note(evil_flood))', 'latin1').toString('base64'));
      frames.push(new FrameAuth({ keys: [{ id: 'k1', secret: K2.secret }] }).sign(Buffer.alloc(1400, 0x61)).toString('base64'));
      const file = join(dir, 'frames.json');
      writeFileSync(file, JSON.stringify(frames));
      const script = `
        const dgram = require('node:dgram'); const fs = require('node:fs');
        const frames = JSON.parse(fs.readFileSync(${JSON.stringify(file)}, 'utf8')).map((b) => Buffer.from(b, 'base64'));
        const s = dgram.createSocket('udp4'); let n = 0; const N = 20000;
        s.bind(45090, '127.0.0.1', () => {
          const burst = () => {
            for (let i = 0; i < 200 && n < N; i++, n++) s.send(frames[n % frames.length], ${VICTIM}, '127.0.0.1');
            if (n < N) setTimeout(burst, 1); else setTimeout(() => s.close(), 200);
          };
          burst();
        });`;
      const c0 = { ...victim.counters };
      const heardBefore = heard.length;
      const lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      const child = spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      try {
        // Members keep hearing each other during the flood (UDP may drop: stillHears repeats).
        await stillHears('during_flood');
        expect(await exited).to.equal(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await sleep(300);
      lag.disable();
      const c = victim.counters;
      const inFlood = c.datagramsIn - c0.datagramsIn;
      const goodOnes = c.accepted - c0.accepted;
      expect(inFlood - goodOnes, 'every datagram of the flood that arrived was dropped as unauthenticated').to.equal(c.unauthenticated - c0.unauthenticated);
      expect(c.unauthenticated - c0.unauthenticated).to.be.greaterThan(1000);
      expect(c.malformed - c0.malformed).to.equal(0);
      expect(heard.slice(heardBefore).some((h) => h.includes('evil'))).to.equal(false);
      // A generous bound on lag (not on speed): the loop was never stalled for long.
      const maxMs = lag.max / 1e6;
      expect(maxMs, `event loop max delay ${maxMs.toFixed(1)} ms`).to.be.below(500);
      await stillHears('after_flood');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('key roll-over over the wire: [old] and [old,new] and [new,old] and [new] talk to their neighbours, [old] and [new] do not', async () => {
    const phases: AuthKey[][] = [[K1], [K1, K2], [K2, K1], [K2]];
    const base = 45010;
    const scopes: UnicastTransport[] = [];
    const got: string[][] = phases.map(() => []);
    try {
      for (const [i, keys] of phases.entries()) {
        const s = await openScope({ method: 'unicast', port: base + i, bindAddress: LOOPBACK, peers: [address(LOOPBACK, base)] }, { auth: { keys } });
        s.listen(t('from(X)'), (m) => { got[i]!.push(w(m.term)); });
        scopes.push(s);
      }
      const talks = async (a: number, b: number): Promise<boolean> => {
        for (let k = 0; k < 3; k++) {
          await scopes[a]!.sendTo(address(LOOPBACK, base + b), t(`from(${a})`));
          await sleep(30);
          if (got[b]!.includes(`from(${a})`)) return true;
        }
        return false;
      };
      const matrix: string[] = [];
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) if (a !== b) matrix.push(`${a}->${b}:${(await talks(a, b)) ? 'y' : 'n'}`);
      expect(matrix).to.deep.equal([
        '0->1:y', '0->2:y', '0->3:n',
        '1->0:y', '1->2:y', '1->3:n',
        '2->0:n', '2->1:y', '2->3:y',
        '3->0:n', '3->1:y', '3->2:y',
      ]);
      expect(scopes[0]!.auth!.drops.unknownKey).to.be.greaterThan(0);
    } finally {
      await Promise.all(scopes.map((s) => s.close()));
    }
  });
});

const SWI_PROGRAM = String.raw`
:- use_module(library(udp_broadcast)).
:- use_module(library(broadcast)).
:- use_module(${JSON.stringify(AUTH_PL).replace(/"/g, "'")}).
:- dynamic got/1.
:- listen(note(X), assertz(got(X))).
:- listen(echo(X), X = swi_answered).
start(Port, Peers, Keys) :-
    paxos_auth_configure(s, [keys(Keys)]),
    udp_broadcast_initialize(ip(127,0,0,1), [method(unicast), port(Port), scope(s)]),
    forall(member(P, Peers), udp_peer_add(s, ip(127,0,0,1):P)),
    % udp_broadcast binds the public port in its inbound thread, after initialize returns.
    between(1, 100, _), ( udp_broadcast:udp_public_socket(s, _, _, _) -> ! ; sleep(0.02), fail ).
wire(T) :- write_term(T, [quoted(true), ignore_ops(true)]).
`;

describe('transport: an authenticated swipl scope (prolog/paxos_auth.pl) on loopback', function () {
  this.timeout(30_000);
  const SWI = 45030;
  const OURS = 45031;
  const RAW = 45032;
  const LATE = 45033;
  let swi: Swipl;
  let ours: UnicastTransport;
  let raw: RawPeer;
  const heard: string[] = [];
  const swiAddr = address(LOOPBACK, SWI);

  before(async function () {
    requireSwipl(this);
    swi = await Swipl.start(SWI_PROGRAM);
    await swi.output(`start(${SWI}, [${OURS}, ${RAW}], [k1-'${K1.secret}', k2-'${K2.secret}'])`);
    ours = await openScope({ method: 'unicast', scope: 's', port: OURS, bindAddress: LOOPBACK, peers: [swiAddr] }, { auth: { keys: [K1] } });
    ours.listen(t('note(X)'), (m) => { heard.push(w(m.term)); });
    ours.listen(t('ask(X)'), () => [t('ask(1)'), t('ask(2)')]);
    raw = await RawPeer.bind(RAW, LOOPBACK);
  });

  after(async () => {
    await ours?.close();
    await raw?.close();
    await swi?.close();
  });

  const swiGot = async (): Promise<string> => swi.output('findall(X, got(X), L), wire(L)');

  it('sends, requests and replies pass both ways (SWI holds [k1, k2], we hold k1)', async () => {
    await ours.broadcast(t('note(from_ours("é", 1.5, [a|b]))'));
    await eventually(async () => ((await swiGot()).includes('from_ours') ? true : undefined), 3000, 'SWI heard us');
    expect(await swiGot()).to.equal('[from_ours("é",1.5,[a|b])]');
    await swi.output("broadcast(udp(s, note(from_swi('x y', 2))))");
    await eventually(() => (heard.includes("note(from_swi('x y',2))") ? true : undefined), 3000, 'we heard SWI');
    const replies = [];
    for await (const r of ours.request(t('echo(X)'), { timeoutMs: 500 })) replies.push(w(r.term));
    expect(replies).to.deep.equal(['echo(swi_answered)']);
    expect(await swi.output('findall(X, broadcast_request(udp(s, ask(X), 0.5)), L), wire(L)')).to.equal('[1,2]');
    expect(ours.auth!.drops).to.deep.include({ unsigned: 0, badMac: 0, replayed: 0 });
  });

  it('SWI drops what it cannot verify: unsigned, replayed, bit-flipped, truncated, stale, wrong key; it keeps working', async () => {
    // One of our frames, as SWI accepted it, from the wire.
    const tapScope = await openScope({ method: 'unicast', scope: 's', port: LATE, bindAddress: LOOPBACK, peers: [swiAddr, address(LOOPBACK, RAW)] }, { auth: { keys: [K1] } });
    try {
      raw.skipAll();
      await tapScope.broadcast(t('note(original)'));
      const frame = (await raw.take()).data;
      await eventually(async () => ((await swiGot()).includes('original') ? true : undefined), 3000, 'SWI took the original');
      const before = await swiGot();
      const send = (d: Uint8Array | string): Promise<void> => raw.send(d, swiAddr);
      await send('%-prolog-\nsend(note(evil_plain))');
      await send(frame); // replay
      const flipped = Buffer.from(frame); flipped[flipped.length - 4]! ^= 1;
      await send(flipped);
      await send(frame.subarray(0, frame.length - 5));
      await send(new FrameAuth({ keys: [K1], now: () => Date.now() - 20_000 }).sign(Buffer.from('%-prolog-\nsend(note(evil_old))', 'latin1')));
      await send(new FrameAuth({ keys: [{ id: 'k9', secret: K1.secret }] }).sign(Buffer.from('%-prolog-\nsend(note(evil_k9))', 'latin1')));
      await send(new FrameAuth({ keys: [{ id: 'k1', secret: K2.secret }] }).sign(Buffer.from('%-prolog-\nsend(note(evil_forged))', 'latin1')));
      const want = '[unsigned-1,badHeader-0,unknownKey-1,badMac-3,outOfWindow-1,replayed-1]';
      const drops = (): Promise<string> => swi.output('paxos_auth_drops(s, D), print(D)');
      await eventually(async () => ((await drops()) === want ? true : undefined), 3000, 'SWI counted the drops')
        .catch(async (e) => { throw new Error(`${(e as Error).message}: ${await drops()}`); });
      expect(await swiGot()).to.equal(before);
      await ours.broadcast(t('note(still_here)'));
      await eventually(async () => ((await swiGot()).includes('still_here') ? true : undefined), 3000, 'SWI still hears us');
    } finally {
      await tapScope.close();
    }
  });

  it('roll-over with SWI: SWI signing with k2 is dropped by a k1-only node and heard by a [k1, k2] one', async () => {
    await swi.output(`paxos_auth_configure(s, [keys([k2-'${K2.secret}', k1-'${K1.secret}'])])`);
    const both = await openScope({ method: 'unicast', scope: 's', port: LATE, bindAddress: LOOPBACK, peers: [swiAddr] }, { auth: { keys: [K1, K2] } });
    try {
      await swi.output(`udp_peer_add(s, ip(127,0,0,1):${LATE})`);
      const got: string[] = [];
      both.listen(t('note(X)'), (m) => { got.push(w(m.term)); });
      const unknown0 = ours.auth!.drops.unknownKey;
      await swi.output('broadcast(udp(s, note(signed_k2)))');
      await eventually(() => (got.includes('note(signed_k2)') ? true : undefined), 3000, 'the [k1,k2] node heard k2');
      await eventually(() => (ours.auth!.drops.unknownKey > unknown0 ? true : undefined), 3000, 'the k1 node dropped k2');
      expect(heard).to.not.include('note(signed_k2)');
      // SWI still accepts k1 (its second key).
      await ours.broadcast(t('note(k1_still_ok)'));
      await eventually(async () => ((await swiGot()).includes('k1_still_ok') ? true : undefined), 3000, 'SWI accepts k1');
    } finally {
      await swi.output(`udp_peer_del(s, ip(127,0,0,1):${LATE})`);
      await both.close();
    }
  });
});
