// The Prolog text writer: writeTerm() prints a term byte for byte as SWI-Prolog
// 9.0.4's writeq/print/write/write_canonical or write_term(T, [quoted(true),
// ignore_ops(true)]) (the 'wire' style) would. It follows pl-write.c's
// writeTerm2() but runs on an explicit stack, so list length and nesting depth
// are limited by memory only.
import type { Compound, Dict, Term, Var } from '../term/types.js';
import { argPriorities, OpTable } from './ops.js';
import { AtomTextCache, firstEscape, isVarName, quoteText, type EscapeStyle } from './write-atom.js';
import { OutBuffer } from './write-buffer.js';
import { C_CONT, C_PUNCT, C_SYM, CHAR_CLASS, codePointAt, lastCodePoint } from './write-chars.js';
import { formatFloat, hundredths } from './write-float.js';

export type WriteStyle = 'writeq' | 'print' | 'write' | 'canonical' | 'wire';

export interface WriteOptions {
  /** Default 'writeq'. */
  readonly style?: WriteStyle;
  /** Operators to write with (default: SWI's). Ignored by 'canonical' and 'wire'. */
  readonly ops?: OpTable;
  /**
   * Write '$VAR'(N) as A, B, ..., Z, A1, ... and '$VAR'('Name') as Name.
   * Default as in SWI: true for writeq, print and write; false for canonical and wire.
   */
  readonly numbervars?: boolean;
  /** Names to write variables with (SWI's variable_names/1). Not used by 'canonical'. */
  readonly variableNames?: ReadonlyMap<Var, string>;
  /** Context priority of the whole term (default 1200). */
  readonly priority?: number;
  /**
   * ISO-Latin-1 output for the quoted styles: atoms holding a character above U+00FF
   * are quoted and such characters written as `\x20AC\`, so SWI's udp_send/4 can
   * send the text and any reader reads the same term back. Lone surrogates are left
   * as they are (nothing reads them). No effect on 'write'.
   */
  readonly latin1?: boolean;
}

interface Style {
  readonly quoted: boolean;
  readonly ignoreOps: boolean;
  readonly numbervars: boolean;
  /** write_canonical: `{}(X)` rather than `{X}`, variables as A, B, ... and `_`. */
  readonly canonical: boolean;
  readonly atoms: AtomTextCache | undefined;
  readonly esc: EscapeStyle;
  /** The writer reused for this style's defaults. */
  shared?: Writer;
}

function makeStyle(quoted: boolean, ignoreOps: boolean, numbervars: boolean, canonical: boolean, esc: EscapeStyle): Style {
  return {
    quoted, ignoreOps, numbervars, canonical, esc,
    atoms: quoted ? new AtomTextCache(canonical, esc) : undefined,
  };
}

const STYLES: Record<WriteStyle, Style> = {
  writeq: makeStyle(true, false, true, false, 'x'),
  // print/1 goes through write_term/2 with the print_write_options flag, which
  // turns on character_escapes_unicode.
  print: makeStyle(true, false, true, false, 'u'),
  write: makeStyle(false, false, true, false, 'x'),
  canonical: makeStyle(true, true, false, true, 'x'),
  wire: makeStyle(true, true, false, false, 'u'),
};

const DEFAULT_OPS = OpTable.swi();

/** The latin1 variant of each quoted style (write_canonical's quote_non_ascii, wide escapes). */
const LATIN1_STYLES = new Map<Style, Style>();
function latin1Style(s: Style): Style {
  if (!s.quoted) return s;
  let l = LATIN1_STYLES.get(s);
  if (l === undefined) {
    l = { ...makeStyle(true, s.ignoreOps, s.numbervars, s.canonical, 'latin1'), atoms: new AtomTextCache(true, 'latin1') };
    LATIN1_STYLES.set(s, l);
  }
  return l;
}

