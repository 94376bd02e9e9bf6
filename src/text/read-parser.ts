// The term parser: SWI-Prolog's operator-precedence algorithm (pl-read.c's
// complex_term(): an out queue of operands and a side stack of operators,
// `Modify` turning a dangling prefix operator into an atom, `Reduce` building
// operator terms by priority) run over the Chevrotain token vector.
//
// Nothing here recurses on the input: parentheses, argument lists, lists,
// curly terms and dicts push a Frame on an explicit stack, and every frame's
// operands and operators live on two shared stacks (out/side) above the frame's
// base index. So a 100,000-deep f(f(...)) or a(-(a-(...))) and a 1,000,000
// element list read at Node's default stack size, in time linear in the text.
import {
  Bar, BackQuoted, Comma, End, Illegal, LBrace, LBracket, LParen, Name, Num, QAtom, QString,
  RBrace, RBracket, RParen, Solo, Symbol, UnclosedComment, UnclosedQuote, Var as VarTok,
  type Token,
} from '../../grammar/lexer.js';
import { atom, codes, compoundOf, cons, curly, dict, float, int, nil, str, variable } from '../term/build.js';
import type { Atom, DictKey, Nil, Term, Var } from '../term/types.js';
import type { InfixType, OpDef, OpTable, PostfixType, PrefixType } from './ops.js';
import { decodeNumber, decodeQuoted, LiteralError, normalizeNumber, numForm } from './read-literals.js';

/** A parse failure before it is given line and column: kind, offset in the text, args. */
export class ParseFailure {
  constructor(
    readonly kind: string,
    readonly offset: number,
    readonly tokenIndex: number,
    readonly args: readonly string[] = [],
  ) {}
}

// Token classes, indexed by Chevrotain's tokenTypeIdx.
const T_NAME = 1, T_SYMBOL = 2, T_SOLO = 3, T_QATOM = 4, T_VAR = 5, T_NUM = 6, T_STRING = 7,
  T_BQ = 8, T_LPAREN = 9, T_RPAREN = 10, T_LBRACKET = 11, T_RBRACKET = 12, T_LBRACE = 13,
  T_RBRACE = 14, T_COMMA = 15, T_BAR = 16, T_END = 17, T_EOF = 18, T_UNCLOSED_Q = 19,
  T_UNCLOSED_C = 20, T_ILLEGAL = 21;

const CLASS: number[] = [];
for (const [tt, c] of [
  [Name, T_NAME], [Symbol, T_SYMBOL], [Solo, T_SOLO], [QAtom, T_QATOM], [VarTok, T_VAR], [Num, T_NUM],
  [QString, T_STRING], [BackQuoted, T_BQ], [LParen, T_LPAREN], [RParen, T_RPAREN],
  [LBracket, T_LBRACKET], [RBracket, T_RBRACKET], [LBrace, T_LBRACE], [RBrace, T_RBRACE],
  [Comma, T_COMMA], [Bar, T_BAR], [End, T_END], [UnclosedQuote, T_UNCLOSED_Q],
  [UnclosedComment, T_UNCLOSED_C], [Illegal, T_ILLEGAL],
] as const) CLASS[tt.tokenTypeIdx!] = c;

// Frame kinds.
const F_TOP = 0, F_ARG = 1, F_LIST = 2, F_TAIL = 3, F_PAREN = 4, F_CURLY = 5, F_DICT = 6;

const PREFIX = 0, INFIX = 1, POSTFIX = 2;
const MAXPRI = 1201; // SWI's OP_MAXPRIORITY+1: what every argument is read at (strictness 0)

interface SideOp {
  name: string;
  kind: number;
  pri: number;
  left: number;
  right: number;
  tok: number; // token index, for the error position
}

interface Frame {
  kind: number;
  outBase: number;
  sideBase: number;
  rmo: number; // operands more than operators, 0 or 1
  name: string | Nil; // compound functor (Nil: the reserved [] of `[](X)`)
  itemBase: number; // compound args and list items so far: items[itemBase..itemTop)
  pairs: [DictKey, Term][]; // dict pairs
  key: DictKey | undefined;
  tag: Term | undefined;
  keys: Set<string> | undefined;
  openOffset: number;
}

