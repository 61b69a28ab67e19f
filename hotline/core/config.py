"""Settings and the city's reference data (config/), validated at start.

Files in config/ describe the city (units, categories, appeal types, users). Environment
variables override the deployment settings: DATABASE_URL, REDIS_URL, SECRET_KEY,
HOTLINE_CONFIG (another config directory). Every validation error names the file and key,
so an operator can fix a typo without reading code; every file is read strictly
(hotline/core/configfile.py), so an unknown key is an error too. The runtime loads the whole
configuration once (core/app_config.py); nothing here caches it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from hotline.core.configfile import ConfigError, Doc, parse_file, read_yaml

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
REPO_ROOT = PACKAGE_ROOT.parent
UNIT_KINDS = ("department", "town", "utility", "village")
__all__ = ["ConfigError", "config_dir", "load_city", "load_yaml", "var_dir"]


def config_dir() -> Path:
    env = os.environ.get("HOTLINE_CONFIG")
    return Path(env) if env else REPO_ROOT / "config"


def var_dir() -> Path:
    d = Path(os.environ.get("HOTLINE_VAR", REPO_ROOT / "var"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def load_yaml(name: str, directory: Path | None = None) -> Doc:
    """One file's mapping, not checked for unknown keys: loaders use `parse_file`."""
    return read_yaml((directory or config_dir()) / name)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    level: str | None = None
    population: int | None = None
    parent: str | None = None      # a village's town (config/villages.yaml)


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    group: str
    owner: str   # a unit code, or "town" (属地)


@dataclass(frozen=True)
class AppealType:
    code: str
    name: str
    reply_days: int | None


@dataclass
class CityConfig:
    units: dict[str, Unit]
    categories: dict[str, Category]
    appeal_types: dict[str, AppealType]
    demo_password: str
    demo_users: list[dict] = field(default_factory=list)

    @property
    def towns(self) -> dict[str, Unit]:
        return {c: u for c, u in self.units.items() if u.kind == "town"}

    # --- villages (二级派单, docs/design/domain.md §6.8) ---
    def villages_of(self, town: str | None) -> list[Unit]:
        """The 村/社区 of `town` (config/villages.yaml), in file order."""
        return self._villages_by_town.get(town or "", [])

    @cached_property
    def _villages_by_town(self) -> dict[str, list[Unit]]:
        # asked on every inbox request: built once per loaded configuration
        out: dict[str, list[Unit]] = {}
        for u in self.units.values():
            if u.kind == "village":
                out.setdefault(u.parent or "", []).append(u)
        return out

    def is_village(self, code: str | None) -> bool:
        u = self.units.get(code or "")
        return u is not None and u.kind == "village"

    def dispatchable(self) -> list[Unit]:
        """Units the centre dispatches to: every unit but villages, which only receive an order
        from their town (二级派单, docs/design/domain.md §6.8)."""
        return [u for u in self.units.values() if u.kind != "village"]

    def unit_for(self, category: str | None, town: str | None) -> str | None:
        """Default responsible unit by the taxonomy (属地 categories go to the town)."""
        cat = self.categories.get(category or "")
        if cat is None:
            return None
        if cat.owner == "town":
            return town
        return cat.owner


def _require(item: dict, key: str, file: str, where: str, types=str):
    if key not in item or item[key] in (None, ""):
        raise ConfigError(file, f"{where}.{key}", "缺少必填项 (required)")
    if not isinstance(item[key], types):
        raise ConfigError(file, f"{where}.{key}", f"类型错误, 应为 {types}")
    return item[key]


