// Issue 13 item 1: the reserved `[]` as a functor name (`[](X)`) and as a dict key
// (`_{[]:1}`), distinct from the atom '[]' everywhere: reader and writer (compared
// with a real swipl), standard order and unification (compared with swipl), the
// codec (new bytes only for the new terms; old bytes decode as before) and both
// ledgers (two keys, also after reopening the durable one).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTerm, encodeTerm } from '../src/codec/index.js';
import { LmdbLedger, MemoryLedger, type Ledger } from '../src/store/index.js';
import { atom, compound, dict, int, nil } from '../src/term/build.js';
import { msort } from '../src/term/compare.js';
import { equalTerms, termKey } from '../src/term/equal.js';
import { fromTaggedJSON, toTaggedJSON } from '../src/term/json.js';
import type { Term } from '../src/term/types.js';
import { unifiable } from '../src/term/unify.js';
import { PrologSyntaxError, readTerm } from '../src/text/read.js';
import { writeTerm } from '../src/text/write.js';
import { DUMP_PROGRAM, diffDump, fromCodes, prologString, type Dump } from './read-support.js';
import { useSwipl } from './support/swipl.js';

const TEXTS = [
  '[](a)', "'[]'(a)", '[](a,b)', '[]()', "'[]'()", '[]([])', '-[](a)', '- [](a)', '[](X,Y,X)', '[] (a)',
  "f([](a),'[]'(b))", "_{[]:1,'[]':2}", '_{[]:1,[]:2}', "_{'[]':1,'[]':2}", 'point{[]:x}', '[]{a:1}',
  "'[]'{a:1}", '_{1:a,[]:b,c:d}', '[]([](a))', '[[](a)]', '{[](a)}', "a:[](b)",
];

/** A swipl description (DUMP_PROGRAM's mk/2) of a ground term: atoms, ints, [] and compounds. */
function desc(t: Term): string {
  switch (t.kind) {
    case 'atom': return `a([${[...t.name].map((c) => c.codePointAt(0)).join(',')}])`;
    case 'int': return `i(${t.value})`;
    case 'nil': return 'n';
    case 'compound': {
      const as = t.args.map(desc).join(',');
      return t.nilName ? `cn([${as}])` : `c([${[...t.name].map((c) => c.codePointAt(0)).join(',')}],[${as}])`;
    }
    case 'dict': return `d(${desc(t.tag)},[${t.pairs.map(([k, v]) => `${desc(k)}-${desc(v)}`).join(',')}])`;
    default: throw new Error(`no description for ${t.kind}`);
  }
}

const a = atom('a');
const TERMS: Term[] = [
  compound(nil(), a), compound('[]', a), compound(nil()), compound('[]'), compound(nil(), nil(), atom('[]')),
  compound('-', compound(nil(), a)), compound('f', compound(nil(), int(1)), compound('[]', int(2))),
  dict('t', [[nil(), int(1)], [atom('[]'), int(2)], [a, int(3)], [1, int(4)]]),
  compound(':-', compound(nil(), a), compound(nil())), compound('{}', compound(nil(), a)),
];

