// Shared by the paxos suites on loopback: our nodes over UDP, real swipl nodes driven
// through a stdin command loop, and a transport wrapper that can cut a node off.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Term } from '../src/term/types.js';
import { equalTerms } from '../src/term/equal.js';
import { readTerm } from '../src/text/read.js';
import { openScope, type Reply, type ReplyStream, type TransportConfig } from '../src/transport/index.js';
import { PaxosNode, type PaxosNodeOptions } from '../src/paxos/node.js';
import type { PaxosTransport } from '../src/paxos/ports.js';

export const LOOPBACK = [127, 0, 0, 1] as const;

export async function openTransport(port: number, peers: readonly number[], config?: TransportConfig): Promise<PaxosTransport> {
  return openScope({
    method: 'unicast', scope: 'paxos', port, bindAddress: '127.0.0.1',
    peers: peers.map((p) => ({ ip: LOOPBACK, port: p })),
  }, config);
}

export type OurNodeOptions = Omit<PaxosNodeOptions, 'transport'> & {
  readonly wrap?: (t: PaxosTransport) => PaxosTransport;
  readonly transportConfig?: TransportConfig;
};

export async function ourNode(port: number, peers: readonly number[], o: OurNodeOptions = {}): Promise<PaxosNode> {
  const { wrap, transportConfig, ...rest } = o;
  const raw = await openTransport(port, peers, transportConfig);
  return PaxosNode.start({ ...rest, transport: wrap ? wrap(raw) : raw });
}

