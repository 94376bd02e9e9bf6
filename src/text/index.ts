// Prolog text: the reader (grammar/ + read*.ts), the writer (write*.ts) and operator tables.
export * from './ops.js';
export {
  readTerm, readTermWithVars, readTerms, readClauses, readTermFromBytes, PrologSyntaxError,
  type ReadOptions, type BaseReadOptions, type ReadResult, type ClauseResult,
} from './read.js';
export { readCanonical } from './read-canonical.js';
export { writeTerm, type WriteOptions, type WriteStyle } from './write.js';
