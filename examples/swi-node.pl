% A SWI-Prolog paxos node for the mixed-cluster example.
%
%   swipl -q examples/swi-node.pl PORT PEERPORT,PEERPORT,...
%
% Joins the unicast udp_broadcast network `paxos` on 127.0.0.1:PORT with every
% listed peer (itself included), prints every change it learns as
% `change Key := Value`, then runs the goals it reads from standard input, one
% term per line, answering `true`, `false` or `error ...`.

:- use_module(library(paxos)).
:- use_module(library(udp_broadcast)).

:- multifile paxos:paxos_message_hook/3.
paxos:paxos_message_hook(P, -, udp(paxos, P)) :- !.
paxos:paxos_message_hook(P, T, udp(paxos, P, T)).

:- initialization(main, main).

main :-
    current_prolog_flag(argv, [PortA, PeersA|_]),
    atom_number(PortA, Port),
    atomic_list_concat(PeerAs, ',', PeersA),
    maplist([A, N]>>atom_number(A, N), PeerAs, Peers),
    udp_broadcast_initialize(ip(127,0,0,1), [method(unicast), port(Port), scope(paxos)]),
    forall(member(Q, Peers), udp_peer_add(paxos, ip(127,0,0,1):Q)),
    sleep(0.3),
    paxos_initialize([]),
    paxos_on_change(Key, Value, report(Key, Value)),
    paxos_property(node(Node)),
    format("ready node ~w~n", [Node]),
    flush_output,
    serve.

report(Key, Value) :-
    format("change ~q := ~q~n", [Key, Value]),
    flush_output.

serve :-
    catch(read_term(user_input, Goal, []), E, true),
    (   nonvar(E)
    ->  format("error ~q~n", [E]), flush_output, serve
    ;   Goal == end_of_file
    ->  true
    ;   (   catch(Goal, E2, true)
        ->  (   var(E2)
            ->  format("true ~q~n", [Goal])
            ;   format("error ~q~n", [E2])
            )
        ;   format("false~n")
        ),
        flush_output,
        serve
    ).
