// The one error type the reader throws.

/**
 * A syntax error, named as SWI-Prolog 9 names it in `error(syntax_error(Kind), _)`:
 * `kind` is that term's functor (`operator_expected`, `operator_clash`,
 * `operator_balance`, `cannot_start_term`, `end_of_clause`, `end_of_clause_expected`,
 * `end_of_file`, `end_of_file_in_quoted`, `end_of_file_in_block_comment`,
 * `illegal_number`, `float_overflow`, `undefined_char_escape`, `list_rest`, `punct`,
 * `quoted_punctuation`, `duplicate_key`, `illegal_character`, `Illegal character code`,
 * `Illegal \u or \U sequence`) and `args` its arguments as text, e.g. `punct(',', '.')`
 * has args `[',', '.']`. Two kinds are ours, for input SWI never sees as text:
 * `illegal_utf8` (readTermFromBytes) and `resource_error` (a JS engine limit).
 */
export class PrologSyntaxError extends Error {
  override name = 'PrologSyntaxError';
  /** 1-based line of the offending position. */
  readonly line: number;
  /** 1-based column, counted in UTF-16 code units like `offset`. */
  readonly column: number;

  constructor(
    readonly kind: string,
    /** 0-based offset in the text (UTF-16 code units; bytes for illegal_utf8). */
    readonly offset: number,
    text: string,
    readonly args: readonly string[] = [],
  ) {
    const { line, column } = lineColumn(text, offset);
    super(`Syntax error: ${swiText(kind, args)} at line ${line}, column ${column}`);
    this.line = line;
    this.column = column;
  }

  /** What SWI's print_message/2 says of it, e.g. `Operator expected` (boot/messages.pl). */
  get text(): string {
    return swiText(this.kind, this.args);
  }

  /** SWI's `syntax_error/1` argument as text, e.g. `operator_expected` or `punct(',','.')`. */
  get swiKind(): string {
    return this.args.length ? `${this.kind}(${this.args.join(',')})` : this.kind;
  }
}

// SWI-Prolog 9.0.4's boot/messages.pl, syntax_error//1; other kinds are printed as they are.
const TEXTS: Readonly<Record<string, string>> = {
  end_of_clause: 'Unexpected end of clause',
  end_of_clause_expected: 'End of clause expected',
  end_of_file: 'Unexpected end of file',
  end_of_file_in_block_comment: 'End of file in /* ... */ comment',
  illegal_number: 'Illegal number',
  operator_clash: 'Operator priority clash',
  operator_expected: 'Operator expected',
  operator_balance: 'Unbalanced operator',
  quoted_punctuation: 'Operand expected, unquoted comma or bar found',
  list_rest: 'Unexpected comma or bar in rest of list',
  cannot_start_term: 'Illegal start of term',
  void_not_allowed: 'Empty argument list "()"',
  // Ours: input SWI never sees as text.
  illegal_utf8: 'Illegal UTF-8 byte sequence',
};

// The type SWI names for a quote under its default flags (double_quotes=string, back_quotes=codes).
const QUOTED: Readonly<Record<string, string>> = { "'": 'atom', '"': 'string', '`': 'codes' };

function swiText(kind: string, args: readonly string[]): string {
  if (kind === 'punct') return `Unexpected \`${args[0]}' before \`${args[1]}'`;
  if (kind === 'undefined_char_escape') return `Unknown character escape in quoted atom or string: \`\\${args[0]}'`;
  if (kind === 'end_of_file_in_quoted') return `End of file in quoted ${QUOTED[args[0] ?? ''] ?? args[0]}`;
  if (kind === 'resource_error') return `Not enough resources: ${args[0] ?? ''}`;
  return TEXTS[kind] ?? (args.length ? `${kind}(${args.join(', ')})` : kind);
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: end - start + 1 };
}
