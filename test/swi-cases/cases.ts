// Term reading and writing cases taken from SWI-Prolog's own test suite
// (github.com/SWI-Prolog/swipl-devel, src/Tests/core/). Only the cases about
// standard term syntax are extracted, as data; each cites its file, the commit
// it was read at, and the plunit unit:test name. Some of these files are newer
// than 9.0.4, so test/swi-cases.test.ts first checks each case against the
// installed swipl; a case that does not hold there carries `skip` with the reason.
import type { WriteStyle } from '../../src/text/write.js';

/** Operators a case needs, as op/3 arguments (the SWI test defines them in its module). */
export type CaseOp = readonly [priority: number, type: string, name: string];

export type SwiCase =
  /** `text` reads as the term that the Prolog text `term` denotes (compared with =@=). */
  | { readonly kind: 'read'; readonly source: string; readonly text: string; readonly term: string;
      readonly ops?: readonly CaseOp[]; readonly skip?: string }
  /** `text` is a syntax error (of the given kind, as swipl names it). */
  | { readonly kind: 'syntax-error'; readonly source: string; readonly text: string; readonly error: string;
      readonly ops?: readonly CaseOp[]; readonly skip?: string }
  /**
   * Writing the term read from `text` with SWI's `goal` (T is the term, with the
   * variable named in `names` bound by variable_names/1) prints `expected`; ours
   * writes it with `style` (and `numbervars`, `names`).
   */
  | { readonly kind: 'write'; readonly source: string; readonly text: string; readonly goal: string;
      readonly expected: string; readonly style: WriteStyle; readonly numbervars?: boolean;
      readonly names?: Readonly<Record<string, string>>; readonly skip?: string };

const W = 'test_write.pl@364f0526';
const S = 'test_syntax.pl@7e4c4d16';
const R = 'test_read.pl@adcb21b9';
const D = 'test_dict.pl@04939ed7';
const STR = 'test_string.pl@1556a592';

/** The operators test_syntax.pl declares for its `syntax` and `iso_op_table_6` units. */
const SYNTAX_OPS: readonly CaseOp[] = [[600, 'fx', 'fx600'], [600, 'fy', 'fy600'], [500, 'xf', 'xf500'], [100, 'yf', 'af']];
const ISO_OPS: readonly CaseOp[] = [[100, 'fy', 'fy'], [100, 'xfy', 'xfy'], [100, 'yfx', 'yfx'], [100, 'yf', 'yf']];

