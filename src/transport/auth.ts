// Authenticated datagrams: a shared-secret MAC around the scope's own framing, the
// same bytes as prolog/paxos_auth.pl makes and checks in SWI-Prolog
// (udp_term_string_hook/3), so a mixed cluster can be authenticated too.
//
//   frame = "%-auth-1 " MAC " " KID " " TS " " NONCE "\n" INNER
//   MAC   = lowercase hex HMAC-SHA-256(secret of KID, the frame without "MAC ")
//   KID   = 1-32 of [A-Za-z0-9_.-]      TS    = sender's clock, ms since the epoch
//   NONCE = 1-32 of [0-9a-z]            INNER = what the scope's codec makes ("%-prolog-\n" + term)
//
// A datagram is accepted at most once: its stamp must lie in [max(now - window, floor),
// now + window] and its MAC must not be among those already accepted. The cache of
// accepted MACs is bounded; an entry evicted while still inside the window raises the
// floor above its stamp, so a replay of it is refused as out of the window. The floor
// starts at the start time: a restarted node does not take datagrams sent before it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const AUTH_MAGIC = '%-auth-1 ';
const MAGIC = Buffer.from(AUTH_MAGIC, 'latin1');
const MAC_HEX = 64;
/** Offset of what the MAC covers after the magic: the MAC field and its space are left out. */
const SIGNED_FROM = MAGIC.length + MAC_HEX + 1;
/** KID, TS and NONCE with their separators never take more. */
const MAX_HEADER_REST = 32 + 1 + 15 + 1 + 32 + 1;
/** The most a signature adds to a datagram. */
export const MAX_SIGNATURE_BYTES = SIGNED_FROM + MAX_HEADER_REST;

export const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;
/** Printable and unambiguous in every encoding (hex or base64 from `openssl rand`). */
export const SECRET = /^[A-Za-z0-9+/=_.~-]{16,256}$/;

export const DEFAULT_AUTH_WINDOW_MS = 10_000;
export const DEFAULT_REPLAY_CACHE = 65_536;

export interface AuthKey {
  readonly id: string;
  readonly secret: string;
}

export interface AuthOptions {
  /** One or two keys: the first signs, either verifies (a key roll-over). */
  readonly keys: readonly AuthKey[];
  /** Largest distance between a stamp and our clock, ms (default 10,000). */
  readonly windowMs?: number;
  /** Accepted MACs remembered (default 65,536, a few MB). */
  readonly replayCache?: number;
  /** The clock, ms since the epoch (tests move it). */
  readonly now?: () => number;
}

/** Why an inbound datagram was dropped before decoding. */
export type AuthDropReason = 'unsigned' | 'badHeader' | 'unknownKey' | 'badMac' | 'outOfWindow' | 'replayed';
export const AUTH_DROP_REASONS: readonly AuthDropReason[] = ['unsigned', 'badHeader', 'unknownKey', 'badMac', 'outOfWindow', 'replayed'];
export type AuthDrops = Record<AuthDropReason, number>;

export class AuthConfigError extends Error {
  override name = 'AuthConfigError';
}

export type Verified = { readonly ok: true; readonly inner: Buffer } | { readonly ok: false; readonly reason: AuthDropReason };

/** Check a key list; throws AuthConfigError naming what is wrong (never the secret). */
export function checkKeys(keys: readonly AuthKey[]): void {
  if (keys.length < 1 || keys.length > 2) throw new AuthConfigError(`expected one or two keys (the first signs), got ${keys.length}`);
  for (const k of keys) {
    if (!KEY_ID.test(k.id)) throw new AuthConfigError(`key id ${JSON.stringify(k.id)}: expected 1-32 of A-Z a-z 0-9 _ . -`);
    if (!SECRET.test(k.secret)) throw new AuthConfigError(`key ${k.id}: the secret must be 16-256 characters of A-Z a-z 0-9 + / = _ . ~ - (e.g. openssl rand -hex 32)`);
  }
  if (keys.length === 2 && keys[0]!.id === keys[1]!.id) throw new AuthConfigError(`two keys with the id ${keys[0]!.id}`);
}

/**
 * The keys text of a key file or of PROLOG_PAXOS_AUTH_KEYS: entries `ID SECRET`, one a
 * line (or separated by commas); blank lines and lines starting with # are skipped.
 */
