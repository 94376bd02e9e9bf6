// `prolog-paxos node` configuration: flags over environment over config file over defaults.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NodeConfig, nodeConfig } from '../src/cli/config.js';
import { UsageError, parseHostPort } from '../src/cli/hostport.js';

function config(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = '/srv/app'): NodeConfig {
  const r = nodeConfig(argv, env, cwd);
  if (r.help) throw new Error('unexpected --help');
  return r.config;
}

describe('cli config', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pp-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to a single durable node on loopback with a loopback admin API', () => {
    const c = config([]);
    expect(c).to.deep.equal({
      method: 'unicast', ip: '127.0.0.1', port: 20005, peers: [], fixedPeers: false, scope: 'paxos', nodeId: undefined,
      ledger: { kind: 'durable', dir: '/srv/app/paxos-data' }, admin: { host: '127.0.0.1', port: 20080 },
      verbose: false, settings: {}, auth: undefined, adminToken: undefined, adminTls: undefined, warnings: [],
      learner: false, wideText: 'refuse',
    });
  });

  it('takes --wide-text refuse|escape from flags, the environment and the config file, and rejects others', () => {
    expect(config(['--wide-text', 'escape']).wideText).to.equal('escape');
    expect(config([], { PROLOG_PAXOS_WIDE_TEXT: 'escape' }).wideText).to.equal('escape');
    const file = join(dir, 'wide.json');
    writeFileSync(file, JSON.stringify({ wideText: 'escape' }));
    expect(config(['--config', file]).wideText).to.equal('escape');
    expect(() => config(['--wide-text', 'utf8'])).to.throw(/--wide-text: expected refuse or escape, got utf8/);
  });

  it('runs as a learner with --learner, PROLOG_PAXOS_LEARNER or "learner": true in the config file', () => {
    expect(config(['--learner']).learner).to.equal(true);
    expect(config([], { PROLOG_PAXOS_LEARNER: 'yes' }).learner).to.equal(true);
    expect(config([], { PROLOG_PAXOS_LEARNER: 'false' }).learner).to.equal(false);
    expect(() => config([], { PROLOG_PAXOS_LEARNER: 'maybe' })).to.throw(UsageError, /LEARNER: expected true or false/);
    const file = join(dir, 'learner.json');
    writeFileSync(file, JSON.stringify({ learner: true }));
    expect(config(['--config', file]).learner).to.equal(true);
    writeFileSync(file, JSON.stringify({ learner: 'yes' }));
    expect(() => config(['--config', file])).to.throw(UsageError, /learner must be true or false/);
  });

  it('--fixed-peers, PROLOG_PAXOS_FIXED_PEERS or "fixedPeers": true keep a unicast node to its listed peers', () => {
    expect(config(['--fixed-peers']).fixedPeers).to.equal(true);
    expect(config([], { PROLOG_PAXOS_FIXED_PEERS: '1' }).fixedPeers).to.equal(true);
    const file = join(dir, 'fixed.json');
    writeFileSync(file, JSON.stringify({ fixedPeers: true }));
    expect(config(['--config', file]).fixedPeers).to.equal(true);
  });

  it('reads every flag, repeated peers and paxos settings by SWI name', () => {
    const c = config([
      '--method', 'broadcast', '--ip', '10.0.0.5', '--port', '43100', '--peer', '10.0.0.6:43100', '--peer', '10.0.0.7:43101',
      '--scope', 'cluster2', '--node-id', '3', '--data', 'db', '--admin', '127.0.0.1:43101', '-v',
      '--response-timeout', '0.05', '--max-sets', '7', '--death-half-life', '2.5',
    ]);
    expect(c.method).to.equal('broadcast');
    expect(c.peers).to.deep.equal([{ host: '10.0.0.6', port: 43100 }, { host: '10.0.0.7', port: 43101 }]);
    expect(c.nodeId).to.equal(3);
    expect(c.ledger).to.deep.equal({ kind: 'durable', dir: '/srv/app/db' });
    expect(c.verbose).to.equal(true);
    expect(c.settings).to.deep.equal({ response_timeout: 0.05, max_sets: 7, death_half_life: 2.5 });
  });

  it('lets flags win over the environment, and the environment over the config file', () => {
    const file = join(dir, 'node.json');
    writeFileSync(file, JSON.stringify({
      port: 43200, scope: 'fromfile', peers: ['127.0.0.1:43201'], memory: true, replication_rate: 5,
      settings: { death_score: 50 },
    }));
    const env = { PROLOG_PAXOS_CONFIG: file, PROLOG_PAXOS_SCOPE: 'fromenv', PROLOG_PAXOS_PEERS: '127.0.0.1:43202, 127.0.0.1:43203', PROLOG_PAXOS_DEATH_SCORE: '60' };
    const c = config(['--scope', 'fromflag'], env);
    expect(c.port).to.equal(43200);
    expect(c.scope).to.equal('fromflag');
    expect(c.peers.map((p) => p.port)).to.deep.equal([43202, 43203]);
    expect(c.ledger).to.deep.equal({ kind: 'memory' });
    expect(c.settings).to.deep.equal({ replication_rate: 5, death_score: 60 });
    expect(config(['--config', file], { PROLOG_PAXOS_MEMORY: 'false' }).ledger.kind).to.equal('durable');
  });

  it('rejects what cannot be meant, with a message naming the option', () => {
    const bad: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['--method', 'tipc'], {}, /--method/],
      [['--port', '70000'], {}, /--port: port out of range/],
      [['--peer', 'localhost'], {}, /--peer: expected HOST:PORT/],
      [['--peer', 'example.org:1'], {}, /--peer: not an IPv4 address/],
      [['--memory', '--data', 'x'], {}, /exclude each other/],
      [['--memory', '--node-id', '1'], {}, /--node-id needs a durable ledger/],
      [['--node-id', '-1'], {}, /--node-id/],
      [['--response-timeout', '0'], {}, /--response-timeout: expected a number > 0/],
      [['--max-gets', '1.5'], {}, /--max-gets: expected an integer >= 0/],
      [['--frobnicate'], {}, /Unknown option '--frobnicate'/],
      [['positional'], {}, /positional/],
      [[], { PROLOG_PAXOS_MEMORY: 'maybe' }, /PROLOG_PAXOS_MEMORY/],
      [['--config', '/nonexistent/x.json'], {}, /--config/],
      [['--scope', 'Has Space'], {}, /--scope/],
      [['--method', 'multicast'], {}, /needs --ip GROUP/],
      [['--method', 'multicast', '--ip', '10.0.0.1'], {}, /not a multicast group/],
    ];
    for (const [argv, env, re] of bad) {
      expect(() => config(argv, env), argv.join(' ')).to.throw(UsageError, re);
    }
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => config(['--config', file])).to.throw(UsageError, /unknown option prot/);
    writeFileSync(file, JSON.stringify({ settings: { speed: 1 } }));
    expect(() => config(['--config', file])).to.throw(UsageError, /unknown paxos setting speed/);
  });

  it('parses HOST:PORT forms', () => {
    expect(parseHostPort('10.1.2.3:80', 'x')).to.deep.equal({ host: '10.1.2.3', port: 80 });
    expect(parseHostPort(':81', 'x')).to.deep.equal({ host: '127.0.0.1', port: 81 });
    expect(parseHostPort('82', 'x')).to.deep.equal({ host: '127.0.0.1', port: 82 });
    expect(parseHostPort('[::1]:83', 'x')).to.deep.equal({ host: '::1', port: 83 });
    expect(() => parseHostPort('a:b', 'x')).to.throw(UsageError);
  });
});
