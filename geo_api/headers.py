"""Parsing of the weighted request headers (``Accept``, ``Accept-Encoding``,
``Accept-Language``): one reader of ``token;q=0.5`` lists for every negotiation."""

from __future__ import annotations

from maps.i18n import LANGUAGES

#: entries read from one header at most (a 25 KB header is not read to its end)
MAX_ENTRIES = 50


def quality_list(header: str) -> list[tuple[str, float]]:
    """``(token, q)`` for each entry of a weighted header, in the order given; tokens are
    lower-cased, a missing q is 1 and an unreadable one 0."""
    out = []
    for part in header.split(",")[:MAX_ENTRIES]:
        token, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.replace(" ", "").startswith("q="):
                try:
                    q = float(param.split("=", 1)[1])
                except ValueError:
                    q = 0.0
        out.append((token.lower(), q))
    return out


def preferred_language(accept_language: str) -> str:
    """The offered language an ``Accept-Language`` header prefers (``en`` by default):
    ``es-MX,es;q=0.9,en;q=0.5`` gives ``es``; of equal weights the first listed wins."""
    best, best_q = "en", 0.0
    for tag, q in quality_list(accept_language):
        lang = tag.split("-")[0]
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best