/**
 * What the parser needs about a name, looked up once per distinct token image (and
 * per read call: the operator table may change between calls).
 */
interface NameInfo {
  readonly atom: Atom;
  readonly isOp: boolean;
  readonly pre: OpDef<PrefixType> | undefined;
  readonly inf: OpDef<InfixType> | undefined;
  readonly post: OpDef<PostfixType> | undefined;
}

const NAME_CACHE_LIMIT = 1 << 16;
const VAR_SCAN_LIMIT = 16;

export interface ParsedClause {
  term: Term;
  varNames: Map<string, Var>;
}

export class TermParser {
  private toks: Token[] = [];
  private text = '';
  private pos = 0;
  private eofIsEnd = false;
  // Shared operand and operator stacks; frames own the part above their base.
  private outT: Term[] = [];
  private outP: number[] = [];
  private outTop = 0;
  private side: SideOp[] = [];
  private sideTop = 0;
  // Arguments and list elements read so far, for every open frame: the final args
  // array is cut to size from here (a pushed-to array would keep 16 spare slots).
  private items: Term[] = [];
  private itemTop = 0;
  private frames: Frame[] = [];
  private depth = 0;
  // The clause's named variables in order of first occurrence: a linear scan while
  // few (cheaper than a Map per clause), a Map once there are many.
  private varName: string[] = [];
  private varObj: Var[] = [];
  private varCount = 0;
  private varMap: Map<string, Var> | undefined;
  private base = 0; // offset of this.text in the whole text (chunked reading)
  // Token image -> atom and operator definitions. Atoms are immutable, so one object
  // per name keeps allocation (and GC) down; the map is bounded and per read call.
  private names = new Map<string, NameInfo>();

  constructor(private readonly ops: OpTable) {}

  /** Start a read call: the operator table may have changed since the last one. */
  begin(): void {
    this.names.clear();
  }

  /** Parse `toks`, the tokens of `text`, which starts at offset `base` of the whole text. */
  reset(text: string, toks: Token[], eofIsEnd: boolean, base = 0): void {
    this.text = text;
    this.toks = toks;
    this.pos = 0;
    this.eofIsEnd = eofIsEnd;
    this.base = base;
  }

  /** Drop every reference to the last text, its tokens and terms. */
  release(): void {
    this.reset('', [], false);
    this.varMap = undefined;
    this.varName = [];
    this.varObj = [];
    this.names.clear();
    // Stacks keep their (stale) slots for reuse unless a big term made them big.
    if (this.outT.length > 1024) { this.outT = []; this.outP = []; }
    if (this.items.length > 1024) this.items = [];
    if (this.side.length > 1024) this.side = [];
    if (this.frames.length > 1024) this.frames = [];
  }

  /** Atom and operator info of an unquoted name token image. */
  private nameInfo(name: string): NameInfo {
    let n = this.names.get(name);
    if (n === undefined) {
      const ops = this.ops;
      const pre = ops.prefix(name);
      const inf = ops.infix(name);
      const post = ops.postfix(name);
      n = { atom: atom(name), isOp: pre !== undefined || inf !== undefined || post !== undefined, pre, inf, post };
      if (this.names.size < NAME_CACHE_LIMIT) this.names.set(name, n);
    }
    return n;
  }

  /** The atom of a quoted atom token (decoded once per distinct image). */
  private quotedAtom(i: number): Atom {
    const image = this.toks[i]!.image;
    const n = this.names.get(image);
    if (n !== undefined) return n.atom;
    const a = atom(this.quoted(i));
    if (this.names.size < NAME_CACHE_LIMIT) {
      this.names.set(image, { atom: a, isOp: false, pre: undefined, inf: undefined, post: undefined });
    }
    return a;
  }

  get position(): number { return this.pos; }
  set position(p: number) { this.pos = p; }
  get tokenCount(): number { return this.toks.length; }

  /** True when only the end of the text remains. */
  atEnd(): boolean {
    return this.pos >= this.toks.length;
  }

