"""Balanced class assignment (均衡编班), protocol §11."""

from __future__ import annotations

from verifier.hashing import domain_hash, u64
from verifier.manifest import ClassPolicy
from verifier.records import Unit


def class_ticket(seed: bytes, school_id: str, key: str) -> int:
    """`u64(H("class-ticket", seed || UTF8(s) || 0x00 || UTF8(key(u))))`, §11.2."""
    return u64(domain_hash("class-ticket", seed + school_id.encode() + b"\x00" + key.encode()))


def balanced_classes(
    seed: bytes, school_id: str, policy: ClassPolicy, admitted: list[Unit]
) -> list[list[str]]:
    """The class lists of a school, class 1 first, each in application order (§11, §12.2)."""
    n = sum(unit.size for unit in admitted)
    if n == 0:
        return []  # (11.1)
    k = policy.count if policy.count is not None else -(-n // policy.max_size)  # (11.1)
    classes: list[list[str]] = [[] for _ in range(k)]
    tickets = {unit.key: class_ticket(seed, school_id, unit.key) for unit in admitted}
    if policy.twins == "apart":  # (11.3): boys, then girls, each by (class_ticket, application)
        dealt = []
        for sex in ("M", "F"):
            members = [
                (tickets[unit.key], m.application.encode(), m.application)
                for unit in admitted
                for m in unit.members
                if m.sex == sex
            ]
            dealt += sorted(members)
        for i, (*_, application) in enumerate(dealt):
            classes[i % k].append(application)
    else:  # (11.4): whole units by (class_ticket, key), each into the class minimising
        # (size, boys if b >= g else girls, class number), counted before placing it
        boys, girls = [0] * k, [0] * k
        for unit in sorted(admitted, key=lambda u: (tickets[u.key], u.key.encode())):
            b = sum(1 for m in unit.members if m.sex == "M")
            g = unit.size - b
            counts = boys if b >= g else girls
            target = min(range(k), key=lambda c: (len(classes[c]), counts[c], c))
            classes[target] += [m.application for m in unit.members]
            boys[target] += b
            girls[target] += g
    return [sorted(members, key=str.encode) for members in classes]