// Flags on the last written character that change whether the next token needs
// a space (pl-write.c's C_PREFIX_SIGN, C_PREFIX_OP, C_INFIX_OP).
const F_PREFIX_SIGN = 1;
const F_PREFIX_OP = 2;
const F_INFIX_OP = 4;
const EOF = -1;

// Stack entries are pairs: (payload, code). code >= 0 means "write the term
// payload", with code = priority * 4 + (2 if a `,` goes first) + (1 if it is an
// operator argument).
const A_RAW = -1; // payload: string, written as is
const A_TOKEN = -2; // payload: string, a token that may need a leading space
const A_INFIX = -3; // payload: operator name, written between infix operands
const A_POSTFIX = -4; // payload: operator name, written after the operand
const A_LIST = -5; // payload: the rest of a list whose head was just written

/** SWI's isDigit() looks up the low byte only, so U+0130 counts as a digit when spacing. */
function isDigitByte(c: number): boolean {
  const b = c & 0xff;
  return b >= 0x30 && b <= 0x39;
}
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

class Writer {
  private readonly out = new OutBuffer();
  private last = EOF;
  private flags = 0;
  private readonly stack: unknown[] = [];
  private varNames: Map<Var, string> | undefined;
  private singletons: Set<Var> | undefined;
  private nextVarNumber = 0;

  constructor(
    private readonly style: Style,
    private readonly ops: OpTable,
    private readonly numbervars: boolean,
    private readonly userVarNames: ReadonlyMap<Var, string> | undefined,
  ) {}

  write(term: Term, priority: number): string {
    this.out.reset();
    this.last = EOF;
    this.flags = 0;
    this.stack.length = 0; // in case an earlier write threw midway
    if (this.style.canonical) this.prepareCanonicalVars(term);
    const stack = this.stack;
    stack.push(term, priority * 4);
    while (stack.length > 0) {
      const code = stack.pop() as number;
      const payload = stack.pop();
      if (code >= 0) {
        if (code & 2) this.rawChar(0x2c);
        this.term(payload as Term, code >> 2, (code & 1) === 1);
      }
      else if (code === A_LIST) this.listRest(payload as Term);
      else if (code === A_RAW) this.raw(payload as string);
      else if (code === A_TOKEN) this.token(payload as string);
      else if (code === A_INFIX) this.infixOp(payload as string);
      else this.atom(payload as string);
    }
    const out = this.out.text();
    this.varNames = undefined;
    this.singletons = undefined;
    return out;
  }

  // --- output primitives -------------------------------------------------

  /** Writes non-empty `s` as is. */
  private raw(s: string): void {
    const c = this.out.put(s);
    this.last = c >= 0xdc00 && c <= 0xdfff ? lastCodePoint(s) : c;
    this.flags = 0;
  }

  /** Writes one BMP character that is not a surrogate. */
  private rawChar(c: number): void {
    this.out.putChar(c);
    this.last = c;
    this.flags = 0;
  }

  /** A string object: `"text"` with escapes when quoted, else its bare text. */
  private string(text: string): void {
    if (!this.style.quoted) {
      if (text.length > 0) this.raw(text);
      return;
    }
    if (firstEscape(text, 0x22, this.style.esc) < text.length) {
      this.out.put(quoteText(text, 0x22, this.style.esc));
    } else {
      this.out.putChar(0x22);
      if (text.length > 0) this.out.put(text);
      this.out.putChar(0x22);
    }
    this.last = 0x22;
    this.flags = 0;
  }

  /** An integer token; small ones go digit by digit into the output, with no string made. */
  private int(v: number | bigint): void {
    const last = this.last;
    if (typeof v === 'number' && v > -0x80000000 && v < 0x80000000 &&
        (last === EOF || (this.flags === 0 && (CHAR_CLASS[last]! & C_PUNCT) !== 0))) {
      if (v < 0) { this.out.putChar(0x2d); v = -v; }
      this.last = this.out.putSmallUint(v);
      this.flags = 0;
    } else {
      this.token(String(v));
    }
  }

