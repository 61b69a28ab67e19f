"""Embedded default: the outbox is drained by a background thread, never inside a request;
nothing is saved unless the service commits."""
import subprocess
import sys
import time

from sqlalchemy import func, select

from hotline.core.db import utcnow
from hotline.core.orm import NotificationRow, OutboxRow


def _pending(rt):
    with rt.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(OutboxRow)
                                   .where(OutboxRow.processed_at.is_(None))).scalar_one()


def test_request_leaves_work_to_the_drainer_thread(rt, api):
    from hotline.core.outbox import OutboxDrainer
    oid = api.create(unit="town_humen", town="town_humen")["id"]
    assert _pending(rt) == 2          # order.created + order.dispatched, not run in-request
    drainer = OutboxDrainer(rt, interval=0.1)
    drainer.start()
    try:
        deadline = time.time() + 10
        while _pending(rt) and time.time() < deadline:
            time.sleep(0.05)
    finally:
        drainer.stop()
    assert _pending(rt) == 0
    with rt.uow() as uow:
        n = uow.session.execute(select(func.count()).select_from(NotificationRow)
                                .where(NotificationRow.order_id == oid)).scalar_one()
    assert n == 1


def test_nothing_is_saved_without_commit(rt):
    from hotline.core.events import OrderCreated
    with rt.uow() as uow:
        uow.emit(OrderCreated(order_id=1))
        uow.session.flush()
    assert _pending(rt) == 0
    with rt.uow() as uow:
        uow.session.add(OutboxRow(topic="test.topic", payload={}, created_at=utcnow()))
        uow.commit()
    assert _pending(rt) == 1


def test_cli_help_does_not_import_scikit_learn():
    code = ("import sys\nfrom click.testing import CliRunner\nfrom hotline.cli import main\n"
            "r = CliRunner().invoke(main, ['--help'])\nassert r.exit_code == 0, r.output\n"
            "assert 'db' in r.output and 'serve' in r.output\n"
            "print(sorted(m for m in ('sklearn', 'jieba', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout
