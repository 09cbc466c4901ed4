"""The vendored front-end assets: served locally, each with its licence, no CDN anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.web.templating import STATIC_DIR

from .helpers import workbench

VENDOR = STATIC_DIR / "vendor"
TEMPLATES = STATIC_DIR.parent / "templates"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with workbench(tmp_path_factory.mktemp("web-static")) as c:
        yield c


def test_every_vendored_file_is_served_as_is(client):
    files = [p for p in VENDOR.rglob("*") if p.is_file()]
    assert {p.parent.name for p in files} >= {"echarts", "htmx", "maps"}
    for path in files:
        url = "/app/static/" + path.relative_to(STATIC_DIR).as_posix()
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.content == path.read_bytes()


def test_each_vendored_package_keeps_its_licence_and_is_documented():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for folder in (p for p in VENDOR.iterdir() if p.is_dir()):
        assert (folder / "LICENSE").stat().st_size > 500 or folder.name == "htmx", folder
        assert (folder / "LICENSE").read_text(encoding="utf-8").strip(), folder
        assert f"`{folder.name}/`" in readme
    assert "Apache License" in (VENDOR / "echarts" / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in (VENDOR / "maps" / "LICENSE").read_text(encoding="utf-8")
    assert "Zero-Clause BSD" in (VENDOR / "htmx" / "LICENSE").read_text(encoding="utf-8")


def test_the_map_holds_province_outlines_with_henan():
    import json

    china = json.loads((VENDOR / "maps" / "china.json").read_text(encoding="utf-8"))
    names = {f["properties"]["name"] for f in china["features"]}
    assert len(names) >= 34 and {"河南", "北京", "上海", "广东"} <= names


def test_no_page_or_script_loads_anything_from_the_network():
    sources = [*TEMPLATES.glob("*.html"), *STATIC_DIR.glob("*.js"), *STATIC_DIR.glob("*.css")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", text), path.name
        assert not re.search(r"""(?:fetch|import)\(\s*["'](?:https?:)?//""", text), path.name
        assert "@import url(http" not in text, path.name


def test_static_files_are_not_behind_the_sign_in(tmp_path: Path):
    with workbench(tmp_path, reads_open=False) as c:
        assert c.get("/app/static/app.css").status_code == 200
        assert c.get("/app/static/vendor/htmx/htmx.min.js").status_code == 200


def test_make_run_announces_the_workbench_url():
    makefile = (STATIC_DIR.parents[2] / "Makefile").read_text(encoding="utf-8")
    serve = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "/app/" in serve and "PARKMATCH_PORT:-8000" in makefile
    assert "run: leads serve" in makefile
