"""Restore a backup into the database: merged table by table, never overwriting newer data.

The rules, per table (a row is always the restoring student's own):

- ``card_state`` (one row per card): the backup's row replaces the stored one only when its last
  review is later; otherwise the stored state is kept. The newer schedule wins.
- ``note`` (one per unit): the later ``updated_at`` wins, and the other text is kept as a
  revision of that note (``note_revision``), so no note text is lost either way.
- ``review_log``, ``quiz_attempt``, ``note_revision``, ``buddy_message`` (histories): merged by
  their natural key (card and time; question and time; unit, time and text; unit, role, time and
  text). A row already there is kept as it is; a missing one is added. Afterwards the student's
  ids in these tables follow time again, because Undo takes the highest review id and the
  scratchpad and the buddy list by id: an old review restored into a newer history must never
  become "the last rating".
- ``reading`` (a section marked read): added when missing; an existing mark is kept.
- ``study_settings`` (one row): the later ``updated_at`` wins, as for a note.
- any table added later: merged by its primary key (or, for an ``id`` table, by all its other
  columns); an existing row is kept.

Everything happens in one transaction after the whole file was validated (``backup.read_backup``):
a refused or failing restore changes nothing, and restoring the same file twice changes nothing
the second time. A backup's own ids are kept where they are free, so a restore into an empty
database reproduces the original rows exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from studyapp.auth import accounts
from studyapp.core.data.backup import NOTHING_CHANGED, Backup, BackupError
from studyapp.core.store import Store


@dataclass(frozen=True)
class Rule:
    """How one table merges: the columns naming a row, which newer row wins, what ids follow."""

    key: tuple[str, ...]
    newer: str | None = None  # a later value in the backup replaces the stored row; else it is kept
    order: str | None = None  # time column the student's ids are kept in order of


RULES = {
    "card_state": Rule(("card_key",), newer="last_reviewed_at"),
    "note": Rule(("unit_slug",), newer="updated_at"),
    "review_log": Rule(("card_key", "reviewed_at"), order="reviewed_at"),
    "quiz_attempt": Rule(("question_key", "answered_at"), order="answered_at"),
    "note_revision": Rule(("unit_slug", "saved_at", "text"), order="saved_at"),
    "buddy_message": Rule(("unit_slug", "role", "at", "text"), order="at"),
    "reading": Rule(("unit_slug", "section")),
    "study_settings": Rule((), newer="updated_at"),
}


@dataclass
class Change:
    """What a restore did to one table."""

    added: int = 0
    updated: int = 0  # the backup's row was newer and replaced ours
    kept: int = 0  # ours differs and was kept (newer here, or already there)


@dataclass
class RestoreReport:
    """What a restore changed, per table."""

    tables: dict[str, Change] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(c.added or c.updated for c in self.tables.values())

    def lines(self) -> list[str]:
        """One sentence per table that the restore touched or that kept newer rows."""
        out = []
        for table, c in self.tables.items():
            parts = [f"{c.added} added" if c.added else "", f"{c.updated} replaced by newer rows" if c.updated
                     else "", f"{c.kept} kept (newer or different here)" if c.kept else ""]
            if any(parts):
                out.append(f"{table}: " + ", ".join(p for p in parts if p))
        return out or ["Nothing changed: everything in the backup is already here."]


def restore_backup(store: Store, backup: Backup) -> RestoreReport:
    """Merge a validated backup into its student's rows by the rules above.

    Raises:
        BackupError: the student has no account in this database.
        StoreError: the database could not be written; nothing of the restore was kept.
    """
    if accounts.get_account(store, backup.user_id) is None:
        raise BackupError(f"There is no account '{backup.user_id}' in this database; create it first "
                          f"(studyapp users add). {NOTHING_CHANGED}")
    report = RestoreReport()
    # Notes last: their losing texts become revisions, after the backup's own revisions are merged.
    tables = sorted(backup.tables, key=lambda t: t == "note")
    with store.writing("restore your backup into") as db:
        for table in tables:
            report.tables[table] = _merge(db, table, backup.tables[table], backup.user_id)
    return report


def rule_for(db, table: str) -> Rule:
    """The table's merge rule: its own, or one derived from its primary key for a newer table."""
    if table in RULES:
        return RULES[table]
    pks, columns = db[table].pks, list(db[table].columns_dict)
    if pks in (["id"], ["rowid"]):
        return Rule(tuple(c for c in columns if c not in ("id", "rowid", "user_id")))
    return Rule(tuple(c for c in pks if c != "user_id"))


def _merge(db, table: str, rows: list[dict], user_id: str) -> Change:
    rule, change = rule_for(db, table), Change()
    stored = {_key(rule, r): r for r in db.query(f"select * from [{table}] where user_id = ?", (user_id,))}
    for row in rows:
        mine = stored.get(_key(rule, row))
        if mine is None:
            stored[_key(rule, row)] = _insert(db, table, row)
            change.added += 1
        elif rule.newer and _when(row.get(rule.newer)) > _when(mine.get(rule.newer)):
            _replace(db, table, mine, row, user_id)
            change.updated += 1
        elif any(mine.get(c) != v for c, v in row.items() if c != "id"):
            _keep_losing_note(db, table, row, mine)
            change.kept += 1
    if rule.order and change.added:
        _ids_follow_time(db, table, user_id, rule.order)
    return change


def _key(rule: Rule, row: dict) -> tuple:
    return tuple(row.get(c) for c in rule.key)


def _when(value) -> datetime:
    """A stored time (UTC ISO-8601) for comparing; a missing or unreadable one is the earliest."""
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _insert(db, table: str, row: dict) -> dict:
    row = dict(row)
    if "id" in row and list(db.query(f"select 1 from [{table}] where id = ?", (row["id"],))):
        row.pop("id")  # taken by another row: a new id (and _ids_follow_time puts it in its place)
    db[table].insert(row)
    return row


def _replace(db, table: str, mine: dict, row: dict, user_id: str) -> None:
    pks = db[table].pks
    db[table].update(tuple(mine[c] for c in pks), {c: v for c, v in row.items() if c not in pks})
    if table == "note":
        _revision(db, user_id, mine)


def _keep_losing_note(db, table: str, row: dict, mine: dict) -> None:
    if table == "note":
        _revision(db, row["user_id"], row)


def _revision(db, user_id: str, note: dict) -> None:
    """Keep a note's text as a revision unless that save is already one."""
    text, saved_at = note.get("text") or "", note.get("updated_at") or ""
    found = list(db.query("select 1 from note_revision where user_id = ? and unit_slug = ? and text = ? "
                          "and saved_at = ?", (user_id, note["unit_slug"], text, saved_at)))
    if not found:
        db["note_revision"].insert({"user_id": user_id, "unit_slug": note["unit_slug"], "text": text,
                                    "saved_at": saved_at})
        _ids_follow_time(db, "note_revision", user_id, "saved_at")


def _ids_follow_time(db, table: str, user_id: str, column: str) -> None:
    """Renumber the student's rows (within the ids they hold) so that ids increase with ``column``."""
    rows = list(db.query(f"select id, [{column}] as t from [{table}] where user_id = ?", (user_id,)))
    wanted = sorted(rows, key=lambda r: (_when(r["t"]), r["id"]))
    ids = sorted(r["id"] for r in rows)
    if [r["id"] for r in wanted] == ids:
        return
    db.execute(f"update [{table}] set id = -id where user_id = ?", (user_id,))  # out of the way first
    for row, new_id in zip(wanted, ids):
        db.execute(f"update [{table}] set id = ? where id = ?", (new_id, -row["id"]))
