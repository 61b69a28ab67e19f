"""Return-visit API and pages: the mobile answer page /s/<token>, the phone queue, the SMS
page (every SMS with its delivery status), the SMS provider's receipts, the supervisor's
decisions and units' appeals.
Controllers: parse with a schema, check access, call one service."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template, request
from marshmallow import fields, validate

from hotline.core import sms
from hotline.survey import review as survey_review
from hotline.survey import service as survey
from hotline.web.api import documented, json_body, load, login_required, optional_actor, rt
from hotline.web.errors import ApiError
from hotline.web.pages import page_for
from hotline.web.schemas import Schema
from hotline.workorders.domain.model import Actor
from hotline.workorders.domain.workflow import Role

bp = Blueprint("survey", __name__, template_folder="../web/templates")
SURVEY_TAGS = ("surveys",)


class AnswerSchema(Schema):
    contacted = fields.Boolean(required=True)
    resolved = fields.String(required=True)
    satisfaction = fields.String(required=True)
    comment = fields.String(allow_none=True, validate=validate.Length(max=1000))


class SurveyListQuery(Schema):
    status = fields.String(validate=validate.OneOf(
        ("pending", "answered", "unreachable", "expired", "not_required")))
    review = fields.String(validate=validate.OneOf(("pending", "reopen", "unreasonable",
                                                    "close")))


class AttemptSchema(Schema):
    note = fields.String(allow_none=True)


class DecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(
        ("reopen", "unreasonable", "close")))
    reason = fields.String(allow_none=True)


class AppealSchema(Schema):
    reason = fields.String(required=True)
    evidence = fields.String(required=True)


class RulingSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("uphold", "overturn")))
    reason = fields.String(required=True)


class SurveySchema(Schema):
    """A survey as answered (`survey_view` in hotline/survey/service.py). Null is meaningful: the
    answer fields are null until the citizen answers (a pending survey), the staff-only fields
    are absent from the citizen's view."""
    id = fields.Integer()
    order_id = fields.Integer()
    order_number = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "pending/answered/unreachable/expired/"
                                                    "not_required"})
    status_label = fields.String()
    expires_at = fields.DateTime(allow_none=True)
    answered_at = fields.DateTime(allow_none=True, metadata={"description": "null until answered"})
    questions = fields.Dict()
    # staff views only
    unit = fields.String(allow_none=True)
    caller_order_id = fields.Integer(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "masked"})
    sent_at = fields.DateTime(allow_none=True)
    attempts = fields.Integer()
    contacted = fields.Boolean(allow_none=True, metadata={"description": "null until answered"})
    resolved = fields.String(allow_none=True, metadata={"description": "null until answered"})
    satisfaction = fields.String(allow_none=True,
                                 metadata={"description": "null until answered"})
    grade5 = fields.String(allow_none=True, metadata={"description": "null until answered"})
    comment = fields.String(allow_none=True,
                            metadata={"description": "null until answered, or no comment"})
    review = fields.String(allow_none=True, metadata={"description": "null: no review needed"})
    excluded = fields.Boolean()
    answered_via = fields.String(allow_none=True, metadata={"description": "sms/phone"})


class SurveyListSchema(Schema):
    items = fields.List(fields.Nested(SurveySchema))
    total = fields.Integer()


PHONE_PATH_MESSAGE = ("工作人员不能通过市民的回访链接查看或填写回访: 电话回访请在「电话回访队列」页面 "
                      "(/survey-queue) 按回访编号登记市民的回答 (POST /api/v1/surveys/<回访编号>/answer)")


def staff_actor() -> Actor | None:
    """The staff member a request is authenticated as, by an `Authorization: Bearer` token or
    by the pages' session cookie; None for a request without credentials (a citizen). A
    credential that does not verify is a 401, never a citizen."""
    return optional_actor()


def _citizen_only() -> None:
    """The token endpoints are the citizen's: whoever holds the token answers as the citizen,
    by SMS. Staff credentials are refused there: a staff answer goes
    through the phone-survey path, recorded under the staff member's name, channel phone."""
    actor = staff_actor()
    if actor is None:
        return
    if actor.role == Role.DEPARTMENT:   # departments never see a pending survey (F5)
        raise ApiError(403, "承办单位不能查看或填写回访")
    raise ApiError(403, PHONE_PATH_MESSAGE, code="staff_use_phone_survey")


@bp.get("/api/v1/surveys")
@documented("/api/v1/surveys", "get", "回访列表 (电话回访队列 / 督办队列; 不含市民链接令牌)", None,
            SurveyListSchema, query=SurveyListQuery, tags=SURVEY_TAGS)
