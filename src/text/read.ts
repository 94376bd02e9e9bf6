// The Prolog text reader: SWI-Prolog 9.0.4's standard term syntax.
//
//   readTerm(text)      one term, like term_string/2 (final `.` optional, nothing may follow)
//   readTermWithVars    the same, with the variable name bindings
//   readTerms(text)     every clause of a text (each ended by `.`), throwing on the first error
//                       (with `applyOps`, it and readClauses apply `:- op/3` as consult does)
//   readClauses(text)   an iterator of {term, varNames} or {error} per clause, resyncing after
//                       an error at the next end `.`, so a caller can carry on
//   readTermFromBytes   UTF-8 bytes, decoded strictly (invalid UTF-8 is a syntax error)
//
// Every failure is a PrologSyntaxError; nothing else escapes, whatever the input.
import { End, tokenize, type Token } from '../../grammar/lexer.js';
import { atom } from '../term/build.js';
import type { Term, Var } from '../term/types.js';
import { applyOpDirective } from './op-directive.js';
import { OpTable } from './ops.js';
import { ParseFailure, TermParser } from './read-parser.js';
import { PrologSyntaxError } from './syntax-error.js';

export { PrologSyntaxError } from './syntax-error.js';

export interface BaseReadOptions {
  /**
   * Whether results carry the variable name bindings (default true). Variables of one
   * clause that share a name are one Var object either way; `_` is always fresh.
   */
  readonly varNames?: boolean;
}

/**
 * Either `ops`, a table the reader only reads, or `applyOps`, a table that
 * readTerms/readClauses also change by each `:- op/3` directive they read (as consult/1
 * does), for the clauses after it; the caller can write with that table as it goes.
 */
export type ReadOptions = BaseReadOptions & (
  | { /** Operators to read with (SWI's defaults when absent). Never changed. */ readonly ops?: OpTable; readonly applyOps?: undefined }
  | { /** Operators to read with, changed by the text's op/3 directives. */ readonly applyOps: OpTable; readonly ops?: undefined }
);

export interface ReadResult {
  readonly term: Term;
  /** Name -> Var in order of first occurrence, `_` excluded (SWI's variable_names/1). */
  readonly varNames: ReadonlyMap<string, Var>;
}

export type ClauseResult =
  | { readonly term: Term; readonly varNames: ReadonlyMap<string, Var>; readonly error?: undefined }
  | { readonly error: PrologSyntaxError; readonly term?: undefined };

const DEFAULT_OPS = OpTable.swi();
const EMPTY_NAMES: ReadonlyMap<string, Var> = new Map();

// One parser per operator table, reused across calls (Chevrotain's "reuse the parser"
// advice applies to our parser too). Generators get their own: they interleave.
const parsers = new WeakMap<OpTable, TermParser>();
function sharedParser(ops: OpTable): TermParser {
  let p = parsers.get(ops);
  if (p === undefined) {
    p = new TermParser(ops);
    parsers.set(ops, p);
  }
  return p;
}

function toSyntaxError(e: unknown, text: string): PrologSyntaxError {
  if (e instanceof PrologSyntaxError) return e;
  if (e instanceof ParseFailure) return new PrologSyntaxError(e.kind, e.offset, text, e.args);
  // Engine limits (string or array length, memory) and anything unforeseen.
  const kind = e instanceof RangeError ? 'resource_error' : 'internal_error';
  return new PrologSyntaxError(kind, 0, text, [e instanceof Error ? e.message : String(e)]);
}

/** Read exactly one term, like SWI's term_string/2. Empty text reads as `end_of_file`. */
export function readTerm(text: string, options: ReadOptions = {}): Term {
  return readTermWithVars(text, options).term;
}

export function readTermWithVars(text: string, options: ReadOptions = {}): ReadResult {
  const parser = sharedParser(options.applyOps ?? options.ops ?? DEFAULT_OPS);
  try {
    const toks = tokenize(text);
    if (toks.length === 0) return { term: atom('end_of_file'), varNames: EMPTY_NAMES };
    parser.begin();
    parser.reset(text, toks, true);
    const r = parser.parseClause();
    if (!parser.atEnd()) {
      const i = parser.position;
      throw new ParseFailure('end_of_clause_expected', toks[i]!.startOffset, i);
    }
    return { term: r.term, varNames: options.varNames === false ? EMPTY_NAMES : r.varNames };
  } catch (e) {
    throw toSyntaxError(e instanceof ParseFailure ? parser.rawReadError(e) : e, text);
  } finally {
    parser.release(); // let the text, tokens and terms be collected
  }
}

