"""Alembic: one head, and `upgrade head` produces exactly the models' schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from hotline.adapters.migrate import alembic_config
from hotline.adapters.orm import Base


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_upgrade_head_equals_models(rt):
    with rt.engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], diff
