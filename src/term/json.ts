// Conversion between terms and JSON values.
//
// `fromJSON`/`toJSON` is the natural mapping (strings <-> strings, numbers,
// true/false/null atoms, arrays <-> lists, objects <-> anonymous dicts). It is
// lossless both ways on its domain; `toJSON` throws for terms outside it (an
// integral float would come back as an integer, an atom `a` as a string, ...).
//
// `toTaggedJSON`/`fromTaggedJSON` covers every term losslessly with tagged objects,
// for tools that must show any term as JSON.
import { atom, compoundOf, dict, float, int, list, nil, rational, str, TermError, variable } from './build.js';
import type { Term, Var } from './types.js';
import { listItems } from './walk.js';

export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

const MAX_DEPTH = 2_000; // JSON values are JS objects built by callers; bound their nesting.

export function fromJSON(value: JSONValue, depth = 0): Term {
  if (depth > MAX_DEPTH) throw new TermError('JSON value nested too deeply');
  if (value === null) return atom('null');
  switch (typeof value) {
    case 'boolean': return atom(value ? 'true' : 'false');
    case 'number':
      if (!Number.isFinite(value)) throw new TermError(`not a JSON number: ${value}`);
      return Number.isInteger(value) ? int(value) : float(value);
    case 'string': return str(value);
    default:
      if (Array.isArray(value)) return list(value.map((v) => fromJSON(v, depth + 1)));
      return dict(variable(), Object.entries(value).map(([k, v]) => [k, fromJSON(v, depth + 1)] as const));
  }
}

export function toJSON(t: Term, depth = 0): JSONValue {
  if (depth > MAX_DEPTH) throw new TermError('term nested too deeply for JSON');
  switch (t.kind) {
    case 'atom':
      if (t.name === 'true') return true;
      if (t.name === 'false') return false;
      if (t.name === 'null') return null;
      throw new TermError(`atom ${t.name} has no lossless JSON form (JSON strings are Prolog strings)`);
    case 'string': return t.value;
    case 'int':
      if (typeof t.value === 'bigint') throw new TermError('integer too large for a JSON number');
      return t.value;
    case 'float':
      if (!Number.isFinite(t.value) || Number.isInteger(t.value)) {
        throw new TermError(`float ${t.value} has no lossless JSON form`);
      }
      return t.value;
    case 'nil': return [];
    case 'compound': {
      const { items, tail } = listItems(t);
      if (items.length > 0 && tail.kind === 'nil') return items.map((x) => toJSON(x, depth + 1));
      throw new TermError(`compound ${t.name}/${t.args.length} has no JSON form`);
    }
    case 'dict': {
      if (t.tag.kind !== 'var') throw new TermError('only anonymous dicts map to JSON objects');
      const o: { [key: string]: JSONValue } = {};
      for (const [k, v] of t.pairs) {
        if (k.kind !== 'atom') throw new TermError(`${k.kind === 'int' ? 'integer' : 'reserved []'} dict keys have no lossless JSON form`);
        o[k.name] = toJSON(v, depth + 1);
      }
      return o;
    }
    case 'rational': throw new TermError('rationals have no JSON form');
    case 'var': throw new TermError('variables have no JSON form');
  }
}

/** Lossless JSON for any term: `{"atom":"a"}`, `{"int":"123"}`, `{"compound":"f","args":[...]}`, ... */
export function toTaggedJSON(t: Term, vars = new Map<Var, number>(), depth = 0): JSONValue {
  if (depth > MAX_DEPTH) throw new TermError('term nested too deeply for JSON');
  switch (t.kind) {
    case 'atom': return { atom: t.name };
    case 'string': return { string: t.value };
    case 'int': return { int: String(t.value) };
    case 'float':
      return { float: Number.isFinite(t.value) ? t.value : String(t.value), ...(Object.is(t.value, -0) ? { negativeZero: true } : {}) };
    case 'rational': return { rational: `${t.num}r${t.den}` };
    case 'nil': return { nil: true };
    case 'var': {
      let n = vars.get(t);
      if (n === undefined) { n = vars.size; vars.set(t, n); }
      return { var: n };
    }
    case 'compound': // the reserved [] as a name is {"nil":true}, as the term [] is
      return { compound: t.nilName ? { nil: true } : t.name, args: t.args.map((a) => toTaggedJSON(a, vars, depth + 1)) };
    case 'dict':
      return {
        dict: toTaggedJSON(t.tag, vars, depth + 1),
        pairs: t.pairs.map(([k, v]) => [toTaggedJSON(k, vars, depth + 1), toTaggedJSON(v, vars, depth + 1)]),
      };
  }
}

export function fromTaggedJSON(j: JSONValue, vars = new Map<number, Var>(), depth = 0): Term {
  if (depth > MAX_DEPTH) throw new TermError('JSON value nested too deeply');
  if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new TermError('tagged term must be an object');
  const o = j as Record<string, JSONValue>;
  if (typeof o.atom === 'string') return atom(o.atom);
  if (typeof o.string === 'string') return str(o.string);
  if (typeof o.int === 'string' && /^-?\d+$/.test(o.int)) return int(BigInt(o.int));
  if ('float' in o) {
    if (o.negativeZero === true) return float(-0);
    const f = typeof o.float === 'string' ? Number(o.float) : o.float;
    if (typeof f === 'number') return float(f);
  }
  if (typeof o.rational === 'string') {
    const m = /^(-?\d+)r(\d+)$/.exec(o.rational);
    if (m) return rational(BigInt(m[1]!), BigInt(m[2]!));
  }
  if (o.nil === true) return nil();
  if (typeof o.var === 'number') {
    let v = vars.get(o.var);
    if (!v) { v = variable(); vars.set(o.var, v); }
    return v;
  }
  const name = typeof o.compound === 'string' ? o.compound : isNilTag(o.compound) ? nil() : undefined;
  if (name !== undefined && Array.isArray(o.args)) {
    return compoundOf(name, o.args.map((a) => fromTaggedJSON(a, vars, depth + 1)));
  }
  if ('dict' in o && Array.isArray(o.pairs)) {
    const tag = fromTaggedJSON(o.dict!, vars, depth + 1);
    if (tag.kind !== 'atom' && tag.kind !== 'var') throw new TermError('dict tag must be an atom or a variable');
    return dict(tag, o.pairs.map((p) => {
      if (!Array.isArray(p) || p.length !== 2) throw new TermError('dict pair must be [key, value]');
      const k = fromTaggedJSON(p[0]!, vars, depth + 1);
      if (k.kind !== 'atom' && k.kind !== 'int' && k.kind !== 'nil') throw new TermError('dict key must be an atom, [] or integer');
      return [k, fromTaggedJSON(p[1]!, vars, depth + 1)] as const;
    }));
  }
  throw new TermError(`not a tagged term: ${JSON.stringify(j).slice(0, 80)}`);
}

function isNilTag(j: JSONValue | undefined): boolean {
  return j !== null && typeof j === 'object' && !Array.isArray(j) && (j as Record<string, JSONValue>).nil === true;
}
