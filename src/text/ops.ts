// Operator tables with op/3 semantics, shared by the reader and the writer.

export type PrefixType = 'fy' | 'fx';
export type InfixType = 'xfx' | 'xfy' | 'yfx';
export type PostfixType = 'xf' | 'yf';
export type OpType = PrefixType | InfixType | PostfixType;

export interface OpDef<T extends OpType = OpType> {
  readonly priority: number; // 1..1200
  readonly type: T;
}

export class OpError extends Error {
  override name = 'OpError';
}

const PREFIX = new Set<OpType>(['fy', 'fx']);
const INFIX = new Set<OpType>(['xfx', 'xfy', 'yfx']);

/** SWI-Prolog 9.0.4's default operators (`current_op/3` in a fresh `swipl`). */
const SWI_DEFAULTS: readonly [number, OpType, string][] = [
  [1200, 'xfx', ':-'], [1200, 'xfx', '-->'], [1200, 'xfx', '=>'],
  [1200, 'fx', ':-'], [1200, 'fx', '?-'],
  [1150, 'fx', 'dynamic'], [1150, 'fx', 'discontiguous'], [1150, 'fx', 'initialization'],
  [1150, 'fx', 'meta_predicate'], [1150, 'fx', 'module_transparent'], [1150, 'fx', 'multifile'],
  [1150, 'fx', 'public'], [1150, 'fx', 'thread_local'], [1150, 'fx', 'thread_initialization'],
  [1150, 'fx', 'volatile'], [1150, 'fx', 'table'],
  [1105, 'xfy', '|'], [1100, 'xfy', ';'], [1050, 'xfy', '->'], [1050, 'xfy', '*->'],
  [1000, 'xfy', ','], [800, 'xfx', ':='], [900, 'fy', '\\+'],
  [700, 'xfx', '<'], [700, 'xfx', '='], [700, 'xfx', '=..'], [700, 'xfx', '=@='], [700, 'xfx', '\\=@='],
  [700, 'xfx', '=:='], [700, 'xfx', '=<'], [700, 'xfx', '=='], [700, 'xfx', '=\\='], [700, 'xfx', '>'],
  [700, 'xfx', '>='], [700, 'xfx', '@<'], [700, 'xfx', '@=<'], [700, 'xfx', '@>'], [700, 'xfx', '@>='],
  [700, 'xfx', '\\='], [700, 'xfx', '\\=='], [700, 'xfx', 'as'], [700, 'xfx', 'is'],
  [700, 'xfx', '>:<'], [700, 'xfx', ':<'],
  [600, 'xfy', ':'], [500, 'yfx', '+'], [500, 'yfx', '-'], [500, 'yfx', '/\\'], [500, 'yfx', '\\/'],
  [400, 'yfx', '*'], [400, 'yfx', 'xor'], [400, 'yfx', '/'], [400, 'yfx', '//'], [400, 'yfx', 'rdiv'],
  [400, 'yfx', '<<'], [400, 'yfx', '>>'], [400, 'yfx', 'mod'], [400, 'yfx', 'rem'], [400, 'yfx', 'div'],
  [200, 'xfx', '**'], [200, 'xfy', '^'], [200, 'fy', '-'], [200, 'fy', '+'], [200, 'fy', '\\'],
  [100, 'yfx', '.'], [1, 'fx', '$'],
];

/**
 * A mutable operator table. Each reader or writer holds one; `OpTable.swi()` gives
 * a fresh copy of SWI's defaults, so user operators never leak between readers.
 */
export class OpTable {
  private readonly prefixOps = new Map<string, OpDef<PrefixType>>();
  private readonly infixOps = new Map<string, OpDef<InfixType>>();
  private readonly postfixOps = new Map<string, OpDef<PostfixType>>();

  static swi(): OpTable {
    const t = new OpTable();
    for (const [p, ty, n] of SWI_DEFAULTS) t.set(p, ty, n, true);
    return t;
  }

  /** An empty table: no operators at all (what `ignore_ops(true)` writes as). */
  static empty(): OpTable {
    return new OpTable();
  }

  clone(): OpTable {
    const t = new OpTable();
    for (const [k, v] of this.prefixOps) t.prefixOps.set(k, v);
    for (const [k, v] of this.infixOps) t.infixOps.set(k, v);
    for (const [k, v] of this.postfixOps) t.postfixOps.set(k, v);
    return t;
  }

  /** op/3: priority 0 removes the definition of that class (prefix, infix or postfix). */
  op(priority: number, type: OpType, name: string | readonly string[]): this {
    for (const n of typeof name === 'string' ? [name] : name) this.set(priority, type, n);
    return this;
  }

  // `builtin`: installing SWI's own table, which defines ',' (user op/3 may not touch it).
  private set(priority: number, type: OpType, name: string, builtin = false): void {
    if (!Number.isInteger(priority) || priority < 0 || priority > 1200) {
      throw new OpError(`operator priority must be 0..1200: ${priority}`);
    }
    if (name === ',' && !builtin) throw new OpError('permission_error: cannot modify operator \',\'');
    if (name === '[]' || name === '{}') throw new OpError(`permission_error: cannot create operator ${name}`);
    if (name === '|' && (!INFIX.has(type) || (priority > 0 && priority < 1001))) {
      throw new OpError("permission_error: '|' can only be an infix operator of priority >= 1001");
    }
    if (PREFIX.has(type)) {
      if (priority === 0) this.prefixOps.delete(name);
      else this.prefixOps.set(name, { priority, type: type as PrefixType });
    } else if (INFIX.has(type)) {
      if (priority === 0) this.infixOps.delete(name);
      else this.infixOps.set(name, { priority, type: type as InfixType });
    } else {
      if (priority === 0) this.postfixOps.delete(name);
      else this.postfixOps.set(name, { priority, type: type as PostfixType });
    }
  }

  prefix(name: string): OpDef<PrefixType> | undefined {
    return this.prefixOps.get(name);
  }

  infix(name: string): OpDef<InfixType> | undefined {
    return this.infixOps.get(name);
  }

  postfix(name: string): OpDef<PostfixType> | undefined {
    return this.postfixOps.get(name);
  }

  /** True when `name` is an operator of any class. */
  isOp(name: string): boolean {
    return this.prefixOps.has(name) || this.infixOps.has(name) || this.postfixOps.has(name);
  }

  /** The highest priority `name` has as an operator of any class, or 0. */
  maxPriority(name: string): number {
    return Math.max(
      this.prefixOps.get(name)?.priority ?? 0,
      this.infixOps.get(name)?.priority ?? 0,
      this.postfixOps.get(name)?.priority ?? 0,
    );
  }
}

/** Left and right argument priority limits for an operator of the given priority and type. */
export function argPriorities(priority: number, type: OpType): { left: number; right: number } {
  const less = priority - 1;
  switch (type) {
    case 'xfx': return { left: less, right: less };
    case 'xfy': return { left: less, right: priority };
    case 'yfx': return { left: priority, right: less };
    case 'fy': return { left: 0, right: priority };
    case 'fx': return { left: 0, right: less };
    case 'xf': return { left: less, right: 0 };
    case 'yf': return { left: priority, right: 0 };
  }
}