  /**
   * The error SWI reports for a failure at token `i`: SWI reads a clause's raw text up
   * to its full stop before parsing, so an unclosed quote or block comment before the
   * next end wins over a syntax error earlier in the clause (`a b /* x`).
   */
  rawReadError(e: ParseFailure): ParseFailure {
    const last = this.toks.length - 1;
    const c = this.cls(last);
    if ((c !== T_UNCLOSED_Q && c !== T_UNCLOSED_C) || e.tokenIndex < 0 || e.tokenIndex >= last) return e;
    if (this.nextEnd(e.tokenIndex) < last) return e;
    try {
      this.validateToken(last, c);
    } catch (raw) {
      if (raw instanceof ParseFailure) return raw;
    }
    return e;
  }

  /** Index of the first End token at or after `i` (or the token count). */
  nextEnd(i: number): number {
    const toks = this.toks;
    const endIdx = End.tokenTypeIdx;
    while (i < toks.length && toks[i]!.tokenTypeIdx !== endIdx) i++;
    return i;
  }

  private cls(i: number): number {
    const t = this.toks[i];
    return t === undefined ? T_EOF : CLASS[t.tokenTypeIdx]!;
  }

  private offsetOf(i: number): number {
    const t = this.toks[i];
    return this.base + (t === undefined ? this.text.length : t.startOffset);
  }

  private fail(kind: string, i: number, args: readonly string[] = []): never {
    throw new ParseFailure(kind, this.offsetOf(i), i, args);
  }

  /** True when token i+1 starts right where token i ends. */
  private glued(i: number): boolean {
    const a = this.toks[i]!;
    const b = this.toks[i + 1];
    return b !== undefined && b.startOffset === a.startOffset + a.image.length;
  }

  private pushFrame(kind: number, openOffset: number): Frame {
    let f = this.frames[this.depth];
    if (f === undefined) {
      f = {
        kind, outBase: 0, sideBase: 0, rmo: 0, name: '', itemBase: 0, pairs: [],
        key: undefined, tag: undefined, keys: undefined, openOffset: 0,
      };
      this.frames[this.depth] = f;
    }
    this.depth++;
    f.kind = kind;
    f.outBase = this.outTop;
    f.sideBase = this.sideTop;
    f.itemBase = this.itemTop;
    f.rmo = 0;
    f.openOffset = openOffset;
    return f;
  }

  private pushOut(t: Term, pri: number): void {
    this.outT[this.outTop] = t;
    this.outP[this.outTop] = pri;
    this.outTop++;
  }

  private variable(name: string): Var {
    if (name === '_') return variable();
    const map = this.varMap;
    if (map !== undefined) {
      let v = map.get(name);
      if (v === undefined) {
        v = variable(name);
        map.set(name, v);
        this.addVar(name, v);
      }
      return v;
    }
    const names = this.varName;
    const n = this.varCount;
    for (let k = 0; k < n; k++) if (names[k] === name) return this.varObj[k]!;
    const v = variable(name);
    this.addVar(name, v);
    if (n + 1 === VAR_SCAN_LIMIT) this.varMap = this.varNames();
    return v;
  }

  private addVar(name: string, v: Var): void {
    this.varName[this.varCount] = name;
    this.varObj[this.varCount] = v;
    this.varCount++;
  }

  /** Name -> Var of the clause, in order of first occurrence. */
  private varNames(): Map<string, Var> {
    const m = new Map<string, Var>();
    for (let k = 0; k < this.varCount; k++) m.set(this.varName[k]!, this.varObj[k]!);
    return m;
  }

  /** Parse one clause from the current position up to and including its end token. */
  parseClause(): ParsedClause {
    const term = this.parseTerm();
    return { term, varNames: this.varMap ?? this.varNames() };
  }

