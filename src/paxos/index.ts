// Paxos: the node runtime, its settings and policies (the pure machine and the
// simulator stay internal; import them from their modules for tests and tools).
export {
  PaxosNode, PaxosError, SetError,
  type PaxosNodeOptions, type TermInput, type SetOptions, type GetOptions, type AskOptions, type LedgerRecord,
  type NodeObserver, type NodeStats, type NodeHealth, type CallOutcome,
} from './node.js';
export type { GetOutcome, SetFailure, SetOutcome } from './machine.js';
export { DEFAULT_SETTINGS, SWI_DEFAULTS, makeSettings, type Settings } from './settings.js';
export { OUR_POLICY, SWI_POLICY, type Policy } from './policy.js';
export { TOMBSTONE, TOMBSTONE_NAME, isTombstone } from './tombstone.js';
