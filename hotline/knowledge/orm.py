"""Knowledge-base tables (issue 16). Created by migration 0020_knowledge.

kb_articles           one row per article: owning unit, the latest and the published version
kb_article_versions   every version ever written, never updated after it left draft except for
                      its status (in_review -> published -> withdrawn)
kb_generation         one row: a counter bumped in the same transaction as every change of what
                      is served (publish, withdraw, import); each process compares it with the
                      generation its in-memory index was built at before it searches
kb_queries            every search the service answered or abstained on (hit-rate report, gaps)
kb_conversations      the citizens' text-service conversations with their outcome
kb_review_tasks       review tasks of a unit (a bad rating of a direct answer, issue 16 item 4)
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class KbArticleRow(Base):
    __tablename__ = "kb_articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)   # the import's `id` column
    unit: Mapped[str] = mapped_column(String(64), index=True)    # owning unit (code)
    latest_version: Mapped[int] = mapped_column(Integer)
    published_version: Mapped[int | None] = mapped_column(Integer)
    # kb_generation value of the last change of what this article serves (index reload key)
    changed_generation: Mapped[int] = mapped_column(Integer, index=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class KbArticleVersionRow(Base):
    __tablename__ = "kb_article_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    version: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    alternatives: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64), default="")
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    contact_phone: Mapped[str] = mapped_column(String(64), default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("article_id", "version", name="uq_kb_article_version"),)


class KbGenerationRow(Base):
    __tablename__ = "kb_generation"
    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)


class KbQueryRow(Base):
    __tablename__ = "kb_queries"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))       # staff | citizen
    # one row per intake contact: the panel's repeated searches while the agent types update it
    ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    article_id: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    answered: Mapped[bool] = mapped_column(Boolean)
    actor: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime]
    __table_args__ = (Index("ix_kb_queries_at", "at"),)


class KbConversationRow(Base):
    __tablename__ = "kb_conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # the citizen page's secret
    outcome: Mapped[str] = mapped_column(String(16))           # answered | filed | abandoned
    messages: Mapped[list] = mapped_column(JSON, default=list)
    order_number: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    __table_args__ = (Index("ix_kb_conversations_started_at", "started_at"),)


class KbReviewTaskRow(Base):
    __tablename__ = "kb_review_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    version: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))              # bad_rating
    order_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
