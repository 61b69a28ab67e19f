"""`make run`'s set-up: with the default model published first, the demo data still reaches
every state of the lifecycle (the classifier must not route orders the agent keeps)."""
import pytest


@pytest.mark.slow
def test_seed_demo_with_a_published_model_reaches_every_state(sqlite_rt, tmp_path,
                                                              monkeypatch):
    monkeypatch.setenv("HOTLINE_VAR", str(tmp_path))
    from sqlalchemy import func, select

    from hotline.core.orm import WorkOrderRow
    from hotline.learning.training import train_now
    from hotline.workorders.domain.workflow import Status
    from hotline.workorders.seed import seed_demo_orders
    train_now(sqlite_rt)
    assert sqlite_rt.predictor() is not None
    assert seed_demo_orders(sqlite_rt, 34) == 34
    with sqlite_rt.uow() as uow:
        seen = dict(uow.session.execute(select(WorkOrderRow.status, func.count())
                                        .group_by(WorkOrderRow.status)).all())
    # the issue-17 end states of transfers to other platforms and repeat links are not walked
    # by the demo yet (their own tests walk them: test_cases_tracking.py)
    not_in_demo = {"suspension_requested", "transferred_platform", "transfer_closed",
                   "repeat_linked"}
    missing = {str(s) for s in Status} - set(seen) - not_in_demo
    assert not missing, (missing, seen)
