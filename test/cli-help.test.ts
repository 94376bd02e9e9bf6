// What a newcomer reads first, from the built binary as a process: --version and -V,
// node --help with each paxos setting's unit, default and meaning and the config-file
// keys, and get --quorum against a real node (ports 47484-47485).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliProcess, ROOT, runBin } from './cli-support.js';
import { DEFAULT_SETTINGS } from '../src/paxos/settings.js';

const ADMIN = '127.0.0.1:47485';

describe('cli: --version, node --help and get --quorum', function () {
  this.timeout(60_000);

  it('--version and -V print the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      expect(await runBin([flag], { dist: true, cwd: '/' })).to.deep.equal({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('node --help gives every paxos setting with its unit and default, and says config keys are not flags', async () => {
    const r = await runBin(['node', '--help'], { dist: true });
    expect(r.code).to.equal(0);
    for (const [name, value] of Object.entries(DEFAULT_SETTINGS)) {
      const flag = name.replaceAll('_', '-');
      expect(r.stdout, name).to.match(new RegExp(`--${flag} (SECONDS|N)\\s+\\S.*\\(default ${value.toString().replace('.', '\\.')}( s)?\\)`));
    }
    expect(r.stdout).to.include('--response-timeout SECONDS').and.include('(default 0.02 s)');
    expect(r.stdout).to.include('"peers": ["h:p", "h:p"]').and.include('keys are camelCase, not the flags');
  });

  it('get --quorum reads through a majority; --quorum elsewhere is a usage error', async () => {
    const node = new CliProcess(['node', '--memory', '--port', '47484', '--admin', ADMIN], { dist: true });
    try {
      await node.waitFor(/"msg":"node ready"/);
      expect((await runBin(['set', 'q', 'v(1)', '--admin', ADMIN], { dist: true })).code).to.equal(0);
      expect(await runBin(['get', 'q', '--quorum', '--admin', ADMIN], { dist: true })).to.deep.equal({ code: 0, stdout: 'v(1)\n', stderr: '' });
      expect(await runBin(['get', 'nope', '--quorum', '--admin', ADMIN], { dist: true })).to.deep.equal({ code: 1, stdout: '', stderr: 'prolog-paxos get: no agreed value for nope\n' });
      expect((await runBin(['keys', '--quorum', '--admin', ADMIN], { dist: true })).code).to.equal(2);
    } finally {
      await node.stop('SIGKILL');
    }
  });
});