@login_required(Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
def list_surveys():
    q = load(SurveyListQuery(), request.args.to_dict())
    return jsonify(survey.list_surveys(rt(), g.actor, q.get("status"), q.get("review")))


@bp.get("/api/v1/surveys/<token>")
@documented("/api/v1/surveys/{token}", "get", "回访问卷 (仅市民凭短信链接; 工作人员凭据 403)", None,
            SurveySchema, auth_required=False, tags=SURVEY_TAGS)
def get_survey(token: str):
    _citizen_only()
    return jsonify(survey.get_survey(rt(), token))


@bp.post("/api/v1/surveys/<token>")
@documented("/api/v1/surveys/{token}", "post",
            "市民提交回访 (仅一次; 重复 409, 过期 410; 工作人员凭据 403, 请用电话回访)",
            AnswerSchema, SurveySchema, auth_required=False, tags=SURVEY_TAGS)
def answer_survey(token: str):
    _citizen_only()
    body = load(AnswerSchema(), json_body())
    return jsonify(survey.answer(rt(), token, body))


@bp.post("/api/v1/surveys/<int:survey_id>/answer")
@documented("/api/v1/surveys/{survey_id}/answer", "post",
            "电话回访: 登记市民在电话中的回答 (记录登记人, 渠道 phone; 仅一次)",
            AnswerSchema, SurveySchema, tags=SURVEY_TAGS)
@login_required(Role.AGENT, Role.DISPATCHER)
def answer_by_phone(survey_id: int):
    body = load(AnswerSchema(), json_body())
    return jsonify(survey.answer_by_phone(rt(), g.actor, survey_id, body))


@bp.post("/api/v1/surveys/<int:survey_id>/attempts")
@documented("/api/v1/surveys/{survey_id}/attempts", "post", "登记一次未接通的回访电话",
            AttemptSchema, SurveySchema, tags=SURVEY_TAGS)
@login_required(Role.AGENT, Role.DISPATCHER)
def attempt(survey_id: int):
    load(AttemptSchema(), json_body())
    return jsonify(survey.record_attempt(rt(), g.actor, survey_id))


@bp.post("/api/v1/surveys/<int:survey_id>/decision")
@documented("/api/v1/surveys/{survey_id}/decision", "post",
            "督办处理不满意回访: 重办 / 最终答复 / 办结", DecisionSchema, None, tags=SURVEY_TAGS)
@login_required(Role.SUPERVISOR)
def decision(survey_id: int):
    d = load(DecisionSchema(), json_body())
    return jsonify(survey_review.decide(rt(), g.actor, survey_id, d["decision"],
                                        d.get("reason")))


@bp.post("/api/v1/surveys/<int:survey_id>/appeal")
@documented("/api/v1/surveys/{survey_id}/appeal", "post", "承办单位对差评申诉 (一次)",
            AppealSchema, None, 201, tags=SURVEY_TAGS)
@login_required(Role.DEPARTMENT)
def appeal(survey_id: int):
    d = load(AppealSchema(), json_body())
    return jsonify(survey_review.appeal(rt(), g.actor, survey_id, d["reason"],
                                        d["evidence"])), 201


@bp.get("/api/v1/appeals")
@documented("/api/v1/appeals", "get", "申诉列表", None, None, tags=SURVEY_TAGS)
@login_required(Role.SUPERVISOR, Role.LEADER, Role.DEPARTMENT)
def appeals():
    return jsonify(survey_review.list_appeals(rt(), g.actor, request.args.get("status")))


@bp.post("/api/v1/appeals/<int:appeal_id>/ruling")
@documented("/api/v1/appeals/{appeal_id}/ruling", "post", "裁定申诉: 维持 / 撤销评价",
            RulingSchema, None, tags=SURVEY_TAGS)
@login_required(Role.SUPERVISOR)
def ruling(appeal_id: int):
    d = load(RulingSchema(), json_body())
    return jsonify(survey_review.rule(rt(), g.actor, appeal_id, d["decision"], d["reason"]))


@bp.get("/api/v1/unit-ratings")
@documented("/api/v1/unit-ratings", "get", "本单位已提交的评价 (只读)", None, None,
            tags=SURVEY_TAGS)
@login_required(Role.DEPARTMENT)
def unit_ratings():
    return jsonify(survey_review.unit_ratings(rt(), g.actor))


@bp.get("/api/v1/orders/<int:order_id>/surveys")
@documented("/api/v1/orders/{order_id}/surveys", "get", "工单的回访记录 (每次查看和修改)", None,
            None, tags=SURVEY_TAGS)
@login_required(Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
def order_surveys(order_id: int):
    return jsonify(survey_review.survey_history(rt(), g.actor, order_id))


@bp.get("/api/v1/sms-outbox")
@documented("/api/v1/sms-outbox", "get", "短信发件箱: 全部短信及其发送状态", None, None,
            tags=SURVEY_TAGS)
@login_required(*survey.SMS_ROLES)
def sms_outbox():
    return jsonify(survey.sms_outbox(rt(), g.actor))


@bp.post("/api/v1/sms/receipts")
@documented("/api/v1/sms/receipts", "post", "短信服务商的送达回执 (签名校验, 可重复推送)", None,
            None, auth_required=False, tags=SURVEY_TAGS)
def sms_receipts():
    """The provider's delivery reports. No login: the request is authenticated by its
    HMAC signature (core/sms.py); a forged or stale one is refused with 403."""
    return jsonify(sms.receive_receipts(rt(), request.headers, request.get_data(cache=True)))


# ------------------------------------------------------------------ pages

@bp.get("/s/<token>")
def answer_page(token: str):
    try:
        _citizen_only()
    except ApiError as e:   # a staff session on the citizen's page: say where to go instead
        return render_template("s_staff.html", department=e.code != "staff_use_phone_survey"), 403
    return render_template("s_answer.html", token=token)


@bp.get("/survey-queue")
@page_for(Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)  # /api/v1/surveys
def queue_page():
    return render_template("survey_queue.html")


@bp.get("/sms-outbox")
@page_for(*survey.SMS_ROLES)            # issue 15: the roles of /api/v1/sms-outbox
def sms_page():
    return render_template("survey_sms.html")


def init_app(app) -> None:
    app.register_blueprint(bp)
