// `prolog-paxos term --to <writeq|print|canonical|wire|json> [--keep-going]`:
// read clauses (each ended by `.`) from stdin and write each term on one line.
import type { Readable, Writable } from 'node:stream';
import { toJSON } from '../term/json.js';
import type { Var } from '../term/types.js';
import { OpTable } from '../text/ops.js';
import { readClauses } from '../text/read.js';
import { writeTerm, type WriteStyle } from '../text/write.js';

export interface TermIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

type Target = WriteStyle | 'json';
const TARGETS: readonly Target[] = ['writeq', 'write', 'print', 'canonical', 'wire', 'json'];

const USAGE = `usage: prolog-paxos term [--to writeq|write|print|canonical|wire|json] [--keep-going]
Reads Prolog clauses (each ended by ".") from stdin and writes each term on one line.
A ":- op(P, T, Names)" directive (or a module/2 export list's op/3) holds for the clauses
after it, as in consult/1; the directive itself is written too.
  --to FORM       output form (default writeq; write is write/1: no quotes)
  --keep-going    after an error, report it and go on with the next clause
Exit status: 0 if every clause was written, 1 after any error, 2 on bad usage.`;

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export async function termCommand(argv: string[], io: TermIO): Promise<number> {
  let target: Target = 'writeq';
  let keepGoing = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') { io.stdout.write(USAGE + '\n'); return 0; }
    if (a === '--keep-going' || a === '-k') { keepGoing = true; continue; }
    const to = a === '--to' ? argv[++i] : a.startsWith('--to=') ? a.slice(5) : undefined;
    if (to !== undefined && (TARGETS as readonly string[]).includes(to)) { target = to as Target; continue; }
    io.stderr.write(`term: ${to === undefined ? `unknown argument ${a}` : `unknown form ${to}`}\n${USAGE}\n`);
    return 2;
  }

  const text = await readAll(io.stdin);
  let failed = false;
  let n = 0;
  let out = '';
  const flush = (): void => { if (out) { io.stdout.write(out); out = ''; } };
  const ops = OpTable.swi(); // changed by the text's op/3 directives, for reading and writing
  for (const r of readClauses(text, { applyOps: ops })) {
    n++;
    if (r.error) {
      flush();
      io.stderr.write(`${r.error.line}:${r.error.column}: Syntax error: ${r.error.text}\n`);
      failed = true;
      if (!keepGoing) break;
      continue;
    }
    if (target === 'json') {
      try {
        out += JSON.stringify(toJSON(r.term)) + '\n';
      } catch (e) {
        flush();
        io.stderr.write(`clause ${n}: no JSON form: ${e instanceof Error ? e.message : String(e)}\n`);
        failed = true;
        if (!keepGoing) break;
      }
    } else {
      // Like read_term/2 + write_term/2 with variable_names/1: source names survive
      // where SWI's output would have them; canonical and wire keep SWI's own naming.
      let names: Map<Var, string> | undefined;
      if ((target === 'writeq' || target === 'write' || target === 'print') && r.varNames.size > 0) {
        names = new Map();
        for (const [name, v] of r.varNames) names.set(v, name);
      }
      out += writeTerm(r.term, { style: target, ops, variableNames: names }) + '\n';
    }
    if (out.length > 1 << 16) flush();
  }
  flush();
  return failed ? 1 : 0;
}
