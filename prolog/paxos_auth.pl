/*  Part of prolog-paxos (BSD-2-Clause).

    Authenticated library(udp_broadcast) scopes for SWI-Prolog 9.0.4: the same
    frames as prolog-paxos' src/transport/auth.ts, so SWI nodes and ours can
    form one authenticated cluster.  Needs only library(sha) (Debian's
    swi-prolog-core-packages).
*/

:- module(paxos_auth,
          [ paxos_auth_configure/2,     % +Scope, +Options
            paxos_auth_remove/1,        % +Scope
            paxos_auth_drops/2          % +Scope, -Drops
          ]).
:- use_module(library(sha), [hmac_sha/4, hash_atom/2]).
:- use_module(library(apply), [foldl/4, maplist/2, exclude/3]).
:- use_module(library(error), [must_be/2, domain_error/2]).
:- use_module(library(lists), [member/2]).
:- use_module(library(option), [option/2, option/3]).
:- use_module(library(readutil), [read_file_to_string/3]).
:- use_module(library(solution_sequences), [limit/2]).

/** <module> Authenticated udp_broadcast frames

Load this file and configure a scope *before* udp_broadcast_initialize/2
(and so before paxos_initialize/1); library(paxos) and library(udp_broadcast)
run unchanged on top of it:

==
:- use_module(library(udp_broadcast)).
:- use_module(library(paxos)).
:- use_module('prolog/paxos_auth').

start :-
    paxos_auth_configure(paxos, [key_file('/etc/prolog-paxos/keys')]),
    udp_broadcast_initialize(ip(10,0,0,5), [method(unicast), scope(paxos)]),
    ...
==

The frame, for every send/1, request/2 and reply/2 of the scope:

==
"%-auth-1 " MAC " " KID " " TS " " NONCE "\n" "%-prolog-\n" TermText
==

MAC is the lowercase hex HMAC-SHA-256, under the secret of key KID, of the
whole frame without the `MAC ` field; TS is the sender's clock in
milliseconds; NONCE makes two sends of one term in one millisecond differ.
udp_broadcast hands every message it sends or receives through
udp_term_string_hook/3 (udp_term_string/3 calls it in both modes), which is
the one hook this file defines, for configured scopes only.  A datagram
that is not signed with one of the scope's keys, lies outside the time
window, or repeats an accepted one, makes the hook throw
udp(invalid_message): udp_broadcast then drops it without decoding it.
*/

:- multifile udp_broadcast:udp_term_string_hook/3.

udp_broadcast:udp_term_string_hook(Scope, Term, String) :-
    paxos_auth:auth_hook(Scope, Term, String).

:- dynamic
    scope_conf/2,           % Scope, conf(Keys, WindowMs, Cap)
    floor_ms/2,             % Scope, LowestAcceptedStamp
    seen/3,                 % MacId, Scope, Stamp: accepted MACs, oldest first
    seen_count/2,           % Scope, Count
    drop_count/3.           % Scope, Reason, Count

reason(unsigned).
reason(badHeader).
reason(unknownKey).
reason(badMac).
reason(outOfWindow).
reason(replayed).

