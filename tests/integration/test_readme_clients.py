"""The README's GIS client commands (section "Reading it from GIS tools"), run as written
against the live server on the real store, the address 127.0.0.1:8000 replaced by the
test server's: each exits 0 and says nothing on stderr (GDAL warnings included), and what
they fetch matches the server's own counts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import skip_unless_required

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parents[2] / "README.md"
AREA = {
    "type": "Polygon",
    "coordinates": [[[-118.25, 34.0], [-118.2, 34.0], [-118.2, 34.05], [-118.25, 34.05],
                     [-118.25, 34.0]]],
}  # fmt: skip


def readme_commands() -> list[str]:
    """The commands of the first ``sh`` block of the README's GIS tools section."""
    text = README.read_text()
    section = text[text.index("## Reading it from GIS tools") :]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "the README's GIS section has no sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_gis_commands_run_as_written(live_server, tmp_path):
    if shutil.which("ogrinfo") is None or shutil.which("ogr2ogr") is None:
        skip_unless_required("GDAL's ogrinfo/ogr2ogr not installed: run `make gis-deps`")
    (tmp_path / "area.geojson").write_text(json.dumps(AREA))
    commands = readme_commands()
    assert len(commands) >= 5
    outputs = []
    for command in commands:
        run = subprocess.run(
            command.replace("http://127.0.0.1:8000", live_server),
            shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert run.returncode == 0, (command, run.stderr)
        assert run.stderr.strip() == "", (command, run.stderr)
        outputs.append(run.stdout)
    joined = "\n".join(outputs)
    filtered = httpx.get(
        f"{live_server}/collections/tracts/items",
        params={"filter": "no_subscription_pct > 20", "limit": 1},
    ).json()["numberMatched"]
    assert f"Feature Count: {filtered}" in joined  # ogr2ogr's -where reached the server
    assert "using driver `MVT' successful" in joined
    assert "no_subscription_pct" in outputs[4].splitlines()[0]  # the CSV's header
    assert "Feature Count: 1" in outputs[-1]  # the area as a GeoPackage
