// prolog-paxos: the package's main entry.
export * from './term/index.js';
export * from './text/index.js';
