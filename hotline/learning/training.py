"""The classifier's learning loop: centre corrections -> labelled examples -> retraining ->
a published model that running web and worker processes pick up without restart (the model
store's CURRENT pointer is re-read at most once a second)."""
from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from hotline.core.config import var_dir
from hotline.core.db import utcnow
from hotline.core.events import ClassifierTrainRequested
from hotline.core.orm import LabelledExampleRow
from hotline.core.runtime import Runtime
from hotline.learning.orm import TrainingRunRow
from hotline.workorders.domain.model import Actor, NotPermitted
from hotline.workorders.domain.workflow import Role
from hotline.workorders.views import iso

log = logging.getLogger(__name__)
TRAINERS = (Role.ADMIN, Role.SUPERVISOR)


def corrections(rt: Runtime) -> list[tuple[str, str]]:
    """(text, category) pairs recorded from dispatcher overrides, approved returns,
    arbitration results and category changes; the latest label per order wins."""
    with rt.uow() as uow:
        rows = uow.session.execute(select(LabelledExampleRow).order_by(
            LabelledExampleRow.id)).scalars().all()
    latest: dict = {}
    for r in rows:
        latest[r.order_id if r.order_id is not None else f"x{r.id}"] = (r.text, r.label)
    return [v for v in latest.values() if v[1] in rt.city.categories]


def train_now(rt: Runtime, run_id: int | None = None, progress=None) -> dict:
    """Seed corpus + corrections -> a new model version, published."""
    from hotline.classify.cli import seed_training_data, train_to_store
    texts, labels = seed_training_data()
    extra = corrections(rt)
    version, card = train_to_store(var_dir() / "models", texts, labels, extra=extra,
                                   publish=True, progress=progress)
    return {"version": version, "examples": len(texts), "corrections": len(extra),
            "card": card}


def request_training(rt: Runtime, actor: Actor) -> dict:
    if actor.role not in TRAINERS:
        raise NotPermitted("只有管理员或督办人员可以重新训练模型")
    with rt.uow() as uow:
        run = TrainingRunRow(status="queued", progress=0, requested_by=actor.username,
                             created_at=utcnow())
        uow.session.add(run)
        uow.session.flush()
        uow.emit(ClassifierTrainRequested(run_id=run.id))
        uow.commit()
        return run_view(run)


def run_view(run: TrainingRunRow) -> dict:
    return {"id": run.id, "status": run.status, "progress": run.progress,
            "message": run.message, "model_version": run.model_version,
            "examples": run.examples, "corrections": run.corrections,
            "created_at": iso(run.created_at), "finished_at": iso(run.finished_at)}


def get_run(rt: Runtime, run_id: int) -> dict | None:
    with rt.uow() as uow:
        run = uow.session.get(TrainingRunRow, run_id)
        return run_view(run) if run else None


def _set(rt, run_id, **fields) -> None:
    with rt.uow() as uow:
        run = uow.session.get(TrainingRunRow, run_id)
        if run is not None:
            for k, v in fields.items():
                setattr(run, k, v)
            uow.commit()


def execute_run(rt: Runtime, run_id: int) -> None:
    """The training job body. Runs outside any transaction (training takes seconds to
    minutes); progress is committed as it goes. Idempotent: a finished run is not redone."""
    with rt.uow() as uow:
        run = uow.session.get(TrainingRunRow, run_id)
        if run is None or run.status in ("running", "done"):
            return
        run.status = "running"
        uow.commit()

    def progress(done: int, total: int) -> None:
        # cross-validation folds are ~90 % of the work; the final fit is the rest
        _set(rt, run_id, progress=int(90 * done / max(total, 1)),
             message=f"交叉验证 {done}/{total}")
    try:
        out = train_now(rt, run_id, progress=progress)
        _set(rt, run_id, status="done", progress=100, model_version=out["version"],
             examples=out["examples"], corrections=out["corrections"],
             message="训练完成并已发布", finished_at=utcnow())
    except Exception as exc:
        log.exception("training run %s failed", run_id)
        _set(rt, run_id, status="failed", message=repr(exc)[:2000], finished_at=utcnow())


def on_train_requested(rt, uow, event_id: int, ev) -> None:
    """Outbox handler: start the training job after this transaction commits — an rq job
    with a deterministic id in production, a thread of the service on the embedded default."""
    run_id = ev.run_id
    if rt.settings.redis_url:
        def enqueue():
            from rq import Queue
            Queue(rt.settings.queue_name, connection=rt.redis()).enqueue(
                "hotline.learning.jobs.train_model", run_id, job_id=f"train-{run_id}",
                job_timeout=1800)
        uow.after_commit(enqueue)
    else:
        uow.after_commit(lambda: threading.Thread(target=execute_run, args=(rt, run_id),
                                                  name=f"train-{run_id}", daemon=True).start())
