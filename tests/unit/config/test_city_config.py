"""config/ is validated at start; errors name the file and the key."""
import shutil
from pathlib import Path

import pytest

from hotline.core.config import REPO_ROOT, ConfigError, load_city


@pytest.fixture
def cfg(tmp_path) -> Path:
    d = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", d)
    return d


def test_shipped_config_is_valid():
    city = load_city(REPO_ROOT / "config")
    towns = [u for u in city.units.values() if u.kind == "town"]
    assert len([t for t in towns if t.level == "street"]) == 4
    assert len([t for t in towns if t.level == "town"]) == 28
    assert "松山湖" in {t.name for t in towns}
    assert set(city.appeal_types) == {"consultation", "help", "complaint", "report",
                                      "suggestion", "praise"}
    assert city.appeal_types["complaint"].reply_days == 15
    for c in city.categories.values():
        assert c.owner == "town" or c.owner in city.units


@pytest.mark.parametrize("file,old,new,key", [
    ("units.yaml", "  kind: department", "  kind: ministry", "units[0].kind"),
    ("categories.yaml", "owner: dept_housing}", "owner: dept_nowhere}", "categories[0].owner"),
    ("appeal_types.yaml", "reply_days: 2", "reply_days: -2", "appeal_types[0].reply_days"),
    ("users.yaml", "demo_password: hotline-demo-2026", "demo_password: ''", "demo_password"),
])
def test_errors_name_file_and_key(cfg, file, old, new, key):
    p = cfg / file
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_city(cfg)
    assert e.value.file.endswith(file) and e.value.key == key
    assert file in str(e.value) and key in str(e.value)


def test_malformed_yaml_names_the_file(cfg):
    (cfg / "units.yaml").write_text("units: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_city(cfg)
    assert "units.yaml" in str(e.value)