  /** True when the next token needs no space before it, whatever it starts with. */
  private freeStart(): boolean {
    const last = this.last;
    return last === EOF || (this.flags === 0 && (CHAR_CLASS[last]! & C_PUNCT) !== 0);
  }

  /** A float token; a two-decimal one (12.5, 0.07) goes digit by digit into the output. */
  private float(v: number): void {
    const a = v < 0 ? -v : v;
    const k = a >= 0.01 && a < 0x7fffffff ? hundredths(a) : -1;
    if (k >= 0 && !Number.isInteger(a) && this.freeStart()) {
      const out = this.out;
      if (v < 0) out.putChar(0x2d);
      const ip = Math.floor(k / 100);
      const fp = k - ip * 100;
      out.putSmallUint(ip);
      out.putChar(0x2e);
      if (fp % 10 === 0) this.last = out.putSmallUint(fp / 10);
      else { if (fp < 10) out.putChar(0x30); this.last = out.putSmallUint(fp); }
      this.flags = 0;
    } else {
      this.token(formatFloat(v));
    }
  }

  /** A variable; `_` and its number go straight into the output when no name is given. */
  private variable(v: Var): void {
    if (!this.style.canonical && this.userVarNames === undefined && v.id < 0x7fffffff && this.freeStart()) {
      this.out.putChar(0x5f);
      this.last = this.out.putSmallUint(v.id);
      this.flags = 0;
    } else {
      this.token(this.varName(v));
    }
  }

  /** PutToken(): a space first if the previous and this token would otherwise merge. Returns whether it spaced. */
  private token(s: string): boolean {
    const last = this.last;
    // After `(`, `,`, `[`, `|`, `{` (and at the start) no token needs a space: the common case.
    if (last === EOF || (this.flags === 0 && (CHAR_CLASS[last]! & C_PUNCT) !== 0)) { this.raw(s); return false; }
    const c = s.charCodeAt(0);
    const spaced = this.needSpace(c >= 0xd800 && c <= 0xdbff ? codePointAt(s, 0) : c);
    if (spaced) this.out.putChar(0x20);
    this.raw(s);
    return spaced;
  }

  private needSpace(c: number): boolean {
    const last = this.last;
    if (last === EOF) return false;
    const cls = CHAR_CLASS;
    const flags = this.flags;
    if ((flags & F_PREFIX_SIGN) && (isDigitByte(c) || (cls[c]! & C_SYM))) return true;
    if ((flags & F_PREFIX_OP) && (c === 0x28 || c === 0x7b)) return true;
    if ((flags & F_INFIX_OP) && c === 0x28) return false;
    const kl = cls[last]!;
    const kc = cls[c]!;
    return ((kl & C_CONT) !== 0 && (kc & C_CONT) !== 0) ||
      ((kl & C_SYM) !== 0 && (kc & C_SYM) !== 0) ||
      (c === 0x28 && (kl & C_PUNCT) === 0) ||
      (c === 0x27 && isDigitByte(last)) ||
      ((c === 0x27 || c === 0x22) && last === c);
  }

  /** writeAtom(). Returns whether a space was put before it. */
  private atom(name: string): boolean {
    const atoms = this.style.atoms;
    if (atoms === undefined) {
      if (name.length === 0) return false;
      return this.token(name);
    }
    return this.token(atoms.get(name));
  }

  // --- terms -------------------------------------------------------------

  private term(t: Term, prec: number, opArg: boolean): void {
    switch (t.kind) {
      case 'atom':
        if (opArg && this.ops.maxPriority(t.name) > 0) {
          this.token('(');
          this.atom(t.name);
          this.rawChar(0x29);
        } else {
          this.atom(t.name);
        }
        return;
      case 'var':
        this.variable(t);
        return;
      case 'int':
        this.int(t.value);
        return;
      case 'float':
        this.float(t.value);
        return;
      case 'rational':
        this.token(String(t.num));
        this.raw('r' + String(t.den));
        return;
      case 'string':
        this.string(t.value);
        return;
      case 'nil':
        this.token('[]');
        return;
      case 'dict':
        this.dict(t);
        return;
      case 'compound':
        this.compound(t, prec);
        return;
    }
  }

