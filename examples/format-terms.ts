// A term formatting tool: read Prolog clauses from files (or stdin) and write each
// one back as SWI-Prolog would print it, keeping variable names, or as JSON.
//
//   npx tsx examples/format-terms.ts [--style writeq|print|write|canonical] [--json] [FILE...]
//   echo "foo( X,'a b' ,[1,2|T] ) ." | npx tsx examples/format-terms.ts
//
// A syntax error is reported as FILE:LINE:COLUMN and reading goes on at the next
// clause; the exit code is 1 if there was any.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { toTaggedJSON, type Var } from '../src/term/index.js';
import { readClauses } from '../src/text/read.js';
import { type WriteStyle, writeTerm } from '../src/text/write.js';

const STYLES: readonly WriteStyle[] = ['writeq', 'print', 'write', 'canonical'];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Format every clause of `text`; returns the output and the error lines. */
export function formatText(text: string, source: string, style: WriteStyle, json: boolean): { out: string[]; errors: string[] } {
  const out: string[] = [];
  const errors: string[] = [];
  for (const r of readClauses(text)) {
    if (r.error) {
      errors.push(`${source}:${r.error.line}:${r.error.column}: Syntax error: ${r.error.text}`);
      continue;
    }
    if (json) {
      out.push(JSON.stringify(toTaggedJSON(r.term)));
      continue;
    }
    const names = new Map<Var, string>([...r.varNames].map(([name, v]) => [v, name]));
    const s = writeTerm(r.term, { style, variableNames: names });
    // A full stop right after a symbol character would glue onto it (`a- .`).
    out.push(/[#$&*+\-./:<=>?@^~\\]$/.test(s) ? `${s} .` : `${s}.`);
  }
  return { out, errors };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { style: { type: 'string', default: 'writeq' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const style = values.style as WriteStyle;
  if (!STYLES.includes(style)) {
    process.stderr.write(`--style must be one of ${STYLES.join(', ')}\n`);
    return 2;
  }
  const inputs = positionals.length ? positionals.map((f) => [f, readFileSync(f, 'utf8')] as const) : [['<stdin>', await readStdin()] as const];
  let failed = false;
  for (const [source, text] of inputs) {
    const { out, errors } = formatText(text, source, style, values.json);
    for (const line of out) process.stdout.write(line + '\n');
    for (const e of errors) process.stderr.write(e + '\n');
    failed ||= errors.length > 0;
  }
  return failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((code) => (process.exitCode = code));
}
