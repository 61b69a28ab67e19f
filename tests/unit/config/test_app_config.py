"""The runtime's one configuration object (core/app_config.py): every file of config/ is
read strictly, so an unknown key fails the load naming file and key, and a key no loader
reads cannot sit in a shipped file (docs/design/architecture.md §2.6)."""
import shutil
from pathlib import Path

import pytest

from hotline.core.app_config import load_config
from hotline.core.config import REPO_ROOT
from hotline.core.configfile import ConfigError
from hotline.sla.domain.calendar import CalendarError

SHIPPED = REPO_ROOT / "config"


@pytest.fixture
def cfg(tmp_path) -> Path:
    d = tmp_path / "config"
    shutil.copytree(SHIPPED, d)
    return d


def test_shipped_config_loads_and_every_key_is_read():
    """Loading succeeds only when each key of each file was read by its loader."""
    conf = load_config(SHIPPED)
    assert conf.dispatch.window_working_days == 1
    assert (conf.sla.max_extensions, conf.sla.max_extension_days) == (3, 3)
    assert conf.open311["jurisdiction_id"] == "dongguan.gov.cn"
    assert conf.privacy["min_reason_chars"] == 4
    assert conf.scoring.version and conf.survey.expiry_days == 10
    assert {e.category for e in conf.responsibility} >= {"cooking_fumes"}


def test_every_shipped_file_is_covered():
    """A new file in config/ needs a loader (and a row in the next test)."""
    assert {p.name for p in SHIPPED.glob("*.yaml")} == set(FILES)


FILES = ["appeal_types.yaml", "categories.yaml", "classify.yaml", "dispatch.yaml",
         "knowledge.yaml", "open311.yaml", "privacy.yaml", "rapid_response.yaml", "responsibility.yaml",
         "scoring.yaml", "sla.yaml", "survey.yaml", "units.yaml", "users.yaml",
         "villages.yaml"]
FILES += ["callcentre.yaml", "rating.yaml"]   # issue 18 (callcentre helper)
FILES += ["cases.yaml"]   # issue 17


@pytest.mark.parametrize("file", FILES)
def test_unknown_top_level_key_names_file_and_key(cfg, file):
    with (cfg / file).open("a", encoding="utf-8") as f:
        f.write("\nsurplus_key: 1\n")
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert e.value.file.endswith(file) and e.value.key == "surplus_key"
    assert f"{file}: surplus_key" in str(e.value)


@pytest.mark.parametrize("file,old,new,key", [
    ("sla.yaml", "legal:\n", "legal:\n  return_windw: 1\n", "legal.return_windw"),
    ("sla.yaml", "extensions:", "extensions:\n  max_cuont: 2", "extensions.max_cuont"),
    ("dispatch.yaml", "returns:\n", "returns:\n  window_workng_days: 2\n",
     "returns.window_workng_days"),
    ("open311.yaml", "selfservice:\n", "selfservice:\n  min_fil_seconds: 9\n",
     "selfservice.min_fil_seconds"),
    ("privacy.yaml", "reveal:\n", "reveal:\n  min_reason_char: 9\n", "reveal.min_reason_char"),
    ("units.yaml", "- code: dept_drc\n", "- code: dept_drc\n  nmae: x\n", "units[0].nmae"),
    ("rapid_response.yaml", "- {code: rr01,", "- {cod: x, code: rr01,", "items[0].cod"),
    ("responsibility.yaml", "- {category: cooking_fumes,", "- {categroy: x, category: cooking_fumes,",
     "entries[0].categroy"),
    ("classify.yaml", "auto_dispatch:\n", "auto_dispatch:\n  cv_folds: 5\n",
     "auto_dispatch.cv_folds"),
    ("cases.yaml", "hotspots:\n", "hotspots:\n  treshold: 5\n", "hotspots.treshold"),   # issue 17
    ("villages.yaml", "- {code: village_441900003001,", "- {cdoe: x, code: village_441900003001,",
     "villages[0].cdoe"),
])
def test_unknown_nested_key_names_file_and_key(cfg, file, old, new, key):
    p = cfg / file
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert e.value.file.endswith(file) and e.value.key == key
    assert f"{file}: {key}: " in str(e.value)


def test_unknown_key_in_a_calendar_override_names_file_and_key(cfg):
    (cfg / "calendar" / "2031.yaml").write_text(
        "year: 2031\nsource: test\nholidays: []\nworkdays: []\nholidys: []\n", encoding="utf-8")
    with pytest.raises(CalendarError, match=r"2031\.yaml: holidys: "):
        load_config(cfg)


def test_a_runtime_sees_only_its_own_directory(cfg, monkeypatch):
    """No module-level cache: a second configuration loaded in the same process (another
    HOTLINE_CONFIG) has its own values, the first keeps its own."""
    p = cfg / "dispatch.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace(
        "window_working_days: 1", "window_working_days: 2"), encoding="utf-8")
    shipped = load_config(SHIPPED)
    monkeypatch.setenv("HOTLINE_CONFIG", str(cfg))
    other = load_config()
    assert other.dispatch.window_working_days == 2
    assert shipped.dispatch.window_working_days == 1
    assert load_config(SHIPPED).dispatch.window_working_days == 1


# issue 18 (callcentre helper): the values of the call-figure and 好差评 files are checked
@pytest.mark.parametrize("file,old,new,key", [
    ("callcentre.yaml", "answer_within_seconds: 15", "answer_within_seconds: 0",
     "answer_within_seconds"),
    ("rating.yaml", "reminder_after_hours: 24", "reminder_after_hours: true",
     "reminder_after_hours"),
])
def test_bad_issue18_values_name_file_and_key(cfg, file, old, new, key):
    p = cfg / file
    p.write_text(p.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert e.value.file.endswith(file) and e.value.key == key


# ---- villages and communities as units (issue 17 item 1; docs/design/domain.md §6.8) ----

def test_villages_load_under_their_town_with_the_names_callers_say():
    from hotline.core.config import load_city
    city = load_city(SHIPPED)
    villages = [u for u in city.units.values() if u.kind == "village"]
    assert len(villages) == 605      # 609 statistical rows less the four 虚拟社区 placeholders
    assert all(city.units[v.parent].kind == "town" for v in villages)
    # every 街道 and 镇 has its villages; the two parks have only a 虚拟社区 placeholder
    assert {v.parent for v in villages} == set(city.towns) - {"town_songshanhu",
                                                              "town_binhaiwan"}
    humen = city.villages_of("town_humen")
    assert len(humen) == 32 and all(v.name.endswith(("村", "社区", "生活区")) for v in humen)
    assert not any("委员会" in v.name for v in villages)
    assert city.units["village_441900003001"].name == "岗贝社区"
    assert "village_441900003001" not in {u.code for u in city.dispatchable()}


def test_a_village_of_an_unknown_town_names_file_and_key(cfg):
    p = cfg / "villages.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace(
        "parent: town_dongcheng}", "parent: town_nowhere}", 1), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert e.value.file.endswith("villages.yaml") and e.value.key == "villages[0].parent"
