// A network namespace of the run's own (so its loopback, ports and nftables rules are
// nobody else's), and the nftables rules the nemesis uses inside it: random UDP loss
// and partitions between node ports. Needs root, iproute2 and nftables.
import { execFileSync, spawnSync } from 'node:child_process';

/** Create a fresh namespace with loopback up; any old one of that name is removed first. */
export function createNamespace(name: string): void {
  destroyNamespace(name);
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
}

/** Kill whatever still runs in the namespace, then remove it. */
export function destroyNamespace(name: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' });
  if (pids.status !== 0) return; // no such namespace
  for (const p of pids.stdout.split(/\s+/).filter(Boolean)) {
    try { process.kill(Number(p), 'SIGKILL'); } catch { /* gone already */ }
  }
  spawnSync('ip', ['netns', 'del', name]);
}

/** True when this machine can run the fault tests: root, ip, nft. */
export function canRunFaults(): { ok: true } | { ok: false; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root' };
  for (const [cmd, arg] of [['ip', '-V'], ['nft', '--version']] as const) {
    if (spawnSync(cmd, [arg]).status !== 0) return { ok: false, why: `${cmd} is missing` };
  }
  return { ok: true };
}

export interface Faults {
  /** Probability (0..1) that a UDP datagram between node ports is dropped. */
  readonly drop: number;
  /** Groups of node ports that can only talk within their group; undefined: none. */
  readonly groups?: readonly (readonly number[])[];
}

/**
 * Apply `faults` atomically (one nft transaction) to the current namespace: it must be
 * called from inside the namespace. Only UDP between the given node ports is touched;
 * the admin API (TCP) stays reachable, as a client talking to a cut-off node would.
 */
export function applyFaults(ports: readonly number[], f: Faults): void {
  const set = `{ ${ports.join(', ')} }`;
  const lines = [
    'table inet jepsen {}',
    'delete table inet jepsen',
    'table inet jepsen {',
    // On input, not output: a datagram dropped on output fails the sender's sendto with
    // EPERM (which kills SWI 9.0.4's udp_inbound_proxy thread); on input it is lost as
    // on a real network.
    '  chain in {',
    '    type filter hook input priority 0; policy accept;',
  ];
  if (f.groups) {
    for (const g of f.groups) {
      const others = ports.filter((p) => !g.includes(p));
      if (others.length === 0 || g.length === 0) continue;
      lines.push(`    udp sport { ${g.join(', ')} } udp dport { ${others.join(', ')} } drop`);
    }
  }
  const per10k = Math.round(f.drop * 10_000);
  if (per10k > 0) lines.push(`    udp sport ${set} udp dport ${set} numgen random mod 10000 < ${per10k} drop`);
  lines.push('  }', '}');
  execFileSync('nft', ['-f', '-'], { input: lines.join('\n') + '\n' });
}

export function clearFaults(): void {
  spawnSync('nft', ['delete', 'table', 'inet', 'jepsen']);
}
