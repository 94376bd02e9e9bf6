// Broadcast and multicast scopes against SWI-Prolog, across two network namespaces
// joined by a veth pair on 10.213.7.0/24 (and 10.213.8.0/24 for an out-of-scope
// sender). Those addresses exist only inside the namespaces this suite makes, so no
// datagram can leave them. SWI runs in namespace A, our node (a child process) in B.
import { expect } from 'chai';
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { resolveScope } from '../src/transport/scope.js';
import { haveSwipl, requireSwipl } from './support/swipl.js';
import { eventually, t } from './transport-support.js';

// Ports 41300-41399 of the transport range.
const B_PORT = 41300;
const M_PORT = 41301;
const GROUP = '239.213.7.1';
const IP_A = '10.213.7.1';
const IP_B = '10.213.7.2';
const STRANGER_A = '10.213.8.1';

const tag = `${process.pid % 100000}`;
const NS_A = `ppx-${tag}-a`;
const NS_B = `ppx-${tag}-b`;
const VETH_A = `ppx${tag}a`;
const VETH_B = `ppx${tag}b`;

function unavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  if (spawnSync('ip', ['-V']).status !== 0) return 'no ip command (apt-get install -y iproute2)';
  if (!haveSwipl()) return 'no swipl';
  return undefined;
}

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

function teardown(): void {
  for (const ns of [NS_A, NS_B]) spawnSync('ip', ['netns', 'del', ns]);
  spawnSync('ip', ['link', 'del', VETH_A]);
}

