// The express-session store's own logic (mapping, TTL, tombstones, cleanup) over
// a fake cluster. Two servers on one real paxos cluster: test/session-store.test.ts.
import { expect } from 'chai';
import type { Server } from 'node:http';
import { ClusterSessionStore, sessionKey } from '../src/integrations/express-session.js';
import { atom, compound, int } from '../src/term/index.js';
import { termText } from '../src/cli/term-text.js';
import { FakeCluster } from './cli-fake-cluster.js';
import { closeServer, cookieOf, startApp } from './session-support.js';

const PORTS = [43020, 43021];

describe('express-session store over a fake cluster', () => {
  let cluster: FakeCluster;
  let clock: number;
  let stores: ClusterSessionStore[];
  let servers: Server[];

  beforeEach(async () => {
    cluster = new FakeCluster();
    clock = Date.now();
    stores = [0, 1].map(() => new ClusterSessionStore(cluster, { cleanupIntervalMs: 0, now: () => clock }));
    servers = [await startApp(stores[0]!, PORTS[0]!, 'A'), await startApp(stores[1]!, PORTS[1]!, 'B')];
  });
  afterEach(async () => {
    for (const s of servers) await closeServer(s);
    for (const s of stores) s.close();
  });

  it('stores the session as a ground session(Expires, Data) term under session(Id)', async () => {
    const login = await fetch(`http://127.0.0.1:${PORTS[0]}/login/alice`, { method: 'POST' });
    const sid = decodeURIComponent(cookieOf(login).slice(4)).replace(/^s:/, '').replace(/\..*$/, '');
    const v = await cluster.get(sessionKey(sid));
    expect(v && termText(v)).to.match(/^session\(\d+,json\{cookie:json\{.*\},user:"alice",visits:1\}\)$/);
    const me = await fetch(`http://127.0.0.1:${PORTS[1]}/me`, { headers: { cookie: cookieOf(login) } });
    expect(await me.json() as any).to.deep.equal({ server: 'B', user: 'alice', visits: 2 });
  });

  it('treats an expired session as absent and deletes it on read', async () => {
    const login = await fetch(`http://127.0.0.1:${PORTS[0]}/login/bob`, { method: 'POST' });
    expect(cluster.data.size).to.equal(1);
    clock += 61_000; // past the cookie's maxAge
    const me = await fetch(`http://127.0.0.1:${PORTS[1]}/me`, { headers: { cookie: cookieOf(login) } });
    expect((await me.json() as any).user).to.equal(null);
    for (let i = 0; i < 50 && cluster.data.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cluster.data.size).to.equal(0);
  });

  it('deletes sessions that an earlier version ended with the atom ended', async () => {
    await cluster.set(sessionKey('legacy'), atom('ended'));
    expect(await stores[1]!.cleanup()).to.equal(1);
    expect(await cluster.get(sessionKey('legacy'))).to.equal(undefined);
  });

  it('cleans expired sessions of the ledger and leaves live ones', async () => {
    await new Promise<void>((res, rej) => stores[0]!.set('old', { cookie: { originalMaxAge: 1000, expires: new Date(clock + 1000) } } as never, (e) => (e ? rej(e) : res())));
    await new Promise<void>((res, rej) => stores[0]!.set('new', { cookie: { originalMaxAge: 10_000_000, expires: new Date(clock + 10_000_000) } } as never, (e) => (e ? rej(e) : res())));
    await cluster.set(compound('session', atom('not_a_string_id')), int(1)); // foreign data is left alone
    clock += 5000;
    expect(await stores[1]!.cleanup()).to.equal(1);
    expect(await cluster.get(sessionKey('old'))).to.equal(undefined);
    expect(termText((await cluster.get(sessionKey('new')))!)).to.match(/^session\(/);
    const n = await new Promise<number>((res, rej) => stores[1]!.length((e, len) => (e ? rej(e) : res(len!))));
    expect(n).to.equal(1);
  });

  it('logs out everywhere by destroying the session', async () => {
    const login = await fetch(`http://127.0.0.1:${PORTS[0]}/login/carol`, { method: 'POST' });
    await fetch(`http://127.0.0.1:${PORTS[1]}/logout`, { method: 'POST', headers: { cookie: cookieOf(login) } });
    const me = await fetch(`http://127.0.0.1:${PORTS[0]}/me`, { headers: { cookie: cookieOf(login) } });
    expect((await me.json() as any).user).to.equal(null);
  });

  it('writes a touch only when its own last write is older than touchAfterSeconds', async () => {
    const store = new ClusterSessionStore(cluster, { cleanupIntervalMs: 0, now: () => clock, touchAfterSeconds: 60 });
    let sets = 0;
    const set = cluster.set.bind(cluster);
    cluster.set = (k, v) => { sets++; return set(k, v); };
    const sess = (expires: number) => ({ cookie: { originalMaxAge: 3_600_000, expires: new Date(expires) } }) as never;
    const touch = (expires: number) => new Promise<void>((res) => store.touch('t', sess(expires), () => res()));
    await new Promise<void>((res, rej) => store.set('t', sess(clock + 3_600_000), (e) => (e ? rej(e) : res())));
    await touch(clock + 3_630_000); // 30 s later: skipped
    expect(sets).to.equal(1);
    await touch(clock + 3_661_000); // 61 s later: written
    expect(sets).to.equal(2);
    await touch(clock + 3_662_000);
    expect(sets).to.equal(2);
    store.close();
  });

  it('fails the request when the cluster gives no agreement', async () => {
    cluster.agree = false;
    const login = await fetch(`http://127.0.0.1:${PORTS[0]}/login/dave`, { method: 'POST' });
    expect(login.status).to.equal(500);
    expect(await login.text()).to.match(/^NoAgreementError: session "[^"]*": not chosen: /);
  });
});