  private compound(t: Compound, prec: number): void {
    const name = t.name;
    const args = t.args;
    const arity = args.length;
    const stack = this.stack;
    if (this.numbervars && arity === 1 && name === '$VAR' && this.numberVar(args[0]!)) return;
    if (arity === 1 && name === '{}' && !this.style.canonical) {
      this.token('{');
      stack.push('}', A_RAW, args[0], 1200 * 4);
      return;
    }
    if (arity === 2 && name === '[|]') {
      this.rawChar(0x5b);
      stack.push(args[1], A_LIST, args[0], 999 * 4);
      return;
    }
    if (!this.style.ignoreOps && (arity === 1 || arity === 2)) {
      const ops = this.ops;
      if (arity === 1) {
        const pre = ops.prefix(name);
        if (pre !== undefined) {
          const embrace = pre.priority > prec;
          if (embrace) { this.token('('); stack.push(')', A_RAW); }
          this.atom(name);
          this.flags |= name === '-' ? F_PREFIX_OP | F_PREFIX_SIGN : F_PREFIX_OP;
          stack.push(args[0], argPriorities(pre.priority, pre.type).right * 4 + 1);
          return;
        }
        const post = ops.postfix(name);
        if (post !== undefined) {
          const embrace = post.priority > prec;
          if (embrace) { this.token('('); stack.push(')', A_RAW); }
          stack.push(name, A_POSTFIX, args[0], argPriorities(post.priority, post.type).left * 4 + 1);
          return;
        }
      } else {
        const inf = ops.infix(name);
        if (inf !== undefined) {
          const embrace = inf.priority > prec;
          const { left, right } = argPriorities(inf.priority, inf.type);
          if (embrace) { this.token('('); stack.push(')', A_RAW); }
          stack.push(args[1], right * 4 + 1, name, A_INFIX, args[0], left * 4 + 1);
          return;
        }
      }
    }
    if (t.nilName) this.token('[]'); // `[](X)`, named by the reserved [] (no operator can be)
    else this.atom(name);
    this.rawChar(0x28);
    let i = 0;
    for (; i < arity; i++) {
      if (i > 0) this.rawChar(0x2c);
      if (!this.leaf(args[i]!)) break;
    }
    if (i === arity) { this.rawChar(0x29); return; }
    stack.push(')', A_RAW);
    for (let j = arity - 1; j > i; j--) stack.push(args[j], 999 * 4 + 2);
    stack.push(args[i], 999 * 4);
  }

  private infixOp(name: string): void {
    if (name === ',') this.rawChar(0x2c);
    else if (name === '|') this.rawChar(0x7c);
    else if (name === '.') this.token('.');
    else if (this.atom(name)) this.rawChar(0x20);
    this.flags |= F_INFIX_OP;
  }

  private listRest(tail: Term): void {
    // Elements that are leaves are written here and now; the stack only sees the others.
    while (tail.kind === 'compound' && tail.name === '[|]' && tail.args.length === 2) {
      const head = tail.args[0]!;
      this.rawChar(0x2c);
      if (!this.leaf(head)) {
        this.stack.push(tail.args[1], A_LIST, head, 999 * 4);
        return;
      }
      tail = tail.args[1]!;
    }
    if (tail.kind === 'nil') {
      this.rawChar(0x5d);
    } else {
      this.rawChar(0x7c);
      this.stack.push(']', A_RAW, tail, 999 * 4);
    }
  }

  /** Writes `t` at once if it is atomic (an argument position, so no operator embracing); false if not. */
  private leaf(t: Term): boolean {
    switch (t.kind) {
      case 'atom': this.atom(t.name); return true;
      case 'int': this.int(t.value); return true;
      case 'var': this.variable(t); return true;
      case 'float': this.float(t.value); return true;
      case 'nil': this.token('[]'); return true;
      case 'string': this.string(t.value); return true;
      default: return false;
    }
  }

