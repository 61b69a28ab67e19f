"""Admin pages and API: users, units, login lock-outs; API keys are Open311's
(/api/v1/admin/api-keys, hashed sha256 at rest in intake/open311.py) and the page uses them.

The page authenticates like every other page: bearer token from sessionStorage, sent by
fetch() (pages.py). No cookie carries authority, so no cross-site form can act for an admin;
cookie-authenticated forms, if ever added, are covered by ext_security's CSRF guard."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template, request
from marshmallow import Schema, fields, validate

from hotline.core import auth
from hotline.core import lockout as security
from hotline.web.api import documented, json_body, load, login_required
from hotline.web.pages import page_for
from hotline.workorders.domain.workflow import Role

bp = Blueprint("admin_security", __name__, template_folder="templates")
ROLES = ["agent", "dispatcher", "department", "supervisor", "leader", "admin"]
USERNAME = validate.Regexp(r"^[A-Za-z0-9_.-]{2,64}$", error="2-64 位字母、数字、_ . -")


def rt():
    return current_app.extensions["hotline"]


class UserSchema(Schema):
    username = fields.String()
    name = fields.String()
    role = fields.String()
    unit = fields.String(allow_none=True)
    active = fields.Boolean()


class UserListSchema(Schema):
    items = fields.List(fields.Nested(UserSchema))
    total = fields.Integer()


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=USERNAME)
    name = fields.String(validate=validate.Length(max=64))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit = fields.String(allow_none=True, validate=validate.Length(max=64))
    password = fields.String(required=True, validate=validate.Length(min=10, max=128))


class UserUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(max=64))
    role = fields.String(validate=validate.OneOf(ROLES))
    unit = fields.String(allow_none=True, validate=validate.Length(max=64))
    active = fields.Boolean()
    password = fields.String(validate=validate.Length(min=10, max=128))


class UnitAdminSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    level = fields.String(allow_none=True)
    active = fields.Boolean()
    webhook_url = fields.String(allow_none=True)


class UnitAdminListSchema(Schema):
    items = fields.List(fields.Nested(UnitAdminSchema))
    total = fields.Integer()


class UnitUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=128))
    active = fields.Boolean()


class LockoutSchema(Schema):
    username = fields.String()
    client = fields.String()
    failures = fields.Integer()
    last_failure_at = fields.String(allow_none=True)
    locked_until = fields.String(allow_none=True)
    locked = fields.Boolean()


class LockoutListSchema(Schema):
    items = fields.List(fields.Nested(LockoutSchema))
    total = fields.Integer()


class LockoutQuerySchema(Schema):
    username = fields.String(validate=validate.Length(max=64))


class ClearedSchema(Schema):
    cleared = fields.Integer()


@bp.get("/api/v1/admin/users")
@documented("/api/v1/admin/users", "get", "用户列表", None, UserListSchema, tags=("admin",))
@login_required(Role.ADMIN)
def users():
    items = auth.list_users(rt(), g.actor)
    return jsonify({"items": items, "total": len(items)})


@bp.post("/api/v1/admin/users")
@documented("/api/v1/admin/users", "post", "新建用户", UserCreateSchema, UserSchema, 201,
            tags=("admin",))
@login_required(Role.ADMIN)
def create_user():
    data = load(UserCreateSchema(), json_body())
    return jsonify(auth.create_user(rt(), g.actor, data)), 201


@bp.patch("/api/v1/admin/users/<username>")
@documented("/api/v1/admin/users/{username}", "patch",
            "修改用户 (角色/单位/停用/重置密码; 改动后旧令牌立即失效)", UserUpdateSchema, UserSchema,
            tags=("admin",))
@login_required(Role.ADMIN)
def update_user(username):
    data = load(UserUpdateSchema(), json_body())
    return jsonify(auth.update_user(rt(), g.actor, username, data))


@bp.get("/api/v1/admin/units")
@documented("/api/v1/admin/units", "get", "单位列表 (含停用)", None, UnitAdminListSchema,
            tags=("admin",))
@login_required(Role.ADMIN)
def units():
    items = security.list_units_admin(rt())
    return jsonify({"items": items, "total": len(items)})


@bp.patch("/api/v1/admin/units/<code>")
@documented("/api/v1/admin/units/{code}", "patch", "修改单位名称或停用", UnitUpdateSchema,
            UnitAdminSchema, tags=("admin",))
@login_required(Role.ADMIN)
def update_unit(code):
    data = load(UnitUpdateSchema(), json_body())
    return jsonify(security.update_unit(rt(), code, data))


@bp.get("/api/v1/admin/lockouts")
@documented("/api/v1/admin/lockouts", "get", "登录锁定记录", None, LockoutListSchema,
            query=LockoutQuerySchema, tags=("admin",))
@login_required(Role.ADMIN)
def lockouts():
    q = load(LockoutQuerySchema(), request.args.to_dict())
    items = security.list_lockouts(rt(), q.get("username"))
    return jsonify({"items": items, "total": len(items)})


@bp.delete("/api/v1/admin/lockouts/<username>")
@documented("/api/v1/admin/lockouts/{username}", "delete", "解除某用户的登录锁定", None,
            ClearedSchema, tags=("admin",))
@login_required(Role.ADMIN)
def clear_lockouts(username):
    return jsonify({"cleared": security.clear_lockouts(rt(), username)})


@bp.get("/admin")
@page_for(Role.ADMIN)                   # issue 15: a refusal page for other roles
def admin_page():
    r = rt()
    return render_template("admin.html", roles=ROLES, units=list(r.city.units.values()))


def init_app(app) -> None:
    app.register_blueprint(bp)
