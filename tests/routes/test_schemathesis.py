"""The whole OpenAPI document fuzzed with schemathesis (bounded examples per operation).

Every operation is called with generated parameters against the app serving the store
that build_store made from the hand-made mirror. Checks: no server error, every status
code and media type answered is documented, and 405s carry Allow. (Schemathesis' own
pytest plugin does not run on this pytest, so its Python API drives Hypothesis here.)
"""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from geo_api.app import create_app
from geo_api.openapi_doc import SUCCESS, WRITES
from tests.routes.conftest import make_settings

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.allow_header_conformance,
]
EXAMPLES = 30


@pytest.fixture(scope="module")
def fuzz_schema(tmp_path_factory, fixture_build):
    """The document of an app on the fixture store (read from disk at each start, since
    schemathesis' ASGI transport starts the app itself)."""
    base = make_settings(Path(tmp_path_factory.mktemp("fuzz")))
    app = create_app(base.model_copy(update={"store": fixture_build[1]}))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


OPERATIONS = sorted(f"GET {p}" for p in SUCCESS)
OPERATIONS += [f"{m.upper()} {p}" for m, p in WRITES]


def _operations(schema) -> dict[str, object]:
    """Operations by ``METHOD path``."""
    return {f"{r.ok().method.upper()} {r.ok().path}": r.ok() for r in schema.get_all_operations()}


def test_every_operation_is_fuzzed(fuzz_schema):
    operations = set(_operations(fuzz_schema))
    assert set(OPERATIONS) <= operations
    # the rest are the per-collection items operations (for GDAL's filters)
    extra = {o.split(" ", 1)[1] for o in operations - set(OPERATIONS)}
    assert extra and all(p.startswith("/collections/") and p.endswith("/items") for p in extra)


@pytest.mark.parametrize("operation_key", OPERATIONS)
def test_operation_conforms_to_the_document(fuzz_schema, operation_key):
    operation = _operations(fuzz_schema)[operation_key]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        case.call_and_validate(checks=CHECKS)

    check()
