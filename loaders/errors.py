"""Exceptions raised by the loaders.

Every loader failure names the source it came from, so that a failed build can say
which upstream file or request broke.
"""

from __future__ import annotations


class SourceError(Exception):
    """A source could not be read. ``source`` is the source id (see ``loaders.sources``)."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


class SourceUnavailable(SourceError):
    """The bytes for a source could not be obtained (missing mirror file, download failure)."""


class SourceFormatError(SourceError):
    """The bytes were obtained but are not in the expected format (truncated, wrong columns)."""


class CensusAPIError(SourceError):
    """The Census Data API refused a request."""


class UnknownVariable(CensusAPIError):
    """The Census Data API does not know a requested variable for that dataset and year."""


class BadGeography(CensusAPIError):
    """A FIPS code is malformed or names no geography the API knows."""


class BadCensusKey(CensusAPIError):
    """The Census Data API rejected the API key."""
