// Terms as the CLI and admin API read and show them: SWI's reader and writeq.
import type { Term } from '../term/index.js';
import { readTerm } from '../text/read.js';
import { PrologSyntaxError } from '../text/syntax-error.js';
import { writeTerm } from '../text/write.js';

export type Parsed =
  | { readonly ok: true; readonly term: Term }
  | { readonly ok: false; readonly message: string; readonly offset: number | undefined };

/**
 * One term from user text, with or without its final full stop (`foo(X)` and
 * `foo(X).` read alike). A syntax error comes back with its position.
 */
export function parseTermText(text: string): Parsed {
  // readTerm reads empty text as end_of_file, which no user means by an empty argument.
  if (/^\s*$/.test(text)) return { ok: false, message: 'empty text where a term was expected', offset: 0 };
  try {
    return { ok: true, term: readTerm(text) };
  } catch (e) {
    if (e instanceof PrologSyntaxError) return { ok: false, message: e.message, offset: e.offset };
    return { ok: false, message: (e as Error).message, offset: undefined };
  }
}

/** Does the text end with an end token (`.` followed by layout or the end)? */
export function hasFullStop(text: string): boolean {
  const t = text.replace(/(\s|%[^\n]*)+$/u, '');
  if (!t.endsWith('.')) return false;
  // `..` or `=.` would be part of a symbol-char token, not a full stop.
  const before = t.slice(-2, -1);
  return before === '' || !SYMBOL_CHARS.includes(before);
}

const SYMBOL_CHARS = '#$&*+-./:<=>?@^~\\';

/** writeq/1 text of a term. */
export function termText(t: Term): string {
  return writeTerm(t, { style: 'writeq' });
}

/** The term as a clause: writeq text and a full stop that cannot glue onto it. */
export function clauseText(t: Term): string {
  const s = termText(t);
  return SYMBOL_CHARS.includes(s.slice(-1)) ? `${s} .` : `${s}.`;
}
