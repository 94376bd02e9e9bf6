// Which admin API a client command talks to, and how: its address (HOST:PORT or an
// http(s):// URL), its bearer token and the CA that signed its certificate. Each from
// a flag, else the environment, else the node's --config file (PROLOG_PAXOS_CONFIG),
// else the default; the token never from a flag's value (see secrets.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_ADMIN, ENV_PREFIX } from './config.js';
import { type HostPort, UsageError, parseHostPort } from './hostport.js';
import { checkToken, readSecretFile } from './secrets.js';

export interface AdminTarget extends HostPort {
  readonly tls: boolean;
  readonly token?: string;
  /** PEM text of the CA to trust (else the system's). */
  readonly ca?: string;
}

/** The flags every client command takes (parseArgs options). */
export const TARGET_FLAGS = {
  admin: { type: 'string' },
  'admin-token-file': { type: 'string' },
  'admin-ca': { type: 'string' },
  config: { type: 'string' },
} as const;

export const TARGET_USAGE = '[--admin HOST:PORT|https://HOST:PORT] [--admin-token-file FILE] [--admin-ca FILE] [--config FILE]';

export interface TargetFlags {
  readonly admin?: string;
  readonly 'admin-token-file'?: string;
  readonly 'admin-ca'?: string;
  readonly config?: string;
}

interface FromFile { admin?: string; tokenFile?: string; ca?: string; tls: boolean }

export function adminTarget(flags: TargetFlags, env: NodeJS.ProcessEnv, cwd: string): { target: AdminTarget; warnings: string[] } {
  const get = (name: string): string | undefined => {
    const x = env[ENV_PREFIX + name];
    return x === undefined || x === '' ? undefined : x;
  };
  const configPath = flags.config ?? get('CONFIG');
  const file: FromFile = configPath === undefined ? { tls: false } : readClientConfig(resolve(cwd, configPath));
  const warnings: string[] = [];

  const text = flags.admin ?? get('ADMIN') ?? file.admin;
  let tls = false;
  let scheme: string | undefined;
  let address: HostPort = DEFAULT_ADMIN;
  if (text !== undefined) {
    const m = /^(https?):\/\/([^/]+)\/?$/i.exec(text);
    if (m) {
      scheme = m[1]!.toLowerCase();
      tls = scheme === 'https';
      address = parseHostPort(m[2]!, '--admin', DEFAULT_ADMIN.host);
    } else {
      if (/:\/\//.test(text)) throw new UsageError(`--admin: expected HOST:PORT, http://HOST:PORT or https://HOST:PORT, got ${text}`);
      address = parseHostPort(text, '--admin', DEFAULT_ADMIN.host);
      // A bare address read from a node's config that serves TLS is that node's HTTPS API.
      tls = text === file.admin && file.tls;
    }
  }

  let token: string | undefined;
  const tokenFile = flags['admin-token-file'] ?? get('ADMIN_TOKEN_FILE');
  const inline = flags['admin-token-file'] === undefined ? get('ADMIN_TOKEN') : undefined;
  if (tokenFile !== undefined && inline !== undefined) throw new UsageError(`${ENV_PREFIX}ADMIN_TOKEN_FILE and ${ENV_PREFIX}ADMIN_TOKEN exclude each other`);
  const fromFile = tokenFile ?? (inline === undefined ? file.tokenFile : undefined);
  if (inline !== undefined) token = checkToken(inline, `${ENV_PREFIX}ADMIN_TOKEN`);
  else if (fromFile !== undefined) {
    const r = readSecretFile(resolve(cwd, fromFile), '--admin-token-file');
    if (r.warning) warnings.push(r.warning);
    token = checkToken(r.text, `--admin-token-file ${fromFile}`);
  }

  const caFile = flags['admin-ca'] ?? get('ADMIN_CA') ?? file.ca;
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(resolve(cwd, caFile), 'utf8');
    } catch (e) {
      throw new UsageError(`--admin-ca ${caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (scheme === 'http') throw new UsageError('--admin-ca is for an https:// admin address');
    tls = true;
  }
  return { target: { ...address, tls, ...(token !== undefined && { token }), ...(ca !== undefined && { ca }) }, warnings };
}

/** The admin keys of a node's config file; the node's other keys are its own business. */
function readClientConfig(path: string): FromFile {
  let o: unknown;
  try {
    o = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--config ${path}: ${(e as Error).message}`);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new UsageError(`--config ${path}: expected a JSON object`);
  const r = o as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const x = r[k];
    if (x === undefined) return undefined;
    if (typeof x === 'string' || typeof x === 'number') return String(x);
    throw new UsageError(`--config ${path}: ${k} must be a string`);
  };
  const out: FromFile = { tls: str('adminTlsCert') !== undefined };
  const admin = str('admin');
  const tokenFile = str('adminTokenFile');
  const ca = str('adminCa');
  if (admin !== undefined) out.admin = admin;
  if (tokenFile !== undefined) out.tokenFile = tokenFile;
  if (ca !== undefined) out.ca = ca;
  return out;
}
