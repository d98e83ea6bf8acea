"""Student-proposing deferred acceptance in rounds, protocol §10.3 (also §10.2 and §10.5).

Within a round every school decides alone (§10.3 step 3: "for each school ..., in any order"), so
the schools can be shared out between two processes: each runs the rounds for its own half of
the schools (every other school, by manifest index), and after each round the two swap the
proposals that the rejected units make to the other half's schools. Both then start the next
round from the same proposals that one process running every school would have, so the rounds,
held sets and rejections are exactly those of one process. That is what happens without
`os.fork`, for a small draw (a second process costs more than it saves), or if the second process
fails for any reason: the verdict never depends on it, only the time does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, Pipe
from operator import getitem, methodcaller
from typing import NamedTuple

from verifier.choice import UNIT_MASK, Candidate, Priorities, choose
from verifier.manifest import Manifest

__all__ = ["TWO_PROCESSES_FROM", "Proposals", "deferred_acceptance"]

TWO_PROCESSES_FROM = 20_000  # units; below this one process is faster
_NEXT = (1).__add__

# The units proposing in a round, as tokens (`Priorities.tokens`), for each school by index.
Proposals = list[list[int]]


class Rounds(NamedTuple):
    """What the rounds of §10.3 end with: each school's held set (its admitted units, as packed
    priority keys in priority order), the candidates it rejected, and the number of rounds."""

    held: list[list[Candidate]]
    rejected: list[list[Candidate]]
    rounds: int


def deferred_acceptance(
    manifest: Manifest, priorities: Priorities, lists: Sequence[tuple[int, ...]]
) -> Rounds:
    """Run §10.3 on these preference lists (school indices); see the module's docstring."""
    count = len(manifest.schools)
    # §10.3 (1), (2) of the first round: every unit proposes to the first school on its list.
    first: Proposals = [[] for _ in range(count)]
    for token, entries in zip(priorities.tokens, lists, strict=True):
        if entries:
            first[entries[0]].append(token)
    # Each list followed by the end mark `count`: the school "after" the last one, where the
    # units whose lists are exhausted are filed and dropped.
    marked = [(*entries, count) for entries in lists]
    if len(lists) >= TWO_PROCESSES_FROM and count > 1 and hasattr(os, "fork"):
        shared = _in_two_processes(manifest, priorities, marked, first)
        if shared is not None:
            return shared
    return _run_rounds(manifest, priorities, marked, first, range(count), None)


# Swaps the proposals made to the other process's schools; returns the number of proposals of
# the next round in both processes together.
Exchange = Callable[[Proposals], int]


def _run_rounds(
    manifest: Manifest,
    priorities: Priorities,
    marked: Sequence[tuple[int, ...]],
    proposals: Proposals,
    own: range,
    exchange: Exchange | None,
) -> Rounds:
    """The rounds of §10.3 for the schools `own`; with `exchange`, another process runs the
    others. `marked` holds each unit's list followed by the end mark. Entries of the result for
    other schools stay empty."""
    schools = manifest.schools
    held: list[list[Candidate]] = [[] for _ in schools]  # in priority order
    held_special: list[list[Candidate]] = [[] for _ in schools]  # see Priorities.special
    rejected_by: list[list[Candidate]] = [[] for _ in schools]
    pending = sum(map(len, proposals))
    count = len(schools)
    rounds = 0
    while pending:  # (1): units held nowhere with a school left on their list propose
        rounds += 1
        next_round: Proposals = [[] for _ in range(count + 1)]
        for s in own:  # (3): each school keeps its choice of held and new
            proposers = proposals[s]
            if not proposers:
                continue
            new = priorities.keys_at(s, proposers)
            pool = held[s] + new
            pool.sort()  # two sorted runs at most: a merge
            specials = held_special[s] + priorities.specials(new, proposers)
            specials.sort()
            choice = choose(schools[s], pool, specials, priorities=priorities)
            held[s], held_special[s] = choice.kept, choice.kept_special
            rejected_by[s] += choice.rejected
            # (3), (2): a rejected unit's pointer moves past s (lists hold distinct schools,
            # §4.1, so s is found once); it proposes next round to the school there, or to
            # the end mark `count` when its list is exhausted. Found by built-ins (`map`):
            # millions of rejections.
            tokens = list(priorities.tokens_of(choice.rejected))
            rejected_lists = list(map(marked.__getitem__, map(UNIT_MASK.__and__, tokens)))
            pointers = map(_NEXT, map(methodcaller("index", s), rejected_lists))
            for token, school in zip(tokens, map(getitem, rejected_lists, pointers), strict=True):
                next_round[school].append(token)
        next_round.pop()  # the units whose lists are exhausted: held nowhere, for good
        pending = sum(map(len, next_round)) if exchange is None else exchange(next_round)
        proposals = next_round
    return Rounds(held, rejected_by, rounds)


def _in_two_processes(
    manifest: Manifest,
    priorities: Priorities,
    marked: Sequence[tuple[int, ...]],
    first: Proposals,
) -> Rounds | None:
    """The rounds with the even-indexed schools run here and the odd ones in a forked copy of
    this process; None if the copy could not be made or failed (nothing then is half-done: the
    caller runs every school here)."""
    count = len(manifest.schools)
    try:
        here, there = Pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the copy: the odd schools, then their results, then leave at once
        status = 1
        try:
            here.close()
            odd = range(1, count, 2)
            result = _run_rounds(
                manifest, priorities, marked, first, odd, _exchange_with(there, odd, count, False)
            )
            there.send([(s, result.held[s], result.rejected[s]) for s in odd])
            status = 0
        finally:
            os._exit(status)  # nothing of the parent's (buffers, handlers) runs in the copy
    there.close()
    even = range(0, count, 2)
    try:
        result = _run_rounds(
            manifest, priorities, marked, first, even, _exchange_with(here, even, count, True)
        )
        for s, held, rejected in here.recv():
            result.held[s], result.rejected[s] = held, rejected
    except (EOFError, OSError):  # the copy died (out of memory, killed): start again here
        os.waitpid(pid, 0)
        return None
    except BaseException:
        os.kill(pid, 9)  # a fault here: the copy must not wait for us forever
        os.waitpid(pid, 0)
        raise
    finally:
        here.close()
    _, status = os.waitpid(pid, 0)
    return result if status == 0 else None


def _exchange_with(connection: Connection, own: range, count: int, sends_first: bool) -> Exchange:
    """The swap after each round: the proposals to the other process's schools go to it, and
    those it received for ours come back. One side sends first and the other receives first, so
    neither waits on a full pipe while the other does the same."""
    theirs = range(1 - own.start, count, 2)

    def exchange(next_round: Proposals) -> int:
        outgoing = [(s, next_round[s]) for s in theirs if next_round[s]]
        kept = sum(len(next_round[s]) for s in own)
        if sends_first:
            connection.send((outgoing, kept))
            incoming, their_kept = connection.recv()
        else:
            incoming, their_kept = connection.recv()
            connection.send((outgoing, kept))
        for s, tokens in incoming:
            next_round[s] += tokens
        moved = sum(len(tokens) for _, tokens in outgoing) + sum(len(t) for _, t in incoming)
        return int(kept + their_kept + moved)  # the same total on both sides

    return exchange
