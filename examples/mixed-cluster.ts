// A mixed cluster: one prolog-paxos node and two SWI-Prolog nodes running
// library(paxos), all on loopback, started by one script.
//
//   npx tsx examples/mixed-cluster.ts [BASE_PORT]
//
// UDP ports BASE_PORT (ours), BASE_PORT+1 and +2 (swipl); our admin API on
// 127.0.0.1:BASE_PORT+10. Each side agrees on a value that the other side then
// reads: ours through `prolog-paxos set`, SWI's through paxos_set/2. The swipl
// nodes print every change they learn. Runs until Ctrl-C; then every node leaves.
import { type Child, cli, startNode, startSwiNode, untilInterrupted, waitForQuorum } from './lib/processes.js';

const base = Number(process.argv[2] ?? 43400);
const ports = [base, base + 1, base + 2];
const admin = `127.0.0.1:${base + 10}`;
const say = (s: string): void => void process.stdout.write(s + '\n');

async function main(): Promise<void> {
  const nodes: Child[] = [];
  const stop = untilInterrupted();
  try {
    say(`starting prolog-paxos on UDP ${ports[0]} and swipl on ${ports[1]}, ${ports[2]}`);
    const swiLines = (name: string) => (line: string): void => {
      if (/^(change|true|false|error)/.test(line)) say(`${name}: ${line}`);
    };
    // One after the other: SWI's paxos_initialize/1 gives two nodes that start at the
    // same moment the same node id, so each node joins a cluster that already runs.
    nodes.push(await startNode('ts', ['--memory', '--port', String(ports[0]), '--admin', admin, ...ports.map((p) => `--peer=127.0.0.1:${p}`)], () => {}));
    nodes.push(await startSwiNode('swi1', ports[1]!, ports, swiLines('swi1')));
    nodes.push(await startSwiNode('swi2', ports[2]!, ports, swiLines('swi2')));
    const [, swi1, swi2] = nodes as [Child, Child, Child];
    say(`quorum: ${(await waitForQuorum(admin, 3)).join(' ')}`);

    // Ours -> SWI: agree through our node; both swipl nodes learn it and print it.
    const set = await cli(['set', 'greeting(ts)', "hello('from TypeScript', [1,2,3])", '--admin', admin]);
    say(`ts: set greeting(ts) -> exit ${set.code}${set.stderr ? ` ${set.stderr.trim()}` : ''}`);
    await Promise.all([swi1, swi2].map((n) => n.waitFor(/^change greeting\(ts\) := /)));

    // SWI -> ours: paxos_set/2 in swipl, then read it through our node.
    swi1.proc.stdin!.write("paxos_set(greeting(swi), hello('from SWI-Prolog', 1.5)).\n");
    await swi1.waitFor(/^true paxos_set\(greeting\(swi\)/);
    const got = await cli(['get', 'greeting(swi)', '--admin', admin]);
    say(`ts: get greeting(swi) -> ${got.stdout.trim() || got.stderr.trim()}`);

    // And one swipl node reads what the other set, through the same quorum.
    swi2.proc.stdin!.write('paxos_get(greeting(swi), V).\n');
    await swi2.waitFor(/^(true paxos_get\(greeting\(swi\)|false$)/);
    const status = await cli(['status', '--admin', admin]);
    say(status.stdout.trimEnd());
    say('cluster running; press Ctrl-C to stop');
    await stop;
    say('stopping');
  } finally {
    for (const n of nodes) n.proc.stdin?.end(); // swipl nodes leave at the end of their input
    await Promise.all(nodes.map((n) => n.stop()));
    say('all nodes stopped');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