describe('the reserved [] as a name and a dict key (compared with swipl)', function () {
  this.timeout(60_000);
  const swipl = useSwipl(DUMP_PROGRAM);

  it('reads every text as swipl does', async () => {
    const bad: string[] = [];
    for (const text of TEXTS) {
      const swi = JSON.parse(await swipl().output(`parse_dump(${prologString(text)})`)) as Dump;
      let ours: Term | undefined;
      try {
        ours = readTerm(text);
      } catch (e) {
        if (!(e instanceof PrologSyntaxError)) throw e;
        if (!('err' in swi) || fromCodes(swi.err) !== e.kind) bad.push(`${text}: we ${e.kind}, swipl ${JSON.stringify(swi)}`);
        continue;
      }
      const d = diffDump(ours, swi);
      if (d !== undefined) bad.push(`${text}: ${d}`);
    }
    expect(bad, bad.join('\n')).to.deep.equal([]);
  });

  for (const style of ['writeq', 'print', 'canonical', 'wire'] as const) {
    it(`writes as swipl's ${style} does`, async () => {
      const out = JSON.parse(await swipl().output(`write_styles([${TERMS.map(desc).join(',')}], ${style})`)) as [number[], Dump, Dump][];
      const swi = out.map(([codes]) => fromCodes(codes));
      expect(TERMS.map((t) => writeTerm(t, { style }))).to.deep.equal(swi);
    });
  }

  it('orders terms as swipl msort/2 does', async () => {
    const terms = [
      compound('[]', a), compound(nil(), a), compound('', a), compound('b', a), compound(nil(), a, a), nil(), atom('[]'),
      atom(''), dict('t', [[nil(), a]]), dict('t', [[atom('[]'), a]]), dict('t', [[0, a]]),
    ];
    const swi = JSON.parse(await swipl().output(`mk(c([108],[${terms.map(desc).join(',')}]), L0), L0 =.. [_|L1], msort(L1, L), write('['), dump_list(L, []), write(']')`)) as Dump[];
    const ours = msort(terms);
    expect(ours.map((t, i) => diffDump(t, swi[i]!))).to.deep.equal(ours.map(() => undefined));
  });

  it("does not unify [](X) with '[]'(1), as swipl", async () => {
    expect(unifiable(readTerm("'[]'(1)"), readTerm('[](X)'))).to.equal(false);
    expect(unifiable(readTerm('[](1)'), readTerm('[](X)'))).to.equal(true);
    expect(unifiable(readTerm("_{[]:1}"), readTerm("_{'[]':X}"))).to.equal(false);
    expect(await swipl().output("( '[]'(1) = [](_) -> write(yes) ; write(no) ), ( _{[]:1} = _{'[]':_} -> write(yes) ; write(no) )"))
      .to.equal('nono');
  });

  it('keeps the difference through the codec and tagged JSON; old bytes decode as before', () => {
    for (const t of TERMS) {
      const back = decodeTerm(encodeTerm(t));
      expect(equalTerms(back, t), writeTerm(t)).to.equal(true);
      expect(equalTerms(fromTaggedJSON(toTaggedJSON(t)), t)).to.equal(true);
    }
    expect(termKey(compound(nil(), a))).to.not.equal(termKey(compound('[]', a)));
    // PT2 bytes of '[]'(a) (built-in name code -1-72): unchanged, and still '[]'(a).
    expect(encodeTerm(compound('[]', a)).toString('hex')).to.equal('92d0b7a161');
    const old = decodeTerm(Buffer.from('92d0b7a161', 'hex'));
    expect(old.kind === 'compound' && old.nilName).to.equal(undefined);
    // PT3: the reserved [] as a name is fixext 1 type 0x38, payload 0.
    expect(encodeTerm(compound(nil(), a)).toString('hex')).to.equal('92d43800a161');
    expect(() => decodeTerm(Buffer.from('92d43801a161', 'hex'))).to.throw(/bad compound name/);
  });

  for (const kind of ['memory', 'lmdb'] as const) {
    it(`the ${kind} ledger keeps [](a) and '[]'(a) apart`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nil-ledger-'));
      const open = (): Ledger => (kind === 'memory' ? new MemoryLedger() : LmdbLedger.open(dir));
      let l = open();
      try {
        await l.learn(compound(nil(), a), 1, int(1));
        await l.learn(compound('[]', a), 1, int(2));
        await l.learn(dict('t', [[nil(), a]]), 1, int(3));
        await l.learn(dict('t', [[atom('[]'), a]]), 1, int(4));
        if (kind === 'lmdb') { await l.close(); l = open(); }
        const got = await Promise.all([compound(nil(), a), compound('[]', a), dict('t', [[nil(), a]]), dict('t', [[atom('[]'), a]])]
          .map(async (k) => (await l.entries(k))[0]?.value));
        expect(got).to.deep.equal([int(1), int(2), int(3), int(4)]);
        const keys: string[] = [];
        for await (const e of l.records()) keys.push(writeTerm(e.key));
        expect(keys).to.deep.equal(['[](a)', "'[]'(a)", 't{[]:a}', "t{'[]':a}"]);
      } finally {
        await l.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
