"""转其他平台 API (issue 17, Build 8): the open transfers. The transfer itself, the receiver's
answer and the closing are workflow actions (POST /api/v1/orders/{id}/transfer_platform, ...)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from marshmallow import fields

from hotline.web.api import documented, login_required, rt
from hotline.web.schemas import Schema
from hotline.workorders.domain.workflow import Role

from . import service

bp = Blueprint("transfers", __name__)


class TransferListSchema(Schema):
    items = fields.List(fields.Dict())
    total = fields.Integer()


@bp.get("/api/v1/transfers")
@documented("/api/v1/transfers", "get", "已转其他平台、等待对方答复的工单 (最早转出的在前)",
            None, TransferListSchema)
@login_required(Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
def open_transfers():
    return jsonify(service.open_transfers(rt()))


def init_app(app) -> None:
    app.register_blueprint(bp)
