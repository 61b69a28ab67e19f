"""Issue 15 (the staff workspace): the order page's extra facts and the agent's shift list.
Thin controllers over hotline/workorders/workspace.py."""
from __future__ import annotations

from flask import Blueprint, g, jsonify

from hotline.web.api import documented, login_required, rt
from hotline.workorders import workspace
from hotline.workorders.domain.workflow import Role

bp = Blueprint("workspace_api", __name__, url_prefix="/api/v1")


@bp.get("/orders/<int:order_id>/workspace")
@documented("/api/v1/orders/{order_id}/workspace", "get",
            "工单页面: 登记话务员、本单位经办人、回访结果、同一来电人的其他工单", tags=("workspace",))
@login_required()
def order_workspace(order_id: int):
    return jsonify(workspace.order_workspace(rt(), g.actor, order_id))


@bp.get("/intake/shift")
@documented("/api/v1/intake/shift", "get", "本班次已登记: 当前用户今天登记的工单",
            tags=("workspace",))
@login_required(Role.AGENT, Role.DISPATCHER, Role.ADMIN)
def shift():
    return jsonify(workspace.shift_orders(rt(), g.actor))


def init_app(app) -> None:
    app.register_blueprint(bp)