export const SWI_CASES: readonly SwiCase[] = [
  // test_write.pl, unit write_canonical
  { kind: 'write', source: `${W} write_canonical:numbervars (1)`, text: 'x(_,_)', goal: 'write_canonical(T)', expected: 'x(_,_)', style: 'canonical' },
  { kind: 'write', source: `${W} write_canonical:numbervars (2)`, text: 'x(B,B)', goal: 'write_canonical(T)', expected: 'x(A,A)', style: 'canonical' },
  { kind: 'write', source: `${W} write_canonical:numbervars (3)`, text: "x('$VAR'(1),_)", goal: 'write_canonical(T)', expected: "x('$VAR'(1),_)", style: 'canonical' },
  { kind: 'write', source: `${W} write_canonical:dot_in_atom (1)`, text: "'a.b'", goal: 'write_canonical(T)', expected: "'a.b'", style: 'canonical' },
  { kind: 'write', source: `${W} write_canonical:dot_in_atom (2)`, text: "'\u0438.\u0439'", goal: 'write_canonical(T)', expected: "'\u0438.\u0439'", style: 'canonical' },
  { kind: 'write', source: `${W} write_canonical:varname`, text: "'\u0410\u0438'", goal: 'writeq(T)', expected: "'\u0410\u0438'", style: 'writeq' },
  // test_write.pl, unit write_variable_names
  { kind: 'write', source: `${W} write_variable_names:variable_names (1)`, text: 'a(A)', goal: "write_term(T, [variable_names(['B'=A])])",
    names: { A: 'B' }, expected: 'a(B)', style: 'write', numbervars: false },
  { kind: 'write', source: `${W} write_variable_names:variable_names (4)`, text: "a('$VAR'(1), A)",
    goal: "write_term(T, [variable_names(['B'=A]), quoted(true)])", names: { A: 'B' }, expected: "a('$VAR'(1),B)", style: 'writeq', numbervars: false },
  { kind: 'write', source: `${W} write_variable_names:variable_names (5)`, text: "a('$VAR'(0), A)",
    goal: "write_term(T, [variable_names(['B'=A]), numbervars(true)])", names: { A: 'B' }, expected: 'a(A,B)', style: 'write', numbervars: true },
  // test_write.pl, unit write_float
  // (the test computes A is nan; 1.5NaN is that float's literal)
  { kind: 'write', source: `${W} write_float:nan`, text: '1.5NaN', goal: 'write(T)', expected: '1.5NaN', style: 'write' },

  // test_syntax.pl, unit syntax
  { kind: 'read', source: `${S} syntax:op_1`, text: '3+4*5', term: '+(3,*(4,5))' },
  { kind: 'write', source: `${S} syntax:op_1 (writing)`, text: '+(3,*(4,5))', goal: 'writeq(T)', expected: '3+4*5', style: 'writeq' },
  { kind: 'read', source: `${S} syntax:op_2`, text: '1+2+3', term: '+(+(1,2),3)' },
  { kind: 'write', source: `${S} syntax:op_2 (writing)`, text: '+(+(1,2),3)', goal: 'writeq(T)', expected: '1+2+3', style: 'writeq' },
  { kind: 'syntax-error', source: `${S} syntax:op_3`, text: 'a:-b:-c', error: 'operator_clash' },
  { kind: 'read', source: `${S} syntax:op_4`, text: 'fx600 1+2', term: 'fx600(+(1,2))', ops: SYNTAX_OPS },
  { kind: 'syntax-error', source: `${S} syntax:op_5`, text: 'fx600 fx600 1', error: 'operator_clash', ops: SYNTAX_OPS },
  { kind: 'read', source: `${S} syntax:op_6`, text: 'fy600 fy600 1', term: 'fy600(fy600(1))', ops: SYNTAX_OPS },
  { kind: 'read', source: `${S} syntax:op_7`, text: 'fy600 a xf500', term: 'fy600(xf500(a))', ops: SYNTAX_OPS },
  { kind: 'read', source: `${S} syntax:op_8`, text: '- - a', term: '-(-(a))' },
  { kind: 'write', source: `${S} syntax:op_8 (writing)`, text: '-(-(a))', goal: 'writeq(T)', expected: '- -a', style: 'writeq' },
  { kind: 'read', source: `${S} syntax:atom_1`, text: "'\\003\\\\'\\n\\x80\\'", term: "'\\x3\\\\x27\\\\xA\\\\x80\\'" },
  { kind: 'read', source: `${S} syntax:char_1`, text: "0'\\n", term: '10' },
  { kind: 'read', source: `${S} syntax:char_2`, text: "0'\\x34", term: '52' },
  { kind: 'read', source: `${S} syntax:char_3`, text: "0'\\\\", term: '92' },
  { kind: 'read', source: `${S} syntax:char_4`, text: "1-0'0", term: '-(1,48)' },
  { kind: 'syntax-error', source: `${S} syntax:cannot_start_term_1`, text: 'p(]', error: 'cannot_start_term' },
  { kind: 'read', source: `${S} syntax:string_1`, text: "'\\c '", term: "''" },
  { kind: 'read', source: `${S} syntax:string_2`, text: "'x\\c y'", term: 'xy' },
  { kind: 'syntax-error', source: `${S} syntax:quote_1`, text: "'\\x'", error: 'undefined_char_escape(x)' },
  { kind: 'read', source: `${S} syntax:quote_2`, text: "'\\x61'", term: 'a' },
  { kind: 'read', source: `${S} syntax:quote_3`, text: "'\\x61\\'", term: 'a' },
  { kind: 'read', source: `${S} syntax:quote_4`, text: "'\\''", term: '\'\\\'\'' },
  { kind: 'read', source: `${S} syntax:quote_5`, text: "0'\\'", term: '39' },
  { kind: 'read', source: `${S} syntax:quote_5 (other side)`, text: "0''", term: '39' },
  { kind: 'read', source: `${S} syntax:quote_6`, text: "0'''", term: '39' },
  { kind: 'read', source: `${S} syntax:quote_7`, text: "'\\\n'", term: "''" },
  { kind: 'read', source: `${S} syntax:base_2`, text: "16'af", term: '175' },
  { kind: 'read', source: `${S} syntax:base_3`, text: '10 af', term: 'af(10)', ops: SYNTAX_OPS },
  { kind: 'read', source: `${S} syntax:base_5`, text: '1.0e+0', term: '1.0' },
  { kind: 'syntax-error', source: `${S} syntax:number_2`, text: "2'", error: 'end_of_file' },
  { kind: 'read', source: `${S} syntax:zero_1`, text: 'hello("\\000\\x")', term: 'hello("\\000\\x")' },
  { kind: 'read', source: `${S} syntax:latin_1`, text: '\u00f7', term: "'\\367\\'" },
  // test_syntax.pl, unit iso_op_table_6
  { kind: 'read', source: `${S} iso_op_table_6:r1`, text: 'fy fy 1', term: 'fy(fy(1))', ops: ISO_OPS },
  { kind: 'read', source: `${S} iso_op_table_6:r2`, text: '1 xfy 2 xfy 3', term: 'xfy(1,xfy(2,3))', ops: ISO_OPS },
  { kind: 'read', source: `${S} iso_op_table_6:r3`, text: '1 xfy 2 yfx 3', term: 'xfy(1,yfx(2,3))', ops: ISO_OPS,
    skip: 'swipl 9.0.4 reads it as yfx(xfy(1,2),3): the ISO table 6 reading came after 9.0.4' },
  { kind: 'read', source: `${S} iso_op_table_6:r4`, text: 'fy 2 yf', term: 'fy(yf(2))', ops: ISO_OPS,
    skip: 'swipl 9.0.4 reads it as yf(fy(2)): the ISO table 6 reading came after 9.0.4' },
  { kind: 'read', source: `${S} iso_op_table_6:r5`, text: '1 yf yf', term: 'yf(yf(1))', ops: ISO_OPS },
  { kind: 'read', source: `${S} iso_op_table_6:r6`, text: '1 yfx 2 yfx 3', term: 'yfx(yfx(1,2),3)', ops: ISO_OPS },

  // test_read.pl, unit read_term: the singletons text (its variables must come out distinct)
  { kind: 'read', source: `${R} read_term:singletons`, text: 'a(_,_a,_A,_0,A)', term: 'a(_,_,_,_,_)' },

  // test_dict.pl: dict literals as the tests write them
  { kind: 'read', source: `${D} dict_create:'dict_create/3' (1)`, text: 'a{}', term: 'a{}' },
  { kind: 'read', source: `${D} dict_create:'dict_create/3' (2)`, text: 'a{k1:v1}', term: 'a{k1:v1}' },
  { kind: 'read', source: `${D} dict_create:'dict_create/3' (3)`, text: 'a{k1:v1, k2:v2}', term: 'a{k1:v1, k2:v2}' },
  { kind: 'write', source: `${D} dict_bips:'put_dict/4' (2), writing its expected dict`, text: 'a{k2:v2, k1:v1}', goal: 'writeq(T)', expected: 'a{k1:v1,k2:v2}', style: 'writeq' },
  { kind: 'read', source: `${D} dict_dot3:field`, text: '_{a:1,b:2,c:3}', term: '_{a:1,b:2,c:3}' },
  { kind: 'read', source: `${D} dict_bips:select (3)`, text: '_{z:3}', term: '_{z:3}' },

  // test_string.pl: literals with non-ASCII text
  { kind: 'read', source: `${STR} string:string_upper (2)`, text: '"wh\\u00ff"', term: '"wh\u00ff"' },
  { kind: 'read', source: `${STR} string:string_upper (2, upper)`, text: '"WH\\u0178"', term: '"WH\u0178"' },
  { kind: 'read', source: `${STR} string_bytes:hello (1)`, text: '\u4eca\u65e5\u306f', term: "'\u4eca\u65e5\u306f'" },
  { kind: 'write', source: `${STR} string_bytes:hello (1, writing)`, text: "'\u4eca\u65e5\u306f'", goal: 'writeq(T)', expected: '\u4eca\u65e5\u306f', style: 'writeq' },
  { kind: 'read', source: `${STR} string_bytes:hello (2)`, text: '"\u4eca\u65e5\u306f"', term: '"\\x4eca\\\\x65e5\\\\x306f\\"' },
];
