// `prolog-paxos node` with its security options, as real processes (ports 45200-45299):
// the admin API behind a bearer token and HTTPS (a self-signed certificate made here
// with Debian's openssl), used through the real client commands; /metrics and /health;
// and an authenticated two-node cluster whose key is rolled over node by node.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { PATHS } from '../src/cli/admin-api.js';
import { CliProcess, logLines, runCli } from './cli-support.js';

const UDP = 45200;
const ADMIN = 45201;
const TOKEN = 'b7e4c0d1a9f35e2c8d6b1a0f4e7c9d23';
const K1 = 'k1 6b1f0c4e9a3d7b2f8e5c1a0d4b7e9f23';
const K2 = 'k2 Zm9yIHRoZSBuZXcga2V5IG9ubHkhISE=';

function haveOpenssl(): boolean {
  return spawnSync('openssl', ['version']).status === 0;
}

describe('cli: admin token, HTTPS, metrics and health, authenticated nodes', function () {
  this.timeout(120_000);
  let dir: string;
  const procs: CliProcess[] = [];
  const start = async (argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliProcess> => {
    const p = new CliProcess(['node', ...argv], { env, cwd: dir });
    procs.push(p);
    await p.waitFor(/"msg":"node ready"/);
    return p;
  };
  const file = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text, { mode: 0o600 });
    return f;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pp-cli-auth-'));
  });
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop('SIGTERM')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('the admin API behind a token and HTTPS', () => {
    let cert: string;
    let key: string;
    let tokenFile: string;
    before(function () {
      if (!haveOpenssl()) {
        if (process.env.CI) throw new Error('openssl is not installed, and CI requires it (scripts/setup installs it)');
        this.skip();
      }
      cert = join(dir, 'cert.pem');
      key = join(dir, 'key.pem');
      const r = spawnSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert,
      ], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
      tokenFile = file('token', TOKEN + '\n');
    });

    it('needs the token on every route (401 with a clear line), serves HTTPS only, and the client commands pass token and CA', async () => {
      await start(['--memory', '--port', String(UDP), '--admin', `127.0.0.1:${ADMIN}`, '--admin-token-file', tokenFile, '--admin-tls-cert', cert, '--admin-tls-key', key]);
      const https = `https://127.0.0.1:${ADMIN}`;
      const good = ['--admin', https, '--admin-token-file', tokenFile, '--admin-ca', cert];

      expect(await runCli(['set', 'cfg(db)', 'url("pg://1")', ...good], { cwd: dir })).to.deep.equal({ code: 0, stdout: '', stderr: '' });
      expect(await runCli(['get', 'cfg(db)', ...good], { cwd: dir })).to.deep.equal({ code: 0, stdout: 'url("pg://1")\n', stderr: '' });
      // The token from the environment, or everything from the node's own config file.
      expect((await runCli(['get', 'cfg(db)', '--admin', https, '--admin-ca', cert], { cwd: dir, env: { PROLOG_PAXOS_ADMIN_TOKEN: TOKEN } })).code).to.equal(0);
      const conf = file('node.json', JSON.stringify({ admin: `127.0.0.1:${ADMIN}`, adminTokenFile: tokenFile, adminTlsCert: cert, adminTlsKey: key, adminCa: cert }));
      expect((await runCli(['get', 'cfg(db)', '--config', conf], { cwd: dir })).stdout).to.equal('url("pg://1")\n');
      const con = new CliProcess(['console', '--config', conf], { cwd: dir });
      procs.push(con);
      con.proc.stdin!.end('cfg(db).\n');
      expect(await con.exited).to.equal(0);
      expect(con.stdout).to.equal('cfg(db):=url("pg://1").\n');

      const noToken = await runCli(['get', 'cfg(db)', '--admin', https, '--admin-ca', cert], { cwd: dir });
      expect(noToken.code).to.equal(1);
      expect(noToken.stderr).to.match(/needs a bearer token: send "Authorization: Bearer <token>" \(the CLI reads --admin-token-file or PROLOG_PAXOS_ADMIN_TOKEN\)/);
      const wrong = await runCli(['set', 'cfg(db)', 'evil', '--admin', https, '--admin-ca', cert], { cwd: dir, env: { PROLOG_PAXOS_ADMIN_TOKEN: 'x'.repeat(32) } });
      expect(wrong).to.deep.include({ code: 1, stderr: 'prolog-paxos set: wrong bearer token\n' });
      const noCa = await runCli(['get', 'cfg(db)', '--admin', https, '--admin-token-file', tokenFile], { cwd: dir });
      expect(noCa.code).to.equal(1);
      expect(noCa.stderr).to.match(/cannot reach the node's admin API at https:\/\/127\.0\.0\.1:45201: \S+ \(trust its CA with --admin-ca FILE\)/);
      expect((await runCli(['get', 'cfg(db)', '--admin', `127.0.0.1:${ADMIN}`, '--admin-token-file', tokenFile], { cwd: dir })).code).to.equal(1);
      expect((await runCli(['get', 'cfg(db)', ...good], { cwd: dir })).stdout, 'the refused set changed nothing').to.equal('url("pg://1")\n');
      const shortToken = await runCli(['get', 'cfg(db)', '--admin', https], { cwd: dir, env: { PROLOG_PAXOS_ADMIN_TOKEN: 'short' } });
      expect(shortToken.code).to.equal(2);

      const agent = new Agent({ connect: { ca: (await import('node:fs')).readFileSync(cert, 'utf8') } });
      try {
        for (const path of Object.values(PATHS)) {
          const r = await fetch(`${https}${path}?key=a&pattern=_`, { dispatcher: agent });
          expect(r.status, path).to.equal(401);
          expect(r.headers.get('www-authenticate')).to.equal('Bearer realm="prolog-paxos"');
          expect(await r.text()).to.match(/needs a bearer token/);
        }
        const bearer = { authorization: `Bearer ${TOKEN}` };
        const metrics = await fetch(`${https}/metrics`, { dispatcher: agent, headers: bearer });
        expect(metrics.status).to.equal(200);
        expect(metrics.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
        const text = await metrics.text();
        expect(text).to.match(/^paxos_calls_total\{op="set",outcome="ok"\} 1$/m);
        expect(text).to.match(/^paxos_calls_total\{op="get",outcome="ok"\} [4-9]$/m);
        expect(text).to.match(/^paxos_call_duration_seconds_count\{op="set",outcome="ok"\} 1$/m);
        expect(text).to.match(/^paxos_quorum_size 1$/m);
        expect(text).to.match(/^paxos_up 1$/m);
        expect(text).to.match(/^paxos_datagrams_dropped_total\{reason="malformed"\} 0$/m);
        expect(text).to.match(/^process_cpu_seconds_total /m);
        const health = await fetch(`${https}/health`, { dispatcher: agent, headers: bearer });
        expect(health.status).to.equal(200);
        expect(await health.json()).to.deep.include({ status: 'ok', ok: true, phase: 'running', quorum: 1, reachable: 1, needed: 1 });
      } finally {
        await agent.destroy();
      }
    });

    it('warns when the admin API listens beyond loopback without a token, or with a token but without TLS', async () => {
      const a = await start(['--memory', '--port', String(UDP), '--admin', `0.0.0.0:${ADMIN}`]);
      expect(logLines(a.stderr).find((l) => l.level === 40)?.msg).to.match(/beyond loopback without a token/);
      await a.stop();
      const b = await start(['--memory', '--port', String(UDP), '--admin', `0.0.0.0:${ADMIN}`, '--admin-token-file', tokenFile]);
      expect(logLines(b.stderr).find((l) => l.level === 40)?.msg).to.match(/beyond loopback without TLS/);
      await b.stop();
      const c = await start(['--memory', '--port', String(UDP), '--admin', `127.0.0.1:${ADMIN}`]);
      expect(logLines(c.stderr).filter((l) => l.level === 40)).to.deep.equal([]);
    });
  });

  describe('an authenticated cluster of two node processes', () => {
    const ports = [45210, 45211];
    const admins = [45212, 45213];
    const node = (i: number, keys: string, extra: string[] = []): Promise<CliProcess> =>
      start([...(extra.includes('--data') ? [] : ['--data', join(dir, `data${i}`)]), '--node-id', String(i), '--port', String(ports[i]), '--admin', `127.0.0.1:${admins[i]}`,
        ...ports.map((p) => `--peer=127.0.0.1:${p}`), '--auth-key-file', file(`keys${i}`, keys), ...extra]);
    const cli = (i: number, argv: string[]): ReturnType<typeof runCli> => runCli([...argv, '--admin', `127.0.0.1:${admins[i]}`]);
    async function bothAgree(tag: string): Promise<void> {
      for (const i of [0, 1]) {
        expect(await cli(i, ['set', `${tag}(${i})`, `v${i}`]), `set on ${i}`).to.deep.equal({ code: 0, stdout: '', stderr: '' });
        const end = Date.now() + 5000;
        for (;;) {
          const r = await cli(1 - i, ['get', `${tag}(${i})`]);
          if (r.stdout === `v${i}\n`) break;
          if (Date.now() > end) throw new Error(`${tag}(${i}) not on ${1 - i}: ${JSON.stringify(r)}`);
          await new Promise((res) => setTimeout(res, 100));
        }
      }
    }
    async function metric(i: number, re: RegExp): Promise<number> {
      const text = await (await fetch(`http://127.0.0.1:${admins[i]}/metrics`)).text();
      const m = re.exec(text);
      return m ? Number(m[1]) : Number.NaN;
    }

    it('rolls its key over node by node ([k1] -> [k1,k2] -> [k2,k1] -> [k2]) and agrees at every step', async () => {
      const steps = [K1, `${K1}\n${K2}`, `${K2}\n${K1}`, K2];
      const nodes = [await node(0, steps[0]!), await node(1, steps[0]!)];
      await bothAgree('step0');
      const ready = logLines(nodes[0]!.stderr).find((l) => l.msg === 'node ready')!;
      expect(ready.auth).to.deep.include({ keys: ['k1'], windowMs: 10_000 });
      expect(nodes[0]!.stderr, 'the secret is never logged').to.not.include(K1.split(' ')[1]);
      for (let s = 1; s < steps.length; s++) {
        for (const i of [0, 1]) {
          await nodes[i]!.stop('SIGTERM');
          nodes[i] = await node(i, steps[s]!);
        }
        await bothAgree(`step${s}`);
      }
      expect(await metric(0, /^paxos_datagrams_dropped_total\{reason="bad_mac"\} (\d+)$/m)).to.equal(0);
    });

    it('/health says 503 once no majority is reachable, and a node with the other key does not count (dropped as unknown_key)', async () => {
      const a = await node(0, K1);
      const b = await node(1, K1);
      await bothAgree('pair');
      const health = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
        const r = await fetch(`http://127.0.0.1:${admins[0]}/health`);
        return { status: r.status, body: await r.json() as Record<string, unknown> };
      };
      expect((await health()).status).to.equal(200);
      await b.stop('SIGKILL'); // no clean leave: node 1 stays in node 0's quorum
      const stranger = await node(1, K2, ['--data', join(dir, 'stranger')]);
      const end = Date.now() + 10_000;
      let h = await health();
      while (h.status !== 503) {
        if (Date.now() > end) throw new Error(`still ${JSON.stringify(h)}`);
        await new Promise((r) => setTimeout(r, 200));
        h = await health();
      }
      expect(h.body).to.deep.include({ status: 'unavailable', ok: false, phase: 'running', quorum: 2, reachable: 1, needed: 2, withinMs: 3000 });
      expect(await metric(0, /^paxos_up (\d+)$/m)).to.equal(0);
      expect(await metric(0, /^paxos_datagrams_dropped_total\{reason="unknown_key"\} (\d+)$/m)).to.be.greaterThan(0);
      expect(await metric(0, /^paxos_quorum_size (\d+)$/m)).to.equal(2);
      await stranger.stop('SIGTERM');
      await a.stop('SIGTERM');
    });

    it('refuses a bad key file with exit 2 and without echoing the secret', async () => {
      const f = file('badkeys', 'k1 tooshort\n');
      const p = new CliProcess(['node', '--memory', '--auth-key-file', f], { cwd: dir });
      expect(await p.exited).to.equal(2);
      expect(p.stderr).to.match(/the secret must be 16-256 characters/);
      expect(p.stderr).to.not.include('tooshort');
      const q = new CliProcess(['node', '--memory', '--auth-window', '5'], { cwd: dir });
      expect(await q.exited).to.equal(2);
      expect(q.stderr).to.match(/--auth-window needs keys/);
    });
  });
});
