"""Alembic: one head, and `upgrade head` produces exactly the models' schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from hotline.core.migrate import alembic_config
from hotline.core.orm import Base
from hotline.workorders.search import SEARCH_OBJECTS


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_upgrade_head_equals_models(rt):
    with rt.engine.connect() as conn:
        # the search's full-text objects are one backend's each, made by 0030_search outside
        # the metadata (hotline/workorders/search.py)
        ctx = MigrationContext.configure(conn, opts={
            "include_name": lambda name, type_, parent: name not in SEARCH_OBJECTS})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], diff


def test_sent_back_backfill_from_history(tmp_path):
    """0008 derives the stored 被回退 flag of existing orders from their history."""
    from alembic import command
    from sqlalchemy import text

    from hotline.core.db import make_engine
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    cfg = alembic_config(str(engine.url))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007_classify")
    rows = [(1, "in_progress", ["dispatch", "sign", "reply", "send_back"]),
            (2, "in_progress", ["dispatch", "sign", "reply", "send_back", "reply"]),
            (3, "in_progress", ["dispatch", "sign", "contact"])]
    with engine.begin() as c:
        for oid, status, actions in rows:
            c.execute(text(
                "INSERT INTO work_orders (id, number, query_code, status, content, channel, "
                "urgency, caller_anonymous, caller_confidential, assist_units, received_at, "
                "created_at, created_by, updated_at, version) VALUES (:id, :n, '000000', :s, "
                "'内容内容内容', 'phone', 'normal', 0, 0, '[]', '2026-01-05 02:00:00', "
                "'2026-01-05 02:00:00', 'agent', '2026-01-05 02:00:00', 1)"),
                {"id": oid, "n": f"DG{oid}", "s": status})
            for seq, a in enumerate(actions, 1):
                c.execute(text(
                    "INSERT INTO transitions (order_id, seq, action, at, actor, role, "
                    "from_status, to_status, data) VALUES (:o, :q, :a, '2026-01-05 02:00:00',"
                    " 'x', 'system', 'a', 'b', '{}')"), {"o": oid, "q": seq, "a": a})
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as c:
        flags = dict(c.execute(text("SELECT id, sent_back FROM work_orders")).all())
    assert {k: bool(v) for k, v in flags.items()} == {1: True, 2: False, 3: False}
