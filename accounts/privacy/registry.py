"""The privacy registry (issue 16): each app declares how its own rows about a student are exported,
erased and purged, from its `AppConfig.ready()`. Privacy walks the registry, so it imports no app
above it (content, teaching, flags register themselves; accounts and schools rows are declared in
`accounts.privacy.owners`, since schools sits below accounts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: the reason for a user foreign key that names the staff member who acted (not exported)
STAFF = "points at the staff member who acted, not at the data subject"


@dataclass(frozen=True)
class Section:
    """One kind of record about the student: `records/<key>.json/.csv` in the ZIP."""

    key: str  # file name
    title: str  # what the README calls it
    model: str  # app_label.Model
    subject: str  # the field that names the student (FK or M2M to the user)
    columns: dict[str, str]  # exported column → attribute path ("classroom.school.name")
    order_by: tuple[str, ...] = ("pk",)

    def related(self) -> list[str]:
        """select_related paths for the dotted columns (every step but the last is a relation)."""
        return sorted({"__".join(path.split(".")[:-1]) for path in self.columns.values() if "." in path})


@dataclass
class Erasure:
    """What an app erased for one student inside the erasure transaction."""

    rows: dict[str, int] = field(default_factory=dict)  # deleted rows by model label
    files: list[str] = field(default_factory=list)  # storage files to delete after commit
    kept: int = 0  # shared rows kept, dissociated (lessons other students received)


#: purge_by_age(queryset, date field, RETENTION_SCHEDULE key, district lookup or None, now) -> rows deleted
PurgeByAge = Callable[[Any, str, str, str | None, datetime], int]


@dataclass(frozen=True)
class DataOwner:
    """How one app's rows about a student are exported, erased and purged."""

    app_label: str
    #: export allow-list: one section per kind of record
    sections: tuple[Section, ...] = ()
    #: foreign keys to the user model deliberately not exported, with the reason
    not_exported: Mapping[str, str] = field(default_factory=dict)
    #: more files of the student's export folder: name → (README line, rows builder)
    files: Mapping[str, tuple[str, Callable[[Any], Any]]] = field(default_factory=dict)
    #: (path under the folder's media/, storage name) of the student's media, for exports with media
    media: Callable[[Any], list[tuple[str, str]]] | None = None
    #: delete the app's rows that would outlive the account (runs before the user row is deleted)
    erase: Callable[[Any], Erasure] | None = None
    #: the daily retention purge of the app's rows: {RetentionRun key: rows deleted}
    purge_daily: Callable[[datetime, PurgeByAge], dict[str, int]] | None = None


_OWNERS: dict[str, DataOwner] = {}


def register(owner: DataOwner) -> None:
    """Declare (or redeclare) an app's data; called from its AppConfig.ready()."""
    _OWNERS[owner.app_label] = owner


def owners() -> tuple[DataOwner, ...]:
    return tuple(_OWNERS.values())


def sections() -> tuple[Section, ...]:
    return tuple(section for owner in owners() for section in owner.sections)


def not_exported() -> dict[str, str]:
    return {key: reason for owner in owners() for key, reason in owner.not_exported.items()}
