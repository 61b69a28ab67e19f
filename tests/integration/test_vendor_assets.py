"""Issue 15 (item 10): front-end packages come from the npm registry (package.json with its
lockfile, `npm ci` in `make run` / `make test`) and the app serves only the listed built files
under /vendor/, versioned and cached for a year; nothing is copied into the tree."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def installed():
    from hotline.web import vendor
    if any(vendor.installed_version(p) is None for p in vendor.FILES):
        msg = f"front-end packages not installed in {vendor.NODE_MODULES}: run `npm ci`"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    return vendor


def test_lockfile_pins_every_declared_package_and_make_installs_it():
    pkg = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    declared = {**pkg["dependencies"], **pkg.get("devDependencies", {})}
    assert {"echarts", "swagger-ui-dist", "axe-core"} <= set(declared)
    for name in declared:
        entry = lock["packages"][f"node_modules/{name}"]
        assert entry["version"] and entry["integrity"].startswith("sha512-"), name
    assert lock["packages"][""]["dependencies"] == pkg["dependencies"]
    # make run and make test both install it, from the lockfile
    dry = subprocess.run(["make", "-n", "-B", "run", "test"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert dry.count("npm ci") >= 1 and "npm install" not in dry
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "run: $(VENV)/.runtime-deps node_modules/.installed" in makefile
    assert "test: $(VENV)/.test-deps node_modules/.installed" in makefile
    assert "node_modules/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    # nothing of the packages is copied into the tree
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert not [f for f in tracked if f.startswith("node_modules/") or f.endswith(
        ("echarts.min.js", "swagger-ui-bundle.js", "axe.min.js"))]


def test_listed_files_are_served_versioned_with_long_cache(sqlite_api, installed):
    c = sqlite_api.client
    for package, paths in installed.FILES.items():
        for path in paths:
            url = installed.vendor_url(package, path)
            assert installed.installed_version(package) in url
            r = c.get(url)
            assert r.status_code == 200, url
            cc = r.headers["Cache-Control"]
            assert "max-age=31536000" in cc and "immutable" in cc and "public" in cc
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
            r.close()
    url = installed.vendor_url("echarts", "dist/echarts.min.js")
    assert c.get(url).mimetype in ("text/javascript", "application/javascript")


def test_only_listed_files_of_the_installed_version(sqlite_api, installed):
    c = sqlite_api.client
    v = installed.installed_version("echarts")
    for url in (f"/vendor/echarts/{v}/dist/echarts.js",            # not listed
                f"/vendor/echarts/{v}/package.json",
                f"/vendor/echarts/{v}/../../package.json",
                "/vendor/echarts/0.0.1/dist/echarts.min.js",        # another version
                f"/vendor/axe-core/{installed.installed_version('axe-core') or 'x'}/axe.min.js",
                "/vendor/tslib/1/tslib.js"):
        assert c.get(url).status_code == 404, url
    with pytest.raises(KeyError):
        installed.vendor_url("echarts", "dist/echarts.js")


def test_pages_load_the_vendor_files_they_name(sqlite_api, installed):
    """/docs and the supervisor pages name versioned /vendor/ URLs that answer 200, and no
    page names a script from another origin (docs/design/ux.md §10: never a CDN)."""
    import re
    c = sqlite_api.client
    for page, want in (("/docs", "swagger-ui-bundle.js"), ("/supervisor", "echarts.min.js"),
                       ("/supervisor/rankings", "echarts.min.js")):
        html = c.get(page).get_data(as_text=True)
        srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
        assert [s for s in srcs if s.startswith(("http:", "https:", "//"))] == [], page
        vendor = [s for s in srcs if s.startswith("/vendor/")]
        assert any(s.endswith(want) for s in vendor), (page, srcs)
        for s in vendor:
            assert c.get(s).status_code == 200, s