export function parseKeys(text: string, what: string): AuthKey[] {
  const keys: AuthKey[] = [];
  for (const raw of text.split(/[\n,]/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (!m) throw new AuthConfigError(`${what}: expected lines "ID SECRET"`);
    keys.push({ id: m[1]!, secret: m[2]! });
  }
  try {
    checkKeys(keys);
  } catch (e) {
    throw new AuthConfigError(`${what}: ${(e as Error).message}`);
  }
  return keys;
}

/** Signs outbound frames and checks inbound ones for one scope; counts what it drops. */
export class FrameAuth {
  readonly drops: AuthDrops = { unsigned: 0, badHeader: 0, unknownKey: 0, badMac: 0, outOfWindow: 0, replayed: 0 };
  readonly keyIds: readonly string[];
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly signer: { readonly id: string; readonly secret: Buffer; readonly head: Buffer };
  private readonly windowMs: number;
  private readonly capacity: number;
  private readonly now: () => number;
  /** Accepted MACs (their first 128 bits, as hex) with their stamps, oldest first. */
  private readonly seen = new Map<string, number>();
  private floor: number;
  private readonly noncePrefix = randomBytes(4).toString('hex');
  private counter = 0;

  constructor(o: AuthOptions) {
    checkKeys(o.keys);
    this.keys = new Map(o.keys.map((k) => [k.id, Buffer.from(k.secret, 'latin1')]));
    this.keyIds = o.keys.map((k) => k.id);
    const first = o.keys[0]!;
    this.signer = { id: first.id, secret: Buffer.from(first.secret, 'latin1'), head: MAGIC };
    this.windowMs = o.windowMs ?? DEFAULT_AUTH_WINDOW_MS;
    if (!(this.windowMs > 0)) throw new AuthConfigError(`the window must be > 0 ms, got ${this.windowMs}`);
    this.capacity = Math.max(16, Math.floor(o.replayCache ?? DEFAULT_REPLAY_CACHE));
    this.now = o.now ?? Date.now;
    this.floor = this.now();
  }

  /** The frame for the scope's encoded message `inner`. */
  sign(inner: Uint8Array): Buffer {
    const nonce = this.noncePrefix + (this.counter++).toString(36);
    const rest = Buffer.from(`${this.signer.id} ${Math.floor(this.now())} ${nonce}\n`, 'latin1');
    const mac = createHmac('sha256', this.signer.secret).update(MAGIC).update(rest).update(inner).digest('hex');
    return Buffer.concat([MAGIC, Buffer.from(mac + ' ', 'latin1'), rest, inner]);
  }

  /** The inner frame of an authentic, fresh datagram; else the reason, counted. */
  verify(data: Buffer): Verified {
    const r = this.check(data);
    if (!r.ok) this.drops[r.reason]++;
    return r;
  }

  private check(data: Buffer): Verified {
    const m = MAGIC.length;
    if (data.length < SIGNED_FROM) return { ok: false, reason: 'unsigned' };
    for (let i = 0; i < m; i++) if (data[i] !== MAGIC[i]) return { ok: false, reason: 'unsigned' };
    for (let i = m; i < m + MAC_HEX; i++) {
      const c = data[i]!;
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return { ok: false, reason: 'badHeader' };
    }
    if (data[m + MAC_HEX] !== 0x20) return { ok: false, reason: 'badHeader' };
    const nl = data.indexOf(0x0a, SIGNED_FROM);
    if (nl < 0 || nl - SIGNED_FROM > MAX_HEADER_REST) return { ok: false, reason: 'badHeader' };
    const fields = /^([A-Za-z0-9_.-]{1,32}) (\d{1,15}) ([0-9a-z]{1,32})$/.exec(data.toString('latin1', SIGNED_FROM, nl));
    if (!fields) return { ok: false, reason: 'badHeader' };
    const secret = this.keys.get(fields[1]!);
    if (secret === undefined) return { ok: false, reason: 'unknownKey' };
    const want = createHmac('sha256', secret).update(MAGIC).update(data.subarray(SIGNED_FROM)).digest();
    const got = Buffer.from(data.toString('latin1', m, m + MAC_HEX), 'hex');
    if (!timingSafeEqual(want, got)) return { ok: false, reason: 'badMac' };
    // Only now, with the stamp known to be the signer's, does it count for anything.
    const ts = Number(fields[2]);
    const now = this.now();
    if (ts > now + this.windowMs || ts < now - this.windowMs || ts < this.floor) return { ok: false, reason: 'outOfWindow' };
    const id = data.toString('latin1', m, m + 32);
    if (this.seen.has(id)) return { ok: false, reason: 'replayed' };
    this.remember(id, ts, now);
    return { ok: true, inner: data.subarray(nl + 1) };
  }

  private remember(id: string, ts: number, now: number): void {
    const seen = this.seen;
    const expired = now - this.windowMs;
    // The oldest entries first: most are past the window by now and need no floor.
    for (let i = 0; i < 2; i++) {
      const oldest = seen.entries().next();
      if (oldest.done || oldest.value[1] >= expired) break;
      seen.delete(oldest.value[0]);
    }
    seen.set(id, ts);
    if (seen.size <= this.capacity) return;
    // Full of fresh MACs: drop the oldest eighth, and refuse from now on every stamp
    // that one of them could repeat.
    let n = Math.max(1, this.capacity >> 3);
    for (const [k, t] of seen) {
      if (n-- === 0) break;
      seen.delete(k);
      if (t >= expired && t + 1 > this.floor) this.floor = t + 1;
    }
  }

  /** MACs remembered now (bounded by replayCache). */
  get cached(): number {
    return this.seen.size;
  }
}
