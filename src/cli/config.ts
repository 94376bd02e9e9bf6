// Configuration of `prolog-paxos node`: flags over PROLOG_PAXOS_* environment
// variables over a JSON config file (--config FILE) over defaults. Everything is
// validated here, once, into a NodeConfig whose shape admits no contradictions
// (a ledger is either durable in a directory or in memory, never both).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SETTINGS, type Settings } from '../paxos/settings.js';
import { AuthConfigError, type AuthKey, DEFAULT_AUTH_WINDOW_MS, parseKeys } from '../transport/auth.js';
import { type HostPort, UsageError, parseHostPort, parseIPv4, parsePort } from './hostport.js';
import { checkToken, readSecretFile } from './secrets.js';

export type Method = 'unicast' | 'broadcast' | 'multicast';
const METHODS: readonly Method[] = ['unicast', 'broadcast', 'multicast'];

/**
 * The node's settings (library(paxos)'s under SWI's names, and ours), as src/paxos
 * defines them. Unset ones keep the node's defaults (SWI's, for SWI's settings).
 */
export type PaxosSettings = Partial<Settings>;
type SettingName = keyof Settings;
const SETTING_NAMES = Object.keys(DEFAULT_SETTINGS) as SettingName[];
/** max_*: an integer >= 0 (SWI's nonneg type); the others are numbers > 0 (times, rates, scores). */
const SETTINGS: Readonly<Record<SettingName, 'positive' | 'nonneg'>> = Object.fromEntries(
  SETTING_NAMES.map((n) => [n, n.startsWith('max_') ? 'nonneg' : 'positive']),
) as Record<SettingName, 'positive' | 'nonneg'>;

export type LedgerConfig =
  | { readonly kind: 'durable'; readonly dir: string }
  | { readonly kind: 'memory' };

/** The scope's datagrams are signed and checked (src/transport/auth.ts); `from` names the source, never the secret. */
export interface AuthConfig {
  readonly keys: readonly AuthKey[];
  readonly windowMs: number;
  readonly from: string;
}

/** PEM texts for the admin API over HTTPS. */
export interface TlsConfig {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
}

export interface NodeConfig {
  readonly method: Method;
  /** The address this node's UDP transport binds and announces. */
  readonly ip: string;
  readonly port: number;
  readonly peers: readonly HostPort[];
  /** Unicast: hear only the listed peers (SWI's way); else a stranger speaking paxos becomes a peer. */
  readonly fixedPeers: boolean;
  readonly scope: string;
  /** A fixed node id to rejoin with (paxos_initialize([node(Id)])), else discovered. */
  readonly nodeId: number | undefined;
  readonly ledger: LedgerConfig;
  readonly admin: HostPort;
  readonly verbose: boolean;
  readonly settings: PaxosSettings;
  readonly auth: AuthConfig | undefined;
  /** Bearer token every admin request must carry, when set. */
  readonly adminToken: string | undefined;
  readonly adminTls: TlsConfig | undefined;
  /** Said once at start (e.g. a key file others can read). */
  readonly warnings: readonly string[];
  /** Run as a learner: follow the quorum without voting (docs/learners.md). */
  readonly learner: boolean;
  /** Text above U+00FF: refused at once (SWI 9.0.4 peers cannot carry it) or sent escaped (src/transport/framing.ts). */
  readonly wideText: WideText;
}

export type WideText = 'refuse' | 'escape';
const WIDE_TEXT: readonly WideText[] = ['refuse', 'escape'];

export const DEFAULT_UDP_PORT = 20005; // udp_broadcast's default
export const DEFAULT_ADMIN: HostPort = { host: '127.0.0.1', port: 20080 };
export const ENV_PREFIX = 'PROLOG_PAXOS_';

/** Raw values before validation, all as the user spelled them. */
interface Raw {
  method?: string;
  ip?: string;
  port?: string;
  peers?: string[];
  fixedPeers?: boolean;
  scope?: string;
  nodeId?: string;
  data?: string;
  memory?: boolean;
  admin?: string;
  verbose?: boolean;
  settings: Partial<Record<SettingName, string>>;
  /** A secret comes from a file or, from the environment only, inline; the higher level wins whole. */
  authKeys?: Secret;
  authWindow?: string;
  adminToken?: Secret;
  adminTlsCert?: string;
  adminTlsKey?: string;
  learner?: boolean;
  wideText?: string;
}

type Secret = { readonly file: string } | { readonly inline: string; readonly from: string };

const kebab = (s: string): string => s.replace(/_/g, '-');