  /** parseClause without the variable names. */
  parseTerm(): Term {
    this.varCount = 0;
    this.varMap = undefined;
    this.outTop = 0;
    this.sideTop = 0;
    this.itemTop = 0;
    this.depth = 0;
    let f = this.pushFrame(F_TOP, 0);
    const toks = this.toks;

    for (;;) {
      const i = this.pos;
      const tok = toks[i];
      let c = tok === undefined ? T_EOF : CLASS[tok.tokenTypeIdx]!;
      if (c === T_EOF) {
        if (!this.eofIsEnd) this.fail('end_of_file', i); // a clause without its end `.`
        c = T_END;
      }

      // End of the current (sub)term?
      if (c >= T_RPAREN && (this.outTop !== f.outBase || this.sideTop !== f.sideBase)) {
        let stop = false;
        switch (f.kind) {
          case F_TOP: stop = c === T_END; break;
          case F_ARG: stop = c === T_COMMA || c === T_RPAREN; break;
          case F_LIST: case F_TAIL: stop = c === T_COMMA || c === T_BAR || c === T_RBRACKET; break;
          case F_PAREN: stop = c === T_RPAREN; break;
          case F_CURLY: stop = c === T_RBRACE; break;
          case F_DICT: stop = c === T_COMMA || c === T_RBRACE; break;
        }
        if (stop) {
          const t = this.finish(f, i, c);
          if (f.kind === F_TOP) {
            this.pos = i + 1;
            return t;
          }
          const done = this.closeOrSeparate(f, t, c, i);
          if (done !== undefined) {
            this.depth--;
            f = this.frames[this.depth - 1]!;
            this.pushOut(done, 0);
            f.rmo = 1;
          }
          continue;
        }
      }

      // A name token: maybe an operator.
      let name: string | undefined;
      let info: NameInfo | undefined;
      if (c <= T_SOLO) { // T_NAME, T_SYMBOL, T_SOLO
        const image = tok!.image;
        if (f.rmo === 0) {
          const next = toks[i + 1];
          if (next !== undefined && next.startOffset === tok!.startOffset + image.length) { // glued
            const n = CLASS[next.tokenTypeIdx]!;
            if (n === T_LPAREN || (n === T_LBRACE && c !== T_SOLO)) {
              f = this.startFunctional(image, n, i, f);
              continue;
            }
            if (n === T_NUM && image === '-' && asciiDigitAt(next.image)) { // SWI: -١ is -(1)
              this.pos = i + 2;
              this.pushOut(this.number(i + 1, true), 0);
              f.rmo = 1;
              continue;
            }
          }
        }
        info = this.nameInfo(image);
        if (info.isOp) name = image;
      } else if (f.rmo === 1 && (c === T_COMMA || c === T_BAR)) {
        name = c === T_COMMA ? ',' : '|';
        info = this.nameInfo(name);
      }
      if (name !== undefined) {
        if (f.rmo === 0) {
          const pre = info!.pre;
          if (pre !== undefined) {
            this.pushSide(name, PREFIX, pre.priority, 0, pre.type === 'fy' ? pre.priority : pre.priority - 1, i);
            this.pos = i + 1;
            continue;
          }
        }
        const inf = info!.inf;
        if (inf !== undefined) {
          const p = inf.priority;
          const left = inf.type === 'yfx' ? p : p - 1;
          this.modify(f, left);
          if (f.rmo === 1) {
            this.reduce(f, left);
            f.rmo = 0;
            this.pushSide(name, INFIX, p, left, inf.type === 'xfy' ? p : p - 1, i);
            this.pos = i + 1;
            continue;
          }
        }
        const post = info!.post;
        if (post !== undefined) {
          const p = post.priority;
          const left = post.type === 'yf' ? p : p - 1;
          this.modify(f, left);
          if (f.rmo === 1) {
            this.reduce(f, left);
            this.pushSide(name, POSTFIX, p, left, 0, i);
            this.pos = i + 1;
            continue;
          }
        }
      } else if (c === T_COMMA || c === T_BAR) {
        this.fail('quoted_punctuation', i);
      } else if (c === T_RPAREN || c === T_RBRACKET || c === T_RBRACE) {
        this.fail('cannot_start_term', i);
      }
      if (f.rmo === 1) {
        // SWI's tokeniser reports a bad token before the parser can miss an operator.
        this.validateToken(i, c);
        this.fail('operator_expected', i);
      }

      // A simple term.
      let t: Term;
      switch (c) {
        case T_NAME: case T_SYMBOL: case T_SOLO:
          t = info!.atom;
          break;
        case T_NUM:
          t = this.number(i, false);
          break;
        case T_QATOM: {
          const n = this.cls(i + 1);
          if ((n === T_LPAREN || n === T_LBRACE) && this.glued(i)) {
            f = this.startFunctional(this.quotedAtom(i).name, n, i, f);
            continue;
          }
          t = this.quotedAtom(i);
          break;
        }
        case T_VAR: {
          const v = this.variable(tok!.image);
          if (this.cls(i + 1) === T_LBRACE && this.glued(i)) {
            f = this.startDict(v, i + 1);
            continue;
          }
          t = v;
          break;
        }
        case T_STRING:
          t = str(this.quoted(i));
          break;
        case T_BQ:
          t = codes(this.quoted(i));
          break;
        case T_LPAREN:
          this.pos = i + 1;
          f = this.pushFrame(F_PAREN, tok!.startOffset);
          continue;
        case T_LBRACKET:
          if (this.cls(i + 1) === T_RBRACKET) {
            if (this.cls(i + 2) === T_LPAREN && this.glued(i + 1)) {
              f = this.startFunctional(nil(), T_LPAREN, i + 1, f); // `[](X)`: not '[]'(X)
              continue;
            }
            this.pos = i + 2;
            t = nil();
            break;
          }
          this.pos = i + 1;
          f = this.pushFrame(F_LIST, tok!.startOffset);
          continue;
        case T_LBRACE:
          if (this.cls(i + 1) === T_RBRACE) {
            if (this.cls(i + 2) === T_LPAREN && this.glued(i + 1)) {
              f = this.startFunctional('{}', T_LPAREN, i + 1, f);
              continue;
            }
            this.pos = i + 2;
            t = this.nameInfo('{}').atom;
            break;
          }
          this.pos = i + 1;
          f = this.pushFrame(F_CURLY, tok!.startOffset);
          continue;
        case T_END:
          this.fail('end_of_clause', i);
        // falls through (fail never returns)
        case T_EOF:
          this.fail('end_of_file', i);
        // falls through
        case T_UNCLOSED_Q:
          this.fail('end_of_file_in_quoted', i, [tok!.image[0]!]);
        // falls through
        case T_UNCLOSED_C:
          this.fail('end_of_file_in_block_comment', i);
        // falls through
        default:
          this.fail('illegal_character', i);
      }
      if (this.pos === i) this.pos = i + 1;
      this.pushOut(t, 0);
      f.rmo = 1;
    }
  }

