// `--admin` naming a port where some other HTTP server listens (port 47480): the
// client commands, as real processes of the built binary, say so in one line and
// exit 1, instead of "no agreed value" or printing the other server's page.
import { expect } from 'chai';
import { type Server, createServer } from 'node:http';
import { runBin } from './cli-support.js';

const PORT = 47480;
const ADMIN = `127.0.0.1:${PORT}`;

describe('cli: --admin reaching an HTTP server that is not a prolog-paxos admin API', function () {
  this.timeout(60_000);
  let server: Server;
  const seen: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      // A page for the root and a 404 page elsewhere, as a web server answers.
      res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html', server: 'nginx/1.24.0' });
      res.end('<html><body><h1>Not Found</h1></body></html>\n');
    });
    await new Promise<void>((resolve) => server.listen(PORT, '127.0.0.1', resolve));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  for (const [cmd, argv, status] of [
    ['get', ['get', 'user(1)'], 404],
    ['set', ['set', 'user(1)', 'x'], 404],
    ['status', ['status'], 404],
    ['keys', ['keys'], 404],
  ] as const) {
    it(`${cmd} says the address is not an admin API, exit 1`, async () => {
      const before = seen.length;
      const r = await runBin([...argv, '--admin', ADMIN], { dist: true });
      expect(seen.length, 'the request did reach the other server').to.be.greaterThan(before);
      expect(r).to.deep.equal({
        code: 1, stdout: '',
        stderr: `prolog-paxos ${cmd}: ${ADMIN} is not a prolog-paxos admin API (it answered HTTP ${status}, server nginx/1.24.0): check --admin or PROLOG_PAXOS_ADMIN\n`,
      });
    });
  }
});
