// Every example runs as written (npx tsx examples/X.ts), and ends every process it starts.
import { expect } from 'chai';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { requireSwipl } from './support/swipl.js';
import { ROOT } from './cli-support.js';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface Run {
  readonly proc: ChildProcess;
  out: string;
  err: string;
  readonly exited: Promise<number | null>;
}

function start(example: string, args: string[] = [], input?: string): Run {
  const proc = spawn(TSX, [join(ROOT, 'examples', example), ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const run: Run = {
    proc, out: '', err: '',
    exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)))),
  };
  proc.stdout!.on('data', (d: Buffer) => (run.out += d.toString('utf8')));
  proc.stderr!.on('data', (d: Buffer) => (run.err += d.toString('utf8')));
  if (input !== undefined) proc.stdin!.end(input);
  return run;
}

async function waitFor(run: Run, re: RegExp, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(run.out)) {
    if (run.proc.exitCode !== null) throw new Error(`example exited (${run.proc.exitCode}) before ${re}:\n${run.out}\n${run.err}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}:\n${run.out}\n${run.err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ctrl-C the example (SIGINT to tsx, which passes it on); SIGKILL if it hangs. */
async function interrupt(run: Run): Promise<number | null> {
  if (run.proc.exitCode !== null) return run.proc.exitCode;
  run.proc.kill('SIGINT');
  const timer = setTimeout(() => run.proc.kill('SIGKILL'), 20_000);
  const code = await run.exited;
  clearTimeout(timer);
  return code;
}

/** Processes still running whose command line mentions `marker` (the example's ports). */
function leftovers(marker: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo'));
}

describe('examples', function () {
  this.timeout(120_000);
  const running: Run[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await interrupt(r);
  });

  it('format-terms.ts formats clauses as SWI writes them, reports errors by line and column', async () => {
    const r = start('format-terms.ts', [], "foo( X,'a b' ,[1,2|T] ) :- bar( T,X ).\nbad( .\nlast(\"s\", 0.1, - 1, 'A').\n");
    running.push(r);
    expect(await r.exited).to.equal(1);
    expect(r.out, r.out + r.err).to.equal("foo(X,'a b',[1,2|T]):-bar(T,X).\nlast(\"s\",0.1,- 1,'A').\n");
    expect(r.err).to.equal('<stdin>:2:6: Syntax error: Unexpected end of clause\n');
    const j = start('format-terms.ts', ['--json'], 'a(1.5).');
    running.push(j);
    expect(await j.exited).to.equal(0);
    expect(JSON.parse(j.out)).to.deep.equal({ compound: 'a', args: [{ float: 1.5 }] });
  });

  it('three-node-cluster.ts starts three nodes, replicates a value, and stops them all on Ctrl-C', async () => {
    const r = start('three-node-cluster.ts', ['43300']);
    running.push(r);
    await waitFor(r, /press Ctrl-C to stop/);
    expect(r.out, r.out + r.err).to.include('node0: set greeting(world) -> exit 0');
    expect(r.out, r.out + r.err).to.include('node1: get greeting(world) -> hello("from node 0",42)');
    expect(r.out, r.out + r.err).to.include('node2: get greeting(world) -> hello("from node 0",42)');
    expect(r.out, r.out + r.err).to.match(/^quorum +\[\d+,\d+,\d+\] \(3 members\)$/m);
    expect(await interrupt(r)).to.equal(0);
    expect(r.out, r.out + r.err).to.include('all nodes stopped');
    expect(leftovers('--port 4330')).to.deep.equal([]);
  });

  it('mixed-cluster.ts runs our node with two swipl nodes, values flowing both ways', async function () {
    requireSwipl(this);
    const r = start('mixed-cluster.ts', ['43400']);
    running.push(r);
    await waitFor(r, /press Ctrl-C to stop/, 60_000);
    expect(r.out, r.out + r.err).to.include('ts: set greeting(ts) -> exit 0');
    expect(r.out, r.out + r.err).to.include("swi1: change greeting(ts) := hello('from TypeScript',[1,2,3])");
    expect(r.out, r.out + r.err).to.include("swi2: change greeting(ts) := hello('from TypeScript',[1,2,3])");
    expect(r.out, r.out + r.err).to.include("ts: get greeting(swi) -> hello('from SWI-Prolog',1.5)");
    expect(r.out, r.out + r.err).to.include("swi2: true paxos_get(greeting(swi),hello('from SWI-Prolog',1.5))");
    expect(r.out, r.out + r.err).to.match(/^quorum +\[\d+,\d+,\d+\] \(3 members\)$/m);
    expect(await interrupt(r)).to.equal(0);
    expect(r.out, r.out + r.err).to.include('all nodes stopped');
    expect(leftovers('swi-node.pl 4340')).to.deep.equal([]);
    expect(leftovers('--port 43400')).to.deep.equal([]);
  });

  it('express-sessions.ts logs in on server A and server B knows the user', async () => {
    const r = start('express-sessions.ts', ['43500']);
    running.push(r);
    await waitFor(r, /press Ctrl-C to stop/);
    expect(r.out, r.out + r.err).to.include('POST http://127.0.0.1:43510/login/ann -> server A: logged in as ann');
    expect(r.out, r.out + r.err).to.include('GET  http://127.0.0.1:43511/me -> server B: you are ann');
    expect(await interrupt(r)).to.equal(0);
    expect(r.out, r.out + r.err).to.include('servers and nodes stopped');
  });
});
