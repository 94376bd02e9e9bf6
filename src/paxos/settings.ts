// library(paxos) settings under SWI's names and with SWI 9.0.4's defaults (times in
// seconds, as SWI's), plus the settings our departures add (docs/paxos-departures.md).

export interface SwiSettings {
  /** Max retries to get to an agreement (paxos_set/3 retry default). */
  readonly max_sets: number;
  /** Max retries to get a value from the forum (paxos_get/3 retry default). */
  readonly max_gets: number;
  /** Max time to wait for a response, seconds. A round ends earlier when all addressed members answered. */
  readonly response_timeout: number;
  /** Keys replicated per second by the replicator. */
  readonly replication_rate: number;
  /** Half-life of the failure score, seconds. */
  readonly death_half_life: number;
  /** A node whose cumulative failure score reaches this is considered dead. */
  readonly death_score: number;
}

export interface OurSettings {
  /** Time to wait for node/3 and claim_node/2 replies when joining, seconds (SWI: 0.25 fixed). */
  readonly join_timeout: number;
  /** Least time to wait for node/3 replies, so peers that are starting too are seen, seconds. */
  readonly join_grace: number;
  /** First backoff window after a failed set attempt, seconds (doubles per attempt, with full jitter). */
  readonly set_backoff: number;
  /** Cap of the backoff window, seconds. */
  readonly set_backoff_max: number;
  /** Interval of the membership check (anti-entropy of the admin keys and replication wake-up), seconds. */
  readonly membership_interval: number;
  /** A node id that stays dead this long (seconds) without answering is released for reuse. */
  readonly dead_release: number;
  /** Max paxos_set calls for one membership update (SWI: unbounded). */
  readonly max_membership_sets: number;
  /**
   * Compaction of delete tombstones (docs/paxos-departures.md "Compaction"): a tombstone
   * every voting member holds is removed once it stayed so this long, seconds. 0: off
   * (the default). Every node of ours must set it alike; keep it 0 next to SWI members.
   */
  readonly compact_grace: number;
}

export type Settings = SwiSettings & OurSettings;

export const SWI_DEFAULTS: SwiSettings = Object.freeze({
  max_sets: 20,
  max_gets: 5,
  response_timeout: 0.020,
  replication_rate: 1000,
  death_half_life: 10,
  death_score: 100,
});

export const OUR_DEFAULTS: OurSettings = Object.freeze({
  join_timeout: 0.25,
  join_grace: 0.03,
  set_backoff: 0.005,
  set_backoff_max: 0.2,
  membership_interval: 1,
  dead_release: 60,
  max_membership_sets: 3,
  compact_grace: 0,
});

export const DEFAULT_SETTINGS: Settings = Object.freeze({ ...SWI_DEFAULTS, ...OUR_DEFAULTS });

export function makeSettings(over: Partial<Settings> = {}): Settings {
  const s: Settings = { ...DEFAULT_SETTINGS };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_SETTINGS)) throw new RangeError(`unknown paxos setting: ${k}`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`paxos setting ${k} must be a non-negative number`);
    (s as unknown as Record<string, number>)[k] = v;
  }
  return s;
}
