"""Privacy (个人信息保护法, docs/design/domain.md §10): masking, reveal with reason, the access log,
role-filtered exports, and the retention job."""
from datetime import timedelta

from sqlalchemy import select

from hotline.core.db import utcnow
from hotline.core.orm import WorkOrderRow
from hotline.privacy.retention import due_orders, retain

from .helpers import hotline_cmd, runtime_env

PHONE = "13812345678"


def _order(api, unit="town_humen", confidential=False):
    return api.create(content="市民反映小区门口垃圾堆积多日无人清运, 气味难闻",
                      unit=unit, town="town_humen",
                      caller={"name": "张三", "phone": PHONE, "confidential": confidential})


def test_department_sees_masked_phone_and_reveals_with_reason(api):
    o = _order(api)
    dept = api.as_("town_humen")
    assert dept.get(f"/api/v1/orders/{o['id']}").json["caller"]["phone"] == "138****5678"
    listed = dept.get("/api/v1/orders").json["items"]
    assert [i["caller"]["phone"] for i in listed] == ["138****5678"]
    r = dept.post(f"/api/v1/orders/{o['id']}/reveal", json={"reason": ""})
    assert r.status_code == 422
    r = dept.post(f"/api/v1/orders/{o['id']}/reveal", json={})
    assert r.status_code == 422
    r = dept.post(f"/api/v1/orders/{o['id']}/reveal", json={"reason": "需电话联系市民核实地址"})
    assert r.status_code == 200 and r.json["phone"] == PHONE
    # another unit cannot even see the order
    r = api.as_("dept_housing").post(f"/api/v1/orders/{o['id']}/reveal",
                                     json={"reason": "需电话联系市民核实地址"})
    assert r.status_code == 404
    # the centre sees the full number without revealing
    assert api.as_("dispatcher").get(f"/api/v1/orders/{o['id']}").json["caller"]["phone"] == PHONE


def test_confidential_caller_is_never_revealed_to_a_department(api):
    o = _order(api, confidential=True)
    dept = api.as_("town_humen")
    assert dept.get(f"/api/v1/orders/{o['id']}").json["caller"]["phone"] is None
    r = dept.post(f"/api/v1/orders/{o['id']}/reveal", json={"reason": "需电话联系市民核实地址"})
    assert r.status_code == 403


def test_every_read_is_in_the_access_log_supervisors_query(api):
    o = _order(api)
    oid = o["id"]
    dept = api.as_("town_humen")
    dept.get(f"/api/v1/orders/{oid}")
    dept.get("/api/v1/orders")
    assert [i["id"] for i in dept.get("/api/v1/inbox").json["items"]] == [oid]
    dept.get("/api/v1/orders/export")
    dept.post(f"/api/v1/orders/{oid}/reveal", json={"reason": "需电话联系市民核实地址"})
    sup = api.as_("supervisor")
    r = sup.get(f"/api/v1/privacy/access-log?order_id={oid}&actor=town_humen")
    assert r.status_code == 200, r.json
    kinds = sorted(i["kind"] for i in r.json["items"])
    assert kinds == ["detail", "export", "inbox", "list", "reveal"]
    rev = [i for i in r.json["items"] if i["kind"] == "reveal"][0]
    assert rev["reason"] == "需电话联系市民核实地址" and rev["unit"] == "town_humen"
    assert [i["kind"] for i in sup.get("/api/v1/privacy/access-log?kind=reveal").json["items"]] \
        == ["reveal"]
    for who in ("town_humen", "agent", "dispatcher", "leader"):
        assert api.as_(who).get("/api/v1/privacy/access-log").status_code == 403
    assert api.as_("admin").get("/api/v1/privacy/access-log").status_code == 200


def test_exports_carry_only_what_the_role_may_see(api):
    _order(api)
    _order(api, confidential=True)
    _order(api, unit="dept_housing")
    dept = api.as_("town_humen").get("/api/v1/orders/export").json
    cols = dept["columns"]
    phones = sorted(r[cols.index("来电号码")] for r in dept["rows"])
    assert phones == ["", "138****5678"]          # own unit only; confidential: nothing
    full = api.as_("dispatcher").get("/api/v1/orders/export").json
    assert sorted(r[cols.index("来电号码")] for r in full["rows"]) == [PHONE] * 3
    csv = api.as_("town_humen").get("/api/v1/orders/export?format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert PHONE not in csv.get_data(as_text=True)
    assert api.as_("agent").get("/api/v1/orders/export").status_code == 403


def _closed_order(api):
    o = api.create(content="咨询社保卡补办需要哪些材料和办理地点", queue=False,
                   caller={"name": "李四", "phone": PHONE})
    api.act("agent", o["id"], "answer", reason="已告知办理材料和地点",
            reply="社保卡补办请带身份证到就近社保网点办理")
    return o["id"]


def test_retention_anonymises_long_closed_orders_once(api, rt):
    closed = _closed_order(api)
    open_ = _order(api)["id"]
    assert retain(rt) == 0                                   # closed today: kept
    later = utcnow() + timedelta(days=400)
    assert [i for i, _ in due_orders(rt, now=later)] == [closed]
    assert retain(rt, now=later) == 1
    assert retain(rt, now=later) == 0                        # idempotent
    with rt.uow() as uow:
        rows = {r.id: r for r in uow.session.execute(select(WorkOrderRow)).scalars()}
        assert (rows[closed].caller_name, rows[closed].caller_phone) == (None, None)
        assert rows[closed].content.startswith("咨询社保卡")   # the appeal stays
        assert rows[open_].caller_phone == PHONE              # open orders are untouched


def test_retention_cli(api, rt):
    closed = _closed_order(api)
    env = runtime_env(rt)
    out = hotline_cmd(["privacy", "retain", "--days", "0", "--dry-run"], env)
    assert out.returncode == 0 and "1 orders due" in out.stdout, out.stderr[-2000:]
    out = hotline_cmd(["privacy", "retain", "--days", "0"], env)
    assert out.returncode == 0 and "anonymised callers of 1 orders" in out.stdout
    with rt.uow() as uow:
        assert uow.session.get(WorkOrderRow, closed).caller_phone is None


def test_retention_is_registered_as_periodic(rt):
    from hotline.core.periodic import periodic_jobs
    from hotline.privacy.retention import retention_tick
    assert (rt.config.privacy["every_seconds"], retention_tick) in periodic_jobs(rt)


def test_dispatcher_queue_reads_are_in_the_access_log(api):
    o = api.create("admin", content="市民反映小区门口垃圾堆积多日无人清运, 气味难闻",
                   caller={"name": "李四", "phone": PHONE})        # no unit: 待派单 queue
    q = api.as_("dispatcher").get("/api/v1/dispatch/queue").json
    assert o["id"] in [i["id"] for i in q["items"]]
    log = api.as_("supervisor").get(
        f"/api/v1/privacy/access-log?order_id={o['id']}&actor=dispatcher").json["items"]
    assert [i["kind"] for i in log] == ["list"]