  private validateToken(i: number, c: number): void {
    switch (c) {
      case T_QATOM: case T_STRING: case T_BQ: this.quoted(i); break;
      case T_NUM: this.number(i, false); break;
      case T_UNCLOSED_Q: this.fail('end_of_file_in_quoted', i, [this.toks[i]!.image[0]!]);
      // falls through (fail never returns)
      case T_UNCLOSED_C: this.fail('end_of_file_in_block_comment', i);
      // falls through
      case T_ILLEGAL: this.fail('illegal_character', i);
    }
  }

  private quoted(i: number): string {
    const tok = this.toks[i]!;
    try {
      return decodeQuoted(tok.image);
    } catch (e) {
      if (e instanceof LiteralError) throw new ParseFailure(e.kind, this.base + tok.startOffset + e.at, i, e.args);
      throw e;
    }
  }

  private number(i: number, negative: boolean): Term {
    const tok = this.toks[i]!;
    const s = tok.image;
    // Fast paths for the common forms: plain digits, and digits.digits.
    let v = 0;
    let k = 0;
    for (; k < s.length; k++) {
      const d = s.charCodeAt(k) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (k === s.length) {
      if (k <= 15) return int(negative ? -v : v); // exact as a double
      const b = BigInt(s);
      return int(negative ? -b : b);
    }
    if (s.charCodeAt(k) === 46 /* . */) {
      const x = Number(s); // NaN for 1.0Inf and 1.5NaN, Infinity on overflow: decodeNumber handles those
      if (x - x === 0) return float(negative ? -x : x);
    }
    try {
      const n = normalizeNumber(s);
      return decodeNumber(n, numForm(n), negative);
    } catch (e) {
      if (e instanceof LiteralError) throw new ParseFailure(e.kind, this.base + tok.startOffset + e.at, i, e.args);
      throw e;
    }
  }

  /** `name(` or `tag{` at token i (the name), `open` the class of token i+1. */
  private startFunctional(name: string | Nil, open: number, i: number, f: Frame): Frame {
    if (open === T_LBRACE && typeof name === 'string') return this.startDict(atom(name), i + 1);
    if (this.cls(i + 2) === T_RPAREN) { // SWI-7's zero-argument compound f()
      this.pos = i + 3;
      this.pushOut(compoundOf(name, []), 0);
      f.rmo = 1;
      return f;
    }
    this.pos = i + 2;
    const g = this.pushFrame(F_ARG, this.offsetOf(i + 1));
    g.name = name;
    return g;
  }

  /** A dict whose `{` is token i. Reads the first key, or the `}` of an empty dict. */
  private startDict(tag: Term, i: number): Frame {
    if (this.cls(i + 1) === T_RBRACE) {
      // Empty dict: deliver at once through a frame-less path.
      this.pos = i + 2;
      const f = this.frames[this.depth - 1]!;
      this.pushOut(dict(tag as never, []), 0);
      f.rmo = 1;
      return f;
    }
    const g = this.pushFrame(F_DICT, this.offsetOf(i));
    g.tag = tag;
    g.pairs = [];
    g.keys = new Set();
    this.pos = i + 1;
    this.dictKey(g);
    return g;
  }

  /** Read `Key:` at the current position into frame g. */
  private dictKey(g: Frame): void {
    const i = this.pos;
    const tok = this.toks[i];
    const c = this.cls(i);
    let key: DictKey;
    let at = i; // the key's last token
    if (c === T_SYMBOL && tok!.image === '-' && this.cls(i + 1) === T_NUM && this.glued(i)
      && asciiDigitAt(this.toks[i + 1]!.image)) {
      at = i + 1;
      const v = this.number(at, true);
      if (v.kind !== 'int' || typeof v.value === 'bigint') this.fail('key_domain', i);
      key = v;
    } else if ((c === T_LBRACE && this.cls(i + 1) === T_RBRACE) || (c === T_LBRACKET && this.cls(i + 1) === T_RBRACKET)) {
      at = i + 1;
      key = c === T_LBRACE ? atom('{}') : nil(); // the reserved [], not the atom '[]'
    } else if (c === T_NAME || c === T_SYMBOL || c === T_SOLO) key = atom(tok!.image);
    else if (c === T_QATOM) key = atom(this.quoted(i));
    else if (c === T_NUM) {
      const v = this.number(i, false);
      if (v.kind !== 'int' || typeof v.value === 'bigint') this.fail('key_domain', i);
      key = v;
    } else this.fail('key_expected', i);
    const k = this.toks[at + 1];
    if (k === undefined || CLASS[k.tokenTypeIdx] !== T_SYMBOL || k.image !== ':') this.fail('colon_expected', at + 1);
    const id = key.kind === 'atom' ? 'a' + key.name : key.kind === 'nil' ? 'n' : 'i' + String(key.value);
    if (g.keys!.has(id)) this.fail('duplicate_key', i, [key.kind === 'atom' ? key.name : key.kind === 'nil' ? '[]' : String(key.value)]);
    g.keys!.add(id);
    g.key = key;
    this.pos = at + 2;
  }

  /** Items[from..itemTop) as a list ending in `tail`; pops them. */
  private popList(from: number, tail: Term): Term {
    const items = this.items;
    let t = tail;
    for (let k = this.itemTop - 1; k >= from; k--) t = cons(items[k]!, t);
    this.itemTop = from;
    return t;
  }

  /**
   * A stop token `c` (at i) ended the subterm `t` of frame f. Returns the finished
   * term when the frame closes, or undefined when it goes on (next argument, etc.).
   */
  private closeOrSeparate(f: Frame, t: Term, c: number, i: number): Term | undefined {
    this.pos = i + 1;
    f.rmo = 0;
    switch (f.kind) {
      case F_ARG:
        this.items[this.itemTop++] = t;
        if (c !== T_RPAREN) return undefined;
        {
          const args = this.items.slice(f.itemBase, this.itemTop);
          this.itemTop = f.itemBase;
          return compoundOf(f.name, args);
        }
      case F_LIST:
        this.items[this.itemTop++] = t;
        if (c === T_BAR) { f.kind = F_TAIL; return undefined; }
        return c === T_RBRACKET ? this.popList(f.itemBase, nil()) : undefined;
      case F_TAIL:
        if (c !== T_RBRACKET) this.fail('list_rest', i);
        return this.popList(f.itemBase, t);
      case F_PAREN:
        return t;
      case F_CURLY:
        return curly(t);
      case F_DICT:
        f.pairs.push([f.key!, t]);
        if (c === T_COMMA) {
          this.dictKey(f);
          return undefined;
        }
        return dict(f.tag as never, f.pairs);
    }
    throw new Error('unreachable frame kind');
  }

  private pushSide(name: string, kind: number, pri: number, left: number, right: number, i: number): void {
    let s = this.side[this.sideTop];
    if (s === undefined) {
      s = { name, kind, pri, left, right, tok: i };
      this.side[this.sideTop] = s;
    } else {
      s.name = name; s.kind = kind; s.pri = pri; s.left = left; s.right = right; s.tok = i;
    }
    this.sideTop++;
  }

  /** SWI's Modify: a prefix op with nothing after it becomes an atom; infix may turn postfix. */
  private modify(f: Frame, cpri: number): void {
    if (this.sideTop === f.sideBase || f.rmo !== 0) return;
    const op = this.side[this.sideTop - 1]!;
    if (cpri <= op.right) return;
    if (op.kind === PREFIX) {
      this.sideTop--;
      this.pushOut(this.nameInfo(op.name).atom, 0);
      f.rmo = 1;
    } else if (op.kind === INFIX && this.outTop > f.outBase) {
      const post = this.ops.postfix(op.name);
      if (post !== undefined) {
        this.sideTop--;
        const a = this.outT[this.outTop - 1]!;
        this.outT[this.outTop - 1] = compoundOf(op.name, [a]);
        this.outP[this.outTop - 1] = post.priority;
        f.rmo = 1;
      }
    }
  }

  /** SWI's Reduce: build operator terms while the side top binds tighter than cpri. */
  private reduce(f: Frame, cpri: number): void {
    while (this.outTop > f.outBase && this.sideTop > f.sideBase) {
      const op = this.side[this.sideTop - 1]!;
      if (cpri < op.pri) return;
      const arity = op.kind === INFIX ? 2 : 1;
      if (this.outTop - f.outBase < arity) return;
      const top = this.outTop - 1;
      let ok: boolean;
      if (op.kind === INFIX) ok = op.left >= this.outP[top - 1]! && op.right >= this.outP[top]!;
      else if (op.kind === PREFIX) ok = op.right >= this.outP[top]!;
      else ok = op.left >= this.outP[top]!;
      if (!ok) {
        if (cpri === MAXPRI) this.fail('operator_clash', op.tok);
        return;
      }
      if (arity === 2) {
        this.outT[top - 1] = compoundOf(op.name, [this.outT[top - 1]!, this.outT[top]!]);
        this.outP[top - 1] = op.pri;
        this.outTop--;
      } else {
        this.outT[top] = compoundOf(op.name, [this.outT[top]!]);
        this.outP[top] = op.pri;
      }
      this.sideTop--;
    }
  }

  /** End of a subterm at stop token i: SWI's exit path of complex_term(). */
  private finish(f: Frame, i: number, c: number): Term {
    const outN0 = this.outTop - f.outBase;
    if (outN0 === 1 && this.sideTop === f.sideBase) { // one operand, no operator: the common case
      this.outTop--;
      return this.outT[this.outTop]!;
    }
    this.modify(f, MAXPRI);
    this.reduce(f, MAXPRI);
    const outN = this.outTop - f.outBase;
    const sideN = this.sideTop - f.sideBase;
    if (outN === 1 && sideN === 0) {
      this.outTop--;
      return this.outT[this.outTop]!;
    }
    if (outN === 0 && sideN === 1) {
      this.sideTop--;
      return this.nameInfo(this.side[this.sideTop]!.name).atom;
    }
    if (sideN === 1) {
      const op = this.side[f.sideBase]!.name;
      if (op === ',' || op === ';') this.fail('punct', i, [op, stopText(c)]);
    }
    this.fail('operator_balance', i);
  }
}

function stopText(c: number): string {
  switch (c) {
    case T_RPAREN: return ')';
    case T_RBRACKET: return ']';
    case T_RBRACE: return '}';
    case T_COMMA: return ',';
    case T_BAR: return '|';
    default: return '.';
  }
}

/** A Num image in ASCII digits (a glued `-` makes only those negative). */
function asciiDigitAt(image: string): boolean {
  const c = image.charCodeAt(0);
  return c >= 48 && c <= 57;
}
