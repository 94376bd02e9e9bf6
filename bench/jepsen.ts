// Long Jepsen-style runs (issue 15's aims): seeded runs of real node processes under
// faults, 3 and 5 nodes (and optionally mixed with swipl), then a clean-network run for
// the contention figures. Prints one line per run and a summary; exits 1 on any
// violation, phantom, lost write or non-convergence.
// Usage: npm run jepsen -- [--runs N] [--seconds S] [--nodes 3,5] [--swi K] [--seed FIRST] [--contention S]
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { jepsen } from '../test/jepsen/launch.js';
import { canRunFaults } from '../test/jepsen/netns.js';
import type { RunResult } from '../test/jepsen/run.js';

const { values: a } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
    nodes: { type: 'string', default: '3,5' },
    swi: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    contention: { type: 'string', default: '30' },
  },
});

const can = canRunFaults();
if (!can.ok) { console.error(`jepsen needs root, ip and nft: ${can.why}`); process.exit(2); }

const runs = Number(a.runs); const seconds = Number(a.seconds); const swi = Number(a.swi);
const sizes = a.nodes.split(',').map(Number);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

let bad = 0;
const line = (r: RunResult): string => {
  const o = r.options;
  return `seed ${r.seed} nodes ${o.nodes}${o.swi ? ` (swi ${o.swi})` : ''} ${o.seconds}s faults ${o.faults !== false}: ` +
    `sets ${r.ops.sets} acked ${r.ops.acked} rejected ${r.ops.rejected} unknown ${r.ops.unknown} qreads ${r.ops.quorumReads}; ` +
    `violations ${r.violations.length} phantoms ${r.phantoms.length} lost ${r.lost.length} not restarted ${r.notRestarted.length}; ` +
    `converged ${r.converged} in ${r.convergeMs.toFixed(0)} ms; set p50 ${r.setMs.p50.toFixed(1)} p99 ${r.setMs.p99.toFixed(1)} max ${r.setMs.max.toFixed(0)} ms`;
};

async function one(seed: number, nodes: number, secs: number, faults: boolean): Promise<RunResult> {
  const r = await jepsen({ seed, nodes, swi, seconds: secs, clients: 5, keys: 4, faults });
  console.log(line(r));
  const failed = r.violations.length + r.phantoms.length + r.lost.length + r.notRestarted.length > 0 || !r.converged;
  if (failed) {
    bad++;
    console.log([...r.violations, ...r.phantoms, ...r.lost, ...r.notRestarted, `nemesis: ${r.nemesis.join('; ')}`, `kept: ${r.dir}`].join('\n'));
  } else {
    rmSync(r.dir, { recursive: true, force: true });
  }
  return r;
}

const converge: number[] = [];
for (const nodes of sizes) {
  for (let i = 0; i < runs; i++) {
    const seed = Number(a.seed) + i + nodes * 1000;
    try {
      converge.push((await one(seed, nodes, seconds, true)).convergeMs);
    } catch (e) {
      bad++;
      console.log(`seed ${seed} nodes ${nodes}: the run itself failed: ${(e as Error).message.slice(0, 2000)}`);
    }
  }
}
const contention: RunResult[] = [];
if (Number(a.contention) > 0) {
  for (const nodes of sizes) contention.push(await one(Number(a.seed) + nodes, nodes, Number(a.contention), false));
}
converge.sort((x, y) => x - y);
console.log(`summary: ${converge.length} fault runs, ${bad} failed; convergence after healing: ` +
  `median ${converge[Math.floor(converge.length / 2)]?.toFixed(0)} ms, max ${converge.at(-1)?.toFixed(0)} ms (aim: under 5000 ms)`);
for (const r of contention) console.log(`contention, ${r.options.nodes} nodes, clean network, 5 clients on 4 keys: set p50 ${r.setMs.p50.toFixed(1)} ms, p99 ${r.setMs.p99.toFixed(1)} ms (aim: p99 under 50 ms)`);
process.exit(bad === 0 ? 0 : 1);
