"""config/callcentre.yaml (issue 18 item 4), read strictly (docs/design/architecture.md §2.6).

  answer_within_seconds  the 15-second answer rate's threshold (GB/T 33358-2016: 15 s)
  link_wrap_minutes      an order the agent logs up to this long after the call ended still
                         belongs to the call (after-call work, ours)
  agents                 switch member channel -> username (e.g. "SIP/8001": agent); a member
                         not listed is matched by the name after the last "/" (Agent/agent)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hotline.core.configfile import ConfigError, parse_file


@dataclass(frozen=True)
class CallCentreSettings:
    answer_within_seconds: int = 15
    link_wrap_minutes: int = 10
    agents: dict = field(default_factory=dict)

    def username(self, member: str | None) -> str | None:
        if not member:
            return None
        return self.agents.get(member) or member.rsplit("/", 1)[-1] or None


def load(path: Path) -> CallCentreSettings:
    def parse(doc) -> CallCentreSettings:
        kw = {}
        for key in ("answer_within_seconds", "link_wrap_minutes"):
            v = doc.get(key)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int) or not 0 < v <= 3600:
                raise ConfigError(path, key, "须为 1 至 3600 之间的整数")
            kw[key] = v
        agents = doc.get("agents")
        if agents is not None:
            if not isinstance(agents, dict):
                raise ConfigError(path, "agents", "须为 分机: 用户名 的映射")
            kw["agents"] = {str(k): str(v) for k, v in agents.items()}
        return CallCentreSettings(**kw)
    return parse_file(path, parse, required=False, default=CallCentreSettings)
