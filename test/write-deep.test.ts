// The writer is iterative: huge lists and deep nests write at Node's default
// stack size. Run in a child process, since mocha itself runs with a big stack.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WRITE = fileURLToPath(new URL('../src/text/write.ts', import.meta.url));
const BUILD = fileURLToPath(new URL('../src/term/build.ts', import.meta.url));

const SCRIPT = `
import { writeTerm } from ${JSON.stringify(WRITE)};
import { atom, compound, int, list, variable } from ${JSON.stringify(BUILD)};
const check = (ok, what) => { if (!ok) { console.log('FAIL ' + what); process.exit(1); } };
const N = 100000;
const a = atom('a');
let right = a, left = a, f = a, neg = a;
for (let i = 0; i < N; i++) {
  right = compound('-', a, right);
  left = compound('-', left, a);
  f = compound('f', f);
  neg = compound('-', neg);
}
const items = [];
for (let i = 0; i < 1000000; i++) items.push(int(i % 10));
const big = list(items, variable());
const body = '[' + items.map((t) => String(t.value)).join(',');
for (const style of ['writeq', 'print', 'write', 'canonical', 'wire']) {
  const ops = style !== 'canonical' && style !== 'wire';
  const r = writeTerm(right, { style });
  check(r === (ops ? 'a-('.repeat(N - 1) + 'a-a' + ')'.repeat(N - 1) : '-(a,'.repeat(N) + 'a' + ')'.repeat(N)), style + ' right nest');
  const l = writeTerm(left, { style });
  check(l === (ops ? 'a' + '-a'.repeat(N) : '-('.repeat(N) + 'a' + ',a)'.repeat(N)), style + ' left nest');
  check(writeTerm(f, { style }) === 'f('.repeat(N) + 'a' + ')'.repeat(N), style + ' f nest');
  check(writeTerm(neg, { style }) === (ops ? '- '.repeat(N - 1) + '-a' : '-('.repeat(N) + 'a' + ')'.repeat(N)), style + ' prefix nest');
  const b = writeTerm(big, { style });
  check(b.slice(0, b.lastIndexOf('|')) === body, style + ' list items');
  check(/^\|_[0-9]*\]$/.test(b.slice(b.lastIndexOf('|'))), style + ' list tail');
}
console.log('ok');
`;

describe('writeTerm on deep and long terms', function () {
  it('writes a 1,000,000-element list and 100,000-deep nests at the default stack size', function () {
    this.timeout(120000);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    expect(r.stderr).to.equal('');
    expect(r.stdout.trim()).to.equal('ok');
    expect(r.status).to.equal(0);
  });
});
