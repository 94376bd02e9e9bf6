// Runs a Prolog probe program in swipl and returns its lines `Class [[Lo,Hi],...]` as
// code point ranges: how the generated character tables (the writer's and the
// reader's) are taken from SWI-Prolog itself. A development tool, not used at run time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Range } from './ranges.js';

/** Prolog helpers a probe may use: `compress(+SortedCodes, -Ranges)`, `codepoint(-C)`. */
export const PROBE_LIB = String.raw`
codepoint(C) :- between(0, 0x10FFFF, C), \+ between(0xD800, 0xDFFF, C).
compress([], []).
compress([C|Cs], [[C,E]|Rs]) :- run(C, Cs, E, Rest), compress(Rest, Rs).
run(C, [D|Cs], E, Rest) :- D =:= C+1, !, run(D, Cs, E, Rest).
run(C, Rest, C, Rest).
`;

/** Run `main` of `program` (PROBE_LIB included); one `Name [[Lo,Hi],...]` line per class. */
export function probeClasses(program: string): Map<string, Range[]> {
  const dir = mkdtempSync(join(tmpdir(), 'swipl-probe-'));
  try {
    const file = join(dir, 'probe.pl');
    writeFileSync(file, PROBE_LIB + program);
    const r = spawnSync('swipl', ['-q', '-g', 'main', '-t', 'halt', file], {
      encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, LANG: 'C.UTF-8' },
    });
    if (r.status !== 0) throw new Error(`swipl probe failed: ${r.stderr}`);
    const out = new Map<string, Range[]>();
    for (const line of r.stdout.trim().split('\n')) {
      const sp = line.indexOf(' ');
      out.set(line.slice(0, sp), JSON.parse(line.slice(sp + 1)) as Range[]);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