const FLAG_OPTIONS = {
  config: { type: 'string' },
  method: { type: 'string' },
  ip: { type: 'string' },
  port: { type: 'string' },
  peer: { type: 'string', multiple: true },
  'fixed-peers': { type: 'boolean' },
  scope: { type: 'string' },
  'node-id': { type: 'string' },
  data: { type: 'string' },
  memory: { type: 'boolean' },
  admin: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  'auth-key-file': { type: 'string' },
  'auth-window': { type: 'string' },
  'admin-token-file': { type: 'string' },
  'admin-tls-cert': { type: 'string' },
  'admin-tls-key': { type: 'string' },
  learner: { type: 'boolean' },
  'wide-text': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries(SETTING_NAMES.map((n) => [kebab(n), { type: 'string' }])),
} as const;

/** One help line per paxos setting: flag, default with its unit, meaning (src/paxos/settings.ts). */
const SETTING_MEANING: Readonly<Record<SettingName, readonly [unit: 's' | '' | '/s', meaning: string]>> = {
  max_sets: ['', 'attempts of a set before it gives up'],
  max_gets: ['', 'attempts of a quorum read before it gives up'],
  response_timeout: ['s', 'how long a round waits for answers'],
  replication_rate: ['/s', 'keys the replicator copies per second'],
  death_half_life: ['s', 'half-life of a node\'s failure score'],
  death_score: ['', 'failure score at which a node counts as dead'],
  join_timeout: ['s', 'wait for node/3 and claim_node/2 answers when joining'],
  join_grace: ['s', 'least wait for node/3 answers, so peers starting too are seen'],
  set_backoff: ['s', 'first backoff after a failed set attempt (doubles, jittered)'],
  set_backoff_max: ['s', 'largest backoff'],
  membership_interval: ['s', 'period of the membership check and replication wake-up'],
  dead_release: ['s', 'a dead node id is released for reuse after this long'],
  max_membership_sets: ['', 'sets tried for one membership update'],
  compact_grace: ['s', 'drop a tombstone all voters held this long (0: off; docs/paxos-departures.md)'],
};
const SETTING_HELP = SETTING_NAMES.map((n) => {
  const [unit, meaning] = SETTING_MEANING[n];
  const flag = `  --${kebab(n)} ${unit === 's' ? 'SECONDS' : 'N'}`;
  const text = `${meaning} (default ${DEFAULT_SETTINGS[n]}${unit === 's' ? ' s' : ''})`;
  return flag.length < 26 ? flag.padEnd(26) + text : `${flag}\n${' '.repeat(26)}${text}`;
}).join('\n');

export const NODE_USAGE = `usage: prolog-paxos node [options]
  --method unicast|broadcast|multicast   UDP style (default unicast)
  --ip IP                 unicast: address to bind (default 127.0.0.1); broadcast: this
                          host's address on the subnet; multicast: the group
  --port PORT             UDP port (default ${DEFAULT_UDP_PORT})
  --peer HOST:PORT        a unicast peer; repeatable. One running node of ours is enough
                          (a seed): it adds this node and tells the others. SWI nodes
                          hear only the peers they list: list every node on each
  --fixed-peers           unicast: hear only the listed peers; strangers are not added
  --scope NAME            udp_broadcast scope (default paxos)
  --node-id N             rejoin with this node id (durable nodes should fix it)
  --data DIR              durable ledger directory (default ./paxos-data)
  --memory                keep the ledger in memory only
  --learner               follow the quorum without voting (promote it later); see docs/learners.md
  --wide-text refuse|escape
                          characters above U+00FF: refused at once (default; SWI 9.0.4
                          peers cannot carry them) or sent as \\x20AC\\ escapes (every
                          node must say so; SWI peers load prolog/paxos_text.pl)
  --admin HOST:PORT       admin API address (default ${DEFAULT_ADMIN.host}:${DEFAULT_ADMIN.port})
  --auth-key-file FILE    authenticate every datagram: FILE has one or two lines
                          "ID SECRET" (the first signs, both verify); see docs/security.md
  --auth-window SECONDS   largest clock distance of a signed datagram (default ${DEFAULT_AUTH_WINDOW_MS / 1000})
  --admin-token-file FILE every admin request must carry "Authorization: Bearer <FILE's token>"
  --admin-tls-cert FILE, --admin-tls-key FILE
                          serve the admin API over HTTPS (PEM certificate and key)
  --config FILE           JSON file of options; its keys are camelCase, not the flags:
                          {"port": 20006, "peers": ["h:p", "h:p"], "nodeId": 1, "data": "DIR",
                          "fixedPeers": true, "authKeyFile": "F", "response_timeout": 0.05}
                          (peers an array for --peer; settings by SWI name, or under "settings")
  --verbose, -v           log protocol traffic
library(paxos) settings (SWI 9.0.4's names and defaults; the last eight are ours):
${SETTING_HELP}
Environment: PROLOG_PAXOS_<OPTION> (e.g. PROLOG_PAXOS_PORT, PROLOG_PAXOS_PEERS=h:p,h:p,
PROLOG_PAXOS_RESPONSE_TIMEOUT); flags win over the environment, which wins over --config.
Secrets are never flag values (argv is visible to all users): PROLOG_PAXOS_AUTH_KEYS
("ID SECRET", comma-separated) and PROLOG_PAXOS_ADMIN_TOKEN may hold them instead of files.`;

