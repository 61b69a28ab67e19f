"""Password rules for every way an account gets a password.

Applied by `hotline users add` (auth.add_user) and the admin API (auth.create_user /
auth.update_user). NIST SP 800-63B section 5.1.1.2: at least 10 characters here, and refuse values
known to be guessed first — a shipped list of common passwords (common_passwords.txt),
repetitive or sequential characters, keyboard walks, and context words (the user's own name,
the city, the service).

Demo mode: the demo password (config/users.yaml `demo_password`, the README's
`Demo password:` line) is public. Only `hotline seed-demo` may give it, and only to the demo
accounts it creates (workorders/seed.py calls check_password(..., demo=True)); every other path
refuses it, on any deployment, so no real account (an admin least of all) can end up with a
password printed in the README.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from hotline.workorders.domain.model import RuleViolation

MIN_LENGTH = 10
MAX_LENGTH = 128
# digits with wrap-around (…7890 1…), the alphabet, and keyboard walks; a password that is a
# stretch of one of them (or of it reversed) is refused
SEQUENCES = ("01234567890123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm",
             "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
             "1q2w3e4r5t6y7u8i9o0p", "qazwsxedcrfvtgbyhnujmikolp", "zaq12wsxcde34rfvbgt56yhn")
_EDGES = re.compile(r"^[\d\W_]+|[\d\W_]+$")
_LEET = str.maketrans({"@": "a", "4": "a", "3": "e", "0": "o", "$": "s", "5": "s", "1": "i",
                       "!": "i", "7": "t"})


class WeakPassword(RuleViolation):
    """422 with field `password` (the admin page shows the reason next to the field)."""

    def __init__(self, message: str):
        super().__init__(message, field="password")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


def _candidates(low: str) -> set[str]:
    out = {low, low.translate(_LEET)}
    for v in list(out):
        core = _EDGES.sub("", v)
        if len(core) >= 4:   # "Password2024!" -> "password"; a 3-letter core is no evidence
            out.add(core)
    return out


def _sequential(low: str) -> bool:
    return any(low in s or low in s[::-1] for s in SEQUENCES)


def _repetitive(pw: str) -> bool:
    # fewer than 4 distinct characters ("aaaaaaaaaa", "1212121212", "abcabcabcabc"), or one
    # chunk repeated ("abcdabcdabcd", "hellohello")
    return len(set(pw)) < 4 or re.fullmatch(r"(.+?)\1+", pw, re.S) is not None


def check_password(password: str, username: str | None = None, *, demo: bool = False,
                   demo_password: str | None = None) -> None:
    """Raise WeakPassword with the reason (Simplified Chinese) when `password` is refused.
    `demo=True` only from `hotline seed-demo`; `demo_password` defaults to the configured one."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"密码至少 {MIN_LENGTH} 个字符")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"密码最多 {MAX_LENGTH} 个字符")
    low = password.lower()
    if not demo:
        if demo_password is None:
            # callers pass rt.city.demo_password; a bare call reads the shipped configuration
            from hotline.core.config import load_city
            demo_password = load_city().demo_password
        if low == demo_password.lower():
            raise WeakPassword("不能使用公开的演示密码 (只有演示数据可以用), 请换一个")
    if _repetitive(low):
        raise WeakPassword("密码不能由重复的字符或片段组成, 请换一个")
    if _sequential(low):
        raise WeakPassword("密码不能是连续的字符或键盘序列, 请换一个")
    if _candidates(low) & common_passwords():
        raise WeakPassword("密码过于常见, 容易被猜中, 请换一个")
    if username and len(username) >= 3 and username.lower() in low:
        raise WeakPassword("密码不能包含用户名")
