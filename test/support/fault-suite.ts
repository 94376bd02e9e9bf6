// One mocha suite around one fault run of real node processes in a network namespace
// it creates (test/jepsen/launch.ts): skipped, with its reason, where the machine cannot.
import { fileURLToPath } from 'node:url';
import { inNamespace } from '../jepsen/launch.js';
import { canRunFaults } from '../jepsen/netns.js';

/**
 * `describe(title)` that runs `script` (a test/jepsen/*-run.ts, given as a URL) once
 * before its tests, in a namespace named `tag`-pid, and hands its result to `tests`.
 */
export function describeFaultRun<R>(
  title: string, script: URL, options: unknown, o: { tag: string; limitMs: number },
  tests: (result: () => R) => void,
): void {
  const can = canRunFaults();
  describe(title, function () {
    this.timeout(o.limitMs + 40_000);
    if (!can.ok) {
      it(`skipped: needs root, ip and nft to create a network namespace (${can.why})`, function () { this.skip(); });
      return;
    }
    let r: R | undefined;
    before(async () => {
      r = await inNamespace<R>(fileURLToPath(script), options, `${o.tag}-${process.pid}`, o.limitMs);
    });
    tests(() => {
      if (r === undefined) throw new Error('the fault run gave no result');
      return r;
    });
  });
}
