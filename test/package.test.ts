// The installed package as an application uses it: `npm pack`, install the tarball in
// a fresh directory with express and express-session, and run README's session example
// (app.mjs, copied from README.md) against real nodes: the tarball's `prolog-paxos node`
// and the node the example starts in its own process. Ports 47600-47629.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Child, NODE_READY, startAll, startProcess, waitForQuorum } from '../examples/lib/processes.js';
import { promisify } from 'node:util';
import { ROOT } from './cli-support.js';
import { installPackedTarball, readmeBlock } from './support/package.js';

const UDP = [47600, 47601];
const ADMIN = '127.0.0.1:47610';
const HTTP = [47620, 47621];
const peers = UDP.map((p) => `127.0.0.1:${p}`);

/** A TypeScript application of the installed package, type-checked only. */
const TYPED_APP = `import { type Cluster, type ClusterOptions, RemoteCluster, compound, readTerm, startCluster, str } from 'prolog-paxos';
import { ClusterSessionStore, NoAgreementError } from 'prolog-paxos/express-session';
const options: ClusterOptions = { memory: true, port: 47699, peers: ['127.0.0.1:47699'], settings: { response_timeout: 2 } };
export async function main(remote: boolean): Promise<void> {
  const cluster: Cluster = remote ? new RemoteCluster({ host: '127.0.0.1', port: 20080 }) : await startCluster(options);
  const store = new ClusterSessionStore(cluster, { ttlSeconds: 60, touchAfterSeconds: 10 });
  const r = await cluster.set(compound('session', str('x')), readTerm('[a, b]'));
  if (!r.ok) throw new NoAgreementError(r.outcome);
  store.close();
  await cluster.close();
}
`;

describe('the packed tarball installed in a fresh directory (npm pack, npm install)', function () {
  this.timeout(300_000);
  let dir: string | undefined;
  const children: Child[] = [];
  const log: string[] = [];
  const echo = (name: string) => (line: string): void => void log.push(`${name}: ${line}`);

  before(async () => {
    dir = await installPackedTarball(['express', 'express-session', '@types/express', '@types/express-session', '@types/node', 'typescript']);
    writeFileSync(join(dir, 'app.mjs'), readmeBlock('session-example: app.mjs'));
  });

  it('gives a TypeScript application the types of both entries (exports map "types"), errors included', async () => {
    const cwd = dir!;
    writeFileSync(join(cwd, 'typed.ts'), TYPED_APP);
    writeFileSync(join(cwd, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'] },
      files: ['typed.ts'],
    }));
    const tsc = join(cwd, 'node_modules', '.bin', 'tsc');
    const ok = await promisify(execFile)(tsc, ['-p', cwd], { cwd }).then(() => '', (e: { stdout: string }) => e.stdout);
    expect(ok).to.equal('');
    // The check is real: a wrong option type is an error.
    writeFileSync(join(cwd, 'typed.ts'), TYPED_APP.replace('port: 47699', "port: '47699'"));
    const bad = await promisify(execFile)(tsc, ['-p', cwd], { cwd }).then(() => '', (e: { stdout: string }) => e.stdout);
    expect(bad).to.match(/typed\.ts\(\d+,\d+\): error TS2322/);
  });

  after(async () => {
    await Promise.all(children.map((c) => c.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(log.join('\n') + '\n');
  });

  it('a session made on the server with its own node is known to the server beside a prolog-paxos node, and ends on both', async () => {
    const cwd = dir!;
    const bin = join(cwd, 'node_modules', '.bin', 'prolog-paxos');
    await startAll(children, [startProcess('node', bin, ['node', '--memory', '--port', String(UDP[0]), ...peers.map((p) => `--peer=${p}`), '--admin', ADMIN], NODE_READY, echo('node'), { cwd })]);
    const app = (name: string, env: NodeJS.ProcessEnv): Promise<Child> =>
      startProcess(name, process.execPath, ['app.mjs'], /^listening on /, echo(name), { cwd, env: { SESSION_SECRET: 'test secret', ...env } });
    await startAll(children, [app('A', { PAXOS_PORT: String(UDP[1]), PAXOS_PEERS: peers.join(','), PAXOS_DATA: join(cwd, 'a-data'), PORT: String(HTTP[0]) })]);
    await waitForQuorum(ADMIN, 2);
    await startAll(children, [app('B', { PAXOS_ADMIN: ADMIN, PORT: String(HTTP[1]) })]);
    const [a, b] = HTTP.map((p) => `http://127.0.0.1:${p}`) as [string, string];

    const login = await fetch(`${a}/login/ann`, { method: 'POST' });
    expect(await login.text()).to.equal('logged in as ann\n');
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    expect(await (await fetch(`${b}/me`, { headers: { cookie } })).text()).to.equal('you are ann\n');
    expect(await (await fetch(`${b}/logout`, { method: 'POST', headers: { cookie } })).text()).to.equal('bye\n');
    expect(await (await fetch(`${a}/me`, { headers: { cookie } })).text()).to.equal('not logged in\n');
    expect(await (await fetch(`${b}/me`)).text()).to.equal('not logged in\n');
  });
});

describe('npm run docs: the API reference (TypeDoc) from the doc comments', function () {
  this.timeout(120_000);

  it('builds without a warning (typedoc.json treats warnings as errors) and documents the session store and startCluster', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', 'docs'], { cwd: ROOT, maxBuffer: 16 << 20 });
    expect(stdout).to.match(/html generated at/);
    const page = join(ROOT, 'dist/api/functions/prolog-paxos.startCluster.html');
    expect(existsSync(page), page).to.equal(true);
    expect(readFileSync(page, 'utf8')).to.include('Start a paxos node in this process');
    expect(existsSync(join(ROOT, 'dist/api/classes/prolog-paxos_express-session.ClusterSessionStore.html'))).to.equal(true);
  });
});
