// Paxos: the node runtime, its settings and policies (the pure machine and the
// simulator stay internal; import them from their modules for tests and tools).
export {
  PaxosNode, PaxosError, SetError, ValueTooLargeError,
  type PaxosNodeOptions, type TermInput, type SetOptions, type GetOptions, type AskOptions, type LedgerRecord,
  type NodeObserver, type NodeStats, type NodeHealth, type CallOutcome, type ChangeHandler, type AskHandler,
} from './node.js';
export type { GetOutcome, Role, SetFailure, SetOutcome } from './machine.js';
export type { Gen } from './messages.js';
export type { LedgerRules } from './ledger-view.js';
export type { PaxosLedger, PaxosTransport } from './ports.js';
export {
  DEFAULT_SETTINGS, SWI_DEFAULTS, makeSettings, type OurSettings, type Settings, type SwiSettings,
} from './settings.js';
export { OUR_POLICY, SWI_POLICY, type Policy } from './policy.js';
export { MAX_KEY_VALUE_BYTES, tooLargeText } from './size-limit.js';
export { TOMBSTONE, TOMBSTONE_NAME, isTombstone } from './tombstone.js';
