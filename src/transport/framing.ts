// The three messages of library(udp_broadcast) and their default serialization,
// udp_term_string/3: the bytes `%-prolog-\n` followed by the term written with
// write_term(T, [ignore_ops(true), quoted(true)]) and no full stop.
//
// SWI 9.0.4's udp_send/4 and udp_receive/4 move text as ISO-Latin-1 octets: a SWI
// node sends `é` as the one byte 0xE9 and reads every byte as one character (UTF-8
// bytes read as other characters). It cannot send a character above U+00FF at all
// (a representation_error), and when that happens in the reply to a request, its
// udp_inbound_proxy thread dies (ld_dispatch's forall/2 fails): the node goes deaf
// for good. A term sent to a SWI peer in a request comes back in its reply, so the
// default codec refuses text above U+00FF, before a paxos set starts (refusal()),
// on one node as on many. wideText 'escape' writes such characters as escapes in
// quoted text instead (`"\x20AC\uro"`: Latin-1 bytes any reader reads back), for
// clusters whose SWI peers load prolog/paxos_text.pl (which makes them send such
// text the same way) or that have none. `utf8` is for scopes of our nodes only (it
// decodes strictly: invalid UTF-8 is a malformed datagram). Text with a lone
// surrogate cannot be sent by any codec: no reader takes it back.
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
  /** Why `t` could not be sent in a message, or undefined: checked before a paxos set starts. */
  refusal?(t: Term): string | undefined;
}

export class WireEncodingError extends Error {
  override name = 'WireEncodingError';
}

export const PROLOG_MAGIC = '%-prolog-\n';
const MAGIC_BYTES = Buffer.from(PROLOG_MAGIC, 'latin1');

export interface PrologTextCodecOptions {
  /** 'latin1' (default) is what SWI 9.0.4 sends and reads; 'utf8' for scopes of our nodes only. */
  readonly encoding?: 'latin1' | 'utf8';
  /**
   * latin1 only: text above U+00FF is refused (default: SWI 9.0.4 peers cannot carry
   * it) or sent as `\x20AC\` escapes (every SWI peer loads prolog/paxos_text.pl, or none is there).
   */
  readonly wideText?: 'refuse' | 'escape';
}

/** The default serialization: udp_term_string/3 without a hook. */
export function prologTextCodec(options: PrologTextCodecOptions = {}): Codec {
  const encoding = options.encoding ?? 'latin1';
  const refuseWide = encoding === 'latin1' && options.wideText !== 'escape';
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return {
    encode(message: Term): Uint8Array {
      const text = PROLOG_MAGIC + writeTerm(message, { style: 'wire', latin1: encoding === 'latin1' && !refuseWide });
      if (encoding === 'utf8') {
        if (LONE_SURROGATE.test(text)) throw new WireEncodingError(textRefusal(text, false)!);
        return Buffer.from(text, 'utf8');
      }
      // Escaped above U+00FF unless refused: anything wider left is refused or a lone surrogate.
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) throw new WireEncodingError(textRefusal(text, refuseWide)!);
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
    refusal: (t) => termRefusal(t, refuseWide),
  };
}

/** The first text of `t` (atom, functor name, string) a codec cannot send, and why; undefined if none. */
function termRefusal(t: Term, refuseWide: boolean): string | undefined {
  const stack: Term[] = [t];
  while (stack.length > 0) {
    const x = stack.pop()!;
    const text = x.kind === 'atom' || x.kind === 'compound' ? x.name : x.kind === 'string' ? x.value : '';
    const why = textRefusal(text, refuseWide);
    if (why !== undefined) return why;
    if (x.kind === 'compound') for (const a of x.args) stack.push(a);
    else if (x.kind === 'dict') {
      stack.push(x.tag);
      for (const [k, v] of x.pairs) stack.push(k, v);
    }
  }
  return undefined;
}

function textRefusal(text: string, refuseWide: boolean): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    if (u <= 0xff) continue;
    const c = text.codePointAt(i)!;
    const hex = c.toString(16).toUpperCase().padStart(4, '0');
    if (c >= 0xd800 && c <= 0xdfff) return `cannot send text with the lone surrogate U+${hex}: no Prolog reader accepts it`;
    if (refuseWide) {
      return `cannot send U+${hex} (${String.fromCodePoint(c)}): SWI-Prolog 9.0.4's udp_broadcast carries ISO-Latin-1 text only `
        + '(with every SWI peer loading prolog/paxos_text.pl, or none, start every node with --wide-text escape)';
    }
    if (c > 0xffff) i++;
  }
  return undefined;
}

/** With the u flag, a pair is one code point: this matches only a lone surrogate. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

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
