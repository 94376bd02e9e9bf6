// Our term bytes are plain msgpack: this module registers (once, here only) msgpackr
// readers for the codec's extension types, so any msgpackr Unpackr shows encoded terms
// as plain JS values for debugging and interop checks. Import it only for that:
// msgpackr's extension registry is process-wide. msgpackr nests recursively, so this
// view is for shallow terms; the codec's own decoder is the one to use for data.
import { addExtension, Unpackr } from 'msgpackr';
import {
  BUILTIN_NAMES, decimalValue, EXT_ATOM16, EXT_BIGINT, EXT_DECIMAL, EXT_NAME, EXT_NIL_NAME, EXT_STR16, EXT_VAR,
} from './format.js';

export interface ExtView {
  readonly ext: 'var' | 'bigint' | 'atom16' | 'str16' | 'name' | 'decimal' | 'nil_name';
  readonly value: number | bigint | string;
}

function index(b: Uint8Array): number {
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return n;
}

addExtension({ type: EXT_VAR, unpack: (b: Uint8Array): ExtView => ({ ext: 'var', value: index(b) }) });
addExtension({
  type: EXT_BIGINT,
  unpack: (b: Uint8Array): ExtView => {
    const mag = BigInt('0x' + Buffer.from(b.subarray(1)).toString('hex'));
    return { ext: 'bigint', value: b[0] ? -mag : mag };
  },
});
addExtension({ type: EXT_ATOM16, unpack: (b: Uint8Array): ExtView => ({ ext: 'atom16', value: Buffer.from(b).toString('utf16le') }) });
addExtension({ type: EXT_STR16, unpack: (b: Uint8Array): ExtView => ({ ext: 'str16', value: Buffer.from(b).toString('utf16le') }) });

addExtension({ type: EXT_NAME, unpack: (b: Uint8Array): ExtView => ({ ext: 'name', value: BUILTIN_NAMES[b[0]!] ?? '' }) });
addExtension({ type: EXT_DECIMAL, unpack: (b: Uint8Array): ExtView => ({ ext: 'decimal', value: decimalValue(b[0]!, index(b.subarray(1))) }) });

addExtension({ type: EXT_NIL_NAME, unpack: (): ExtView => ({ ext: 'nil_name', value: '[]' }) });

const viewer = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: 'bigint' });

/** The msgpack value of an encoded term, as msgpackr reads it. */
export function msgpackView(bytes: Uint8Array): unknown {
  return viewer.unpack(bytes);
}
