// The cluster of a fault run: real `prolog-paxos node` processes (built CLI, LMDB
// ledgers, fixed node ids) and optionally real swipl nodes, all unicast peers of
// each other on 127.0.0.1 inside the run's namespace. A node can be killed with
// SIGKILL and restarted on its data directory and id, or stopped and continued.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SwiNode } from '../paxos-support.js';

const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface Member {
  readonly id: number;
  readonly kind: 'ours' | 'swi';
  readonly port: number;
  /** Admin API port (ours only). */
  readonly admin: number | undefined;
  /** 'up', 'killed' (SIGKILL, waiting for its restart) or 'paused' (SIGSTOP). */
  state: 'up' | 'killed' | 'paused';
  pid(): number | undefined;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

function alive(p: ChildProcess | undefined): p is ChildProcess {
  return p !== undefined && p.exitCode === null && p.signalCode === null;
}

export class OurMember implements Member {
  readonly kind = 'ours' as const;
  state: Member['state'] = 'killed';
  private proc: ChildProcess | undefined;
  private incarnation = 0;

  constructor(readonly id: number, readonly port: number, readonly admin: number, private readonly peers: readonly number[], private readonly dir: string,
    private readonly extra: readonly string[] = []) {}

  pid(): number | undefined { return this.proc?.pid; }

  /** Start (or restart) on the same data directory and node id; resolves once its admin API answers with its id. */
  async start(timeoutMs = 15_000): Promise<void> {
    const n = ++this.incarnation;
    const log = createWriteStream(join(this.dir, `node-${this.id}.${n}.log`));
    const memory = this.extra.includes('--memory'); // contention figures only: never killed then
    const args = [CLI, 'node', '--port', String(this.port), '--ip', '127.0.0.1', ...(memory ? [] : ['--node-id', String(this.id)]),
      ...(memory ? [] : ['--data', join(this.dir, `data-${this.id}`)]), '--admin', `127.0.0.1:${this.admin}`,
      ...this.peers.flatMap((p) => ['--peer', `127.0.0.1:${p}`]), ...this.extra];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.pipe(log); proc.stderr!.pipe(log);
    this.proc = proc;
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (!alive(proc)) throw new Error(`node ${this.id} exited at start (see ${this.dir}/node-${this.id}.${n}.log)`);
      try {
        const r = await fetch(`http://127.0.0.1:${this.admin}/status`, { signal: AbortSignal.timeout(500) });
        if (r.ok && ((await r.json()) as { node: number | null }).node === this.id) break;
      } catch { /* not listening yet */ }
      if (Date.now() > end) throw new Error(`node ${this.id} did not come up in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
    this.state = 'up';
  }

  kill9(): void {
    if (alive(this.proc)) this.proc.kill('SIGKILL');
    this.state = 'killed';
  }

  pause(): void {
    if (alive(this.proc)) this.proc.kill('SIGSTOP');
    this.state = 'paused';
  }

  resume(): void {
    if (alive(this.proc)) this.proc.kill('SIGCONT');
    this.state = 'up';
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!alive(p)) return;
    p.kill('SIGCONT');
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}

/** A real swipl paxos node (in memory, as SWI keeps its ledger): paused and resumed, never killed (it would come back empty). */
export class SwiMember implements Member {
  readonly kind = 'swi' as const;
  readonly admin = undefined;
  state: Member['state'] = 'killed';
  private swi: SwiNode | undefined;
  id = -1;

  constructor(readonly port: number, private readonly peers: readonly number[]) {}

  pid(): number | undefined { return this.swi?.proc.pid; }

  async start(): Promise<void> {
    this.swi = await SwiNode.start(this.port, this.peers);
    this.id = this.swi.node;
    this.state = 'up';
  }

  pause(): void { this.swi?.proc.kill('SIGSTOP'); this.state = 'paused'; }
  resume(): void { this.swi?.proc.kill('SIGCONT'); this.state = 'up'; }
  kill9(): void { throw new Error('an SWI node is never killed in a fault run: it would restart with an empty ledger'); }

  async stop(): Promise<void> {
    if (!this.swi) return;
    this.swi.proc.kill('SIGCONT');
    await this.swi.quit(3000);
  }
}

export function runDir(base: string): string {
  mkdirSync(base, { recursive: true });
  return base;
}
