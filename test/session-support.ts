// A minimal Express app on a ClusterSessionStore, shared by the session tests.
import express from 'express';
import session from 'express-session';
import type { Server } from 'node:http';
import type { ClusterSessionStore } from '../src/integrations/express-session.js';

declare module 'express-session' {
  interface SessionData {
    user?: string;
    visits?: number;
  }
}

export async function startApp(store: ClusterSessionStore, port: number, name: string): Promise<Server> {
  const app = express();
  app.use(session({
    store, secret: 'test secret', resave: false, saveUninitialized: false, name: 'sid',
    cookie: { maxAge: 60_000, sameSite: 'lax' },
  }));
  app.post('/login/:user', (req, res, next) => {
    req.session.user = req.params.user;
    req.session.visits = 1;
    // Save before answering, so a failed save is the response's failure.
    req.session.save((e) => (e ? next(e) : res.send(`${name}: hello ${req.params.user}\n`)));
  });
  app.get('/me', (req, res) => {
    if (req.session.user) req.session.visits = (req.session.visits ?? 0) + 1;
    res.json({ server: name, user: req.session.user ?? null, visits: req.session.visits ?? 0 });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((e) => (e ? next(e) : res.send('bye\n')));
  });
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).send(`${err.name}: ${err.message}\n`);
  });
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '127.0.0.1', () => resolve(server));
    server.on('error', reject);
  });
}

export function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The session cookie a response set, as a Cookie header value. */
export function cookieOf(res: Response): string {
  const c = res.headers.getSetCookie().find((x) => x.startsWith('sid='));
  if (!c) throw new Error('no session cookie');
  return c.split(';')[0]!;
}
