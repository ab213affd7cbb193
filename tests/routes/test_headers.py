"""The one reader of weighted headers, and the language a request prefers."""

import pytest

from geo_api.headers import preferred_language, quality_list


def test_quality_list_reads_weights_in_order():
    assert quality_list("text/html;q=0.9, application/json , */*; q=bad") == [
        ("text/html", 0.9),
        ("application/json", 1.0),
        ("*/*", 0.0),
    ]


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("es-MX,es;q=0.9,en;q=0.5", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR,es;q=0.5", "es"),
        ("fr", "en"),
        ("", "en"),
        ("es;q=0", "en"),
        ("es, en", "es"),
    ],
)
def test_preferred_language(header, lang):
    assert preferred_language(header) == lang


def test_accept_language_picks_the_page_language(client):
    spanish = client.get(
        "/maps/neighborhoods/population", headers={"accept-language": "es-US,es;q=0.9"}
    )
    assert spanish.headers["content-language"] == "es" and "Sin datos" in spanish.text
    assert "Accept-Language" in spanish.headers["vary"]
    english = client.get("/maps/neighborhoods/population")
    assert english.headers["content-language"] == "en"
    assert english.headers["etag"] != spanish.headers["etag"]
    # lang= wins over the header
    chosen = client.get("/maps/neighborhoods/population?lang=en", headers={"accept-language": "es"})
    assert chosen.headers["content-language"] == "en"
