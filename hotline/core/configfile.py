"""Strict reading of config files: one mechanism for every file in config/.

A loader reads a file as a `Doc`, a mapping that records which keys the loader looked at.
After the loader has built its object, `parse_file` rejects every key it did not read, naming
the file and the dotted key (``config/sla.yaml: legal.return_windw: 未知配置项``). So a key
is known exactly when some loader reads it: a misspelt key fails at start instead of silently
falling back to a default, and no key can sit in a file parsed and ignored
(docs/design/architecture.md §2.6).

Pure (stdlib + yaml): the domain packages' loaders (hotline/sla, hotline/survey,
hotline/classify, hotline/dispatch) use it too.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

import yaml

T = TypeVar("T")


class ConfigError(ValueError):
    """A config file is missing or wrong; the message names file and key."""

    def __init__(self, file, key: str, message: str):
        self.file, self.key, self.message = str(file), key, message
        super().__init__(f"{self.file}: {key}: {message}")


class Doc(dict):
    """A mapping read from a config file that remembers which of its keys were read.

    `get`/`[]` mark one key; `items()`/`values()`/iteration mark all keys (the loader treats
    the mapping as a free-form table, e.g. per-appeal-type overrides). `in` marks nothing."""

    def __init__(self, data: dict):
        super().__init__({k: _wrap(v) for k, v in data.items()})
        self.read: set = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def items(self):
        self.read.update(self.keys())
        return super().items()

    def values(self):
        self.read.update(self.keys())
        return super().values()

    def __iter__(self):
        self.read.update(self.keys())
        return super().__iter__()


def _wrap(value):
    if isinstance(value, dict):
        return Doc(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def unread_keys(value, prefix: str = "") -> list[str]:
    """Dotted paths of the keys no loader read (``legal.return_windw``, ``items[3].nmae``)."""
    out: list[str] = []
    if isinstance(value, Doc):
        for k, v in dict.items(value):
            path = f"{prefix}.{k}" if prefix else str(k)
            if k not in value.read:
                out.append(path)
            else:
                out += unread_keys(v, path)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += unread_keys(v, f"{prefix}[{i}]")
    return out


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, required: bool = True) -> Doc | None:
    """The file's top-level mapping as a `Doc`; None for an absent optional file."""
    path = Path(path)
    if not path.exists():
        if required:
            raise ConfigError(path, "-", "文件不存在 (file not found)")
        return None
    try:
        # libyaml's safe loader where PyYAML was built with it (the same safe subset, ~10x
        # faster: every runtime reads ~20 files, villages.yaml alone 605 entries)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(path, "-", f"YAML 格式错误: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(path, "-", "顶层必须是映射 (mapping)")
    return Doc(data)


def reject_unread(doc: Doc | None, path) -> None:
    """Raise a ConfigError naming the first key of `doc` that its loader did not read."""
    if doc is None:
        return
    unread = unread_keys(doc)
    if unread:
        more = f" (另有 {len(unread) - 1} 项)" if len(unread) > 1 else ""
        raise ConfigError(path, unread[0], f"未知配置项 (unknown key){more}")


def parse_file(path, parse: Callable[[Doc], T], *, required: bool = True,
               default: Callable[[], T] | None = None) -> T:
    """Read `path`, build the object with `parse(doc)`, then reject every key `parse` did not
    read. An absent optional file gives `default()` (the documented defaults)."""
    doc = read_yaml(path, required)
    if doc is None:
        return default() if default is not None else parse(Doc({}))
    out = parse(doc)
    reject_unread(doc, path)
    return out
