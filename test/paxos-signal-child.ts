// Child process for test/paxos-signal.test.ts: one of our nodes, started with
// handleSignals (or not), printing its node id; the parent then sends it SIGTERM.
// argv: port, comma-separated peer ports, "signals" | "plain".
import { ourNode } from './paxos-support.js';

const [port, peers, mode] = process.argv.slice(2);
const node = await ourNode(Number(port), peers!.split(',').map(Number), { handleSignals: mode === 'signals' });
process.stdout.write(`node(${node.property().node}).\n`);
setInterval(() => {}, 1 << 30); // stay up until a signal arrives
