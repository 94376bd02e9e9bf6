// The admin API over real paxos nodes in this process: two nodes in one cluster
// (UDP on loopback), each with its admin API; what is set through one is read,
// listed and watched through the other, and the client (RemoteCluster) speaks it.
import { expect } from 'chai';
import { RemoteCluster } from '../src/cli/admin-client.js';
import { type AdminServer, startAdminServer } from '../src/cli/admin-server.js';
import type { Cluster } from '../src/cli/cluster.js';
import { nodeConfig } from '../src/cli/config.js';
import { startNodeCluster } from '../src/cli/node-cluster.js';
import { termText } from '../src/cli/term-text.js';
import { atom, compound, int, str, variable } from '../src/term/index.js';

const UDP = [43050, 43051];
const ADMIN = [43052, 43053];

describe('admin API on a two-node paxos cluster', function () {
  this.timeout(60_000);
  const nodes: Cluster[] = [];
  const servers: AdminServer[] = [];
  const url = (i: number, path: string, params: Record<string, string>): string => {
    const u = new URL(path, `http://127.0.0.1:${ADMIN[i]}`);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u.toString();
  };

  before(async () => {
    for (const port of UDP) {
      const args = nodeConfig(['--memory', '--port', String(port), ...UDP.map((p) => `--peer=127.0.0.1:${p}`)], {}, process.cwd());
      if (args.help) throw new Error('unreachable');
      nodes.push(await startNodeCluster(args.config));
    }
    for (const [i, n] of nodes.entries()) servers.push(await startAdminServer(n, { host: '127.0.0.1', port: ADMIN[i]! }));
    for (let i = 0; i < 100 && (await nodes[1]!.status()).quorum.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  });
  after(async () => {
    for (const s of servers) await s.close();
    for (const n of nodes) await n.close();
  });

  it('agrees through one node and reads through the other, as text and as JSON', async () => {
    const put = await fetch(url(0, '/set', { key: 'conf(db, "primary")' }), { method: 'PUT', body: "host('db1.local', 5432)" });
    expect(put.status).to.equal(204);
    expect(await (await fetch(url(1, '/get', { key: 'conf(db,"primary")' }))).text()).to.equal("host('db1.local',5432)\n");
    const j = await (await fetch(url(1, '/get', { key: 'conf(db,"primary")', format: 'json' }))).json() as { value: unknown };
    expect(j.value).to.deep.equal({
      text: "host('db1.local',5432)",
      term: { compound: 'host', args: [{ atom: 'db1.local' }, { int: '5432' }] },
    });
  });

  it('streams a change agreed through node 0 to a watcher on node 1, and lists it in keys', async () => {
    const ac = new AbortController();
    const res = await fetch(url(1, '/watch', { pattern: 'job(_)', format: 'json' }), { signal: ac.signal });
    const reader = res.body!.getReader();
    const put = await fetch(url(0, '/set', { key: 'job(7)', format: 'json' }), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"state": "done"}' });
    expect(put.status).to.equal(200);
    expect(((await put.json()) as { value: { text: string } }).value.text).to.equal('json{state:"done"}');
    let text = '';
    while (!text.includes('\n')) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    const change = JSON.parse(text.split('\n')[0]!) as { key: { text: string }; value: { json: unknown } };
    expect(change.key.text).to.equal('job(7)');
    expect(change.value.json).to.deep.equal({ state: 'done' });
    expect(await (await fetch(url(1, '/keys', { pattern: 'job(N)' }))).text()).to.equal('job(7)\n');
  });

  it('is a Cluster through RemoteCluster: set, get, keys, watch, status', async () => {
    const remote = new RemoteCluster({ host: '127.0.0.1', port: ADMIN[1]! });
    const ac = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const e of remote.watch(compound('counter', variable()), ac.signal)) seen.push(`${termText(e.key)}=${termText(e.value)}`);
    })();
    await new Promise((r) => setTimeout(r, 200));
    expect(await remote.set(compound('counter', atom('hits')), int(12345678901234567890n))).to.include({ ok: true });
    expect(termText((await remote.get(compound('counter', atom('hits'))))!)).to.equal('12345678901234567890');
    expect(await remote.get(str('never set'))).to.equal(undefined);
    const keys: string[] = [];
    for await (const e of remote.keys(compound('counter', variable()))) keys.push(termText(e.key));
    expect(keys).to.deep.equal(['counter(hits)']);
    const s = await remote.status();
    expect(s.quorum).to.have.length(2);
    expect(s.peers).to.include('127.0.0.1:43050');
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await watching;
    expect(seen).to.deep.equal(['counter(hits)=12345678901234567890']);
    await remote.close();
  });
});