export async function waitFor(pred: () => boolean | Promise<boolean>, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function sameTerm(a: Term | undefined, text: string): boolean {
  return a !== undefined && equalTerms(a, readTerm(text));
}

/**
 * A transport whose node can be cut off: while `connected` is false every inbound
 * datagram (sends, requests, replies to our requests) is dropped, as packages-paxos'
 * poor_udp `disconnected` profile drops on receive. Outbound datagrams still leave.
 */
export class Switch {
  connected = true;
  wrap = (t: PaxosTransport): PaxosTransport => {
    const self = this;
    return {
      ports: t.ports,
      broadcast: (term, options) => t.broadcast(term, options),
      close: () => t.close(),
      listen: (pattern, handler) => t.listen(pattern, (m) => (self.connected ? handler(m) : undefined)),
      request(term, options): ReplyStream {
        const inner = t.request(term, options);
        const next = async (): Promise<IteratorResult<Reply>> => {
          for (;;) {
            const r = await inner.next();
            if (r.done || self.connected) return r;
          }
        };
        const s: ReplyStream = {
          id: inner.id,
          close: () => inner.close(),
          next,
          return: async () => { inner.close(); return { done: true, value: undefined }; },
          [Symbol.asyncIterator]: () => s,
        };
        return s;
      },
    };
  };
}

// Options go before the script: what follows a script file is the script's argv.
const SWI_SCRIPT = String.raw`
:- use_module(library(udp_broadcast)).
:- use_module(library(paxos)).
:- multifile paxos:paxos_message_hook/3.
paxos:paxos_message_hook(P,-,udp(paxos,P)) :- !.
paxos:paxos_message_hook(P,T,udp(paxos,P,T)).
start(Port, Peers, Opts) :-
    udp_broadcast_initialize(ip(127,0,0,1), [method(unicast), port(Port), scope(paxos)]),
    forall(member(Q, Peers), udp_peer_add(paxos, ip(127,0,0,1):Q)),
    sleep(0.3),
    paxos_initialize(Opts),
    paxos_on_change(K, V, report(K, V)),
    paxos_property(node(N)), say(node(N)).
report(K, V) :- get_time(T), say(event(changed(K, V), T)).
say(T) :- with_mutex(say, (format("~q.~n", [T]), flush_output)).
serve :-
    read_term(G, []),
    (   G == end_of_file
    ->  halt
    ;   (catch(G, E, (print_message(error, E), fail)) -> say(yes(G)) ; say(no)),
        serve
    ).
% Benchmark loops, timed inside Prolog: microseconds per operation.
bench_set(N, Key, Us) :-
    findall(U, (between(1, N, I), get_time(T0), paxos_set(Key, I), get_time(T1), U is round((T1-T0)*1e6)), Us).
bench_get(N, Key, Us) :-
    findall(U, (between(1, N, _), get_time(T0), paxos_get(Key, _), get_time(T1), U is round((T1-T0)*1e6)), Us).
stamp_set(Key, Value, T0) :- get_time(T0), paxos_set(Key, Value).
% Concurrent set loops in C threads of this one node: thread I sets key <Prefix>I to
% 1, 2, ... (N sets in all, split evenly). WallUs: from before the first
% thread_create/3 to after the last thread_join/2; Us: microseconds per successful
% set, over all threads; Failed: N minus the successful sets (a failed paxos_set/2
% and any set a thread did not get to, should it die, alike).
bench_conc_set(C, N, Prefix, WallUs, Us, Failed) :-
    message_queue_create(Q),
    get_time(T0),
    findall(Id, ( between(1, C, I),
                  ( I =< N mod C -> M is N // C + 1 ; M is N // C ),
                  atom_concat(Prefix, I, Key),
                  thread_create(bench_conc_loop(Q, Key, M), Id, [])
                ), Ids),
    forall(member(Id, Ids), thread_join(Id, _)),
    get_time(T1),
    WallUs is round((T1-T0)*1e6),
    findall(L, ( between(1, C, _), thread_get_message(Q, conc(L), [timeout(0)]) ), Ls),
    message_queue_destroy(Q),
    append(Ls, Us),
    length(Us, Ok),
    Failed is N - Ok.
bench_conc_loop(Q, Key, M) :-
    findall(U, (between(1, M, I), get_time(T0), paxos_set(Key, I), get_time(T1), U is round((T1-T0)*1e6)), Us),
    thread_send_message(Q, conc(Us)).
`;

let scriptFile: string | undefined;
function swiScript(): string {
  if (!scriptFile) {
    scriptFile = join(mkdtempSync(join(tmpdir(), 'paxos-swi-')), 'node.pl');
    writeFileSync(scriptFile, SWI_SCRIPT);
  }
  return scriptFile;
}

export interface SwiEvent { readonly key: Term; readonly value: Term; readonly at: number }

/** A real SWI-Prolog 9.0.4 paxos node, driven one goal at a time through stdin. */
export class SwiNode {
  private buf = '';
  private readonly waiters: ((l: string) => void)[] = [];
  readonly events: SwiEvent[] = [];
  node = -1;
  private exited: Promise<void>;

  private constructor(readonly proc: ChildProcess, readonly port: number) {
    this.exited = new Promise((r) => proc.once('exit', () => r()));
    proc.stdout!.on('data', (d: Buffer) => {
      this.buf += d.toString();
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        if (line.startsWith('event(')) {
          const t = readTerm(line);
          if (t.kind === 'compound' && t.args[0]!.kind === 'compound') {
            const at = t.args[1]!;
            this.events.push({ key: t.args[0]!.args[0]!, value: t.args[0]!.args[1]!, at: at.kind === 'float' ? at.value : Number.NaN });
          }
        } else {
          this.waiters.shift()?.(line);
        }
      }
    });
  }

  /** `before`: a goal run before the node starts (e.g. loading and configuring prolog/paxos_auth.pl). */
  static async start(port: number, peers: readonly number[], opts = '[]', before = 'true'): Promise<SwiNode> {
    const proc = spawn('swipl', ['-q', '-g', before, '-g', `start(${port},[${peers.join(',')}],${opts})`, '-g', 'serve', swiScript()], { stdio: ['pipe', 'pipe', 'inherit'] });
    const swi = new SwiNode(proc, port);
    const first = await swi.line();
    const m = /^node\((\d+)\)\.$/.exec(first);
    if (!m) { swi.kill(); throw new Error(`swipl did not start: ${first}`); }
    swi.node = Number(m[1]);
    return swi;
  }

  private line(): Promise<string> {
    return new Promise((r) => this.waiters.push(r));
  }

  /** Run a goal; its instance after success (as Prolog text), or undefined on failure. */
  async query(goal: string): Promise<string | undefined> {
    const p = this.line();
    this.proc.stdin!.write(goal + '.\n');
    const l = await p;
    return l.startsWith('yes(') ? l.slice(4, -2) : undefined;
  }

  /** The value of paxos_get(Key, V), as a term, or undefined. */
  async get(key: string): Promise<Term | undefined> {
    const r = await this.query(`paxos_get(${key}, V)`);
    if (r === undefined) return undefined;
    const t = readTerm(r);
    return t.kind === 'compound' ? t.args[1] : undefined;
  }

  async set(key: string, value: string): Promise<boolean> {
    return (await this.query(`paxos_set(${key}, ${value})`)) !== undefined;
  }

  async quorum(): Promise<bigint> {
    const r = await this.query('paxos_property(quorum(Q))');
    const t = r === undefined ? undefined : readTerm(r);
    if (t?.kind !== 'compound' || t.args[0]!.kind !== 'compound') return -1n;
    const q = t.args[0]!.args[0]!;
    return q.kind === 'int' ? BigInt(q.value) : -1n;
  }

  changed(key: string, value: string): boolean {
    const k = readTerm(key); const v = readTerm(value);
    return this.events.some((e) => equalTerms(e.key, k) && equalTerms(e.value, v));
  }

  /** halt/0 through end of input: at_halt(paxos_leave) runs, as on a clean exit. */
  async quit(ms = 5000): Promise<void> {
    this.proc.stdin!.end();
    const t = setTimeout(() => this.proc.kill('SIGKILL'), ms);
    await this.exited;
    clearTimeout(t);
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

const NODE_CHILD = fileURLToPath(new URL('./paxos-signal-child.ts', import.meta.url));

/**
 * One of our nodes in its own process (test/paxos-signal-child.ts), resolved with its
 * node id once it joined. 'signals': it leaves cleanly on SIGTERM. The caller kills it.
 */
export function startNodeProcess(port: number, peers: readonly number[], mode: 'signals' | 'plain'): Promise<{ proc: ChildProcess; id: number }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', NODE_CHILD, String(port), peers.join(','), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /node\((\d+)\)\./.exec(buf);
      if (m) res({ proc, id: Number(m[1]) });
    });
    proc.once('exit', (c) => rej(new Error(`node process exited early: ${c}`)));
  });
}
