// `npm run bench`: every benchmark, one after the other, each in its own process so
// they do not share heap or JIT state. Figures are ratios against baselines measured
// in the same run (swipl doing the same work, JSON.parse/stringify), with the machine.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync } from 'node:fs';

const benches: [string, string[]][] = [
  ['read', ['bench/read.ts', '10']],
  ['write', ['bench/write.ts', '10']],
  ['codec', ['bench/codec.ts', '10']],
  ['store', ['bench/store.ts']],
  ['paxos', ['bench/paxos.ts']],
  ['auth', ['bench/auth.ts']],
  // Next to etcd (scripts/setup installs etcd-server); `npx tsx bench/storage.ts --keys 1000000` adds the 1M-key runs.
  ['storage', ['bench/storage.ts']],
  // Sessions created and expired on a durable node with compaction, next to a node holding only the live ones.
  ['session-churn', ['bench/session-churn.ts', '--sessions', '50000', '--live', '5000', '--compact-grace', '1']],
];

const swipl = spawnSync('swipl', ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
  `Node ${process.version}, ${swipl || 'no swipl'}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const only = process.argv.slice(2);
let failed = 0;
for (const [name, args] of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  if (!existsSync(args[0]!)) continue;
  console.log(`\n## ${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { stdio: 'inherit', timeout: 15 * 60_000 });
  if (r.status !== 0) { failed++; console.log(`(${name} exited with ${r.status ?? r.signal})`); }
}
process.exit(failed > 0 ? 1 : 0);
