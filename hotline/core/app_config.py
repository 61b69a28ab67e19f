"""The whole configuration of one runtime, loaded once from a config directory.

`load_config(directory)` reads and validates every file of config/
(docs/design/architecture.md §2.6): each file through the strict reader (hotline/core/configfile.py),
so an unknown key fails the start naming file and key. `Runtime.build` calls it once, before gunicorn forks; services read
`rt.config.<part>` and pass the parsed policies to the pure domain functions. Nothing in the
code base caches configuration at module level: a runtime built from another directory
(``HOTLINE_CONFIG``, a test's tmp_path) sees only its own files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hotline.classify import settings as classify_settings
from hotline.core.config import CityConfig, config_dir, load_city
from hotline.core.configfile import ConfigError, parse_file
from hotline.dispatch.config import DispatchConfig, load_dispatch_config
from hotline.dispatch.domain import routing
from hotline.sla.domain.clocks import SlaEngine
from hotline.sla.domain.policy import Policy, load_policy
from hotline.survey.domain.policy import SurveyPolicy, load_survey_policy
from hotline.survey.domain.scoring import Formula, load_formula

# open311.yaml: the documented defaults; a file's key overrides the one of the same name and
# no other key is accepted.
OPEN311_DEFAULTS = {
    "open311": {"jurisdiction_id": "dongguan.gov.cn", "contact": "12345", "key_service": "",
                "changeset": "2026-11-27T00:00:00+08:00", "service_notice": "",
                "public_channels": ["open311"], "page_size": 100, "max_page_size": 1000,
                "max_days": 90},
    "selfservice": {"min_fill_seconds": 3, "max_form_age_seconds": 7200,
                    "file_per_ip_per_hour": 5, "track_per_ip_per_hour": 30},
    "webhooks": {"timeout_seconds": 5, "backoff_seconds": [10, 60, 300, 1800, 7200]},
}
# privacy.yaml (PIPL, docs/design/domain.md §10): section -> key -> default
PRIVACY_DEFAULTS = {
    "retention": {"anonymise_after_days": 365, "batch": 500, "every_seconds": 3600},
    "reveal": {"min_reason_chars": 4},
}

# cases.yaml (issue 17: 会商, hard cases, repeats, hot spots): section -> key -> default
CASES_DEFAULTS = {
    "hotspots": {"threshold": 10, "window_minutes": 30, "similarity_percent": 30,
                 "alert_open_hours": 24, "weekly_top": 5, "examples": 3},
    "repeats": {"window_days": 90, "max_shown": 10},
    "hardcases": {"reopen_count": 2, "return_count": 2, "repeat_callers": 5,
                  "yearly_target": 50},
    "consult": {"min_units": 2, "max_units": 4},
}


@dataclass(frozen=True)
class AppConfig:
    directory: Path
    city: CityConfig
    sla: Policy                       # sla.yaml + appeal_types.yaml + rapid_response.yaml
    sla_engine: SlaEngine             # the policy with its working calendar (calendar/)
    dispatch: DispatchConfig          # dispatch.yaml
    responsibility: list[routing.Entry]   # responsibility.yaml
    survey: SurveyPolicy              # survey.yaml
    scoring: Formula                  # scoring.yaml
    open311: dict                     # open311.yaml `open311:`
    selfservice: dict                 # open311.yaml `selfservice:`
    webhooks: dict                    # open311.yaml `webhooks:`
    privacy: dict = field(default_factory=dict)   # privacy.yaml, flattened
    classify: dict = field(default_factory=dict)  # classify.yaml
    knowledge: object = None          # knowledge.yaml (hotline.knowledge Settings)
    # issue 18 (callcentre helper): call figures and 好差评 reminders / 整改
    callcentre: object = None         # callcentre.yaml (hotline.callcentre.config)
    rating: object = None             # rating.yaml (hotline.rating.config)
    cases: dict = field(default_factory=dict)   # cases.yaml by section (issue 17)


def _sections(path: Path, defaults: dict) -> dict:
    """A file of `section: {key: value}` whose keys are exactly those of `defaults`."""
    def parse(doc) -> dict:
        out = {}
        for section, keys in defaults.items():
            given = doc.get(section) or {}
            if not isinstance(given, dict):
                raise ConfigError(path, section, "须为映射 (mapping)")
            out[section] = {k: given.get(k, v) for k, v in keys.items()}
            for k, v in out[section].items():
                if isinstance(keys[k], int) and (isinstance(v, bool) or not isinstance(v, int)
                                                 or v < 1):
                    raise ConfigError(path, f"{section}.{k}", "必须是正整数")
        return out
    return parse_file(path, parse, required=False,
                      default=lambda: {s: dict(k) for s, k in defaults.items()})


def _domain(path: Path, load, doc):
    """The pure loaders raise ValueError with the file and key in the text: keep the file."""
    try:
        return load(doc)
    except ConfigError:
        raise
    except ValueError as exc:
        raise ConfigError(path, "-", str(exc)) from None


def load_responsibility(d: Path, city: CityConfig) -> list[routing.Entry]:
    path = d / "responsibility.yaml"

    def parse(doc):
        try:
            return routing.parse_entries(doc.get("entries") or [], set(city.units),
                                         set(city.categories), str(path))
        except routing.RoutingError as exc:
            raise ConfigError(path, "entries", str(exc)) from None
    return parse_file(path, parse, required=False, default=list)


def load_config(directory: Path | str | None = None) -> AppConfig:
    d = Path(directory) if directory else config_dir()
    city = load_city(d)
    sla = load_policy(d)
    o311 = _sections(d / "open311.yaml", OPEN311_DEFAULTS)
    priv = _sections(d / "privacy.yaml", PRIVACY_DEFAULTS)
    return AppConfig(
        directory=d, city=city, sla=sla, sla_engine=SlaEngine(sla),
        dispatch=load_dispatch_config(d), responsibility=load_responsibility(d, city),
        survey=parse_file(d / "survey.yaml",
                          lambda doc: _domain(d / "survey.yaml", load_survey_policy, doc),
                          required=False, default=SurveyPolicy),
        scoring=parse_file(d / "scoring.yaml",
                           lambda doc: _domain(d / "scoring.yaml", load_formula, doc)),
        open311=o311["open311"], selfservice=o311["selfservice"], webhooks=o311["webhooks"],
        privacy={**priv["retention"], **priv["reveal"]},
        classify=classify_settings.load(d / "classify.yaml"),
        knowledge=_knowledge_settings(d),
        # issue 18 (callcentre helper)
        callcentre=_callcentre_settings(d), rating=_rating_settings(d),
        cases=_sections(d / "cases.yaml", CASES_DEFAULTS))


def _knowledge_settings(d: Path):
    # imported here: the search engine's text module loads its tokeniser only when searching
    from hotline.knowledge.domain.text import load_settings
    return load_settings(d / "knowledge.yaml")


# issue 18 (callcentre helper): the features' own files, read strictly by their loaders
def _callcentre_settings(d: Path):
    from hotline.callcentre.config import load
    return load(d / "callcentre.yaml")


def _rating_settings(d: Path):
    from hotline.rating.config import load
    return load(d / "rating.yaml")