export type NodeArgs = { readonly help: true } | { readonly help: false; readonly config: NodeConfig };

/** Build the node's configuration; throws UsageError on anything invalid. */
export function nodeConfig(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): NodeArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: FLAG_OPTIONS, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (v.help) return { help: true };

  const fromFlags: Raw = {
    method: v.method as string | undefined,
    ip: v.ip as string | undefined,
    port: v.port as string | undefined,
    peers: v.peer as string[] | undefined,
    fixedPeers: v['fixed-peers'] as boolean | undefined,
    scope: v.scope as string | undefined,
    nodeId: v['node-id'] as string | undefined,
    data: v.data as string | undefined,
    memory: v.memory as boolean | undefined,
    admin: v.admin as string | undefined,
    verbose: v.verbose as boolean | undefined,
    settings: Object.fromEntries(
      SETTING_NAMES.filter((n) => v[kebab(n)] !== undefined).map((n) => [n, v[kebab(n)] as string]),
    ),
    authKeys: v['auth-key-file'] === undefined ? undefined : { file: v['auth-key-file'] as string },
    authWindow: v['auth-window'] as string | undefined,
    adminToken: v['admin-token-file'] === undefined ? undefined : { file: v['admin-token-file'] as string },
    adminTlsCert: v['admin-tls-cert'] as string | undefined,
    adminTlsKey: v['admin-tls-key'] as string | undefined,
    learner: v.learner as boolean | undefined,
    wideText: v['wide-text'] as string | undefined,
  };
  const configFile = (v.config as string | undefined) ?? env[`${ENV_PREFIX}CONFIG`];
  const fromFile = configFile === undefined ? { settings: {} } : readConfigFile(resolve(cwd, configFile));
  const raw = merge(merge(fromFile, fromEnv(env)), fromFlags);
  return { help: false, config: validate(raw, cwd) };
}

function merge(low: Raw, high: Raw): Raw {
  const out: Raw = { ...low, settings: { ...low.settings } };
  for (const [k, val] of Object.entries(high) as [keyof Raw, unknown][]) {
    if (k === 'settings') Object.assign(out.settings, high.settings);
    else if (val !== undefined) (out as unknown as Record<string, unknown>)[k] = val;
  }
  return out;
}

function fromEnv(env: NodeJS.ProcessEnv): Raw {
  const get = (name: string): string | undefined => {
    const x = env[ENV_PREFIX + name];
    return x === undefined || x === '' ? undefined : x;
  };
  const bool = (name: string): boolean | undefined => {
    const x = get(name);
    if (x === undefined) return undefined;
    if (/^(1|true|yes|on)$/i.test(x)) return true;
    if (/^(0|false|no|off)$/i.test(x)) return false;
    throw new UsageError(`${ENV_PREFIX}${name}: expected true or false, got ${x}`);
  };
  const peers = get('PEERS') ?? get('PEER');
  const secret = (fileVar: string, inlineVar: string): Secret | undefined => {
    const file = get(fileVar);
    const inline = get(inlineVar);
    if (file !== undefined && inline !== undefined) throw new UsageError(`${ENV_PREFIX}${fileVar} and ${ENV_PREFIX}${inlineVar} exclude each other`);
    return file !== undefined ? { file } : inline !== undefined ? { inline, from: ENV_PREFIX + inlineVar } : undefined;
  };
  return {
    method: get('METHOD'),
    ip: get('IP'),
    port: get('PORT'),
    peers: peers?.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    fixedPeers: bool('FIXED_PEERS'),
    scope: get('SCOPE'),
    nodeId: get('NODE_ID'),
    data: get('DATA'),
    memory: bool('MEMORY'),
    admin: get('ADMIN'),
    verbose: bool('VERBOSE'),
    settings: Object.fromEntries(
      SETTING_NAMES.filter((n) => get(n.toUpperCase()) !== undefined).map((n) => [n, get(n.toUpperCase())!]),
    ),
    authKeys: secret('AUTH_KEY_FILE', 'AUTH_KEYS'),
    authWindow: get('AUTH_WINDOW'),
    adminToken: secret('ADMIN_TOKEN_FILE', 'ADMIN_TOKEN'),
    adminTlsCert: get('ADMIN_TLS_CERT'),
    adminTlsKey: get('ADMIN_TLS_KEY'),
    learner: bool('LEARNER'),
    wideText: get('WIDE_TEXT'),
  };
}

