// A three-node cluster on loopback, started by one script.
//
//   npx tsx examples/three-node-cluster.ts [BASE_PORT]
//
// Node i (0, 1, 2) uses UDP port BASE_PORT+i and serves its admin API on
// 127.0.0.1:BASE_PORT+10+i; the ledgers are in memory. The script agrees on a
// value through node 0, reads it back through nodes 1 and 2, shows node 2's
// status, then keeps the cluster running until Ctrl-C, when every node leaves.
// While it runs, try:  prolog-paxos console --admin 127.0.0.1:BASE_PORT+11
import { type Child, cli, startAll, startNode, untilInterrupted, waitForQuorum } from './lib/processes.js';

const base = Number(process.argv[2] ?? 43300);
const udp = [0, 1, 2].map((i) => base + i);
const admin = [0, 1, 2].map((i) => `127.0.0.1:${base + 10 + i}`);
const say = (s: string): void => void process.stdout.write(s + '\n');
const quiet = (): void => {};

async function main(): Promise<void> {
  const nodes: Child[] = [];
  const stop = untilInterrupted();
  try {
    say(`starting 3 nodes on UDP ports ${udp.join(', ')}`);
    await startAll(nodes, udp.map((port, i) => startNode(`node${i}`, [
      '--memory', '--port', String(port), '--admin', admin[i]!,
      ...udp.map((p) => `--peer=127.0.0.1:${p}`),
    ], quiet)));
    say(`admin APIs: ${admin.join(', ')}`);
    say(`quorum: ${(await waitForQuorum(admin[2]!, 3)).join(' ')}`);

    const set = await cli(['set', 'greeting(world)', 'hello("from node 0", 42)', '--admin', admin[0]!]);
    say(`node0: set greeting(world) -> exit ${set.code}${set.stderr ? ` ${set.stderr.trim()}` : ''}`);
    for (const i of [1, 2]) {
      const got = await cli(['get', 'greeting(world)', '--admin', admin[i]!]);
      say(`node${i}: get greeting(world) -> ${got.stdout.trim() || got.stderr.trim()}`);
    }
    const status = await cli(['status', '--admin', admin[2]!]);
    say(status.stdout.trimEnd());
    say('cluster running; press Ctrl-C to stop');
    await stop;
    say('stopping');
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    say('all nodes stopped');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
