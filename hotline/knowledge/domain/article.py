"""Knowledge-base articles (pure: stdlib only).

An `Article` is one version of one FAQ entry: question (with alternative phrasings), answer,
owning unit, category, keywords, validity window, review date, status and version. A store
keeps every version (issue 16, build 1); the search engine only ever sees the versions it is
given and serves those that are published and valid on the as-of date (`servable`).

The taipei-faq CSV columns (id, dept, question, answer, keywords, contact_phone, start_date,
end_date, post_date) are read by `parse_csv`, and `export_csv` writes the same columns plus
this model's own (alternatives, category, review_date, status, version), so an export imports
back unchanged.
"""
from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum


class Status(str, Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


# The source's "no expiry" sentinels (2100-10-21, 2035-12-31) are ordinary far dates: kept as
# given, they compare correctly, so no special case is needed.


@dataclass(frozen=True)
class Article:
    id: str
    question: str
    answer: str
    unit: str = ""                       # owning unit (taipei: dept name; Dongguan: unit code)
    category: str = ""
    keywords: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()   # other ways callers ask the same question
    start_date: date | None = None       # validity window, inclusive; None = open
    end_date: date | None = None
    review_date: date | None = None      # past it the article is not served until re-reviewed
    status: Status = Status.PUBLISHED
    version: int = 1
    contact_phone: str = ""
    post_date: date | None = None

    def valid_on(self, as_of: date) -> bool:
        """Inside its validity window and not past its review date (issue 16, build 1: an
        article past its end date or review date is never served)."""
        if self.start_date is not None and as_of < self.start_date:
            return False
        if self.end_date is not None and as_of > self.end_date:
            return False
        if self.review_date is not None and as_of > self.review_date:
            return False
        return True

    def servable(self, as_of: date) -> bool:
        return self.status == Status.PUBLISHED and self.valid_on(as_of)


class ArticleError(ValueError):
    """One bad row: names the row (1-based data row), the field and the reason."""

    def __init__(self, row: int, field_name: str, reason: str):
        self.row, self.field, self.reason = row, field_name, reason
        super().__init__(f"row {row}: {field_name}: {reason}")


REQUIRED_COLUMNS = ("id", "question", "answer")
EXPORT_COLUMNS = ("id", "dept", "question", "answer", "keywords", "contact_phone", "start_date",
                  "end_date", "post_date", "alternatives", "category", "review_date", "status",
                  "version")


def parse_date(value: str | None) -> date | None:
    """'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM[:SS]' (the source's form) -> date; '' -> None."""
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S",
                "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")


def _split(value: str | None, seps: str) -> tuple[str, ...]:
    value = value or ""
    for s in seps[1:]:
        value = value.replace(s, seps[0])
    return tuple(p.strip() for p in value.split(seps[0]) if p.strip())


@dataclass
class ParseResult:
    articles: list[Article] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)


def parse_rows(rows, columns) -> ParseResult:
    """Validate rows (dicts) into Articles; bad rows become errors, never exceptions."""
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ArticleError(0, missing[0], "缺少必需的列")
    out = ParseResult()
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        aid = (row.get("id") or "").strip()
        if not aid:
            out.errors.append(ArticleError(n, "id", "不能为空"))
            continue
        if aid in seen:
            out.errors.append(ArticleError(n, "id", f"重复的编号 {aid}"))
            continue
        q, a = (row.get("question") or "").strip(), (row.get("answer") or "").strip()
        if not q:
            out.errors.append(ArticleError(n, "question", "不能为空"))
            continue
        if not a:
            out.errors.append(ArticleError(n, "answer", "不能为空"))
            continue
        dates = {}
        bad = False
        for col in ("start_date", "end_date", "post_date", "review_date"):
            try:
                dates[col] = parse_date(row.get(col))
            except ValueError as exc:
                out.errors.append(ArticleError(n, col, str(exc)))
                bad = True
                break
        if bad:
            continue
        if dates["start_date"] and dates["end_date"] and dates["end_date"] < dates["start_date"]:
            out.errors.append(ArticleError(n, "end_date", "早于 start_date"))
            continue
        status_raw = (row.get("status") or "").strip() or Status.PUBLISHED.value
        try:
            status = Status(status_raw)
        except ValueError:
            out.errors.append(ArticleError(n, "status", f"未知状态 {status_raw!r}"))
            continue
        try:
            version = int((row.get("version") or "1").strip())
        except ValueError:
            out.errors.append(ArticleError(n, "version", "不是整数"))
            continue
        seen.add(aid)
        out.articles.append(Article(
            id=aid, question=q, answer=a,
            unit=(row.get("dept") or row.get("unit") or "").strip(),
            category=(row.get("category") or "").strip(),
            keywords=_split(row.get("keywords"), ",，、;；"),
            alternatives=_split(row.get("alternatives"), "\n|"),
            start_date=dates["start_date"], end_date=dates["end_date"],
            review_date=dates["review_date"], status=status, version=version,
            contact_phone=(row.get("contact_phone") or "").strip(),
            post_date=dates["post_date"]))
    return out


def parse_csv(path_or_file) -> ParseResult:
    """Read a taipei-faq style CSV (UTF-8, optional BOM, quoted multi-line answers)."""
    csv.field_size_limit(sys.maxsize)
    if hasattr(path_or_file, "read"):
        reader = csv.DictReader(path_or_file)
        return parse_rows(reader, reader.fieldnames or [])
    with open(path_or_file, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return parse_rows(reader, reader.fieldnames or [])


def load_articles(path) -> list[Article]:
    """Articles of a CSV; raises the first ArticleError when any row is bad."""
    res = parse_csv(path)
    if res.errors:
        raise res.errors[0]
    return res.articles


def _d(v: date | None) -> str:
    return v.isoformat() if v else ""


def export_rows(articles) -> list[dict]:
    return [{
        "id": a.id, "dept": a.unit, "question": a.question, "answer": a.answer,
        "keywords": ",".join(a.keywords), "contact_phone": a.contact_phone,
        "start_date": _d(a.start_date), "end_date": _d(a.end_date), "post_date": _d(a.post_date),
        "alternatives": "|".join(a.alternatives), "category": a.category,
        "review_date": _d(a.review_date), "status": a.status.value, "version": str(a.version),
    } for a in articles]


def export_csv(articles, out=None) -> str | None:
    """Write articles as CSV to `out` (path or text file); without `out`, return the text."""
    buf = io.StringIO() if out is None else None
    f = buf if buf is not None else (out if hasattr(out, "write")
                                     else open(out, "w", encoding="utf-8", newline=""))
    try:
        w = csv.DictWriter(f, fieldnames=EXPORT_COLUMNS)
        w.writeheader()
        w.writerows(export_rows(articles))
    finally:
        if buf is None and not hasattr(out, "write"):
            f.close()
    return buf.getvalue() if buf is not None else None