const FILE_KEYS = new Set([
  'method', 'ip', 'port', 'peers', 'fixedPeers', 'scope', 'nodeId', 'data', 'memory', 'admin', 'verbose', 'settings',
  'authKeyFile', 'authWindow', 'adminTokenFile', 'adminTlsCert', 'adminTlsKey', 'adminCa', 'learner', 'wideText', ...SETTING_NAMES,
]);

/** The config file: a JSON object with the options above (peers an array), settings at top level or under "settings". */
function readConfigFile(path: string): Raw {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--config ${path}: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new UsageError(`--config ${path}: expected a JSON object`);
  }
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FILE_KEYS.has(k)) throw new UsageError(`--config ${path}: unknown option ${k}`);
  const text = (k: string): string | undefined => {
    const x = o[k];
    if (x === undefined) return undefined;
    if (typeof x === 'string' || typeof x === 'number') return String(x);
    throw new UsageError(`--config ${path}: ${k} must be a string or number`);
  };
  const flag = (k: string): boolean | undefined => {
    const x = o[k];
    if (x === undefined || typeof x === 'boolean') return x;
    throw new UsageError(`--config ${path}: ${k} must be true or false`);
  };
  let peers: string[] | undefined;
  if (o.peers !== undefined) {
    if (!Array.isArray(o.peers) || !o.peers.every((p) => typeof p === 'string')) {
      throw new UsageError(`--config ${path}: peers must be an array of "HOST:PORT" strings`);
    }
    peers = o.peers as string[];
  }
  const nested = o.settings ?? {};
  if (typeof nested !== 'object' || nested === null || Array.isArray(nested)) {
    throw new UsageError(`--config ${path}: settings must be an object`);
  }
  const settings: Partial<Record<SettingName, string>> = {};
  for (const [k, x] of [...Object.entries(nested), ...SETTING_NAMES.map((n) => [n, o[n]] as const)]) {
    if (x === undefined) continue;
    if (!(k in SETTINGS)) throw new UsageError(`--config ${path}: unknown paxos setting ${k}`);
    if (typeof x !== 'number' && typeof x !== 'string') throw new UsageError(`--config ${path}: ${k} must be a number`);
    settings[k as SettingName] = String(x);
  }
  return {
    method: text('method'), ip: text('ip'), port: text('port'), peers, fixedPeers: flag('fixedPeers'), scope: text('scope'),
    nodeId: text('nodeId'), data: text('data'), memory: flag('memory'), admin: text('admin'),
    verbose: flag('verbose'), settings,
    authKeys: text('authKeyFile') === undefined ? undefined : { file: text('authKeyFile')! },
    authWindow: text('authWindow'),
    adminToken: text('adminTokenFile') === undefined ? undefined : { file: text('adminTokenFile')! },
    adminTlsCert: text('adminTlsCert'), adminTlsKey: text('adminTlsKey'),
    learner: flag('learner'),
    wideText: text('wideText'),
  };
}

