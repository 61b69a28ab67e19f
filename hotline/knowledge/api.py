"""Knowledge-base API (issue 16): articles and their versions, review, to-do, search, the
citizens' text service and the reports. Controllers: parse with a schema, check the role, call
one service (hotline/knowledge/service.py)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, g, jsonify, request
from marshmallow import fields, validate

from hotline.web.api import documented, json_body, load, login_required, rt
from hotline.web.errors import ApiError
from hotline.web.schemas import Day, PeriodSchema, Schema
from hotline.workorders.domain.workflow import Role

from . import service

bp = Blueprint("knowledge", __name__)
TAGS = ("knowledge",)
STAFF = (Role.AGENT, Role.DISPATCHER, Role.DEPARTMENT, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
WRITERS = (Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN)
CENTRE = (Role.SUPERVISOR, Role.ADMIN)
REPORTERS = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def _text(limit, **kw):
    return fields.String(validate=validate.Length(max=limit, error="不能超过 {max} 个字符"), **kw)


def _list(limit, each):
    return fields.List(_text(each), validate=validate.Length(max=limit,
                                                              error="最多 {max} 项"))


class ArticleWriteSchema(Schema):
    code = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_.\-]{1,64}$",
                                                  error="编号只能由 1 至 64 个字母、数字、_.- 组成"))
    unit = _text(64, metadata={"description": "所属单位代码 (承办单位用户只能是本单位)"})
    question = _text(500)
    alternatives = _list(30, 500)
    answer = _text(10000)
    category = _text(64)
    keywords = _list(30, 64)
    contact_phone = _text(64)
    start_date = Day(allow_none=True)
    end_date = Day(allow_none=True)
    review_date = Day(allow_none=True)
    submit = fields.Boolean(metadata={"description": "保存后直接提交中心审核"})


class ArticleCreateSchema(ArticleWriteSchema):
    question = _text(500, required=True)
    answer = _text(10000, required=True)


class ReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(
        ("publish", "reject"), error="须为 publish (发布) 或 reject (退回修改)"))
    version = fields.Integer(strict=True, validate=validate.Range(min=1, max=2 ** 31 - 1))
    note = _text(1000, allow_none=True)


class WithdrawSchema(Schema):
    note = _text(1000, allow_none=True)


class ArticleListQuery(Schema):
    unit = _text(64)
    status = fields.String(validate=validate.OneOf(("draft", "in_review", "published",
                                                    "withdrawn")))
    q = _text(100)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class TodoQuery(Schema):
    unit = _text(64)


class SearchQuery(Schema):
    q = fields.String(required=True, validate=validate.Length(
        min=1, max=500, error="查询须为 {min} 至 {max} 个字符"))
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=20))
    ref = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_\-]{8,64}$",
                                                 error="ref 须为 8 至 64 个字母、数字、_-"),
                        metadata={"description": "受理中的一次来电 (同一来电的多次搜索只记一次)"})


class AskSchema(Schema):
    q = fields.String(required=True, validate=validate.Length(
        min=2, max=500, error="问题须为 {min} 至 {max} 个字"))
    key = fields.String(allow_none=True, validate=validate.Length(max=64))


class KeySchema(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=64))


class KnowledgeReportQuery(PeriodSchema):
    from_ = Day(data_key="from")
    to = Day()
    by = fields.String(validate=validate.OneOf(("day", "month")))


# ---- responses (OpenAPI; the fuzzer checks the answers against them)

class VersionSchema(Schema):
    version = fields.Integer()
    question = fields.String()
    alternatives = fields.List(fields.String())
    answer = fields.String()
    category = fields.String()
    keywords = fields.List(fields.String())
    contact_phone = fields.String()
    start_date = fields.String(allow_none=True)
    end_date = fields.String(allow_none=True)
    review_date = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    author = fields.String()
    created_at = fields.String()
    reviewed_by = fields.String(allow_none=True)
    review_note = fields.String(allow_none=True)


class ArticleSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    unit = fields.String()
    unit_name = fields.String()
    latest_version = fields.Integer()
    published_version = fields.Integer(allow_none=True)
    question = fields.String()
    status = fields.String()
    status_label = fields.String()
    served = fields.Boolean()
    problems = fields.List(fields.String())
    problem_labels = fields.List(fields.String())
    demo = fields.Boolean()
    updated_at = fields.String()
    versions = fields.List(fields.Nested(VersionSchema))


class ArticleListSchema(Schema):
    items = fields.List(fields.Nested(ArticleSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class TodoItemSchema(Schema):
    article_id = fields.Integer()
    code = fields.String()
    unit = fields.String()
    unit_name = fields.String()
    version = fields.Integer()
    question = fields.String()
    kind = fields.String()
    label = fields.String()
    end_date = fields.String(allow_none=True)
    review_date = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class TodoSchema(Schema):
    items = fields.List(fields.Nested(TodoItemSchema))
    total = fields.Integer()
    unit = fields.String(allow_none=True)


class HitSchema(Schema):
    article_id = fields.Integer()
    code = fields.String()
    version = fields.Integer()
    question = fields.String()
    answer = fields.String()
    unit = fields.String()
    unit_name = fields.String()
    category = fields.String()
    date = fields.String(allow_none=True)
    contact_phone = fields.String()
    score = fields.Float()


class SearchResultSchema(Schema):
    query = fields.String()
    answer = fields.Nested(HitSchema, allow_none=True)
    abstained = fields.Boolean()
    items = fields.List(fields.Nested(HitSchema))


class PublicAnswerSchema(Schema):
    text = fields.String()
    question = fields.String()
    unit_name = fields.String()
    date = fields.String(allow_none=True)
    contact_phone = fields.String()


class MessageSchema(Schema):
    role = fields.String()
    text = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    date = fields.String(allow_none=True)


class AskResultSchema(Schema):
    key = fields.String()
    answer = fields.Nested(PublicAnswerSchema, allow_none=True)
    messages = fields.List(fields.Nested(MessageSchema))


class UnresolvedSchema(Schema):
    key = fields.String()
    content = fields.String()


class PeriodRowSchema(Schema):
    period = fields.String()
    contacts = fields.Integer()
    direct_answers = fields.Integer()
    direct_from_article = fields.Integer()
    searches = fields.Integer()
    searches_answered = fields.Integer()
    citizen_questions = fields.Integer()
    citizen_answered = fields.Integer()
    direct_answer_rate = fields.Float(allow_none=True)
    hit_rate = fields.Float(allow_none=True)


class KnowledgeReportSchema(Schema):
    periods = fields.List(fields.Nested(PeriodRowSchema))
    total = fields.Nested(PeriodRowSchema)
    group = fields.String()
    conversations = fields.Dict(keys=fields.String(), values=fields.Integer())
    from_ = fields.String(data_key="from")
    to = fields.String()


class GapReportSchema(Schema):
    answered_without_article = fields.List(fields.Dict())
    answered_without_article_total = fields.Integer()
    unanswered_queries = fields.List(fields.Dict())
    unanswered_total = fields.Integer()
    articles_followed_by_complaint = fields.List(fields.Dict())
    articles_due_for_review = fields.List(fields.Dict())
    from_ = fields.String(data_key="from")
    to = fields.String()


# ------------------------------------------------------------------ articles

@bp.get("/api/v1/knowledge/articles")
@documented("/api/v1/knowledge/articles", "get",
            "知识条目列表 (承办单位只见本单位; status=in_review 为中心的待审核队列)", None,
            ArticleListSchema, query=ArticleListQuery, tags=TAGS)
@login_required(*STAFF)
def list_articles():
    q = load(ArticleListQuery(), request.args.to_dict())
    return jsonify(service.list_articles(rt(), g.actor, q))


@bp.post("/api/v1/knowledge/articles")
@documented("/api/v1/knowledge/articles", "post", "新建知识条目 (草稿, 或 submit 直接提交审核)",
            ArticleCreateSchema, ArticleSchema, 201, tags=TAGS)
@login_required(*WRITERS)
def create_article():
    data = load(ArticleCreateSchema(), json_body())
    return jsonify(service.create_article(rt(), g.actor, data)), 201


@bp.get("/api/v1/knowledge/articles/<int:article_id>")
@documented("/api/v1/knowledge/articles/{article_id}", "get", "知识条目及其全部版本", None,
            ArticleSchema, tags=TAGS)
@login_required(*STAFF)
def get_article(article_id: int):
    return jsonify(service.get_article(rt(), g.actor, article_id))


@bp.post("/api/v1/knowledge/articles/<int:article_id>/versions")
@documented("/api/v1/knowledge/articles/{article_id}/versions", "post",
            "修改知识条目: 保存为新版本 (已发布版本在中心发布新版本前继续提供)",
            ArticleWriteSchema, ArticleSchema, 201, tags=TAGS)
@login_required(*WRITERS)
def edit_article(article_id: int):
    data = load(ArticleWriteSchema(), json_body())
    return jsonify(service.edit_article(rt(), g.actor, article_id, data)), 201


@bp.post("/api/v1/knowledge/articles/<int:article_id>/submit")
@documented("/api/v1/knowledge/articles/{article_id}/submit", "post", "提交中心审核", None,
            ArticleSchema, tags=TAGS)
@login_required(*WRITERS)
def submit_article(article_id: int):
    return jsonify(service.submit(rt(), g.actor, article_id))


@bp.post("/api/v1/knowledge/articles/<int:article_id>/review")
@documented("/api/v1/knowledge/articles/{article_id}/review", "post",
            "中心审核: 发布 (publish) 或退回修改 (reject)", ReviewSchema, ArticleSchema, tags=TAGS)
@login_required(*CENTRE)
def review_article(article_id: int):
    data = load(ReviewSchema(), json_body())
    return jsonify(service.review(rt(), g.actor, article_id, data["decision"],
                                  data.get("version"), data.get("note")))


@bp.post("/api/v1/knowledge/articles/<int:article_id>/withdraw")
@documented("/api/v1/knowledge/articles/{article_id}/withdraw", "post",
            "撤回已发布的条目 (立即停止提供)", WithdrawSchema, ArticleSchema, tags=TAGS)
@login_required(*WRITERS)
def withdraw_article(article_id: int):
    data = load(WithdrawSchema(), json_body())
    return jsonify(service.withdraw(rt(), g.actor, article_id, data.get("note")))


@bp.get("/api/v1/knowledge/todo")
@documented("/api/v1/knowledge/todo", "get",
            "单位的知识库待办: 过期、到复审日期、被退回、待审核、直接答复被差评", None, TodoSchema,
            query=TodoQuery, tags=TAGS)
@login_required(Role.DEPARTMENT, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
def todo():
    q = load(TodoQuery(), request.args.to_dict())
    return jsonify(service.todo(rt(), g.actor, q.get("unit")))


# ------------------------------------------------------------------ search

@bp.get("/api/v1/knowledge/search")
@documented("/api/v1/knowledge/search", "get",
            "知识库搜索: 仅已发布且在有效期内的条目; 无合适答案时 abstained=true", None,
            SearchResultSchema, query=SearchQuery, tags=TAGS)
@login_required(*STAFF)
def search():
    q = load(SearchQuery(), request.args.to_dict())
    return jsonify(service.search(rt(), g.actor, q["q"], "staff", q.get("ref"),
                                  limit=q["limit"]))


# ------------------------------------------------------------------ citizens (public)

@bp.post("/self/api/knowledge/ask")
@documented("/self/api/knowledge/ask", "post",
            "智能文本客服: 市民提问 (公开, 限频); 返回答案及其单位、日期, 或无答案",
            AskSchema, AskResultSchema, auth_required=False, tags=TAGS)
def ask():
    data = load(AskSchema(), json_body())
    return jsonify(service.ask(rt(), data.get("key"), data["q"]))


@bp.post("/self/api/knowledge/unresolved")
@documented("/self/api/knowledge/unresolved", "post",
            "智能文本客服: 没解决, 返回预填的诉求内容 (随后在本页提交诉求)", KeySchema,
            UnresolvedSchema, auth_required=False, tags=TAGS)
def unresolved():
    data = load(KeySchema(), json_body())
    return jsonify(service.unresolved(rt(), data["key"]))


# ------------------------------------------------------------------ reports

def _period(q):
    to = q.get("to") or service.today()
    frm = q.get("from_") or (to - timedelta(days=30))
    if frm > to:
        raise ApiError(422, "开始日期晚于结束日期", {"from": ["须不晚于 to"]})
    return frm, to


@bp.get("/api/v1/reports/knowledge")
@documented("/api/v1/reports/knowledge", "get",
            "直接答复率 (直接答复 / 全部来电登记) 与知识库命中率 (有答案的搜索 / 全部搜索), 按期",
            None, KnowledgeReportSchema, query=KnowledgeReportQuery, tags=("reports",))
@login_required(*REPORTERS)
def knowledge_report():
    q = load(KnowledgeReportQuery(), request.args.to_dict())
    frm, to = _period(q)
    return jsonify(service.report(rt(), frm, to, q.get("by") or "month"))


@bp.get("/api/v1/reports/knowledge-gaps")
@documented("/api/v1/reports/knowledge-gaps", "get",
            "知识缺口: 无条目的直接答复、无答案的提问、答复后差评或重复来电的条目、待复审条目",
            None, GapReportSchema, query=KnowledgeReportQuery, tags=("reports",))
@login_required(*REPORTERS)
def knowledge_gaps():
    q = load(KnowledgeReportQuery(), request.args.to_dict())
    frm, to = _period(q)
    return jsonify(service.gaps(rt(), frm, to))


def init_app(app) -> None:
    app.register_blueprint(bp)
    from . import pages
    app.register_blueprint(pages.bp)