%!  paxos_auth_configure(+Scope, +Options) is det.
%
%   Authenticate every datagram of Scope.  Options:
%
%     - keys(+List)
%       One or two `Id-Secret` pairs (atoms or strings); the first signs,
%       either verifies (a key roll-over).
%     - key_file(+File)
%       The same as a file of lines `ID SECRET` (# comments), as prolog-paxos'
%       --auth-key-file reads it.
%     - window(+Seconds)
%       Largest distance between a stamp and our clock (default 10).
%     - replay_cache(+Count)
%       Accepted MACs remembered (default 65536).
%
%   Ids are 1-32 of `A-Za-z0-9_.-`; secrets 16-256 of `A-Za-z0-9+/=_.~-`.
%   Configuring anew forgets the replay cache: only datagrams stamped from
%   now on are accepted.

paxos_auth_configure(Scope, Options) :-
    must_be(atom, Scope),
    must_be(list, Options),
    option_keys(Options, Keys),
    option(window(W), Options, 10),
    (   number(W), W > 0 -> true ; domain_error(positive_seconds, W) ),
    WindowMs is round(W*1000),
    option(replay_cache(Cap0), Options, 65536),
    must_be(positive_integer, Cap0),
    Cap is max(16, Cap0),
    now_ms(Now),
    with_mutex(paxos_auth,
               ( forget_scope(Scope),
                 assertz(scope_conf(Scope, conf(Keys, WindowMs, Cap))),
                 assertz(floor_ms(Scope, Now)),
                 assertz(seen_count(Scope, 0))
               )).

%!  paxos_auth_remove(+Scope) is det.
%
%   Stop authenticating Scope: it speaks udp_broadcast's plain frames again.

paxos_auth_remove(Scope) :-
    with_mutex(paxos_auth, forget_scope(Scope)).

forget_scope(Scope) :-
    retractall(scope_conf(Scope, _)),
    retractall(floor_ms(Scope, _)),
    retractall(seen(_, Scope, _)),
    retractall(seen_count(Scope, _)),
    retractall(drop_count(Scope, _, _)).

%!  paxos_auth_drops(+Scope, -Drops) is det.
%
%   Drops is a list Reason-Count of the datagrams dropped so far, for each
%   of unsigned, badHeader, unknownKey, badMac, outOfWindow and replayed.

paxos_auth_drops(Scope, Drops) :-
    findall(R-N, ( reason(R), ( drop_count(Scope, R, N) -> true ; N = 0 ) ), Drops).

option_keys(Options, Keys) :-
    (   option(keys(Pairs), Options)
    ->  must_be(list, Pairs),
        maplist(pair_key, Pairs, Keys)
    ;   option(key_file(File), Options)
    ->  read_file_to_string(File, Text, []),
        text_keys(Text, Keys)
    ;   domain_error(paxos_auth_options, Options)
    ),
    check_keys(Keys).

pair_key(Id0-Secret0, key(Id, Secret)) :-
    !,
    atom_string(Id, Id0),
    atom_string(Secret, Secret0).
pair_key(X, _) :-
    domain_error(key_pair, X).

text_keys(Text, Keys) :-
    split_string(Text, "\n,", " \t\r", Lines0),
    exclude(skipped_line, Lines0, Lines),
    maplist(line_key, Lines, Keys).

skipped_line("").
skipped_line(L) :- sub_string(L, 0, 1, _, "#").

line_key(Line, key(Id, Secret)) :-
    split_string(Line, " \t", " \t", Parts0),
    exclude(==(""), Parts0, Parts),
    (   Parts = [IdS, SecretS]
    ->  atom_string(Id, IdS),
        atom_string(Secret, SecretS)
    ;   domain_error(key_line, 'ID SECRET')
    ).

check_keys(Keys) :-
    length(Keys, N),
    (   between(1, 2, N) -> true ; domain_error(one_or_two_keys, N) ),
    maplist(check_key, Keys),
    (   Keys = [key(Id, _), key(Id, _)] -> domain_error(distinct_key_ids, Id) ; true ).

check_key(key(Id, Secret)) :-
    (   chars_within(Id, 1, 32, id_char) -> true ; domain_error(key_id, Id) ),
    (   chars_within(Secret, 16, 256, secret_char) -> true ; domain_error(key_secret, Id) ).

chars_within(Text, Min, Max, Type) :-
    atom_codes(Text, Cs),
    length(Cs, L),
    between(Min, Max, L),
    maplist(Type, Cs).

id_char(C) :- code_type(C, alnum), C < 128, !.
id_char(C) :- memberchk(C, `_.-`).
secret_char(C) :- code_type(C, alnum), C < 128, !.
secret_char(C) :- memberchk(C, `+/=_.~-`).
nonce_char(C) :- between(0'0, 0'9, C), !.
nonce_char(C) :- between(0'a, 0'z, C).
hex_char(C) :- between(0'0, 0'9, C), !.
hex_char(C) :- between(0'a, 0'f, C).
digit_char(C) :- between(0'0, 0'9, C).

now_ms(Ms) :-
    get_time(T),
    Ms is truncate(T*1000).


                 /*******************************
                 *             HOOK             *
                 *******************************/

auth_hook(Scope, Term, String) :-
    scope_conf(Scope, Conf),
    !,
    (   var(String)
    ->  sign(Conf, Term, String)
    ;   catch(check(Scope, Conf, String, R), _, R = drop(badHeader)),
        (   R = ok(Inner)
        ->  (   sub_string(Inner, 0, _, _, "%-prolog-\n"),
                catch(term_string(Term, Inner, [syntax_errors(quiet)]), _, fail)
            ->  true
            ;   throw(udp(invalid_message))     % signed, but no term: as udp_broadcast's own
            )
        ;   R = drop(Reason),
            count_drop(Scope, Reason, String),
            throw(udp(invalid_message))
        )
    ).

% What udp_term_string/3 writes without a hook, signed.  A term that cannot
% be written in ISO-Latin-1 is reported and not sent, as udp_send/4 does.
sign(conf([key(Kid, Secret)|_], _, _), Term, String) :-
    format(string(Inner), '%-prolog-\n~W', [Term, [ignore_ops(true), quoted(true)]]),
    now_ms(Ms),
    Nonce is random(1<<62),
    format(string(Rest), '~w ~d ~36r\n~s', [Kid, Ms, Nonce, Inner]),
    string_concat("%-auth-1 ", Rest, Signed),
    catch(hmac_sha(Secret, Signed, Mac, [algorithm(sha256), encoding(octet)]), E,
          ( print_message(error, E), throw(udp(invalid_message)) )),
    hash_atom(Mac, Hex),
    format(string(String), '%-auth-1 ~w ~s', [Hex, Rest]).

check(Scope, Conf, Data, R) :-
    (   string_length(Data, Len),
        Len >= 74,
        sub_string(Data, 0, 9, _, "%-auth-1 ")
    ->  check_header(Scope, Conf, Data, R)
    ;   R = drop(unsigned)
    ).

check_header(Scope, conf(Keys, W, Cap), Data, R) :-
    (   sub_string(Data, 9, 64, _, MacHex),
        string_codes(MacHex, MacCodes),
        maplist(hex_char, MacCodes),
        sub_string(Data, 73, 1, _, " "),
        sub_string(Data, 74, _, 0, Rest),
        once(sub_string(Rest, B, 1, _, "\n")),
        B =< 82,
        sub_string(Rest, 0, B, _, Line),
        split_string(Line, " ", "", [KidS, TsS, NonceS]),
        chars_within(KidS, 1, 32, id_char),
        chars_within(TsS, 1, 15, digit_char),
        chars_within(NonceS, 1, 32, nonce_char)
    ->  atom_string(Kid, KidS),
        (   memberchk(key(Kid, Secret), Keys)
        ->  string_concat("%-auth-1 ", Rest, Signed),
            hmac_sha(Secret, Signed, Want, [algorithm(sha256), encoding(octet)]),
            hash_atom(Want, WantHex),
            atom_codes(WantHex, WantCodes),
            (   foldl(xor_or, MacCodes, WantCodes, 0, 0)     % all 64 compared, whatever differs
            ->  number_string(Ts, TsS),
                B1 is B+1,
                sub_string(Rest, B1, _, 0, Inner),
                fresh(Scope, W, Cap, Ts, MacHex, Inner, R)
            ;   R = drop(badMac)
            )
        ;   R = drop(unknownKey)
        )
    ;   R = drop(badHeader)
    ).

xor_or(X, Y, A0, A) :-
    A is A0 \/ (X xor Y).

fresh(Scope, W, Cap, Ts, MacHex, Inner, R) :-
    now_ms(Now),
    floor_ms(Scope, Floor),
    (   ( Ts > Now + W ; Ts < Now - W ; Ts < Floor )
    ->  R = drop(outOfWindow)
    ;   sub_string(MacHex, 0, 32, _, IdS),
        atom_string(Id, IdS),
        with_mutex(paxos_auth, remember(Scope, Id, Ts, Now, W, Cap, New)),
        (   New == true
        ->  R = ok(Inner)
        ;   R = drop(replayed)
        )
    ).

% Bounded: the oldest entries go first once past the window; when the cache is
% full of fresh ones, the oldest eighth goes and the floor rises above them.
remember(Scope, Id, _, _, _, _, New) :-
    seen(Id, Scope, _),
    !,
    New = false.
remember(Scope, Id, Ts, Now, W, Cap, true) :-
    Expired is Now - W,
    sweep(Scope, Expired, 2, Swept),
    assertz(seen(Id, Scope, Ts)),
    retract(seen_count(Scope, N0)),
    N1 is N0 - Swept + 1,
    (   N1 > Cap
    ->  K is max(1, Cap >> 3),
        forall(limit(K, retract(seen(_, Scope, T))),
               raise_floor(Scope, T, Expired)),
        N is N1 - K
    ;   N = N1
    ),
    assertz(seen_count(Scope, N)).

sweep(Scope, Expired, Max, Swept) :-
    (   Max > 0,
        once(seen(Id, Scope, T)),
        T < Expired
    ->  retract(seen(Id, Scope, T)),
        Max1 is Max - 1,
        sweep(Scope, Expired, Max1, Swept0),
        Swept is Swept0 + 1
    ;   Swept = 0
    ).

raise_floor(Scope, T, Expired) :-
    (   T >= Expired,
        floor_ms(Scope, F),
        T1 is T + 1,
        T1 > F
    ->  retract(floor_ms(Scope, F)),
        assertz(floor_ms(Scope, T1))
    ;   true
    ).

% udp_broadcast's dispatch_ready/1 asks a unicast scope twice about a datagram
% from a peer that it refuses (once as in-scope, once for the join hook): the
% second look at the same bytes is not counted again.
count_drop(Scope, Reason, Data) :-
    (   nb_current(paxos_auth_last_drop, Last),
        Last == Scope-Data
    ->  nb_setval(paxos_auth_last_drop, none)
    ;   nb_setval(paxos_auth_last_drop, Scope-Data),
        with_mutex(paxos_auth,
                   (   retract(drop_count(Scope, Reason, N0))
                   ->  N is N0 + 1,
                       assertz(drop_count(Scope, Reason, N))
                   ;   assertz(drop_count(Scope, Reason, 1))
                   ))
    ).
