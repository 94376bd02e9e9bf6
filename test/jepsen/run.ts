// One Jepsen-style run, inside its own network namespace (launch.ts puts it there):
// real node processes, concurrent HTTP clients on a few keys through the admin API,
// and a seeded nemesis (random UDP loss and partitions by nftables, SIGKILL and
// restart on the same data directory and node id, SIGSTOP/SIGCONT). Then every fault
// heals, the run waits for every node to agree, and the history is checked:
// per-key linearizability of sets and quorum reads (timed-out sets indeterminate),
// local reads never showing a value that was not chosen, no acknowledged write lost.
// Usage: node --import tsx test/jepsen/run.ts '<RunOptions as JSON>'; the result is
// the last line of stdout, as JSON.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../../src/util/prng.js';
import { type HistoryOp, checkRegisters, explain, formatOps } from '../support/linearizability.js';
import { applyFaults, clearFaults } from './netns.js';
import { httpGet, httpSet } from './client.js';
import { type Member, OurMember, SwiMember } from './processes.js';

export interface RunOptions {
  readonly seed: number;
  /** Members of the cluster, ours and SWI's together. */
  readonly nodes: number;
  /** How many of them are swipl nodes (clients never talk to those; they are never killed). */
  readonly swi?: number;
  readonly seconds: number;
  readonly clients?: number;
  readonly keys?: number;
  /** false: a clean network, for the contention figures. */
  readonly faults?: boolean;
  /** First UDP port; admin ports are 1000 above. */
  readonly basePort?: number;
  /** Extra `prolog-paxos node` flags (e.g. paxos settings) for our nodes. */
  readonly nodeFlags?: readonly string[];
  /** A client gives up on an operation after this long; a set is then indeterminate. */
  readonly clientTimeoutMs?: number;
}

export interface RunResult {
  readonly seed: number;
  readonly options: RunOptions;
  readonly ops: { sets: number; acked: number; rejected: number; unknown: number; quorumReads: number; localReads: number; failedReads: number };
  /** Fault events, in order, for the report. */
  readonly nemesis: string[];
  readonly violations: string[];
  /** Local reads that returned a value no set could have written (a rejected set's, or none at all). */
  readonly phantoms: string[];
  /** Acknowledged sets whose value is older, in real time, than what every node agreed on at the end. */
  readonly lost: string[];
  /** Killed nodes that did not come back up within 60 s of their restart. */
  readonly notRestarted: string[];
  readonly converged: boolean;
  /** From the end of the last fault until every node agreed on every key (quorum and local reads). */
  readonly convergeMs: number;
  /** Latency of acknowledged sets, ms. */
  readonly setMs: { p50: number; p99: number; max: number };
  readonly quorumReadMs: { p50: number; p99: number };
  /** How our nodes' set attempts ended (their paxos_set_attempt_results_total), summed; membership sets included. */
  readonly attempts: Readonly<Record<string, number>>;
  /** Why sets were not acknowledged, with counts. */
  readonly failures: string[];
  readonly dir: string;
}

const now = (): number => performance.now() / 1000;

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

