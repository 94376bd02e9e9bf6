// The register linearizability checker (test/support/linearizability.ts) on small
// hand-made histories whose verdict is known, both ways, so that the checker the
// simulation and the fault tests rely on can demonstrably fail.
import { expect } from 'chai';
import { type HistoryOp, checkRegister, checkRegisters, explain } from './support/linearizability.js';

const w = (value: string, invoke: number, complete: number, outcome: HistoryOp['outcome'] = 'ok'): HistoryOp =>
  ({ key: 'k', kind: 'write', value, invoke, complete, outcome });
const r = (value: string | null, invoke: number, complete: number): HistoryOp =>
  ({ key: 'k', kind: 'read', value, invoke, complete, outcome: 'ok' });
const verdict = (ops: HistoryOp[]): string => checkRegister('k', ops).result;

describe('linearizability checker (registers)', () => {
  it('accepts sequential writes and reads of the latest value', () => {
    expect(verdict([w('a', 0, 1), r('a', 2, 3), w('b', 4, 5), r('b', 6, 7)])).to.equal('linearizable');
  });

  it('rejects a read of an overwritten value after the overwrite completed', () => {
    expect(verdict([w('a', 0, 1), w('b', 2, 3), r('a', 4, 5)])).to.equal('violation');
  });

  it('accepts either order for overlapping writes, but one order for all readers', () => {
    expect(verdict([w('a', 0, 10), w('b', 1, 9), r('a', 11, 12)])).to.equal('linearizable');
    expect(verdict([w('a', 0, 10), w('b', 1, 9), r('b', 11, 12)])).to.equal('linearizable');
    expect(verdict([w('a', 0, 10), w('b', 1, 9), r('a', 11, 12), r('b', 13, 14)])).to.equal('violation');
  });

  it('reads of an absent key before any write, and not after one completed', () => {
    expect(verdict([r(null, 0, 1), w('a', 2, 3), r('a', 4, 5)])).to.equal('linearizable');
    expect(verdict([w('a', 0, 1), r(null, 2, 3)])).to.equal('violation');
  });

  it('an unknown write may take effect late, or never', () => {
    expect(verdict([w('a', 0, 1), w('b', 2, 0, 'unknown'), r('a', 3, 4), r('b', 100, 101)])).to.equal('linearizable');
    expect(verdict([w('a', 0, 1), w('b', 2, 0, 'unknown'), r('a', 3, 4)])).to.equal('linearizable');
    // ... but it takes effect once: a then b then a again is impossible.
    expect(verdict([w('b', 0, 0, 'unknown'), r('b', 1, 2), w('a', 3, 4), r('b', 5, 6)])).to.equal('violation');
  });

  it('a write that definitely failed must never be read', () => {
    expect(verdict([w('a', 0, 1), w('b', 2, 3, 'fail'), r('b', 4, 5)])).to.equal('violation');
    expect(verdict([w('a', 0, 1), w('b', 2, 3, 'fail'), r('a', 4, 5)])).to.equal('linearizable');
  });

  it("finds issue 15's smallest history: a set whose value was chosen took effect again after another set", () => {
    // A: set v(4,6) 8.376..9.480; B: quorum get -> v(4,6) 9.257..9.270;
    // C: set v(1,9) 9.408..9.454; D: quorum get -> v(4,6) 9.460..9.466.
    const h = [w('v(4,6)', 8.376, 9.480), r('v(4,6)', 9.257, 9.270), w('v(1,9)', 9.408, 9.454), r('v(4,6)', 9.460, 9.466)];
    const v = checkRegister('k', h);
    expect(v.result).to.equal('violation');
    // The witness is the whole history: no shorter prefix is a violation.
    expect(explain('k', h)).to.have.length(4);
  });

  it('checks keys independently', () => {
    const a = [w('1', 0, 1), r('1', 2, 3)].map((x) => ({ ...x, key: 'a' }));
    const b = [w('1', 0, 1), w('2', 2, 3), r('1', 4, 5)].map((x) => ({ ...x, key: 'b' }));
    const res = Object.fromEntries(checkRegisters([...a, ...b]).map((v) => [v.key, v.result]));
    expect(res).to.deep.equal({ a: 'linearizable', b: 'violation' });
  });

  it('handles long histories of concurrent clients without running out of budget', () => {
    // 5 clients, 2000 operations on one register, each read sees the last completed write.
    const ops: HistoryOp[] = [];
    let t = 0; let current: string | null = null;
    for (let i = 0; i < 2000; i++) {
      const start = t; t += 1;
      if (i % 3 === 0) { ops.push(w(`v${i}`, start, t + 0.5)); current = `v${i}`; } else ops.push(r(current, start + 0.6, t + 0.7));
    }
    const v = checkRegister('k', ops);
    expect(v.result).to.equal('linearizable');
  });
});
