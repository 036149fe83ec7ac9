from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

RoleName = Literal["dreamer", "guide", "guardian", "archivist", "admin"]
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")


class SignUp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=8, max_length=256)
    display_name: str | None = Field(default=None, max_length=120)

    @field_validator("username")
    @classmethod
    def _username(cls, v: str) -> str:
        v = v.strip().lower()
        if not _USERNAME.match(v):
            raise ValueError("use 2 to 64 letters, digits, dots, dashes or underscores")
        return v


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    user: UserOut


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    alias: str
    role: str


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: RoleName


class AuditOut(BaseModel):
    seq: int
    at: datetime
    actor_id: str | None
    action: str
    subject: str | None
    detail: dict[str, Any]
    hash: str


TokenOut.model_rebuild()
