"""Realistic demo data, loaded once into an empty database by `flask demo`."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from . import accounts
from .db import db, utcnow
from .models import Membership, Organization, User
from .registry import registry

DEMO_PASSWORD = "canyu-demo"  # noqa: S105 - published demo accounts

AGENCIES = {
    "office": ("山东省人民政府办公厅", "General Office of the Shandong Provincial Government"),
    "environment": ("山东省生态环境厅", "Shandong Department of Ecology and Environment"),
    "transport": ("山东省交通运输厅", "Shandong Department of Transport"),
    "housing": ("山东省住房和城乡建设厅", "Shandong Dept. of Housing and Urban-Rural Development"),
    "jinan": ("济南市人民政府", "Jinan Municipal People's Government"),
}

ACCOUNTS = {
    # key: (email, display name, role, agency)
    "resident": ("resident@example.cn", "王小明", "resident", None),
    "organizer": ("organizer@example.cn", "李静（起草）", "organizer", "environment"),
    "approver": ("approver@example.cn", "赵刚（审核）", "organizer", "environment"),
    "organizer_transport": ("transport@example.cn", "孙伟", "organizer", "transport"),
    "approver_transport": ("transport.review@example.cn", "周审核", "organizer", "transport"),
    "moderator": ("moderator@example.cn", "陈主持", "moderator", "office"),
    "admin": ("admin@example.cn", "系统管理员", "admin", None),
}

RESIDENT_NAMES = [
    "张伟",
    "王芳",
    "刘洋",
    "陈静",
    "杨帆",
    "黄磊",
    "周敏",
    "吴昊",
    "徐丽",
    "孙强",
    "马琳",
    "朱军",
    "胡婷",
    "郭峰",
    "何雪",
    "高翔",
    "林娜",
    "罗斌",
    "郑洁",
    "梁宇",
]


def is_loaded() -> bool:
    return db.session.scalar(sa.select(sa.func.count(Organization.id))) > 0


def _user(email: str, name: str, *, admin: bool = False) -> User:
    user = User(
        email=email,
        display_name=name,
        is_admin=admin,
        password_hash=accounts.hash_password(DEMO_PASSWORD),
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    return user


def load() -> bool:
    """Returns False when the database already holds data (loaded once, never twice)."""
    if is_loaded():
        return False
    orgs = {}
    for key, (name, name_en) in AGENCIES.items():
        orgs[key] = Organization(
            name=name, name_en=name_en, level="city" if key == "jinan" else "province"
        )
        db.session.add(orgs[key])
    users: dict[str, object] = {}
    for key, (email, name, role, agency) in ACCOUNTS.items():
        user = _user(email, name, admin=role == "admin")
        if agency:
            db.session.add(Membership(user=user, organization=orgs[agency]))
        users[key] = user
    users["residents"] = [
        _user(f"resident{i + 1}@example.cn", name) for i, name in enumerate(RESIDENT_NAMES)
    ]
    db.session.flush()
    for loader in registry(current_app).demo_loaders:
        loader(orgs, users)
    db.session.commit()
    return True


def describe_accounts() -> str:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    for email, name, role, agency in ACCOUNTS.values():
        where = f" @ {AGENCIES[agency][0]}" if agency else ""
        lines.append(f"  {role:<10} {email:<26} {name}{where}")
    return "\n".join(lines)
