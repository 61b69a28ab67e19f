"""会商 API and page (issue 17, Build 3). Controllers: parse with a schema, check the role,
call one service (hotline/consult/service.py)."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template, request
from marshmallow import fields, validate

from hotline.web.api import documented, json_body, load, login_required, rt
from hotline.web.schemas import LocalDateTime, Schema
from hotline.workorders.domain.workflow import Role

from . import service
from .domain.consultation import ANSWERS

bp = Blueprint("consult", __name__)
TAGS = ("consult",)
READERS = (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.DEPARTMENT, Role.ADMIN)
ID = validate.Range(min=1, max=2 ** 31 - 1, error="须为 1 至 {max} 之间的整数")
CODE = fields.String(validate=validate.Length(min=1, max=64, error="单位代码须为 1 至 64 个字符"))


class ConsultOpenSchema(Schema):
    order_id = fields.Integer(required=True, strict=True, validate=ID)
    units = fields.List(CODE, required=True, validate=validate.Length(
        min=1, max=10, error="会商单位须为 {min} 至 {max} 个"),
        metadata={"description": "参加会商的单位代码 (2 至 4 个, config/cases.yaml)"})
    deadline = LocalDateTime(required=True, metadata={"description": "答复期限 (ISO 8601)"})
    topic = fields.String(validate=validate.Length(max=1000, error="不能超过 {max} 个字符"),
                          metadata={"description": "会商事由"})


class ConsultAnswerSchema(Schema):
    answer = fields.String(required=True, validate=validate.OneOf(
        list(ANSWERS), error="须为 lead (牵头) / assist (协办) / decline (不同意)"))
    legal_basis = fields.String(validate=validate.Length(max=1000, error="不能超过 {max} 个字符"),
                                metadata={"description": "法律依据 (不同意时必填)"})
    note = fields.String(validate=validate.Length(max=2000, error="不能超过 {max} 个字符"))


class ConsultDecisionSchema(Schema):
    lead = fields.String(required=True, validate=validate.Length(min=1, max=64))
    assist = fields.List(CODE, load_default=list, validate=validate.Length(max=3))
    reason = fields.String(required=True, validate=validate.Length(
        min=1, max=2000, error="理由须为 {min} 至 {max} 个字符"))
    category = fields.String(validate=validate.Length(min=1, max=64),
                             metadata={"description": "更正的分类代码 (规则按分类与镇街保存)"})


class ConsultListQuery(Schema):
    order_id = fields.Integer(validate=ID)
    pending = fields.Boolean(load_default=False)


class ConsultationSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    order_number = fields.String(allow_none=True)
    order_status_label = fields.String()
    content = fields.String(allow_none=True)
    order_visible = fields.Boolean()
    category = fields.String(allow_none=True)
    category_name = fields.String()
    town = fields.String(allow_none=True)
    town_name = fields.String()
    topic = fields.String(allow_none=True)
    deadline = fields.String()
    overdue = fields.Boolean()
    opened_by = fields.String()
    opened_at = fields.String()
    units = fields.List(fields.Dict())
    my_unit = fields.String(allow_none=True)
    decision = fields.Dict(allow_none=True)


class ConsultationListSchema(Schema):
    items = fields.List(fields.Nested(ConsultationSchema))
    total = fields.Integer()


@bp.post("/api/v1/consultations")
@documented("/api/v1/consultations", "post", "发起会商: 工单、2 至 4 个单位和答复期限",
            ConsultOpenSchema, ConsultationSchema, 201, tags=TAGS)
@login_required(Role.DISPATCHER, Role.SUPERVISOR)
def open_():
    d = load(ConsultOpenSchema(), json_body())
    return jsonify(service.open_consultation(rt(), g.actor, d["order_id"], d["units"],
                                             d["deadline"], d.get("topic"))), 201


@bp.get("/api/v1/consultations")
@documented("/api/v1/consultations", "get", "会商列表 (单位只见邀请本单位的会商)", None,
            ConsultationListSchema, query=ConsultListQuery, tags=TAGS)
@login_required(*READERS)
def list_():
    q = load(ConsultListQuery(), request.args.to_dict())
    return jsonify(service.list_consultations(rt(), g.actor, q.get("order_id"), q["pending"]))


@bp.get("/api/v1/consultations/<int:consultation_id>")
@documented("/api/v1/consultations/{consultation_id}", "get", "会商详情: 各单位答复与决定",
            None, ConsultationSchema, tags=TAGS)
@login_required(*READERS)
def get_(consultation_id: int):
    return jsonify(service.get(rt(), g.actor, consultation_id))


@bp.post("/api/v1/consultations/<int:consultation_id>/answers")
@documented("/api/v1/consultations/{consultation_id}/answers", "post",
            "单位答复会商: 牵头 / 协办 / 不同意 (须附法律依据)", ConsultAnswerSchema, ConsultationSchema,
            tags=TAGS)
@login_required(Role.DEPARTMENT)
def answer(consultation_id: int):
    d = load(ConsultAnswerSchema(), json_body())
    return jsonify(service.answer(rt(), g.actor, consultation_id,
                                  d["answer"], d.get("legal_basis"), d.get("note")))


@bp.post("/api/v1/consultations/<int:consultation_id>/decision")
@documented("/api/v1/consultations/{consultation_id}/decision", "post",
            "督办人员作出会商决定 (主办、协办单位); 决定成为该分类与镇街的派单规则",
            ConsultDecisionSchema, ConsultationSchema, tags=TAGS)
@login_required(Role.SUPERVISOR)
def decide(consultation_id: int):
    d = load(ConsultDecisionSchema(), json_body())
    return jsonify(service.decide(rt(), g.actor, consultation_id, d["lead"], d["assist"],
                                  d["reason"], d.get("category")))


@bp.get("/consultations")
def page():
    units = [[u.code, u.name] for u in rt().city.units.values()]
    return render_template("consult.html", unit_list=units)


def init_app(app) -> None:
    app.register_blueprint(bp)
