// Two Express servers, each with its express-session store on its own real paxos
// node; the two nodes form one cluster over UDP on loopback. A third server's
// store reaches the cluster through node 0's admin API (RemoteCluster).
import { expect } from 'chai';
import type { Server } from 'node:http';
import { RemoteCluster } from '../src/cli/admin-client.js';
import { type AdminServer, startAdminServer } from '../src/cli/admin-server.js';
import type { Cluster } from '../src/cli/cluster.js';
import { nodeConfig } from '../src/cli/config.js';
import { startNodeCluster } from '../src/cli/node-cluster.js';
import { ClusterSessionStore, sessionKey } from '../src/integrations/express-session.js';
import { termText } from '../src/cli/term-text.js';
import { closeServer, cookieOf, startApp } from './session-support.js';

const UDP = [43040, 43041];
const HTTP = [43042, 43043];
const ADMIN = 43044; // node 0's admin API, for a third server in the role of another process
const HTTP_REMOTE = 43045;

async function startNode(port: number): Promise<Cluster> {
  const args = nodeConfig(['--memory', '--port', String(port), ...UDP.map((p) => `--peer=127.0.0.1:${p}`)], {}, process.cwd());
  if (args.help) throw new Error('unreachable');
  return startNodeCluster(args.config);
}

describe('express-session store on a two-node paxos cluster', function () {
  this.timeout(60_000);
  const clusters: Cluster[] = [];
  const stores: ClusterSessionStore[] = [];
  const servers: Server[] = [];
  let admin: AdminServer | undefined;
  let remote: RemoteCluster | undefined;

  before(async () => {
    clusters.push(...await Promise.all(UDP.map(startNode)));
    for (const [i, c] of clusters.entries()) {
      stores.push(new ClusterSessionStore(c, { cleanupIntervalMs: 0 }));
      servers.push(await startApp(stores[i]!, HTTP[i]!, i === 0 ? 'A' : 'B'));
    }
    admin = await startAdminServer(clusters[0]!, { host: '127.0.0.1', port: ADMIN });
    remote = new RemoteCluster({ host: '127.0.0.1', port: ADMIN });
    stores.push(new ClusterSessionStore(remote, { cleanupIntervalMs: 0 }));
    servers.push(await startApp(stores[2]!, HTTP_REMOTE, 'C'));
  });
  after(async () => {
    for (const s of servers) await closeServer(s);
    for (const s of stores) s.close();
    await remote?.close();
    await admin?.close();
    for (const c of clusters) await c.close();
  });

  it('forms one quorum of both nodes', async () => {
    for (let i = 0; i < 100; i++) {
      const [a, b] = await Promise.all(clusters.map((c) => c.status()));
      if (a!.quorum.length === 2 && b!.quorum.length === 2) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect.fail('the nodes did not form a two-member quorum');
  });

  it('logs in on server A and server B sees the session; logout on B ends it on A', async () => {
    const login = await fetch(`http://127.0.0.1:${HTTP[0]}/login/alice`, { method: 'POST' });
    expect(login.status).to.equal(200);
    const cookie = cookieOf(login);
    const me = await fetch(`http://127.0.0.1:${HTTP[1]}/me`, { headers: { cookie } });
    expect(await me.json()).to.deep.equal({ server: 'B', user: 'alice', visits: 2 });

    const sid = decodeURIComponent(cookie.slice(4)).replace(/^s:/, '').replace(/\..*$/, '');
    const stored = await clusters[0]!.get(sessionKey(sid));
    expect(stored && termText(stored)).to.match(/^session\(\d+,json\{cookie:json\{.*\},user:"alice",visits:\d\}\)$/);

    const out = await fetch(`http://127.0.0.1:${HTTP[1]}/logout`, { method: 'POST', headers: { cookie } });
    expect(out.status).to.equal(200);
    const after = await fetch(`http://127.0.0.1:${HTTP[0]}/me`, { headers: { cookie } });
    expect((await after.json() as { user: string | null }).user).to.equal(null);
    // Deleted through paxos: every node reads it as absent, and the ledger holds the tombstone.
    expect(await clusters[1]!.read(sessionKey(sid), { quorum: true })).to.include({ ok: false, outcome: 'absent' });
    expect(await clusters[0]!.get(sessionKey(sid))).to.equal(undefined);
  });

  it('serves the same sessions to a server whose store reaches the cluster through a node\'s admin API', async () => {
    const login = await fetch(`http://127.0.0.1:${HTTP[1]}/login/bob`, { method: 'POST' });
    const cookie = cookieOf(login);
    const me = await fetch(`http://127.0.0.1:${HTTP_REMOTE}/me`, { headers: { cookie } });
    expect(await me.json()).to.deep.equal({ server: 'C', user: 'bob', visits: 2 });
    const login2 = await fetch(`http://127.0.0.1:${HTTP_REMOTE}/login/carol`, { method: 'POST' });
    const me2 = await fetch(`http://127.0.0.1:${HTTP[1]}/me`, { headers: { cookie: cookieOf(login2) } });
    expect(await me2.json()).to.deep.equal({ server: 'B', user: 'carol', visits: 2 });
  });
});
