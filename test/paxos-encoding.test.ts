// Issue 14 item 3: characters above U+00FF, run as a user runs them (real node
// processes on loopback, ports 47300-47399, and real swipl nodes). SWI 9.0.4's
// udp_broadcast carries ISO-Latin-1 text only (and a SWI node that must reply with
// wider text loses its inbound thread), so by default our nodes refuse such text at
// once, on one node as on three. With --wide-text escape they write it as escapes in
// quoted text ("\x20AC\uro"), which every reader reads back: one node, three and a
// mixed cluster whose swipl loads prolog/paxos_text.pl agree on "€uro" alike. A
// value no node could send (a lone surrogate) is refused at once on any of them.
import { expect } from 'chai';
import { requireSwipl } from './support/swipl.js';
import { CliProcess, runCli } from './cli-support.js';
import { SwiNode, waitFor } from './paxos-support.js';
import { readTerm } from '../src/text/read.js';
import { equalTerms } from '../src/term/equal.js';
import { join } from 'node:path';
import { ROOT } from './cli-support.js';

const TEXT_PL = join(ROOT, 'prolog/paxos_text.pl');

const WIDE = [
  ['u(1)', '"€uro"'],
  ["k('日本')", "['☃', \"x🙂y\", 'Ωmega', é]"],
  ["'€'(1)", "'€'"],
] as const;

interface Cluster {
  readonly procs: CliProcess[];
  readonly admins: string[];
  swi?: SwiNode;
}

async function startOurs(c: Cluster, udp: number, peers: readonly number[], admin: string, extra: string[] = []): Promise<void> {
  const p = new CliProcess(['node', '--memory', '--port', String(udp), ...peers.flatMap((x) => ['--peer', `127.0.0.1:${x}`]), '--admin', admin, ...extra]);
  c.procs.push(p);
  c.admins.push(admin);
  await p.waitFor(/"msg":"node ready"/);
}

async function stopAll(c: Cluster): Promise<void> {
  for (const p of c.procs) await p.stop();
  await c.swi?.quit();
}

const cli = (admin: string, argv: string[]): ReturnType<typeof runCli> => runCli([...argv, '--admin', admin]);

