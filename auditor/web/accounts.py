"""Local accounts of the workbench (``auditor serve``): users, roles and argon2 password hashes.

Roles, each including the rights of the one before: ``viewer`` (read runs and findings),
``auditor`` (triage, request explanations, record answers, propose decisions), ``approver``
(approve another person's decision), ``admin`` (manage accounts). A password is stored only as
its argon2id hash (argon2-cffi's defaults); a disabled account cannot sign in and its sessions
end at their next request.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from auditor.errors import UsageError

__all__ = ["ROLES", "AccountError", "User", "add_user", "authenticate", "disable_user", "ensure_tables", "get_user",
           "list_users", "may", "reset_password"]

#: the roles, least to most rights
ROLES: tuple[str, ...] = ("viewer", "auditor", "approver", "admin")
#: shortest password accepted
MIN_PASSWORD = 12
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


class AccountError(UsageError):
    """A user name, role or password that cannot be used (exit 2 at the command line)."""


class User(SQLModel, table=True):
    __tablename__ = "web_users"
    username: str = Field(primary_key=True, max_length=40)
    role: str = Field(max_length=10)
    password_hash: str
    disabled: bool = False
    created_at: datetime
    #: bumped by a password reset or a disable: sessions issued before end
    session_epoch: int = 0
    display_name: Optional[str] = None  # noqa: UP045


def ensure_tables(engine: Engine) -> None:
    """Create the workbench's tables if they are missing (nothing else is touched)."""
    SQLModel.metadata.create_all(engine, tables=[User.__table__])


def may(role: str | None, needed: str) -> bool:
    """True when ``role`` has at least the rights of ``needed``."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def _hasher():  # noqa: ANN202
    from argon2 import PasswordHasher

    return PasswordHasher()


def _check(username: str, role: str | None, password: str | None) -> None:
    if not _NAME.match(username or ""):
        raise AccountError(f"user name {username!r} is not valid",
                           hint="2-40 characters: lower-case letters, digits, '.', '_' or '-', starting with a "
                                "letter or digit")
    if role is not None and role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


def add_user(engine: Engine, username: str, role: str, password: str, display_name: str | None = None) -> User:
    _check(username, role, password)
    ensure_tables(engine)
    user = User(username=username, role=role, password_hash=_hasher().hash(password), disabled=False,
                created_at=datetime.now(UTC), display_name=display_name)
    with engine.begin() as conn:
        if conn.execute(sa.select(User.username).where(User.username == username)).first():
            raise AccountError(f"user {username!r} exists already", hint="use `auditor users reset` or another name")
        conn.execute(sa.insert(User).values(**user.model_dump()))
    return user


def get_user(engine: Engine, username: str) -> User | None:
    ensure_tables(engine)
    with engine.connect() as conn:
        row = conn.execute(sa.select(User.__table__).where(User.username == username)).mappings().first()
    return User(**row) if row else None


def list_users(engine: Engine) -> list[User]:
    ensure_tables(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(User.__table__).order_by(User.username)).mappings().all()
    return [User(**r) for r in rows]


def _update(engine: Engine, username: str, **values: object) -> None:
    ensure_tables(engine)
    with engine.begin() as conn:
        done = conn.execute(sa.update(User).where(User.username == username)
                            .values(session_epoch=User.session_epoch + 1, **values))
        if done.rowcount != 1:
            raise AccountError(f"no user {username!r}", hint="`auditor users list` shows the accounts")


def disable_user(engine: Engine, username: str) -> None:
    _update(engine, username, disabled=True)


def reset_password(engine: Engine, username: str, password: str, enable: bool = True) -> None:
    _check(username, None, password)
    values: dict[str, object] = {"password_hash": _hasher().hash(password)}
    if enable:
        values["disabled"] = False
    _update(engine, username, **values)


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The user when ``password`` is theirs and the account is enabled, else None (the same time
    is spent on an unknown name: a hash is verified either way)."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    user = get_user(engine, username) if _NAME.match(username or "") else None
    hasher = _hasher()
    target = user.password_hash if user else _DUMMY.get("hash") or _DUMMY.setdefault("hash", hasher.hash("x" * 16))
    try:
        hasher.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    return user


_DUMMY: dict[str, str] = {}