  private dict(d: Dict): void {
    const stack = this.stack;
    stack.push('}', A_RAW);
    const pairs = d.pairs;
    for (let i = pairs.length - 1; i >= 0; i--) {
      const [k, v] = pairs[i]!;
      stack.push(v, 999 * 4, ':', A_TOKEN, k, i > 0 ? 1200 * 4 + 2 : 1200 * 4);
    }
    stack.push('{', A_RAW, d.tag, 1200 * 4);
  }

  /** '$VAR'(N) and '$VAR'('Name') under numbervars(true); false when the argument is neither. */
  private numberVar(arg: Term): boolean {
    if (arg.kind === 'int') {
      const v = arg.value;
      if (typeof v === 'bigint' && (v < INT64_MIN || v > INT64_MAX)) return false;
      this.token(numberVarName(v));
      return true;
    }
    if (arg.kind === 'atom' && isVarName(arg.name)) {
      this.token(arg.name);
      return true;
    }
    return false;
  }

  // --- variables ----------------------------------------------------------

  private varName(v: Var): string {
    if (this.style.canonical) {
      if (this.singletons!.has(v)) return '_';
      let n = this.varNames!.get(v);
      if (n === undefined) {
        n = numberVarName(this.nextVarNumber++);
        this.varNames!.set(v, n);
      }
      return n;
    }
    return this.userVarNames?.get(v) ?? '_' + v.id;
  }

  /** write_canonical names variables A, B, ... in order of appearance and singletons `_`. */
  private prepareCanonicalVars(term: Term): void {
    const seen = new Set<Var>();
    const singletons = new Set<Var>();
    const todo: Term[] = [term];
    while (todo.length > 0) {
      const t = todo.pop()!;
      if (t.kind === 'var') {
        if (seen.has(t)) singletons.delete(t);
        else { seen.add(t); singletons.add(t); }
      } else if (t.kind === 'compound') {
        for (const a of t.args) todo.push(a);
      } else if (t.kind === 'dict') {
        todo.push(t.tag);
        for (const [, v] of t.pairs) todo.push(v);
      }
    }
    this.singletons = singletons;
    this.varNames = new Map();
    this.nextVarNumber = 0;
  }
}

/** The name numbervars gives '$VAR'(N): A..Z, A1..Z1, ...; negative N as S_N. */
export function numberVarName(n: number | bigint): string {
  if (typeof n === 'number') {
    if (n < 0) return 'S_' + String(-n);
    const j = Math.floor(n / 26);
    return String.fromCharCode(65 + (n % 26)) + (j === 0 ? '' : String(j));
  }
  if (n < 0n) return n === INT64_MIN ? 'S_' + String(n) : 'S_' + String(-n); // C's -n overflows at INT64_MIN
  const j = n / 26n;
  return String.fromCharCode(65 + Number(n % 26n)) + (j === 0n ? '' : String(j));
}

/** The text of `term` as SWI-Prolog 9.0.4 writes it in the given style (default writeq). */
export function writeTerm(term: Term, options: WriteOptions = {}): string {
  const style = options.latin1 ? latin1Style(STYLES[options.style ?? 'writeq']) : STYLES[options.style ?? 'writeq'];
  const ops = options.ops ?? DEFAULT_OPS;
  const numbervars = options.numbervars ?? style.numbervars;
  const names = options.variableNames;
  // The common case reuses one writer per style: writing never calls back out,
  // so a writer is never in use twice at once.
  const w = ops === DEFAULT_OPS && numbervars === style.numbervars && names === undefined
    ? (style.shared ??= new Writer(style, ops, numbervars, undefined))
    : new Writer(style, ops, numbervars, names);
  return w.write(term, options.priority ?? 1200);
}