function setup(): void {
  teardown();
  ip('netns', 'add', NS_A);
  ip('netns', 'add', NS_B);
  ip('link', 'add', VETH_A, 'type', 'veth', 'peer', 'name', VETH_B);
  ip('link', 'set', VETH_A, 'netns', NS_A);
  ip('link', 'set', VETH_B, 'netns', NS_B);
  ip('-n', NS_A, 'addr', 'add', `${IP_A}/24`, 'dev', VETH_A);
  ip('-n', NS_A, 'addr', 'add', `${STRANGER_A}/24`, 'dev', VETH_A);
  ip('-n', NS_B, 'addr', 'add', `${IP_B}/24`, 'dev', VETH_B);
  for (const [ns, dev] of [[NS_A, VETH_A], [NS_B, VETH_B]] as const) {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'set', dev, 'up');
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev);
  }
  // B has no route back to the stranger's subnet; let its datagrams in anyway.
  spawnSync('ip', ['netns', 'exec', NS_B, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0', `net.ipv4.conf.${VETH_B}.rp_filter=0`]);
}

/** A child speaking one JSON or Prolog line per reply. */
class LineChild {
  readonly lines: string[] = [];
  private readonly waiting: ((l: string) => void)[] = [];
  stderr = '';
  constructor(readonly proc: ChildProcessWithoutNullStreams, private readonly isEvent: (l: string) => boolean) {
    createInterface({ input: proc.stdout }).on('line', (l) => {
      if (this.isEvent(l)) this.lines.push(l);
      else this.waiting.shift()?.(l);
    });
    proc.stderr.on('data', (d: Buffer) => { if (this.stderr.length < 20000) this.stderr += d.toString(); });
    proc.on('exit', () => { for (const w of this.waiting.splice(0)) w('__exit__'); });
  }
  ask(line: string, ms = 5000): Promise<string> {
    return new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no reply to ${line}; stderr: ${this.stderr}`)), ms);
      this.waiting.push((l) => { clearTimeout(timer); l === '__exit__' ? rej(new Error(`child exited: ${this.stderr}`)) : res(l); });
      this.proc.stdin.write(line + '\n');
    });
  }
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const done = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
    await done;
    clearTimeout(timer);
  }
}

const SWI_PROGRAM = String.raw`
:- use_module(library(udp_broadcast)).
:- use_module(library(broadcast)).
:- use_module(library(socket)).
:- dynamic got/2.
:- listen(note(X), assertz(got(note, X))).
:- listen(number(X), between(1, 3, X)).
wire(T) :- write_term(T, [quoted(true), ignore_ops(true)]).
print_got :- findall(X, got(note, X), L), wire(L).
stranger(Port, Text) :-
    udp_socket(S), tcp_bind(S, ip(10,213,8,1):_),
    udp_send(S, Text, ip(10,213,7,2):Port, []), tcp_close_socket(S).
serve :-
    read_line_to_string(user_input, L),
    (   L == end_of_file -> halt(0)
    ;   catch(( term_string(G, L),
                ( with_output_to(string(S), user:G) -> R = ok(S) ; R = fail ) ),
              E, R = error(E)),
        format("~q~n", [R]), flush_output, serve
    ).
`;

const reason = unavailable();

if (reason !== undefined) {
  describe(`transport: broadcast and multicast across network namespaces (skipped: ${reason})`, () => {
    it.skip(`needs root, ip and swipl: ${reason}`, () => {});
  });
} else {
  describe('transport: broadcast and multicast with swipl across network namespaces', function () {
    this.timeout(30000);
    let dir: string;
    // One swipl per scope: SWI 9.0.4 misses a second udp_broadcast_initialize/2 while
    // its proxy thread waits for input ("wait_for_input/3 did not clear exception: udp_reload").
    const swi: Record<'b' | 'm', LineChild> = {} as Record<'b' | 'm', LineChild>;
    let node: LineChild;
    let nextId = 1;

    const prolog = async (scope: 'b' | 'm', goal: string): Promise<string> => {
      const reply = await swi[scope].ask(goal);
      const r = t(reply);
      if (r.kind === 'compound' && r.name === 'ok' && r.args[0]!.kind === 'string') return r.args[0]!.value;
      throw new Error(`swipl: ${goal} -> ${reply}`);
    };
    const cmd = async (c: Record<string, unknown>): Promise<unknown> => {
      const reply = JSON.parse(await node.ask(JSON.stringify({ id: nextId++, ...c }))) as { ok: boolean; result?: unknown; error?: string };
      if (!reply.ok) throw new Error(`node: ${JSON.stringify(c)} -> ${reply.error}`);
      return reply.result;
    };
    const heard = (pred: (e: { scope: string; kind: string; term: string; from: string }) => boolean) =>
      eventually(() => node.lines.map((l) => JSON.parse(l)).find((e) => e.event === 'heard' && pred(e)), 3000, 'heard event');

    before(async function () {
      requireSwipl(this);
      setup();
      dir = mkdtempSync(join(tmpdir(), 'transport-netns-'));
      const file = join(dir, 'swi.pl');
      writeFileSync(file, SWI_PROGRAM);
      for (const k of ['b', 'm'] as const) {
        swi[k] = new LineChild(spawn('ip', ['netns', 'exec', NS_A, 'swipl', '-q', '--no-packs', '-g', 'serve', '-t', 'halt', file]), () => false);
      }
      node = new LineChild(
        spawn('ip', ['netns', 'exec', NS_B, process.execPath, '--import', 'tsx', 'test/transport-netns-driver.ts'], { cwd: process.cwd() }),
        (l) => l.includes('"event"'),
      );
      await eventually(() => (node.lines.some((l) => l.includes('ready')) ? true : undefined), 15000, 'driver ready');
      await prolog('b', `udp_broadcast_initialize(ip(10,213,7,1), [method(broadcast), port(${B_PORT}), scope(b), subnet_mask(ip(255,255,255,0))])`);
      await prolog('m', `udp_broadcast_initialize(ip(239,213,7,1), [method(multicast), port(${M_PORT}), scope(m)])`);
      await cmd({ op: 'open', options: { method: 'broadcast', scope: 'b', ip: IP_B, subnetMask: '255.255.255.0', port: B_PORT } });
      await cmd({ op: 'open', options: { method: 'multicast', scope: 'm', group: GROUP, port: M_PORT } });
      for (const scope of ['b', 'm']) {
        await cmd({ op: 'listen', scope, pattern: 'note(X)', solutions: [] });
        await cmd({ op: 'listen', scope, pattern: 'ask(X)', solutions: ['ask(10)', 'ask(20)'] });
      }
    });

    after(async () => {
      try {
        if (node) { await node.ask(JSON.stringify({ id: 0, op: 'exit' }), 2000).catch(() => {}); await node.stop(); }
        for (const c of Object.values(swi)) await c.stop();
      } finally {
        teardown();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    });

    it('default subnet masks are class A, B, C, as SWI', () => {
      const bc = (ip: string) => { const d = resolveScope({ method: 'broadcast', ip }); return d.method === 'broadcast' ? d.broadcast.join('.') : ''; };
      expect(bc('10.1.2.3')).to.equal('10.255.255.255');
      expect(bc('172.16.2.3')).to.equal('172.16.255.255');
      expect(bc('192.168.1.5')).to.equal('192.168.1.255');
      expect(() => resolveScope({ method: 'broadcast', ip: '230.1.1.1' })).to.throw(/subnet/);
      expect(() => resolveScope({ method: 'multicast', group: '10.1.1.1' })).to.throw(/multicast/);
    });

    for (const [scope, label] of [['b', 'broadcast'], ['m', 'multicast']] as const) {
      it(`${label}: SWI's broadcast reaches our listener from SWI's private port`, async () => {
        await prolog(scope, `broadcast(udp(${scope}, note(hello_${scope})))`);
        const e = await heard((x) => x.scope === scope && x.term === `note(hello_${scope})`);
        expect(e.kind).to.equal('send');
        expect(e.from).to.match(new RegExp(`^${IP_A.replace(/\./g, '\\.')}:\\d+$`));
        expect(e.from).to.not.equal(`${IP_A}:${scope === 'b' ? B_PORT : M_PORT}`);
      });

      it(`${label}: SWI's request gets our answers, sent to its private port`, async () => {
        const out = await prolog(scope, `findall(X, broadcast_request(udp(${scope}, ask(X), 0.5)), L), wire(L)`);
        expect(out).to.equal('[10,20]');
      });

      it(`${label}: our broadcast reaches SWI's listener`, async () => {
        await cmd({ op: 'broadcast', scope, term: `note(from_node_${scope})` });
        await eventually(async () => ((await prolog(scope, 'print_got')).includes(`from_node_${scope}`) ? true : undefined), 3000, 'swi got');
      });

      it(`${label}: our request gets SWI's replies`, async () => {
        const replies = (await cmd({ op: 'request', scope, term: 'number(X)', timeoutMs: 400 })) as { term: string; from: string }[];
        expect(replies.map((r) => r.term).sort()).to.deep.equal(['number(1)', 'number(2)', 'number(3)']);
        for (const r of replies) expect(r.from.startsWith(`${IP_A}:`)).to.equal(true);
      });
    }

    it('broadcast: a sender outside our subnet is counted and not heard; multicast hears everyone', async () => {
      const before = (await cmd({ op: 'counters', scope: 'b' })) as { outOfScope: number };
      await prolog('b', `stranger(${B_PORT}, "%-prolog-\\nsend(note(stranger_b))")`);
      await eventually(async () => (((await cmd({ op: 'counters', scope: 'b' })) as { outOfScope: number }).outOfScope > before.outOfScope ? true : undefined), 3000, 'out of scope');
      expect(node.lines.some((l) => l.includes('stranger_b'))).to.equal(false);
      await prolog('m', `stranger(${M_PORT}, "%-prolog-\\nsend(note(stranger_m))")`);
      await heard((x) => x.scope === 'm' && x.term === 'note(stranger_m)');
    });
  });
}
