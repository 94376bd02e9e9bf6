// One scripted simulation per defect of SWI-Prolog 9.0.4's paxos.pl. Each runs under
// SWI_POLICY (paxos.pl's rules, faithfully) and OUR_POLICY: the property must fail for
// the first and hold for the second, so each test demonstrably can fail.
import { expect } from 'chai';
import { OUR_POLICY, SWI_POLICY } from '../src/paxos/policy.js';
import * as S from '../src/paxos/scenarios.js';
import { int } from '../src/term/build.js';

const SEEDS = [1, 2, 3];

describe('paxos simulation: paxos.pl defects, faithful vs ours', function () {
  this.timeout(60_000);

  it('1: a key stays writable after an accept round that failed', () => {
    for (const seed of SEEDS) {
      expect(S.unwritableAfterFailedAccept(SWI_POLICY, seed).laterSetOk, `swi seed ${seed}`).to.equal(false);
      const ours = S.unwritableAfterFailedAccept(OUR_POLICY, seed);
      expect(ours, `ours seed ${seed}`).to.deep.equal({ laterSetOk: true, furtherSetsOk: 5 });
    }
  });

  it('2: two missed replies do not make a node dead', () => {
    for (const seed of SEEDS) {
      expect(S.deadAfterTwoMisses(SWI_POLICY, seed).declaredDead, `swi seed ${seed}`).to.equal(true);
      expect(S.deadAfterTwoMisses(OUR_POLICY, seed), `ours seed ${seed}`).to.deep.equal({ declaredDead: false, quorumLostMember: false });
    }
  });

  it('3: a network read never succeeds unbound and never writes', () => {
    for (const seed of SEEDS) {
      const swiLost = S.networkRead(SWI_POLICY, seed, true);
      expect(swiLost.ok && swiLost.unbound, `swi seed ${seed}: unbound success`).to.equal(true);
      const swiAll = S.networkRead(SWI_POLICY, seed, false);
      expect(swiAll.genAfter, `swi seed ${seed}: read bumps the generation`).to.be.greaterThan(swiAll.genBefore);
      for (const lose of [true, false]) {
        const ours = S.networkRead(OUR_POLICY, seed, lose);
        expect(ours.unbound, `ours seed ${seed}`).to.equal(false);
        if (ours.ok) expect(ours.value).to.deep.equal({ kind: 'int', value: 42 });
        expect(ours.genAfter, `ours seed ${seed}: no write`).to.equal(ours.genBefore);
      }
      expect(S.networkRead(OUR_POLICY, seed, false).ok).to.equal(true);
    }
  });

  it('3b: an acknowledged value is never answered by its predecessor when changed/4 was lost', () => {
    for (const seed of SEEDS) {
      expect(S.lostChanged(SWI_POLICY, seed).bGet, `swi seed ${seed}: b serves the old value`).to.deep.equal(int(1));
      const ours = S.lostChanged(OUR_POLICY, seed);
      expect(ours.bGet, `ours seed ${seed}`).to.deep.equal(int(2));
      // a's replies to d are lost: d answers 2 once a repair reached it, or nothing, never 1.
      expect([undefined, 2], `ours seed ${seed}`).to.deep.include(ours.dQuorumGet?.kind === 'int' ? ours.dQuorumGet.value : ours.dQuorumGet);
      expect(ours.settledOn, `ours seed ${seed}: unconfirmed records settle`).to.deep.equal(['a', 'b', 'c', 'd']);
    }
  });

  it('4: a joining node is caught up in bounded time, with progress reports', () => {
    for (const seed of SEEDS) {
      expect(S.catchUp(SWI_POLICY, seed).held, `swi seed ${seed}`).to.be.lessThan(30);
      const ours = S.catchUp(OUR_POLICY, seed);
      expect(ours.held, `ours seed ${seed}`).to.equal(30);
      expect(ours.ms).to.be.lessThan(1000);
      expect(ours.progressEvents).to.be.greaterThan(0);
    }
  });

  it('5: nodes started at the same moment end with distinct ids', () => {
    let swiDup = 0; let oursDup = 0;
    for (let seed = 1; seed <= 40; seed++) {
      if (S.simultaneousStart(SWI_POLICY, seed).duplicate) swiDup++;
      const o = S.simultaneousStart(OUR_POLICY, seed);
      if (o.duplicate) { oursDup++; console.log(`ours seed ${seed}: ids ${o.ids.join(',')}`); }
    }
    expect(swiDup).to.be.greaterThan(0);
    expect(oursDup).to.equal(0);
  });

  it('6: a healed partition converges on one membership view and the latest values', () => {
    for (const seed of SEEDS) {
      const swi = S.partitionHeals(SWI_POLICY, seed);
      expect(swi.oneView && swi.staleNodes.length === 0, `swi seed ${seed}`).to.equal(false);
      const ours = S.partitionHeals(OUR_POLICY, seed);
      expect(ours, `ours seed ${seed}`).to.include({ oneView: true });
      expect(ours.staleNodes).to.deep.equal([]);
    }
  });

  it('7: the id of a node that left is released after dead_release', () => {
    for (const seed of SEEDS) {
      const swi = S.deadIdReleased(SWI_POLICY, seed);
      expect(swi.deadAfter, `swi seed ${seed}`).to.include(swi.leftId);
      expect(swi.newNodeId).to.not.equal(swi.leftId);
      const ours = S.deadIdReleased(OUR_POLICY, seed);
      expect(ours.deadAfter, `ours seed ${seed}`).to.not.include(ours.leftId);
      expect(ours.newNodeId).to.equal(ours.leftId);
    }
  });

  it('9: two concurrent writers on one key: at least half the sets succeed, the key stays writable', () => {
    for (const seed of SEEDS) {
      const swi = S.contendingWriters(SWI_POLICY, seed);
      expect(swi.ok / swi.total, `swi seed ${seed}`).to.be.lessThan(0.5);
      const ours = S.contendingWriters(OUR_POLICY, seed);
      expect(ours.ok / ours.total, `ours seed ${seed}`).to.be.at.least(0.5);
      expect(ours.writableAfter).to.equal(true);
    }
  });

  it('10: joining a responsive cluster takes well under 0.5 s', () => {
    for (const seed of SEEDS) {
      expect(S.joinTime(SWI_POLICY, seed), `swi seed ${seed}`).to.be.at.least(500);
      expect(S.joinTime(OUR_POLICY, seed), `ours seed ${seed}`).to.be.lessThan(150);
    }
  });
});
