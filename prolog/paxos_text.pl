/*  Part of prolog-paxos (BSD-2-Clause).

    Text above U+00FF in library(udp_broadcast) messages, for SWI-Prolog 9.0.4
    nodes in a cluster whose nodes of ours run with --wide-text escape.
*/

:- module(paxos_text,
          [ paxos_text_configure/1      % +Scope
          ]).
:- use_module(library(udp_broadcast), []).
:- use_module(library(error), [must_be/2]).
:- use_module(library(memfile),
              [ new_memory_file/1, open_memory_file/4, memory_file_to_string/3, free_memory_file/1 ]).

/** <module> ISO-Latin-1 messages with escapes for wider characters

SWI-Prolog 9.0.4's udp_send/4 sends text as ISO-Latin-1 and raises a
representation error for any character above U+00FF; when that happens in the
reply to a request, the udp_inbound_proxy thread dies and the node hears
nothing more. With this file loaded and a scope configured, the scope's
messages are written as udp_term_string/3 writes them, but to an ISO-Latin-1
stream, on which write_term/3 quotes atoms holding wider characters and writes
those characters as escapes (`"\u20ACuro"`). Every reader, SWI's and ours,
reads them back as the same term. Reading is unchanged (the default parser).

Configure the scope before udp_broadcast_initialize/2:

==
:- use_module('prolog/paxos_text').
start :- paxos_text_configure(paxos), udp_broadcast_initialize(...), ...
==

Not combined with prolog/paxos_auth.pl, which has a hook of its own.
*/

:- dynamic wide_scope/1.

%!  paxos_text_configure(+Scope) is det.
%
%   Write the messages of Scope as ISO-Latin-1 text with escapes.

paxos_text_configure(Scope) :-
    must_be(atom, Scope),
    (   wide_scope(Scope) -> true ; assertz(wide_scope(Scope)) ).

:- multifile udp_broadcast:udp_term_string_hook/3.

% Writing only (String unbound); reading falls through to the default clause.
udp_broadcast:udp_term_string_hook(Scope, Term, String) :-
    var(String),
    wide_scope(Scope),
    new_memory_file(MF),
    setup_call_cleanup(
        open_memory_file(MF, write, Out, [encoding(iso_latin_1)]),
        format(Out, '%-prolog-\n~W', [Term, [ignore_ops(true), quoted(true)]]),
        close(Out)),
    memory_file_to_string(MF, String, iso_latin_1),
    free_memory_file(MF).