def load_city(directory: Path | None = None) -> CityConfig:
    d = directory or config_dir()
    units: dict[str, Unit] = {}

    def parse_units(doc):
        f = str(d / "units.yaml")
        for i, u in enumerate(doc.get("units") or []):
            where = f"units[{i}]"
            code = _require(u, "code", f, where)
            if code in units:
                raise ConfigError(f, f"{where}.code", f"重复的单位代码 {code}")
            kind = _require(u, "kind", f, where)
            if kind not in UNIT_KINDS:
                raise ConfigError(f, f"{where}.kind", f"必须是 {UNIT_KINDS} 之一")
            units[code] = Unit(code, _require(u, "name", f, where), kind, u.get("level"),
                               u.get("population"))
        if not units:
            raise ConfigError(f, "units", "至少需要一个单位")

    def parse_categories(doc):
        f, cats = str(d / "categories.yaml"), {}
        for i, c in enumerate(doc.get("categories") or []):
            where = f"categories[{i}]"
            code = _require(c, "code", f, where)
            owner = _require(c, "owner", f, where)
            if owner != "town" and owner not in units:
                raise ConfigError(f, f"{where}.owner", f"未知单位 {owner}")
            cats[code] = Category(code, _require(c, "name", f, where), c.get("group", ""), owner)
        return cats

    def parse_types(doc):
        f, types = str(d / "appeal_types.yaml"), {}
        for i, t in enumerate(doc.get("appeal_types") or []):
            where = f"appeal_types[{i}]"
            days = t.get("reply_days")
            if days is not None and (not isinstance(days, int) or days <= 0):
                raise ConfigError(f, f"{where}.reply_days", "必须是正整数或 null")
            code = _require(t, "code", f, where)
            types[code] = AppealType(code, _require(t, "name", f, where), days)
        return types

    def parse_users(doc):
        pw = doc.get("demo_password")
        if not isinstance(pw, str) or not pw:
            raise ConfigError(str(d / "users.yaml"), "demo_password", "缺少必填项 (required)")
        # every key of a user is read by workorders/seed.py when it seeds the demo users
        users = [dict(u.items()) if isinstance(u, Doc) else u for u in doc.get("users") or []]
        return pw, users

    parse_file(d / "units.yaml", parse_units)
    # villages and communities under their town (二级派单, docs/design/domain.md §6.8); optional
    # so a config directory without them still loads
    parse_file(d / "villages.yaml", lambda doc: _parse_villages(doc, d, units), required=False,
               default=lambda: None)
    cats = parse_file(d / "categories.yaml", parse_categories)
    types = parse_file(d / "appeal_types.yaml", parse_types)
    pw, users = parse_file(d / "users.yaml", parse_users)
    return CityConfig(units, cats, types, pw, users)


def _parse_villages(doc, d: Path, units: dict[str, Unit]) -> None:
    f = str(d / "villages.yaml")
    for i, v in enumerate(doc.get("villages") or []):
        where = f"villages[{i}]"
        code = _require(v, "code", f, where)
        if code in units:
            raise ConfigError(f, f"{where}.code", f"重复的单位代码 {code}")
        parent = _require(v, "parent", f, where)
        if parent not in units or units[parent].kind != "town":
            raise ConfigError(f, f"{where}.parent", f"未知镇街 {parent}")
        units[code] = Unit(code, _require(v, "name", f, where), "village", parent=parent)


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    secret_key: str
    embedded: bool          # no REDIS_URL: outbox drained by a thread in the service
    queue_name: str = "hotline"
    # the address citizens reach the service at, for links in SMS (/s/<token>): a deployment
    # fact like the database URL, so it comes from the environment (HOTLINE_PUBLIC_URL) and
    # wins over config/survey.yaml `base_url` (issue 14: links pointed at 127.0.0.1:8000)
    public_url: str | None = None

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        db = overrides.get("database_url") or os.environ.get("DATABASE_URL") or \
            f"sqlite:///{var_dir() / 'hotline.db'}"
        if db.startswith("postgresql://") or db.startswith("postgres://"):
            # psycopg 3 is the driver we ship; plain URLs would pick psycopg2.
            db = "postgresql+psycopg://" + db.split("://", 1)[1]
        redis_url = overrides.get("redis_url", os.environ.get("REDIS_URL")) or None
        secret = overrides.get("secret_key") or os.environ.get("SECRET_KEY") or _dev_secret()
        queue = overrides.get("queue_name") or os.environ.get("HOTLINE_QUEUE") or "hotline"
        public = overrides.get("public_url") or os.environ.get("HOTLINE_PUBLIC_URL") or None
        if public and not public.startswith(("https://", "http://")):
            raise ValueError("HOTLINE_PUBLIC_URL 须以 https:// 或 http:// 开头")
        return cls(db, redis_url, secret, redis_url is None, queue, public)


def _dev_secret() -> str:
    """A per-installation secret for the embedded default, kept in var/ (never in git)."""
    path = var_dir() / "secret_key"
    if not path.exists():
        path.write_text(os.urandom(32).hex())
    return path.read_text().strip()
