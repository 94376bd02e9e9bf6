// Jepsen-style runs of real node processes at CI size (the long runs are `npm run jepsen`):
// `prolog-paxos node` processes with LMDB ledgers and fixed ids, in a network namespace
// this test creates (nftables drops and partitions UDP by port inside it), kill -9 and
// restart, SIGSTOP/SIGCONT, five HTTP clients on four keys; then every fault heals and
// the history is checked for per-key linearizability, phantom local reads, lost
// acknowledged writes and convergence. JEPSEN_SEED=n replays a run.
import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { jepsen } from './jepsen/launch.js';
import { canRunFaults } from './jepsen/netns.js';
import type { RunOptions, RunResult } from './jepsen/run.js';

const can = canRunFaults();
const seedOf = (dflt: number): number => (process.env.JEPSEN_SEED ? Number(process.env.JEPSEN_SEED) : dflt);

function report(r: RunResult): string {
  return [
    `seed ${r.seed} (replay: JEPSEN_SEED=${r.seed}) ${JSON.stringify(r.ops)}`,
    `converged ${r.converged} in ${r.convergeMs.toFixed(0)} ms; sets p50 ${r.setMs.p50.toFixed(1)} ms p99 ${r.setMs.p99.toFixed(1)} ms`,
    `nemesis: ${r.nemesis.join('; ')}`,
    ...r.violations, ...r.phantoms, ...r.lost, ...r.notRestarted,
  ].join('\n');
}

async function check(o: RunOptions): Promise<RunResult> {
  const lines: string[] = [];
  const r = await jepsen(o, `jepsen-ci-${process.pid}`, (l) => { lines.push(l); if (lines.length > 200) lines.shift(); });
  try {
    const why = report(r);
    if (process.env.JEPSEN_VERBOSE) console.log(why);
    expect(r.violations, why).to.deep.equal([]);
    expect(r.phantoms, why).to.deep.equal([]);
    expect(r.lost, why).to.deep.equal([]);
    expect(r.notRestarted, why).to.deep.equal([]);
    expect(r.converged, why).to.equal(true);
    // The run must have done real work under faults, or the checks above prove nothing.
    expect(r.ops.acked, why).to.be.greaterThan(20);
    expect(r.ops.quorumReads, why).to.be.greaterThan(20);
    if (o.faults !== false) expect(r.nemesis.length, why).to.be.greaterThan(4);
    return r;
  } finally {
    rmSync(r.dir, { recursive: true, force: true });
  }
}

describe('jepsen: real node processes under faults (network namespace, nftables, kill -9, SIGSTOP)', function () {
  this.timeout(240_000);
  if (!can.ok) {
    it(`skipped: needs root, ip and nft to create a network namespace (${can.why})`, function () { this.skip(); });
    return;
  }
  it('3 of our nodes, 20 s of faults: linearizable, nothing acknowledged lost, converged', async () => {
    await check({ seed: seedOf(101), nodes: 3, seconds: 20, clients: 5, keys: 4 });
  });
  it('5 of our nodes, 20 s of faults: linearizable, nothing acknowledged lost, converged', async () => {
    await check({ seed: seedOf(202), nodes: 5, seconds: 20, clients: 5, keys: 4 });
  });
  it('mixed: 2 of our nodes and 1 swipl node, 15 s of faults: linearizable, nothing acknowledged lost, converged', async () => {
    await check({ seed: seedOf(303), nodes: 3, swi: 1, seconds: 15, clients: 5, keys: 4 });
  });
});