export async function run(o: RunOptions): Promise<RunResult> {
  const rnd = mulberry32(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const base = o.basePort ?? 47000;
  const nSwi = o.swi ?? 0;
  const ports = Array.from({ length: o.nodes }, (_, i) => base + i);
  const dir = mkdtempSync(join(tmpdir(), `jepsen-${o.seed}-`));
  const members: Member[] = [];
  const ours: OurMember[] = [];
  const stopAll = async (): Promise<void> => { await Promise.all(members.map((m) => m.stop().catch(() => {}))); };
  process.once('exit', () => { for (const m of members) { const p = m.pid(); if (p) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } } });
  const tmo = o.clientTimeoutMs ?? 2000;
  const nemesis: string[] = [];
  const history: HistoryOp[] = [];
  const local: HistoryOp[] = [];
  let failedReads = 0;
  const notRestarted: string[] = [];
  try {
    clearFaults();
    // Ours first, with fixed ids 0..k-1 (the first founds the cluster), then SWI's.
    for (let i = 0; i < o.nodes - nSwi; i++) {
      const m = new OurMember(i, ports[i]!, ports[i]! + 1000, ports, dir, o.nodeFlags);
      members.push(m); ours.push(m);
      await m.start();
    }
    for (let i = o.nodes - nSwi; i < o.nodes; i++) {
      const m = new SwiMember(ports[i]!, ports);
      members.push(m);
      await m.start();
    }
    await new Promise((r) => setTimeout(r, 500));
    const keys = Array.from({ length: o.keys ?? 4 }, (_, i) => `k(${i})`);
    const t0 = now();
    const end = t0 + o.seconds;
    const at = (): string => (now() - t0).toFixed(3);

    // ------------------------------------------------------------ clients
    const client = async (c: number): Promise<void> => {
      let seq = 0;
      while (now() < end) {
        const m = pick(ours);
        const key = pick(keys);
        const x = rnd();
        const who = `client ${c} on node ${m.id}`;
        const invoke = now();
        if (x < 0.45) {
          const value = `v(${c},${seq++})`;
          let reason = '';
          const outcome = await httpSet(m, key, value, tmo, (s) => { reason = s; });
          history.push({ key, kind: 'write', value, invoke, complete: now(), outcome, who: reason ? `${who}: ${reason}` : who });
        } else {
          const quorum = x < 0.8;
          const r = await httpGet(m, key, quorum, tmo);
          if (!r.ok) failedReads++;
          else (quorum ? history : local).push({ key, kind: 'read', value: r.value, invoke, complete: now(), outcome: 'ok', who });
        }
      }
    };

    // ------------------------------------------------------------ nemesis
    const restarts: Promise<void>[] = [];
    let drop = 0;
    let groups: number[][] | undefined;
    const apply = (): void => applyFaults(ports, { drop, ...(groups && { groups }) });
    const minority = Math.floor((o.nodes - 1) / 2);
    // Every kind of fault comes up once per round, in a seeded order, so a run of a
    // dozen seconds or more has seen each.
    const KINDS = ['drop', 'isolate', 'partition', 'heal', 'kill', 'pause'] as const;
    let bag: (typeof KINDS)[number][] = [];
    const nextKind = (): (typeof KINDS)[number] => {
      if (bag.length === 0) bag = [...KINDS].sort(() => rnd() - 0.5);
      return bag.pop()!;
    };
    const nemesisLoop = async (): Promise<void> => {
      if (o.faults === false) return;
      while (now() < end - 0.5) {
        await new Promise((r) => setTimeout(r, 500 + rnd() * 2000));
        if (now() >= end - 0.5) break;
        const kind = nextKind();
        const busy = members.filter((m) => m.state !== 'up').length;
        if (kind === 'drop') {
          drop = rnd() * 0.05;
          apply();
          nemesis.push(`${at()} drop ${(drop * 100).toFixed(1)}%`);
        } else if (kind === 'isolate') {
          const cut = pick(ports);
          groups = [[cut], ports.filter((p) => p !== cut)];
          apply();
          nemesis.push(`${at()} isolate port ${cut}`);
        } else if (kind === 'partition') {
          const shuffled = [...ports].sort(() => rnd() - 0.5);
          const k = 1 + Math.floor(rnd() * minority);
          groups = [shuffled.slice(0, k), shuffled.slice(k)];
          apply();
          nemesis.push(`${at()} partition ${JSON.stringify(groups)}`);
        } else if (kind === 'heal') {
          groups = undefined; drop = 0;
          apply();
          nemesis.push(`${at()} heal network`);
        } else if (kind === 'kill') {
          // At most a minority is down or stopped at once, so the cluster can make progress.
          const up = ours.filter((y) => y.state === 'up');
          if (busy >= minority || up.length === 0) { bag.unshift(kind); continue; }
          const m = pick(up);
          m.kill9();
          const downMs = 300 + rnd() * 2500;
          nemesis.push(`${at()} kill -9 node ${m.id} for ${downMs.toFixed(0)} ms`);
          restarts.push((async () => {
            await new Promise((r) => setTimeout(r, downMs));
            // Under a partition the restarted node may wait long for its quorum: a node
            // that does not come back at all is reported, not a crash of the run.
            try {
              await m.start(60_000);
              nemesis.push(`${at()} node ${m.id} restarted`);
            } catch (e) {
              notRestarted.push(`${at()} node ${m.id}: ${(e as Error).message}`);
            }
          })());
        } else {
          const up = members.filter((y) => y.state === 'up');
          if (busy >= minority || up.length === 0) { bag.unshift(kind); continue; }
          const m = pick(up);
          m.pause();
          const ms = 300 + rnd() * 2500;
          nemesis.push(`${at()} SIGSTOP ${m.kind} node ${m.id} for ${ms.toFixed(0)} ms`);
          restarts.push((async () => {
            await new Promise((r) => setTimeout(r, ms));
            m.resume();
            nemesis.push(`${at()} SIGCONT node ${m.id}`);
          })());
        }
      }
    };

    await Promise.all([...Array.from({ length: o.clients ?? 5 }, (_, c) => client(c)), nemesisLoop()]);
    // Heal everything: network, pauses, restarts.
    groups = undefined; drop = 0;
    clearFaults();
    for (const m of members) if (m.state === 'paused') m.resume();
    await Promise.all(restarts);
    const healed = now();
    nemesis.push(`${at()} all healed`);

    // ------------------------------------------------------------ convergence
    let converged = false;
    let final: HistoryOp[] = [];
    while (!converged && now() - healed < 30) {
      final = [];
      let agree = true;
      for (const key of keys) {
        let seen: string | null | undefined;
        for (const m of ours) {
          const invoke = now();
          const q = await httpGet(m, key, true, tmo);
          const l = await httpGet(m, key, false, tmo);
          if (!q.ok || !l.ok) { agree = false; continue; }
          final.push({ key, kind: 'read', value: q.value, invoke, complete: now(), outcome: 'ok', who: `final read on node ${m.id}` });
          if (seen === undefined) seen = q.value;
          if (q.value !== seen || l.value !== seen) agree = false;
        }
      }
      converged = agree;
      if (!converged) await new Promise((r) => setTimeout(r, 100));
    }
    const convergeMs = (now() - healed) * 1000;
    history.push(...final);

    // ------------------------------------------------------------ checks
    const violations: string[] = [];
    for (const v of checkRegisters(history)) {
      if (v.result === 'linearizable') continue;
      violations.push(`${v.key}: ${v.result}\n${formatOps(explain(v.key, history.filter((x) => x.key === v.key)))}`);
    }
    const writes = history.filter((x) => x.kind === 'write');
    const couldBe = new Set(writes.filter((w) => w.outcome !== 'fail').map((w) => `${w.key}=${w.value}`));
    const phantoms = local.filter((r) => r.value !== null && !couldBe.has(`${r.key}=${r.value}`))
      .map((r) => `${r.invoke.toFixed(3)} local read of ${r.key} -> ${r.value} [${r.who}]`);
    const lost: string[] = [];
    for (const key of keys) {
      const f = final.find((x) => x.key === key)?.value;
      if (f === undefined) continue;
      const wf = writes.find((w) => w.key === key && w.value === f);
      const fDone = wf === undefined ? -Infinity : wf.outcome === 'ok' ? wf.complete : Infinity;
      for (const w of writes) {
        if (w.key === key && w.outcome === 'ok' && w.invoke > fDone) lost.push(`${key}: ${w.value} acknowledged at ${w.complete.toFixed(3)}, final value ${f}`);
      }
    }
    // How our nodes' set attempts ended, from their /metrics.
    const attempts: Record<string, number> = {};
    for (const m of ours) {
      try {
        const text = await (await fetch(`http://127.0.0.1:${m.admin}/metrics`, { signal: AbortSignal.timeout(tmo) })).text();
        for (const mm of text.matchAll(/^paxos_set_attempt_results_total\{[^}]*result="(\w+)"[^}]*\} (\d+)/gm)) attempts[mm[1]!] = (attempts[mm[1]!] ?? 0) + Number(mm[2]);
      } catch { /* a node that does not answer adds nothing */ }
    }
    const setLat = writes.filter((w) => w.outcome === 'ok').map((w) => (w.complete - w.invoke) * 1000);
    const qLat = history.filter((x) => x.kind === 'read' && !x.who?.startsWith('final')).map((x) => (x.complete - x.invoke) * 1000);
    return {
      seed: o.seed, options: o,
      ops: {
        sets: writes.length, acked: setLat.length,
        rejected: writes.filter((w) => w.outcome === 'fail').length, unknown: writes.filter((w) => w.outcome === 'unknown').length,
        quorumReads: qLat.length, localReads: local.length, failedReads,
      },
      nemesis, violations, phantoms, lost, converged, convergeMs, attempts, notRestarted,
      setMs: { p50: pct(setLat, 0.5), p99: pct(setLat, 0.99), max: pct(setLat, 1) },
      quorumReadMs: { p50: pct(qLat, 0.5), p99: pct(qLat, 0.99) },
      failures: Object.entries(writes.filter((w) => w.outcome !== 'ok').reduce<Record<string, number>>((acc, w) => {
        const r = (w.who ?? '').replace(/^[^:]*: /, '').replace(/k\(\d+\)/, 'K');
        acc[r] = (acc[r] ?? 0) + 1; return acc;
      }, {})).map(([r, n]) => `${n} ${r}`),
      dir,
    };
  } finally {
    clearFaults();
    await stopAll();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const o = JSON.parse(process.argv[2] ?? '{}') as RunOptions;
  run(o).then((r) => {
    process.stdout.write('\n' + JSON.stringify(r) + '\n');
    process.exit(0);
  }, (e: unknown) => {
    process.stderr.write(`jepsen run failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
