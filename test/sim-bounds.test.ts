// Defect 2 of paxos.pl 9.0.4 under a lossy network (simulated: this is about our
// protocol logic, so a seeded in-process network replaces sockets): with loss and
// duplication on every node, SWI's rules make calls run without bound and flood the
// network; ours finish every set, get and leave within its documented bound
// (retries x per-attempt time) and keep traffic proportional to the work.
import { expect } from 'chai';
import { type Call } from '../src/paxos/machine.js';
import { OUR_POLICY, type Policy, SWI_POLICY } from '../src/paxos/policy.js';
import { DEFAULT_SETTINGS as S } from '../src/paxos/settings.js';
import { Sim } from '../src/paxos/sim.js';
import { atom, int } from '../src/term/build.js';

const NET = { drop: 0.1, dup: 0.05 };
const NODES = ['a', 'b', 'c', 'd', 'e'];
const OPS = 100;
const FLOOD = 50_000; // datagrams: far beyond what 100 operations need (ours use about 20 each)

// Documented bounds (ms): every attempt waits at most two rounds of response_timeout
// plus the capped backoff; a get makes max_gets + 1 attempts of one round each.
const SET_BOUND = (S.max_sets + 1) * (2 * S.response_timeout + S.set_backoff_max) * 1000;
const GET_BOUND = (S.max_gets + 1) * (S.response_timeout + S.set_backoff_max) * 1000;

interface Outcome { overdue: number; flooded: boolean; messages: number; idleMessages: number; leaveOk: boolean }

function lossyRun(policy: Policy, seed: number): Outcome {
  const sim = new Sim({ seed, policy, net: NET });
  for (const n of NODES) {
    if (!sim.await(sim.start(n), 10_000)?.ok) throw new Error(`seed ${seed}: join ${n} failed`);
    sim.runFor(50);
  }
  sim.runFor(200);
  const m0 = sim.messages;
  const flooded = (): boolean => sim.messages - m0 > FLOOD;
  let overdue = 0;
  for (let i = 0; i < OPS && !flooded(); i++) {
    const set = i % 2 === 1;
    const call: Call = set ? { op: 'set', key: atom(`k${i % 7}`), value: int(i) } : { op: 'get', key: atom(`k${i % 7}`) };
    const h = sim.call(NODES[i % NODES.length]!, call);
    const bound = set ? SET_BOUND : GET_BOUND;
    sim.runWhile(() => h.done || flooded(), bound);
    if (!h.done || h.doneAt! - h.at > bound) overdue++;
  }
  const leave = sim.call('e', { op: 'leave' });
  sim.runWhile(() => leave.done || flooded(), SET_BOUND);
  const busy = sim.messages;
  sim.runWhile(flooded, 10_000); // ten quiet seconds: only membership checks should talk
  return { overdue, flooded: flooded(), messages: busy - m0, idleMessages: sim.messages - busy, leaveOk: leave.done };
}

describe('paxos simulation: bounded calls and traffic under 10% loss and 5% duplication', function () {
  this.timeout(120_000);

  it('ours: every set, get and leave ends within its documented bound, traffic stays proportional', () => {
    for (const seed of [1, 2, 3, 4]) {
      const o = lossyRun(OUR_POLICY, seed);
      expect(o.overdue, `seed ${seed}: calls past their bound`).to.equal(0);
      expect(o.flooded, `seed ${seed}`).to.equal(false);
      expect(o.leaveOk, `seed ${seed}: leave`).to.equal(true);
      expect(o.messages / OPS, `seed ${seed}: datagrams per operation`).to.be.lessThan(60);
      expect(o.idleMessages, `seed ${seed}: datagrams in 10 idle seconds`).to.be.lessThan(2_000);
    }
  });

  it('a faithful copy of paxos.pl overruns its bounds or floods the network under the same faults', () => {
    const outcomes = [1, 4].map((seed) => lossyRun(SWI_POLICY, seed));
    expect(outcomes.some((o) => o.overdue > 0 || o.flooded), JSON.stringify(outcomes)).to.equal(true);
  });
});
