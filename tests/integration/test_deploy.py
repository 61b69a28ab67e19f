"""Deployment beyond one machine (docs/design/architecture.md §6.2): on loopback, 2 web processes
(`hotline serve --workers 2`) and 2 `hotline worker` processes against one private PostgreSQL
and one private Redis. Orders are driven through HTTP (intake, sign, urge, reply, accept,
close); no order, escalation or survey is processed twice and none is lost."""
import json
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from hotline.core.orm import NotificationRow, OutboxRow
from tests.conftest import PASSWORD

from .helpers import PrivatePostgres, free_port, wait_http
from .test_faults import pg, prod, redis, start, stop, wait_until  # noqa: F401,F811 (fixtures)

pytestmark = [pytest.mark.faults, pytest.mark.slow,
              pytest.mark.skipif(not PrivatePostgres.available(),
                                 reason="PostgreSQL 15 binaries or runuser missing")]


class Http:
    def __init__(self, base):
        self.base, self.tokens = base, {}

    def call(self, user, method, path, body=None):
        if user not in self.tokens:
            self.tokens[user] = self._raw("POST", "/api/v1/auth/token", None,
                                          {"username": user, "password": PASSWORD})[1]["token"]
        return self._raw(method, path, self.tokens[user], body)

    def _raw(self, method, path, token, body):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.base + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")


def test_two_web_two_workers_process_everything_once(prod, tmp_path):  # noqa: F811
    rt, env = prod
    port = free_port()
    web = start(["serve", "--port", str(port), "--workers", "2"], env,
                open(tmp_path / "web.log", "w"))
    workers = [start(["worker"], env, open(tmp_path / f"worker{i}.log", "w")) for i in (1, 2)]
    try:
        wait_http(f"http://127.0.0.1:{port}/login", 90)
        h = Http(f"http://127.0.0.1:{port}")
        ids = []
        for i in range(20):
            code, o = h.call("agent", "POST", "/api/v1/orders",
                             {"content": f"第{i}位市民反映小区垃圾堆积无人清运", "unit": "town_humen",
                              "town": "town_humen",
                              "caller": {"name": "市民", "phone": f"1380000{i:04d}"}})
            assert code == 201, o
            ids.append(o["id"])
        steps = [("town_humen", "sign", None, {}),
                 ("dispatcher", "urge", "请尽快办理", {}),
                 ("town_humen", "reply", "已清运", {"reply": "已安排清运, 现场已清理干净",
                                                  "citizen_reply": "已清运完毕"}),
                 ("dispatcher", "accept_reply", None, {}),
                 ("dispatcher", "close", None, {})]
        closed = ids[:8]
        for oid in ids:
            for user, action, reason, data in steps[:2]:
                code, body = h.call(user, "POST", f"/api/v1/orders/{oid}/{action}",
                                    {"reason": reason, "data": data})
                assert code == 200, (action, body)
        for oid in closed:
            for user, action, reason, data in steps[2:]:
                code, body = h.call(user, "POST", f"/api/v1/orders/{oid}/{action}",
                                    {"reason": reason, "data": data})
                assert code == 200, (action, body)

        def pending():
            with rt.uow() as uow:
                return uow.session.execute(select(func.count()).select_from(OutboxRow).where(
                    OutboxRow.processed_at.is_(None))).scalar_one()
        assert wait_until(lambda: pending() == 0, 120), pending()
        time.sleep(1.0)   # let any duplicate job that would still run show itself
        with rt.uow() as uow:
            s = uow.session
            events = s.execute(select(func.count()).select_from(OutboxRow)).scalar_one()
            twice = s.execute(select(func.count()).select_from(OutboxRow)
                              .where(OutboxRow.attempts != 1)).scalar_one()
            # one row per recipient (a hot-spot alert of these 20 similar appeals, issue 17,
            # tells every dispatcher and supervisor): a duplicate is the same row twice
            notes = s.execute(select(NotificationRow.order_id, NotificationRow.kind,
                                     NotificationRow.unit, NotificationRow.username)).all()
            surveys = []
            try:
                from hotline.survey.orm import SurveyRow
                surveys = s.execute(select(SurveyRow.order_id)).scalars().all()
            except ImportError:
                pass
    finally:
        for w in workers:
            stop(w)
        stop(web)
    per = {}
    for note in notes:
        per[tuple(note)] = per.get(tuple(note), 0) + 1
    by_kind: dict = {}
    for oid, kind, _unit, _user in notes:
        by_kind[(oid, kind)] = by_kind.get((oid, kind), 0) + 1
    dispatched = [by_kind.get((i, "dispatched"), 0) for i in ids]
    urged = [by_kind.get((i, "urge"), 0) for i in ids]
    survey_per = {i: surveys.count(i) for i in closed}
    dup = sum(n - 1 for n in per.values() if n > 1) + sum(n - 1 for n in survey_per.values()
                                                          if n > 1)
    lost = dispatched.count(0) + urged.count(0)
    print(f"\n2 web + 2 workers: orders {len(ids)}, outbox events {events} (processed more than "
          f"once: {twice}), notifications {len(notes)}, escalations (urge) {sum(urged)}, "
          f"surveys {len(surveys)} for {len(closed)} closed orders, duplicated {dup}, "
          f"lost {lost}")
    assert twice == 0 and dup == 0 and lost == 0
    assert dispatched == [1] * len(ids) and urged == [1] * len(ids)
    assert all(n <= 1 for n in survey_per.values())