async function quorumSize(admin: string): Promise<number> {
  const r = await cli(admin, ['status', '--json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as { quorum: number[] }).quorum.length : -1;
}

/** Every wide value set on the first node is read back, the same, on every node. */
async function agreeOnWide(c: Cluster): Promise<void> {
  for (const [key, value] of WIDE) {
    const set = await cli(c.admins[0]!, ['set', key, value]);
    expect(set, `set ${key}`).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    const want = readTerm(value);
    for (const admin of c.admins) {
      await waitFor(async () => {
        const g = await cli(admin, ['get', key]);
        return g.code === 0 && equalTerms(readTerm(g.stdout), want);
      }, 5000, `${key} on ${admin}`);
    }
  }
}

/** A JSON value with a lone surrogate: refused at once (400), with the same message everywhere. */
async function refuseLoneSurrogate(admin: string): Promise<{ status: number; text: string; ms: number }> {
  const t0 = Date.now();
  const r = await fetch(`http://${admin}/set?key=s(1)`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"a\\ud800b"' });
  return { status: r.status, text: (await r.text()).trim(), ms: Date.now() - t0 };
}

describe('paxos: characters above U+00FF on one node, three nodes and with swipl', function () {
  this.timeout(120_000);

  /** A cluster of n of our nodes (ports from base), all with `extra` flags, one quorum. */
  async function ours(n: number, base: number, extra: string[] = []): Promise<Cluster> {
    const c: Cluster = { procs: [], admins: [] };
    const udp = Array.from({ length: n }, (_, i) => base + i);
    try {
      for (const [i, p] of udp.entries()) await startOurs(c, p, udp, `127.0.0.1:${base + 10 + i}`, extra);
      await waitFor(async () => (await Promise.all(c.admins.map(quorumSize))).every((q) => q === n), 10_000, `one quorum of ${n}`);
    } catch (e) {
      await stopAll(c);
      throw e;
    }
    return c;
  }

  it('by default, one node and three refuse text above U+00FF at once, alike, and agree on Latin-1 text', async () => {
    const clusters = [await ours(1, 47301), await ours(3, 47321)];
    try {
      const outcomes = [];
      for (const c of clusters) {
        const t0 = Date.now();
        const r = await cli(c.admins[c.admins.length - 1]!, ['set', 'u(1)', '"€uro"']);
        expect(Date.now() - t0).to.be.below(1500); // refused before any message, not after timeouts
        outcomes.push(r);
        expect((await cli(c.admins[0]!, ['set', 'l(1)', '"café"'])).code).to.equal(0);
        for (const admin of c.admins) {
          await waitFor(async () => (await cli(admin, ['get', 'l(1)'])).stdout === '"café"\n', 5000, `l(1) on ${admin}`);
        }
        const s = await refuseLoneSurrogate(c.admins[0]!);
        expect(s.status).to.equal(400);
        expect(s.text).to.match(/lone surrogate U\+D800/);
      }
      expect(outcomes[0]!.code).to.equal(2); // the admin API's 400 (bad input) is exit status 2
      expect(outcomes[0]!.stderr).to.match(/cannot send U\+20AC .*ISO-Latin-1.*--wide-text escape/);
      expect(outcomes[1]).to.deep.equal(outcomes[0]);
    } finally {
      for (const c of clusters) await stopAll(c);
    }
  });

  it('with --wide-text escape, one node and three agree on "€uro" and other wide text alike', async () => {
    const clusters = [await ours(1, 47341, ['--wide-text', 'escape']), await ours(3, 47361, ['--wide-text', 'escape'])];
    try {
      for (const c of clusters) await agreeOnWide(c);
      const [a, b] = [await refuseLoneSurrogate(clusters[0]!.admins[0]!), await refuseLoneSurrogate(clusters[1]!.admins[2]!)];
      expect(a.status).to.equal(400);
      expect(b).to.deep.include({ status: a.status, text: a.text });
    } finally {
      for (const c of clusters) await stopAll(c);
    }
  });

  it('a mixed cluster (two of ours with --wide-text escape, one swipl with prolog/paxos_text.pl) agrees on "€uro" both ways', async function () {
    requireSwipl(this);
    const c: Cluster = { procs: [], admins: [] };
    const udp = [47381, 47382, 47383];
    try {
      await startOurs(c, udp[0]!, udp, '127.0.0.1:47391', ['--wide-text', 'escape']);
      await startOurs(c, udp[1]!, udp, '127.0.0.1:47392', ['--wide-text', 'escape']);
      c.swi = await SwiNode.start(udp[2]!, udp, '[]', `use_module('${TEXT_PL}'), paxos_text_configure(paxos)`);
      const swi = c.swi;
      await waitFor(async () => (await Promise.all(c.admins.map(quorumSize))).every((n) => n === 3) && (await swi.quorum()) === 0b111n,
        10_000, 'one quorum of 3');
      await agreeOnWide(c);
      for (const [key, value] of WIDE) {
        await waitFor(async () => {
          const v = await swi.get(key);
          return v !== undefined && equalTerms(v, readTerm(value));
        }, 5000, `${key} on swipl`);
        expect(swi.changed(key, value), `swipl saw paxos_changed(${key}, ${value})`).to.equal(true);
      }
      // swipl's own goals spell the text as escapes (its stdin encoding does not matter):
      // the value it holds is the very string our nodes set.
      expect(await swi.query(String.raw`paxos_get(u(1), V), V == "\x20AC\uro"`)).to.not.equal(undefined);
      // swipl sets wide text too (escaped by paxos_text.pl), and Latin-1 text as SWI always sends it.
      expect(await swi.set('s(1)', String.raw`"\x2603\ \x1F642\"`)).to.equal(true);
      expect(await swi.set('l(1)', String.raw`"caf\xE9\"`)).to.equal(true);
      for (const admin of c.admins) {
        await waitFor(async () => (await cli(admin, ['get', 's(1)'])).stdout === '"☃ 🙂"\n', 5000, `s(1) on ${admin}`);
        await waitFor(async () => (await cli(admin, ['get', 'l(1)'])).stdout === '"café"\n', 5000, `l(1) on ${admin}`);
      }
    } finally {
      await stopAll(c);
    }
  });
});
