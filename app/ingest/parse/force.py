"""Which force a report is about: the reference force it names most often."""

from __future__ import annotations

import re
from collections import Counter

from app.ingest.errors import ReportParseError
from app.ingest.reference import Force, Reference


def identify_force(prose: str, reference: Reference, forced: str | None) -> Force:
    """The force the prose names most, or the one given (which the prose must name)."""
    counts = _force_mentions(prose, reference)
    ranked = counts.most_common(2)
    if forced is not None:
        force = reference.force(forced)
        if force is None:
            raise ReportParseError(1, f"unknown force id {forced!r}: expected a police.uk id")
        if ranked and counts[force.id] == 0:
            raise ReportParseError(
                1,
                f"the report is about {ranked[0][0]!r}, not {force.id!r}: "
                f"it never names {force.name}",
            )
        return force
    if not ranked:
        raise ReportParseError(
            1, "cannot identify the force: the text names no reference force (pass --force ID)"
        )
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        raise ReportParseError(
            1,
            f"cannot identify the force: {ranked[0][0]} and {ranked[1][0]} are named "
            "equally often (pass --force ID)",
        )
    force = reference.force(ranked[0][0])
    assert force is not None
    return force


def _force_mentions(prose: str, reference: Reference) -> Counter[str]:
    """How often the text names each reference force (by id)."""
    by_name = {force.name: force.id for force in reference.forces}
    # One alternation, longest names first, so a longer name never counts for a shorter
    # one; a name wrapped over two lines still counts.
    names = sorted(by_name, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, n.split())) for n in names)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    return Counter(by_name[re.sub(r"\s+", " ", name)] for name in pattern.findall(prose))
