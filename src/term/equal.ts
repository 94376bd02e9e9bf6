// Structural equality (==/2) and a string key for JS Maps, both iterative.
import { compareTerms } from './compare.js';
import type { Term } from './types.js';

/** `==/2`: identical terms. Variables are equal only to themselves; NaN == NaN; -0.0 \== 0.0. */
export function equalTerms(a: Term, b: Term): boolean {
  return a === b || compareTerms(a, b) === 0;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * A string that is equal for two terms exactly when they are `==`; use it to key a
 * JS Map or Set by term. Prefix-free: every part carries its kind and length.
 */
export function termKey(t: Term): string {
  const out: string[] = [];
  const stack: Term[] = [t];
  while (stack.length > 0) {
    const x = stack.pop()!;
    switch (x.kind) {
      case 'atom': out.push('a', String(x.name.length), ':', x.name); break;
      case 'string': out.push('s', String(x.value.length), ':', x.value); break;
      case 'int': out.push('i', String(x.value), ';'); break;
      case 'rational': out.push('r', String(x.num), '/', String(x.den), ';'); break;
      case 'float':
        if (Number.isNaN(x.value)) out.push('fNaN;');
        else { f64[0] = x.value; out.push('f', u32[0]!.toString(36), '.', u32[1]!.toString(36), ';'); }
        break;
      case 'nil': out.push('n'); break;
      case 'var': out.push('v', String(x.id), ';'); break;
      case 'compound':
        if (x.nilName) out.push('C', String(x.args.length), ';'); // named by the reserved []
        else out.push('c', String(x.args.length), ',', String(x.name.length), ':', x.name);
        for (let i = x.args.length - 1; i >= 0; i--) stack.push(x.args[i]!);
        break;
      case 'dict':
        out.push('d', String(x.pairs.length), ';');
        for (let i = x.pairs.length - 1; i >= 0; i--) stack.push(x.pairs[i]![1], x.pairs[i]![0]);
        stack.push(x.tag);
        break;
    }
  }
  return out.join('');
}

/** A 32-bit FNV-1a hash of termKey(t), for hash tables that want a number. */
export function termHash(t: Term): number {
  const k = termKey(t);
  let h = 0x811c9dc5;
  for (let i = 0; i < k.length; i++) {
    h ^= k.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
