// A node for test/transport-netns.test.ts, run inside a network namespace with
// `ip netns exec NS node --import tsx test/transport-netns-driver.ts`.
// Line protocol, JSON both ways:
//   in:  {id, op:'open', options}           open a scope (ScopeOptions)
//        {id, op:'listen', scope, pattern, solutions}   answer with these instances (texts)
//        {id, op:'broadcast', scope, term}  {id, op:'request', scope, term, timeoutMs}
//        {id, op:'counters', scope}         {id, op:'exit'}
//   out: {id, ok:true, result} | {id, ok:false, error}, and events {event:'heard', scope, term, from}
import { createInterface } from 'node:readline';
import { readTerm } from '../src/text/read.js';
import { writeTerm } from '../src/text/write.js';
import { addressText } from '../src/transport/address.js';
import type { ScopeOptions } from '../src/transport/scope.js';
import { Scopes } from '../src/transport/scopes.js';

const scopes = new Scopes();
const wire = (t: Parameters<typeof writeTerm>[0]) => writeTerm(t, { style: 'wire' });
const out = (x: unknown) => process.stdout.write(JSON.stringify(x) + '\n');

interface Cmd {
  id: number;
  op: string;
  scope?: string;
  options?: ScopeOptions;
  pattern?: string;
  solutions?: string[];
  term?: string;
  timeoutMs?: number;
}

function scope(name: string | undefined) {
  const s = scopes.get(name ?? '');
  if (!s) throw new Error(`no scope ${name}`);
  return s;
}

async function run(c: Cmd): Promise<unknown> {
  switch (c.op) {
    case 'open': {
      const t = await scopes.init(c.options!);
      return t.ports;
    }
    case 'listen': {
      const name = c.scope!;
      const sols = (c.solutions ?? []).map((x) => readTerm(x));
      scope(name).listen(readTerm(c.pattern!), (m) => {
        out({ event: 'heard', scope: name, kind: m.kind, term: wire(m.term), from: addressText(m.from) });
        return sols;
      });
      return true;
    }
    case 'broadcast':
      await scope(c.scope).broadcast(readTerm(c.term!));
      return true;
    case 'request': {
      const replies: { term: string; from: string }[] = [];
      for await (const r of scope(c.scope).request(readTerm(c.term!), { timeoutMs: c.timeoutMs ?? 250 })) {
        replies.push({ term: wire(r.term), from: addressText(r.from) });
      }
      return replies;
    }
    case 'counters':
      return scope(c.scope).counters;
    case 'exit':
      await scopes.closeAll();
      setImmediate(() => process.exit(0));
      return true;
    default:
      throw new Error(`unknown op ${c.op}`);
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as Cmd;
  run(c).then(
    (result) => out({ id: c.id, ok: true, result }),
    (e: unknown) => out({ id: c.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
process.stdin.on('end', () => { void scopes.closeAll().then(() => process.exit(0)); });
out({ event: 'ready' });
