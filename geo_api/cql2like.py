"""CQL2 ``LIKE`` as the standard defines it, matched in linear time.

CQL2 has two wildcards, ``%`` (any run of characters, also none) and ``_`` (exactly one
character), and a backslash escapes either; every other character, ``.`` included, is
itself. pygeofilter's cql2-text parser takes ``.`` for the single character and matches
through a regular expression whose ``.*`` runs backtrack: ``'%%%%%%%%%%%%%%%%%%%%x'`` or
``'%o'`` eight times took minutes of CPU on one request. Here a pattern is split at its
``%`` into segments (literal characters and ``_``); the first segment must start the
value, the last must end it, and each one between is found leftmost after the previous
one, which is exact for these patterns and costs at most (value length × pattern length)
character comparisons, whatever the pattern.

A null value matches neither ``LIKE`` nor ``NOT LIKE`` (CQL2's three-valued logic: the
answer is unknown, and only a true answer selects).
"""

from __future__ import annotations

import pandas as pd

from geo_api.errors import InvalidParameter

#: the longest pattern a filter may give (a name or a note is far shorter)
MAX_PATTERN = 500
ANY, ONE, ESCAPE = "%", "_", "\\"
#: a segment as (character or None for "_") items
Segment = list[str | None]


def compile_like(pattern: str) -> list[Segment]:
    """The ``%``-separated segments of a CQL2 LIKE ``pattern`` (a 400 when it is too long
    or ends in a lone escape)."""
    if len(pattern) > MAX_PATTERN:
        raise InvalidParameter(
            f"a LIKE pattern is {len(pattern):,} characters; at most {MAX_PATTERN}"
        )
    segments: list[Segment] = [[]]
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == ESCAPE:
            if i + 1 == len(pattern):
                raise InvalidParameter("a LIKE pattern ends with a lone escape (\\)")
            segments[-1].append(pattern[i + 1])
            i += 2
            continue
        if char == ANY:
            segments.append([])
        else:
            segments[-1].append(None if char == ONE else char)
        i += 1
    return segments


def _fits(value: str, at: int, segment: Segment) -> bool:
    if at + len(segment) > len(value):
        return False
    return all(c is None or value[at + k] == c for k, c in enumerate(segment))


def like_match(value: str, segments: list[Segment]) -> bool:
    """Whether ``value`` matches the compiled pattern (:func:`compile_like`)."""
    first, last = segments[0], segments[-1]
    if len(segments) == 1:
        return len(value) == len(first) and _fits(value, 0, first)
    if not _fits(value, 0, first):
        return False
    pos, end = len(first), len(value) - len(last)
    if end < pos or not _fits(value, end, last):
        return False
    for segment in segments[1:-1]:
        while pos + len(segment) <= end and not _fits(value, pos, segment):
            pos += 1
        if pos + len(segment) > end:
            return False
        pos += len(segment)
    return True


def like_series(values: pd.Series, pattern: str, nocase: bool, negate: bool) -> pd.Series:
    """Per value: ``LIKE`` (``NOT LIKE`` when ``negate``) as a nullable boolean, ``<NA>``
    where the value is null."""
    segments = compile_like(pattern.lower() if nocase else pattern)
    out: list[bool | None] = []
    for value in values.tolist():
        if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
            out.append(None)
            continue
        text = str(value).lower() if nocase else str(value)
        out.append(like_match(text, segments) != negate)
    return pd.Series(pd.array(out, dtype="boolean"), index=values.index)
