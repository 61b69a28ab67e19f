"""Users, passwords and bearer tokens."""
from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from hotline.adapters.orm import UserRow
from hotline.dispatch.model import Actor, DomainError
from hotline.dispatch.workflow import Role
from .runtime import Runtime

TOKEN_MAX_AGE = 12 * 3600   # one shift


class AuthError(DomainError):
    http_status = 401


def hash_password(pw: str) -> str:
    # werkzeug's default: scrypt (a standard memory-hard KDF)
    return generate_password_hash(pw)


def _serializer(rt: Runtime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(rt.settings.secret_key, salt="hotline-api-token")


def login(rt: Runtime, username: str, password: str) -> dict:
    with rt.uow() as uow:
        user = uow.session.execute(select(UserRow).where(UserRow.username == username)
                                   ).scalar_one_or_none()
        if user is None or not user.active or not check_password_hash(user.password_hash,
                                                                         password):
            raise AuthError("用户名或密码错误")
        token = _serializer(rt).dumps({"u": user.id, "v": user.token_version})
        return {"token": token, "role": user.role, "unit": user.unit,
                "username": user.username, "name": user.name}


def actor_from_token(rt: Runtime, token: str) -> Actor:
    try:
        data = _serializer(rt).loads(token, max_age=TOKEN_MAX_AGE)
    except SignatureExpired as exc:
        raise AuthError("登录已过期, 请重新登录") from exc
    except BadSignature as exc:
        raise AuthError("无效的令牌") from exc
    return actor_for_user_id(rt, data.get("u"), data.get("v"))


def actor_for_user_id(rt: Runtime, user_id, version=None) -> Actor:
    with rt.uow() as uow:
        user = uow.session.get(UserRow, user_id)
        if user is None or not user.active or (version is not None
                                               and user.token_version != version):
            raise AuthError("无效的令牌")
        return Actor(user.username, user.role, user.unit)


def add_user(rt: Runtime, username: str, password: str, role: str, unit: str | None = None,
             name: str = "") -> None:
    Role(role)
    if role == Role.DEPARTMENT and not unit:
        raise DomainError("department users need a unit")
    with rt.uow() as uow:
        uow.session.add(UserRow(username=username, name=name or username, role=role, unit=unit,
                                password_hash=hash_password(password)))
        uow.commit()
