/**
 * The package's main entry: Prolog terms (read, write, compare), the codec, the
 * ledgers, the transport, paxos nodes, and what an application needs to use a cluster.
 * @module prolog-paxos
 */
// prolog-paxos, the package's main entry, layer by layer:
// text -> term -> codec -> store <- paxos <- transport; then what an application
// needs to use a cluster (src/cluster: startCluster, RemoteCluster, the Cluster type).
export * from './term/index.js';
export * from './text/index.js';
export * from './codec/index.js';
export * from './store/index.js';
export * from './transport/index.js';
export * from './paxos/index.js';
export * from './cluster/index.js';