// Small runs keep the tokens short-lived: they die in the young generation instead of
// being copied by scavenges (8 KB ran the reader 1.7x faster than 256 KB).
const CHUNK = 1 << 13;

/**
 * Split a text into runs of whole clauses, each tokenised on its own, so a large
 * text never has all its tokens alive at once (that GC load halved throughput).
 * A cut after ".\n" is kept only if tokenising the run ends with an end token
 * right there: a quote or comment running over the cut shows up as an unclosed
 * token, a `.` that is not an end (`0'.`, `=.`) as some other last token.
 */
function* tokenChunks(text: string): Generator<{ base: number; text: string; toks: Token[] }> {
  let base = 0;
  while (base < text.length) {
    let end = base + CHUNK;
    for (;;) {
      const k = end >= text.length ? -1 : text.indexOf('.\n', end - 2);
      if (k < 0) {
        const rest = text.substring(base);
        yield { base, text: rest, toks: tokenize(rest) };
        return;
      }
      const chunk = text.substring(base, k + 2);
      const toks = tokenize(chunk);
      const last = toks[toks.length - 1];
      if (last !== undefined && last.tokenType === End && last.startOffset === chunk.length - 2) {
        yield { base, text: chunk, toks };
        base = k + 2;
        break;
      }
      end = k + 2 + (end - base); // grow the run and look for the next cut
    }
  }
}

/** Every clause of a text; throws the first syntax error. */
export function readTerms(text: string, options: ReadOptions = {}): Term[] {
  const apply = options.applyOps;
  const parser = sharedParser(apply ?? options.ops ?? DEFAULT_OPS);
  try {
    const out: Term[] = [];
    parser.begin();
    for (const c of tokenChunks(text)) {
      parser.reset(c.text, c.toks, false, c.base);
      while (!parser.atEnd()) {
        const t = parser.parseTerm();
        if (apply !== undefined && applyOpDirective(t, apply)) parser.begin(); // drop cached op lookups
        out.push(t);
      }
    }
    return out;
  } catch (e) {
    throw toSyntaxError(e instanceof ParseFailure ? parser.rawReadError(e) : e, text);
  } finally {
    parser.release();
  }
}

/** Each clause as {term, varNames} or {error}; after an error, reading resumes after the next end `.`. */
export function* readClauses(text: string, options: ReadOptions = {}): Generator<ClauseResult, void, undefined> {
  const apply = options.applyOps;
  const parser = new TermParser(apply ?? options.ops ?? DEFAULT_OPS);
  const names = options.varNames !== false;
  const chunks = tokenChunks(text);
  parser.begin();
  for (;;) {
    let next: IteratorResult<{ base: number; text: string; toks: Token[] }>;
    try {
      next = chunks.next();
    } catch (e) {
      yield { error: toSyntaxError(e, text) };
      return;
    }
    if (next.done) return;
    parser.reset(next.value.text, next.value.toks, false, next.value.base);
    while (!parser.atEnd()) {
      let r: ClauseResult;
      try {
        r = names ? parser.parseClause() : { term: parser.parseTerm(), varNames: EMPTY_NAMES };
        if (apply !== undefined && applyOpDirective(r.term!, apply)) parser.begin();
      } catch (e) {
        r = { error: toSyntaxError(e instanceof ParseFailure ? parser.rawReadError(e) : e, text) };
        const at = e instanceof ParseFailure ? e.tokenIndex : parser.position;
        parser.position = (at >= 0 && at < parser.tokenCount ? parser.nextEnd(at) : parser.tokenCount) + 1;
      }
      yield r;
    }
  }
}

/** Read one term from UTF-8 bytes; invalid UTF-8 is a syntax error of kind `illegal_utf8`. */
export function readTermFromBytes(buf: Uint8Array, options: ReadOptions = {}): Term {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf);
  } catch {
    throw new PrologSyntaxError('illegal_utf8', firstInvalidUtf8(buf), '');
  }
  return readTerm(text, options);
}

/** Byte offset of the first ill-formed UTF-8 sequence (WHATWG rules: no overlongs, surrogates). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let need: number, lo = 0x80, hi = 0xbf;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) { need = 2; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return b.length;
}
