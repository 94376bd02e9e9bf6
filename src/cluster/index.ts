// What an application needs to use a cluster: the Cluster interface, a node in this
// process (startCluster) or a running node reached through its admin API (RemoteCluster).
// The implementations live with the command (src/cli), which uses them too.
export type {
  Cluster, ClusterHealth, ClusterStatus, Entry as ClusterEntry,
} from '../cli/cluster.js';
export { AdminError, RemoteCluster } from '../cli/admin-client.js';
export type { AdminTarget } from '../cli/admin-target.js';
export type { HostPort } from '../cli/hostport.js';
export { UsageError, parseHostPort } from '../cli/hostport.js';
export { startCluster, type ClusterOptions } from './start.js';
