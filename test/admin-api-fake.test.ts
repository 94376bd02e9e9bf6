// The admin API's HTTP contract (routing, formats, errors, limits, streams), over a
// fake cluster: the subject is the server, not consensus. The same API over a real
// node is exercised by test/cli-node.test.ts.
import { expect } from 'chai';
import { request } from 'node:http';
import { MAX_BODY_BYTES } from '../src/cli/admin-api.js';
import { atom, compound, int, str } from '../src/term/index.js';
import { termText } from '../src/cli/term-text.js';
import { useFakeAdmin } from './cli-fake-cluster.js';

const PORT = 43010;
const base = `http://127.0.0.1:${PORT}`;
const q = (path: string, params: Record<string, string> = {}): string => {
  const u = new URL(path, base);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
};

describe('admin API over a fake cluster', () => {
  const { cluster, server } = useFakeAdmin(PORT);

  it('sets and gets a value as Prolog text', async () => {
    const put = await fetch(q('/set', { key: 'point(1, "a")' }), { method: 'PUT', body: "f('X y', [1,2|\"t\"], 0.1)" });
    expect(put.status).to.equal(204);
    const res = await fetch(q('/get', { key: "point(1,\"a\")" }));
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    expect(await res.text()).to.equal(`f('X y',[1,2|"t"],0.1)\n`);
  });

  it('deletes a key with DELETE /key, answering 204 with the generation, 503/504 when not acknowledged, 405 for another method', async () => {
    await fetch(q('/set', { key: 'k' }), { method: 'PUT', body: 'v' });
    const del = await fetch(q('/key', { key: 'k' }), { method: 'DELETE' });
    expect(del.status).to.equal(204);
    expect(del.headers.get('x-paxos-gen')).to.match(/^\d+$/);
    expect((await fetch(q('/get', { key: 'k' }))).status).to.equal(404);
    expect((await fetch(q('/key', { key: 'k' }), { method: 'GET' })).status).to.equal(405);
    cluster().agree = false;
    const no = await fetch(q('/key', { key: 'k' }), { method: 'DELETE' });
    expect([no.status, no.headers.get('x-paxos-outcome')]).to.deep.equal([503, 'rejected']);
    cluster().failure = 'unknown';
    const unk = await fetch(q('/key', { key: 'k' }), { method: 'DELETE' });
    expect([unk.status, unk.headers.get('x-paxos-outcome')]).to.deep.equal([504, 'unknown']);
  });

  it('accepts a JSON body as the natural JSON mapping', async () => {
    const put = await fetch(q('/set', { key: 'cfg' }), {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"n": 3, "tags": ["x"], "on": true}',
    });
    expect(put.status).to.equal(204);
    const v = await cluster().get(atom('cfg'));
    expect(v && termText(v)).to.equal('json{n:3,on:true,tags:["x"]}');
    const back = await (await fetch(q('/get', { key: 'cfg', format: 'json' }))).json() as any;
    expect(back.value.json).to.deep.equal({ n: 3, tags: ['x'], on: true });
  });

  it('answers JSON with text, tagged and natural forms when asked', async () => {
    await cluster().set(atom('k'), compound('f', int(1)));
    await cluster().set(atom('s'), str('hello'));
    const f = await (await fetch(q('/get', { key: 'k', format: 'json' }))).json();
    expect(f).to.deep.equal({
      key: { text: 'k', term: { atom: 'k' } },
      value: { text: 'f(1)', term: { compound: 'f', args: [{ int: '1' }] } },
    });
    const s = await (await fetch(q('/get', { key: 's' }), { headers: { accept: 'application/json' } })).json() as any;
    expect(s.value).to.deep.equal({ text: '"hello"', term: { string: 'hello' }, json: 'hello' });
  });

  it('reports an unknown key with 404', async () => {
    const res = await fetch(q('/get', { key: 'nothing(here)' }));
    expect(res.status).to.equal(404);
    expect(await res.text()).to.equal('no agreed value for nothing(here)\n');
  });

  it('reports a syntax error with its position, as text or JSON', async () => {
    const res = await fetch(q('/get', { key: 'foo(a b)' }));
    expect(res.status).to.equal(400);
    expect(await res.text()).to.match(/^key: Syntax error: Operator expected at line 1, column \d+\n$/);
    const j = await fetch(q('/get', { key: 'foo(', format: 'json' }));
    expect(j.status).to.equal(400);
    expect((await j.json() as any).error).to.match(/^key: Syntax error/);
  });

  it('refuses a key with variables, a missing key, a wrong method, an unknown path or format', async () => {
    expect((await fetch(q('/get', { key: 'f(X)' }))).status).to.equal(400);
    const nonGround = await fetch(q('/set', { key: 'a' }), { method: 'PUT', body: 'f(X, Y, X)' });
    expect(nonGround.status).to.equal(400);
    expect(await nonGround.text()).to.match(/^value must be ground: f\((_\w*),_\w*,\1\)\n$/);
    expect((await fetch(q('/get'))).status).to.equal(400);
    const m = await fetch(q('/get', { key: 'a' }), { method: 'DELETE' });
    expect(m.status).to.equal(405);
    expect(m.headers.get('allow')).to.equal('GET');
    expect((await fetch(q('/nope'))).status).to.equal(404);
    expect((await fetch(q('/get', { key: 'a', format: 'xml' }))).status).to.equal(400);
    expect((await fetch(q('/set', { key: 'a' }), { method: 'PUT', headers: { 'content-type': 'image/png' }, body: 'x' })).status).to.equal(415);
    expect((await fetch(q('/set', { key: 'a' }), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{' })).status).to.equal(400);
  });

  it('limits the body size and survives the attempt', async () => {
    const big = 'a'.repeat(MAX_BODY_BYTES + 10);
    const status = await new Promise<number>((resolve, reject) => {
      // Chunked, so the limit is enforced on the bytes read, not on a declared length.
      const req = request(q('/set', { key: 'big' }), { method: 'PUT' }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < big.length; i += 65536) req.write(big.slice(i, i + 65536));
      req.end();
    }).catch(() => 413); // the server may reset the upload after answering
    expect(status).to.equal(413);
    expect(cluster().data.size).to.equal(0);
    expect((await fetch(q('/status'))).status).to.equal(200);
  });

  it('refuses a value too large for one paxos datagram, before asking the cluster', async () => {
    const res = await fetch(q('/set', { key: 'big' }), { method: 'PUT', body: `"${'x'.repeat(70_000)}"` });
    expect(res.status).to.equal(413);
    expect(await res.text()).to.match(/^value too large: key and value take 70005 bytes, and a paxos message carries both in one UDP datagram/);
    expect(cluster().data.size).to.equal(0);
  });

  it('answers 503 for a set that was not chosen and 504 for one of unknown outcome, with the outcome in a header', async () => {
    cluster().agree = false;
    const res = await fetch(q('/set', { key: 'a' }), { method: 'PUT', body: '1' });
    expect(res.status).to.equal(503);
    expect(res.headers.get('x-paxos-outcome')).to.equal('rejected');
    expect(await res.text()).to.equal('not chosen for a: fake cluster told to disagree\n');
    cluster().failure = 'unknown';
    const res2 = await fetch(q('/set', { key: 'a' }), { method: 'PUT', body: '1' });
    expect(res2.status).to.equal(504);
    expect(res2.headers.get('x-paxos-outcome')).to.equal('unknown');
    expect(await res2.text()).to.equal('outcome unknown for a: fake cluster told to disagree\n');
    cluster().failure = 'rejected';
  });

  it('reports the generation of an acknowledged set in a header', async () => {
    const res = await fetch(q('/set', { key: 'g' }), { method: 'PUT', body: '1' });
    expect(res.status).to.equal(204);
    expect(Number(res.headers.get('x-paxos-gen'))).to.be.greaterThan(0);
  });

  it('lists keys that unify with a pattern, as text lines or NDJSON', async () => {
    await cluster().set(compound('user', int(2)), atom('bob'));
    await cluster().set(compound('user', int(1)), atom('ann'));
    await cluster().set(atom('other'), atom('x'));
    expect(await (await fetch(q('/keys', { pattern: 'user(_)' }))).text()).to.equal('user(1)\nuser(2)\n');
    expect(await (await fetch(q('/keys'))).text()).to.equal('other\nuser(1)\nuser(2)\n');
    const nd = (await (await fetch(q('/keys', { pattern: 'user(N)', format: 'json' }))).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(nd.map((e) => [e.key.text, e.value.text])).to.deep.equal([['user(1)', 'ann'], ['user(2)', 'bob']]);
  });

  it('reports status as JSON', async () => {
    await cluster().set(atom('a'), int(1));
    const s = await (await fetch(q('/status'))).json() as any;
    expect(s).to.include({ node: 0, ledgerSize: 1, scope: 'paxos' });
    expect(s.quorum).to.deep.equal([0]);
  });

  it('streams changes matching a pattern as clauses, and forgets a watcher that hangs up', async () => {
    const ac = new AbortController();
    const res = await fetch(q('/watch', { pattern: 'temp(_)' }), { signal: ac.signal });
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    const reader = res.body!.getReader();
    await cluster().set(compound('temp', atom('oslo')), int(-3));
    await cluster().set(atom('ignored'), int(0));
    await cluster().set(compound('temp', atom('rome')), compound(':-', atom('a'), atom('b')));
    let text = '';
    while (text.split('\n').length < 3) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).to.equal('temp(oslo):= -3.\ntemp(rome):=(a:-b).\n');
    expect(cluster().watcherCount).to.equal(1);
    ac.abort();
    for (let i = 0; i < 50 && cluster().watcherCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(cluster().watcherCount).to.equal(0);
  });

  it('streams changes as server-sent events', async () => {
    const ac = new AbortController();
    const res = await fetch(q('/watch'), { headers: { accept: 'text/event-stream' }, signal: ac.signal });
    expect(res.headers.get('content-type')).to.match(/^text\/event-stream/);
    const reader = res.body!.getReader();
    await cluster().set(atom('a'), str('x'));
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).to.equal('event: change\ndata: {"key":{"text":"a","term":{"atom":"a"}},"value":{"text":"\\"x\\"","term":{"string":"x"},"json":"x"}}\n\n');
    ac.abort();
  });

  it('ends open watch streams when it closes', async () => {
    const res = await fetch(q('/watch', { format: 'json' }));
    const body = res.text();
    await server().close();
    expect(await body).to.equal('');
  });
});
