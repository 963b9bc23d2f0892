"""Reading and writing tree hashes in the database, fast.

Proofs read their O(log n) hashes in one query (:class:`DbHashReader`).  Appends insert
entries and completed nodes with ``executemany`` on SQLite and ``COPY`` on PostgreSQL: the
ORM's per-object overhead alone would cap appends far below 20,000 entries a second.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import connection

from smartseoul.ledger.merkle import NodeKey
from smartseoul.ledger.models import Entry, Node, node_key

ENTRY_TABLE = Entry._meta.db_table
NODE_TABLE = Node._meta.db_table
# Table names are constants and every value a parameter.
INSERT_ENTRY = (
    f'INSERT INTO {ENTRY_TABLE} (log_id, "index", data, leaf_hash, created_at) '  # noqa: S608
    "VALUES (%s, %s, %s, %s, %s)"
)
INSERT_NODE = f'INSERT INTO {NODE_TABLE} (log_id, "key", hash) VALUES (%s, %s, %s)'  # noqa: S608


class MissingNodeError(LookupError):
    """A hash the tree should have is not stored (a damaged database)."""


class DbHashReader:
    """merkle.HashReader over one log's Entry (level 0) and Node (levels ≥ 1) rows."""

    def __init__(self, log_id: int) -> None:
        self.log_id = log_id

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        leaves = sorted({index for level, index in keys if level == 0})
        inner = sorted({node_key(level, index) for level, index in keys if level > 0})
        parts, params = [], []
        if inner:
            parts.append(
                # Table names are constants and every value a parameter.
                f'SELECT 1, "key", hash FROM {NODE_TABLE} WHERE log_id = %s AND "key" IN '  # noqa: S608
                f"({', '.join(['%s'] * len(inner))})"
            )
            params += [self.log_id, *inner]
        if leaves:
            parts.append(
                f'SELECT 0, "index", leaf_hash FROM {ENTRY_TABLE} WHERE log_id = %s AND "index" IN '  # noqa: S608
                f"({', '.join(['%s'] * len(leaves))})"
            )
            params += [self.log_id, *leaves]
        found: dict[tuple[int, int], bytes] = {}
        if parts:
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(parts), params)
                for is_node, key, value in cursor.fetchall():
                    found[(is_node, key)] = bytes(value)
        try:
            return [
                found[(1, node_key(level, index))] if level else found[(0, index)]
                for level, index in keys
            ]
        except KeyError as exc:
            raise MissingNodeError(f"log {self.log_id} is missing tree node {exc}") from None


def insert_rows(
    *,
    log_id: int,
    first_index: int,
    data: Sequence[bytes],
    leaves: Sequence[bytes],
    nodes: Sequence[tuple[int, bytes]],
    created_at: datetime.datetime,
) -> None:
    """Insert entries ``first_index …`` and completed nodes ``(key, hash)``, inside the
    caller's transaction."""
    if connection.vendor == "postgresql":
        # COPY in text format, rows formatted here: ~10x faster than INSERT and ~3x faster
        # than psycopg's per-value write_row.  Only integers and hex bytea are written, so
        # nothing needs escaping.
        raw = connection.cursor().cursor
        copy_stamp = created_at.isoformat()
        with raw.copy(
            f'COPY {ENTRY_TABLE} (log_id, "index", data, leaf_hash, created_at) FROM STDIN'
        ) as copy:
            copy.write(
                "".join(
                    f"{log_id}\t{first_index + offset}\t\\\\x{entry.hex()}"
                    f"\t\\\\x{leaf.hex()}\t{copy_stamp}\n"
                    for offset, (entry, leaf) in enumerate(zip(data, leaves, strict=True))
                )
            )
        if nodes:
            with raw.copy(f'COPY {NODE_TABLE} (log_id, "key", hash) FROM STDIN') as copy:
                copy.write(
                    "".join(f"{log_id}\t{key}\t\\\\x{value.hex()}\n" for key, value in nodes)
                )
        return
    with connection.cursor() as cursor:
        stamp = connection.ops.adapt_datetimefield_value(created_at)
        cursor.executemany(
            INSERT_ENTRY,
            [
                (log_id, first_index + offset, entry, leaf, stamp)
                for offset, (entry, leaf) in enumerate(zip(data, leaves, strict=True))
            ],
        )
        if nodes:
            cursor.executemany(
                INSERT_NODE,
                [(log_id, key, value) for key, value in nodes],
            )
