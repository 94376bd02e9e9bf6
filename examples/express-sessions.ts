// Two Express servers sharing sessions through a paxos cluster.
//
//   npx tsx examples/express-sessions.ts [BASE_PORT]
//
// Starts two paxos nodes in this process (UDP BASE_PORT and BASE_PORT+1, memory
// ledgers) and an Express server on each (HTTP BASE_PORT+10 and BASE_PORT+11),
// whose express-session store is ClusterSessionStore on its own node. The script
// logs in on server A, then shows server B knows the user; until Ctrl-C, try:
//
//   curl -c jar -X POST http://127.0.0.1:43511/login/ann   # log in on A
//   curl -b jar http://127.0.0.1:43511/me                   # ...and B knows you
import express from 'express';
import session from 'express-session';
import type { Server } from 'node:http';
// As an installed package: from 'prolog-paxos' and 'prolog-paxos/express-session'.
import { type Cluster, startCluster } from '../src/index.js';
import { ClusterSessionStore } from '../src/integrations/express-session.js';
import { untilInterrupted } from './lib/processes.js';

declare module 'express-session' {
  interface SessionData {
    user?: string;
  }
}

const base = Number(process.argv[2] ?? 43500);
const udp = [base, base + 1];
const http = [base + 10, base + 11];
const say = (s: string): void => void process.stdout.write(s + '\n');

function app(name: string, store: ClusterSessionStore): express.Express {
  const a = express();
  a.use(session({ store, secret: 'demo secret: use a real one', resave: false, saveUninitialized: false, cookie: { maxAge: 3_600_000 } }));
  a.post('/login/:user', (req, res, next) => {
    req.session.user = req.params.user;
    req.session.save((e) => (e ? next(e) : res.send(`server ${name}: logged in as ${req.params.user}\n`)));
  });
  a.get('/me', (req, res) => {
    res.send(req.session.user ? `server ${name}: you are ${req.session.user}\n` : `server ${name}: not logged in\n`);
  });
  a.post('/logout', (req, res, next) => req.session.destroy((e) => (e ? next(e) : res.send(`server ${name}: bye\n`))));
  return a;
}

function listen(a: express.Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = a.listen(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

async function main(): Promise<void> {
  const clusters: Cluster[] = [];
  const stores: ClusterSessionStore[] = [];
  const servers: Server[] = [];
  const stop = untilInterrupted();
  try {
    for (const [i, port] of udp.entries()) {
      clusters.push(await startCluster({ memory: true, port, peers: udp.map((p) => `127.0.0.1:${p}`) }));
      stores.push(new ClusterSessionStore(clusters[i]!));
      servers.push(await listen(app(i === 0 ? 'A' : 'B', stores[i]!), http[i]!));
    }
    const [a, b] = http.map((p) => `http://127.0.0.1:${p}`) as [string, string];
    say(`server A: ${a}  server B: ${b}`);

    const login = await fetch(`${a}/login/ann`, { method: 'POST' });
    process.stdout.write(`POST ${a}/login/ann -> ${await login.text()}`);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const me = await fetch(`${b}/me`, { headers: { cookie } });
    process.stdout.write(`GET  ${b}/me -> ${await me.text()}`);
    say('servers running; press Ctrl-C to stop');
    await stop;
  } finally {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    for (const s of stores) s.close();
    for (const c of clusters) await c.close();
    say('servers and nodes stopped');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