function validate(raw: Raw, cwd: string): NodeConfig {
  const method = (raw.method ?? 'unicast') as Method;
  if (!METHODS.includes(method)) throw new UsageError(`--method: expected one of ${METHODS.join(', ')}, got ${raw.method}`);
  // --ip is what udp_broadcast_initialize/2 takes first: the address to bind (unicast),
  // this host's address on the subnet (broadcast), or the group (multicast).
  if (method === 'multicast' && raw.ip === undefined) throw new UsageError('--method multicast needs --ip GROUP (224.0.0.0-239.255.255.255)');
  const ip = parseIPv4(raw.ip ?? '127.0.0.1', '--ip');
  if (method === 'multicast' && !/^(22[4-9]|23\d)\./.test(ip)) throw new UsageError(`--ip: ${ip} is not a multicast group`);
  const port = raw.port === undefined ? DEFAULT_UDP_PORT : parsePort(raw.port, '--port');
  const peers = (raw.peers ?? []).map((p) => {
    const hp = parseHostPort(p, '--peer');
    parseIPv4(hp.host, '--peer'); // udp_broadcast peers are ip(A,B,C,D):Port
    return hp;
  });
  const scope = raw.scope ?? 'paxos';
  if (!/^[a-z][A-Za-z0-9_]*$/.test(scope)) throw new UsageError(`--scope: expected a plain Prolog atom, got ${scope}`);
  let nodeId: number | undefined;
  if (raw.nodeId !== undefined) {
    // Ids are bit positions in the quorum bitmaps: small non-negative integers.
    if (!/^\d{1,4}$/.test(raw.nodeId) || Number(raw.nodeId) > 1023) {
      throw new UsageError(`--node-id: expected a small non-negative integer, got ${raw.nodeId}`);
    }
    nodeId = Number(raw.nodeId);
  }
  if (raw.memory && raw.data !== undefined) throw new UsageError('--memory and --data exclude each other');
  // A fixed id says "I am that member again", with its votes: a memory ledger has none
  // after a restart, and reusing the id would let a lost vote count (docs/consistency.md).
  if (raw.memory && nodeId !== undefined) throw new UsageError('--node-id needs a durable ledger (--data): a memory node restarts without its votes and must come back under a new id');
  const ledger: LedgerConfig = raw.memory
    ? { kind: 'memory' }
    : { kind: 'durable', dir: resolve(cwd, raw.data ?? 'paxos-data') };
  const admin = raw.admin === undefined ? DEFAULT_ADMIN : parseHostPort(raw.admin, '--admin', DEFAULT_ADMIN.host, true);
  const settings: Partial<Record<SettingName, number>> = {};
  for (const n of SETTING_NAMES) {
    const x = raw.settings[n];
    if (x === undefined) continue;
    const num = Number(x);
    const ok = SETTINGS[n] === 'nonneg' ? /^\d+$/.test(x.trim()) : x.trim() !== '' && Number.isFinite(num) && num > 0;
    if (!ok) throw new UsageError(`--${kebab(n)}: expected ${SETTINGS[n] === 'nonneg' ? 'an integer >= 0' : 'a number > 0'}, got ${x}`);
    settings[n] = num;
  }
  const warnings: string[] = [];
  const secretText = (s: Secret, what: string): { text: string; from: string } => {
    if ('inline' in s) return { text: s.inline, from: s.from };
    const path = resolve(cwd, s.file);
    const r = readSecretFile(path, what);
    if (r.warning) warnings.push(r.warning);
    return { text: r.text, from: path };
  };
  let auth: AuthConfig | undefined;
  if (raw.authKeys !== undefined) {
    const { text, from } = secretText(raw.authKeys, '--auth-key-file');
    let keys: AuthKey[];
    try {
      keys = parseKeys(text, from);
    } catch (e) {
      if (e instanceof AuthConfigError) throw new UsageError(e.message);
      throw e;
    }
    let windowMs = DEFAULT_AUTH_WINDOW_MS;
    if (raw.authWindow !== undefined) {
      const w = Number(raw.authWindow);
      if (raw.authWindow.trim() === '' || !Number.isFinite(w) || w <= 0) throw new UsageError(`--auth-window: expected seconds > 0, got ${raw.authWindow}`);
      windowMs = Math.round(w * 1000);
    }
    auth = { keys, windowMs, from };
  } else if (raw.authWindow !== undefined) {
    throw new UsageError('--auth-window needs keys (--auth-key-file or PROLOG_PAXOS_AUTH_KEYS)');
  }
  const adminToken = raw.adminToken === undefined ? undefined : checkToken(secretText(raw.adminToken, '--admin-token-file').text, 'admin token');
  if ((raw.adminTlsCert === undefined) !== (raw.adminTlsKey === undefined)) throw new UsageError('--admin-tls-cert and --admin-tls-key go together');
  let adminTls: TlsConfig | undefined;
  if (raw.adminTlsCert !== undefined) {
    const certFile = resolve(cwd, raw.adminTlsCert);
    const cert = readPem(certFile, '--admin-tls-cert');
    const key = secretText({ file: raw.adminTlsKey! }, '--admin-tls-key').text;
    adminTls = { cert, key, certFile };
  }
  const wideText = (raw.wideText ?? 'refuse') as WideText;
  if (!WIDE_TEXT.includes(wideText)) throw new UsageError(`--wide-text: expected refuse or escape, got ${raw.wideText}`);
  return {
    method, ip, port, peers, fixedPeers: raw.fixedPeers ?? false, scope, nodeId, ledger, admin, verbose: raw.verbose ?? false, settings,
    auth, adminToken, adminTls, warnings, learner: raw.learner ?? false, wideText,
  };
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
