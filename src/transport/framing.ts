// The three messages of library(udp_broadcast) and their default serialization,
// udp_term_string/3: the bytes `%-prolog-\n` followed by the term written with
// write_term(T, [ignore_ops(true), quoted(true)]) and no full stop.
//
// SWI 9.0.4's udp_send/4 and udp_receive/4 move text as ISO-Latin-1 octets: a
// SWI node sends `é` as the one byte 0xE9, fails to send `☃` at all, and reads
// every byte as one character. The default codec does the same, so it is byte
// for byte what SWI sends and reads; `utf8` is there for scopes whose nodes all
// agree on it (it decodes strictly: invalid UTF-8 is a malformed datagram).
import { compound } from '../term/build.js';
import type { Term } from '../term/types.js';
import { readCanonical } from '../text/read-canonical.js';
import { PrologSyntaxError, readClauses, readTerm } from '../text/read.js';
import { writeTerm } from '../text/write.js';

/** The largest UDP payload IPv4 can carry (65,535 - 8 UDP header - 20 IP header). */
export const MAX_UDP_PAYLOAD = 65507;

/** What SWI puts on the wire, as the wrapper term udp_term_string_hook/3 sees. */
export type WireMessage =
  | { readonly kind: 'send'; readonly term: Term }
  | { readonly kind: 'request'; readonly id: Term; readonly term: Term }
  | { readonly kind: 'reply'; readonly id: Term; readonly term: Term };

export function messageTerm(m: WireMessage): Term {
  return m.kind === 'send' ? compound('send', m.term) : compound(m.kind, m.id, m.term);
}

/** send/1, request/2 and reply/2 terms; undefined for anything else (SWI ignores those). */
export function messageFromTerm(t: Term): WireMessage | undefined {
  if (t.kind !== 'compound') return undefined;
  if (t.name === 'send' && t.args.length === 1) return { kind: 'send', term: t.args[0]! };
  if ((t.name === 'request' || t.name === 'reply') && t.args.length === 2) {
    return { kind: t.name, id: t.args[0]!, term: t.args[1]! };
  }
  return undefined;
}

/**
 * A scope's serialization, as udp_term_string_hook/3: it sees the wrapper term
 * (send/1, request/2, reply/2), so an encoding or encryption written for SWI's
 * hook can be mirrored here without touching the transport.
 */
export interface Codec {
  /** Bytes for a message term; throws WireEncodingError when the term cannot be represented. */
  encode(message: Term): Uint8Array;
  /** The message term, or undefined when the bytes are not a message (SWI's hook failing). May throw: also not a message. */
  decode(data: Uint8Array): Term | undefined;
}

export class WireEncodingError extends Error {
  override name = 'WireEncodingError';
}

export const PROLOG_MAGIC = '%-prolog-\n';
const MAGIC_BYTES = Buffer.from(PROLOG_MAGIC, 'latin1');

export interface PrologTextCodecOptions {
  /** 'latin1' (default) is what SWI 9.0.4 sends and reads; 'utf8' for scopes of our nodes only. */
  readonly encoding?: 'latin1' | 'utf8';
}

/** The default serialization: udp_term_string/3 without a hook. */
export function prologTextCodec(options: PrologTextCodecOptions = {}): Codec {
  const encoding = options.encoding ?? 'latin1';
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return {
    encode(message: Term): Uint8Array {
      const text = PROLOG_MAGIC + writeTerm(message, { style: 'wire' });
      if (encoding === 'utf8') return Buffer.from(text, 'utf8');
      // SWI raises "cannot represent text using encoding iso_latin_1" here.
      for (let i = 0; i < text.length; i++) {
        if (text.charCodeAt(i) > 0xff) {
          throw new WireEncodingError(`cannot represent U+${text.codePointAt(i)!.toString(16).toUpperCase()} in ISO-Latin-1, the encoding of SWI's udp_broadcast`);
        }
      }
      return Buffer.from(text, 'latin1');
    },
    decode(data: Uint8Array): Term | undefined {
      // A byte loop and toString(enc, start) rather than subarray/equals: on a typical
      // ~80-byte datagram those views cost about as much as reading the term itself.
      const m = MAGIC_BYTES.length;
      if (data.length < m) return undefined;
      for (let i = 0; i < m; i++) if (data[i] !== MAGIC_BYTES[i]) return undefined;
      let text: string;
      if (encoding === 'utf8') text = utf8.decode(data.subarray(m));
      else {
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        text = buf.toString('latin1', m);
      }
      return readLikeTermString(text);
    },
  };
}

// term_string/3 reads the first term and ignores what follows its full stop
// ("f(X). junk" reads f(X)); readTerm wants the text to end there, so fall back
// to the first clause of the text. Empty text is end_of_file, which no message is.
function readLikeTermString(text: string): Term | undefined {
  // What SWI's writer sends takes the one-pass fast path; it gives readTerm's term or
  // undefined, and undefined (anything unusual) goes to the full reader.
  const fast = readCanonical(text);
  if (fast !== undefined) return fast;
  try {
    return readTerm(text, { varNames: false });
  } catch (e) {
    if (!(e instanceof PrologSyntaxError) || e.kind !== 'end_of_clause_expected') return undefined;
    const first = readClauses(text, { varNames: false }).next();
    return first.done || first.value.error ? undefined : first.value.term;
  }
}
