"""Balanced class assignment (均衡编班), protocol §11."""

from __future__ import annotations

from verifier.manifest import ClassPolicy
from verifier.records import Unit
from verifier.tickets import class_tickets


def balanced_classes(
    *, seed: bytes, school_id: str, policy: ClassPolicy, admitted: list[Unit]
) -> list[list[str]]:
    """Class lists (class 1 first, each in application order) for a school's admitted units."""
    applicants = sum(unit.size for unit in admitted)
    if applicants == 0:
        return []  # (11.1): no classes
    count = policy.count if policy.count is not None else -(-applicants // policy.max_size)
    numbers = dict(
        zip(
            (u.key for u in admitted),
            class_tickets(seed, school_id, [u.key for u in admitted]),
            strict=True,
        )
    )
    classes: list[list[str]] = [[] for _ in range(count)]
    if policy.twins == "apart":
        # (11.3): boys then girls, each by (class_ticket, application), dealt round-robin.
        dealt = _by_class_ticket(admitted, numbers, "M") + _by_class_ticket(admitted, numbers, "F")
        for index, (_, _, application) in enumerate(dealt):
            classes[index % count].append(application)
    else:
        _together(classes, admitted, numbers)
    return [sorted(members, key=str.encode) for members in classes]


def _by_class_ticket(
    admitted: list[Unit], numbers: dict[str, int], sex: str
) -> list[tuple[int, bytes, str]]:
    return sorted(
        (numbers[unit.key], member.application.encode(), member.application)
        for unit in admitted
        for member in unit.members
        if member.sex == sex
    )


def _together(classes: list[list[str]], admitted: list[Unit], numbers: dict[str, int]) -> None:
    """(11.4): whole units, each into the class minimising (size, boys or girls, number)."""
    boys = [0] * len(classes)
    girls = [0] * len(classes)
    for unit in sorted(admitted, key=lambda u: (numbers[u.key], u.key.encode())):
        b = sum(1 for m in unit.members if m.sex == "M")
        g = unit.size - b
        counts = boys if b >= g else girls
        target = min(range(len(classes)), key=lambda c: (len(classes[c]), counts[c], c))
        classes[target].extend(m.application for m in unit.members)
        boys[target] += b
        girls[target] += g
