// prolog-paxos, the package's main entry, layer by layer:
// text -> term -> codec -> store <- paxos <- transport.
export * from './term/index.js';
export * from './text/index.js';
export * from './codec/index.js';
export * from './store/index.js';
export * from './transport/index.js';
export * from './paxos/index.js';
