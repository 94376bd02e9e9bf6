// A persistent `swipl` process for tests: run goals given as Prolog text and get
// what they printed. One process serves thousands of queries, so property tests
// can compare against SWI-Prolog term by term without per-term start-up cost.
//
// Protocol (line based, immune to newlines in output): we send one goal as a
// line of Prolog text; swipl answers with one line, `ok [C1,C2,...]` (the codes
// the goal printed to current_output), `fail`, or `error [C1,...]` (the message
// of the exception). Code lists are valid JSON arrays.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SERVER = String.raw`
:- set_prolog_flag(verbose, silent).
:- use_module(library(readutil)).
serve :-
    read_line_to_string(user_input, Line),
    (   Line == end_of_file
    ->  halt(0)
    ;   catch(run(Line, Reply), E, error_reply(E, Reply)),
        with_output_to(user_error, true),
        format(user_output, "~w~n", [Reply]),
        flush_output(user_output),
        serve
    ).
run(Line, Reply) :-
    term_string(Goal, Line),
    (   with_output_to(codes(Codes), user:Goal)
    ->  Reply = ok(Codes)
    ;   Reply = fail
    ).
error_reply(E, error(Codes)) :-
    catch(message_to_codes(E, Codes), _, format(codes(Codes), "~q", [E])).
message_to_codes(E, Codes) :-
    message_to_codes(E, [], Codes0), !, Codes = Codes0.
message_to_codes(E, _, Codes) :- format(codes(Codes), "~q", [E]).
`;

export type SwiplReply =
  | { readonly status: 'ok'; readonly output: string }
  | { readonly status: 'fail' }
  | { readonly status: 'error'; readonly message: string };

/** True when a usable swipl is installed. Tests that need it fail under CI when it is not. */
export function haveSwipl(): boolean {
  const r = spawnSync('swipl', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Call in a `before` hook of a suite that needs swipl: skips the suite (with the
 * reason in the title) when swipl is missing on a developer machine, and fails
 * under CI, where a missing swipl is a broken setup.
 */
export function requireSwipl(ctx: Mocha.Context): void {
  if (haveSwipl()) return;
  if (process.env.CI) throw new Error('swipl is not installed, and CI requires it');
  ctx.skip();
}

export class Swipl {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];
  private stderr = '';
  private exited = false;
  private readonly dir: string;

  private constructor(program: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'swipl-test-'));
    const file = join(this.dir, 'server.pl');
    writeFileSync(file, SERVER + '\n' + program + '\n');
    this.proc = spawn('swipl', ['-q', '--no-packs', '-g', 'serve', '-t', 'halt', file], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: this.proc.stdout });
    lines.on('line', (line) => this.waiting.shift()?.(line));
    this.proc.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 65536) this.stderr += d.toString('utf8');
    });
    this.proc.on('exit', () => {
      this.exited = true;
      rmSync(this.dir, { recursive: true, force: true });
      for (const w of this.waiting.splice(0)) w('__exit__');
    });
  }

  /** Start swipl with extra Prolog clauses loaded (e.g. helper predicates for a suite). */
  static async start(program = ''): Promise<Swipl> {
    const s = new Swipl(program);
    const r = await s.query('true');
    if (r.status !== 'ok') throw new Error(`swipl failed to start: ${s.stderr}`);
    return s;
  }

  /** Run one goal (Prolog text, no final full stop needed, one line). */
  query(goal: string): Promise<SwiplReply> {
    if (goal.includes('\n')) throw new Error('goal text must be a single line');
    if (this.exited) return Promise.reject(new Error(`swipl has exited: ${this.stderr}`));
    return new Promise((resolve, reject) => {
      this.waiting.push((line) => {
        if (line === '__exit__') reject(new Error(`swipl exited: ${this.stderr}`));
        else resolve(parseReply(line));
      });
      this.proc.stdin.write(goal + '\n');
    });
  }

  /** Run a goal that must succeed; returns what it printed. */
  async output(goal: string): Promise<string> {
    const r = await this.query(goal);
    if (r.status === 'ok') return r.output;
    throw new Error(`swipl: ${goal} -> ${r.status === 'error' ? r.message : 'failed'}`);
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((res) => this.proc.once('exit', () => res()));
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
    await done;
    clearTimeout(timer);
  }
}

function fromCodes(json: string): string {
  const codes = JSON.parse(json) as number[];
  let out = '';
  for (let i = 0; i < codes.length; i += 4096) out += String.fromCodePoint(...codes.slice(i, i + 4096));
  return out;
}

function parseReply(line: string): SwiplReply {
  if (line === 'fail') return { status: 'fail' };
  if (line.startsWith('ok(')) return { status: 'ok', output: fromCodes(line.slice(3, -1)) };
  if (line.startsWith('error(')) return { status: 'error', message: fromCodes(line.slice(6, -1)) };
  return { status: 'error', message: `unexpected reply from swipl: ${line}` };
}

/**
 * One swipl for a mocha suite: started in `before` (after requireSwipl), closed in
 * `after`. Call inside `describe`; the returned getter gives the running process.
 */
export function useSwipl(program = ''): () => Swipl {
  let swipl: Swipl | undefined;
  before(async function () {
    requireSwipl(this);
    swipl = await Swipl.start(program);
  });
  after(async () => { await swipl?.close(); });
  return () => {
    if (!swipl) throw new Error('swipl is not running (useSwipl must be called inside describe)');
    return swipl;
  };
}
