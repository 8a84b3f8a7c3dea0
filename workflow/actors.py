"""Who does something: the user name, role and organisation written into history."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.lifecycle import SYSTEM


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    organisation: str

    @classmethod
    def of(cls, user) -> Actor:
        return cls(user.username, user.role, user.organisation)


SYSTEM_ACTOR = Actor("system", SYSTEM, "SYSTEM")
