"""Compare the boards with the database's current copy and list every difference (`ordersync reconcile`).

Both boards are read page by page (`items_page`, then `next_items_page` by cursor, 500 items a page;
each read waits for the complexity budget like every request of the pusher) and compared with
ORDER_LIST_V2 / ORDER_LIST_LINES by key (the item and line key columns) and by the stored monday ids:

* ``missing_item`` / ``missing_subitem``: in the database, but no live item holds its key;
* ``duplicate_item`` / ``duplicate_subitem``: a live item with our key besides the one we use (a
  hand-made copy), or a key the database does not know;
* ``value_differs``: the name or a mapped column whose text on the board is not the database's;
* ``wrong_group``: an item outside its order's group; ``wrong_parent``: a subitem under another item.

The comparison is text to text: the database value is formatted exactly as the pusher would send it
(``pusher.sync.values``) and rendered as monday shows it. Only active items are read (archived and
deleted ones are not on the board for people).

``queue_repairs`` (``--execute``) never writes to monday: it has the QueueRepairs procedure mark the
orders to push again (missing, edited by hand, in the wrong group) and the subitems to create again
(missing under a present item), then runs the pipeline, which queues them as ordinary UPDATE and
CREATE rows for ``ordersync sync`` to apply with the usual guarantees (look-up before create, keys,
leases). Duplicates and subitems under the wrong parent are reported only: removing something on
the board that a person may have made is theirs to decide (delete it, then reconcile again).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from pusher import queue
from pusher.config import Config
from pusher.pipeline import run_pipeline
from pusher.sql.connection import Database
from pusher.sync.board import Board
from pusher.sync.client import MondayClient
from pusher.sync.column_types import shown_text
from pusher.sync.entities import Entity, Items, entities_for
from pusher.sync.mutations import document_text
from pusher.sync.values import FormatError, build_values

PAGE = 500  # items_page / next_items_page return at most 500 items a page
KINDS = ("missing_item", "duplicate_item", "value_differs", "wrong_group",
         "missing_subitem", "duplicate_subitem", "wrong_parent")


@dataclass
class Difference:
    kind: str
    entity: str  # item | subitem
    key: str
    monday_id: str | None = None
    column: str | None = None
    board: str | None = None
    database: str | None = None
    detail: str = ""


@dataclass
class ReconcileReport:
    differences: list[Difference] = field(default_factory=list)
    orders: int = 0
    lines: int = 0
    items_read: int = 0
    subitems_read: int = 0

    def add(self, kind: str, entity: str, key: str, **details: Any) -> None:
        self.differences.append(Difference(kind, entity, key, **details))

    def counts(self) -> dict[str, int]:
        found = Counter(d.kind for d in self.differences)
        return {kind: found.get(kind, 0) for kind in KINDS}

    def repairs(self) -> tuple[list[str], list[tuple[str, str]]]:
        """(orders to push again, (order, size) lines to create again): what --execute queues.

        A line of an order that is itself re-pushed is left out: a re-created item brings all its
        lines (MarkItemsSynced), and a present one gets only its missing subitems.
        """
        orders = sorted({d.key for d in self.differences if d.entity == Items.name and d.kind != "duplicate_item"})
        missing = {d.key for d in self.differences if d.kind == "missing_item"}
        lines = sorted({tuple(d.key.rsplit("|", 1)) for d in self.differences if d.kind == "missing_subitem"})
        return orders, [(o, s) for o, s in lines if o not in missing]

    def as_dict(self) -> dict[str, Any]:
        return {"orders": self.orders, "lines": self.lines, "items_read": self.items_read,
                "subitems_read": self.subitems_read, "counts": self.counts(),
                "differences": [asdict(d) for d in self.differences]}


def queue_repairs(db: Database, report: ReconcileReport) -> dict[str, Any]:
    """Mark the repairs (QueueRepairs), then run the pipeline so they are queued; counts of both."""
    marked = queue.mark_repairs(db, *report.repairs())
    queued = {f"{e}:{a}": n for (e, a), n in run_pipeline(db).counts.items()}
    return {"orders_marked": marked["orders"], "lines_marked": marked["lines"], "queued": queued}


def read_items(client: MondayClient, board_id: str) -> list[dict[str, Any]]:
    """Every active item of a board, page by page, each read paced on the complexity budget."""
    reply = _paced_read(client, "reconcile_page", {"board_ids": [board_id], "limit": PAGE})
    page = ((reply.data.get("boards") or [{}])[0] or {}).get("items_page") or {}
    items: list[dict[str, Any]] = []
    while True:
        items += page.get("items") or []
        if not page.get("cursor"):
            return items
        reply = _paced_read(client, "reconcile_next", {"cursor": page["cursor"], "limit": PAGE})
        page = reply.data.get("next_items_page") or {}


def _paced_read(client: MondayClient, name: str, variables: dict[str, Any]):
    estimate = client.pacer.estimate(name)
    client.pacer.fits([estimate])  # waits for the window's reset when the budget is spent
    return client.request(document_text(name), variables, estimate=estimate)


def _text(item: dict[str, Any], column_id: str) -> str:
    return next((c.get("text") or "" for c in item.get("column_values") or [] if c.get("id") == column_id), "")


def _by_key(items: list[dict[str, Any]], column_id: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        key = _text(item, column_id)
        if key:
            out[key].append(item)
    return out


def _pick(candidates: list[dict[str, Any]], *preferred: str | None) -> dict[str, Any] | None:
    """The item we use for a key: the one with a preferred id, else the oldest (as the pusher adopts)."""
    for wanted in preferred:
        found = next((i for i in candidates if wanted is not None and i["id"] == wanted), None)
        if found is not None:
            return found
    return min(candidates, key=lambda i: int(i["id"])) if candidates else None


class Reconciler:
    """One comparison of the database with one pair of boards."""

    def __init__(self, config: Config, db: Database, client: MondayClient, items_board: Board,
                 subitems_board: Board | None, customer: str | None = None):
        self.config, self.db, self.client = config, db, client
        self.customer = customer
        self.items, *subitems = entities_for(config, items_board, subitems_board)
        self.subitems: Entity | None = subitems[0] if subitems else None
        self.report = ReconcileReport()

    def run(self) -> ReconcileReport:
        orders = self.orders()
        items = read_items(self.client, self.items.board.id)
        self.report.orders, self.report.items_read = len(orders), len(items)
        matched = self.compare_items(self.items, orders, items)
        if self.subitems is not None:
            lines = self.lines(set(orders))
            subitems = read_items(self.client, self.subitems.board.id)
            self.report.lines, self.report.subitems_read = len(lines), len(subitems)
            self.compare_subitems(self.subitems, lines, subitems, matched)
        return self.report

    # -- the database ---------------------------------------------------------------------------
    def orders(self) -> dict[str, dict[str, Any]]:
        d, cfg = self.db.dialect, self.config
        columns = list(dict.fromkeys([cfg.customer_column, *cfg.monday.item_columns]))
        sql = ("SELECT o.order_key, o.item_name, o.group_key, o.monday_item_id, g.group_title, g.monday_group_id, "
               + ", ".join(f"o.{d.quote(c)}" for c in columns)
               + f" FROM {d.qualified(cfg.environment.data_schema, cfg.tables.orders)} AS o"
               + f" LEFT JOIN {d.qualified(cfg.environment.data_schema, cfg.tables.groups)} AS g"
               + f" ON g.group_key = o.group_key WHERE o.is_removed = {d.placeholder}")
        params: list[Any] = [False]
        if self.customer is not None:
            sql += f" AND o.{d.quote(cfg.customer_column)} = {d.placeholder}"
            params.append(self.customer)
        return {r["order_key"]: r for r in self.db.fetch(sql, params)}

    def lines(self, order_keys: set[str]) -> list[dict[str, Any]]:
        d, cfg = self.db.dialect, self.config
        sql = (f"SELECT order_key, size, qty, monday_subitem_id "
               f"FROM {d.qualified(cfg.environment.data_schema, cfg.tables.lines)}")
        return [r for r in self.db.fetch(sql) if r["order_key"] in order_keys]

    # -- the comparison -------------------------------------------------------------------------
    def compare_items(self, entity: Entity, orders: dict[str, dict[str, Any]],
                      items: list[dict[str, Any]]) -> dict[str, str]:
        """Report item differences; return order key -> the board item id its subitems belong under."""
        by_key = _by_key(items, entity.key_column)
        matched: dict[str, str] = {}
        for key, order in orders.items():
            stored = str(order["monday_item_id"]) if order["monday_item_id"] else None
            candidates = by_key.get(key, [])
            item = _pick(candidates, stored)
            if item is None:
                self.report.add("missing_item", entity.name, key, monday_id=stored)
                continue
            matched[key] = item["id"]
            for extra in candidates:
                if extra is not item:
                    self.report.add("duplicate_item", entity.name, key, monday_id=extra["id"],
                                    detail=f"a second live item with this key besides {item['id']}")
            self.compare_values(entity, key, item, order["item_name"], order)
            group = order["monday_group_id"] or entity.board.groups.get(order["group_title"] or order["group_key"])
            where = (item.get("group") or {}).get("id")
            if group and where != group:
                self.report.add("wrong_group", entity.name, key, monday_id=item["id"], board=where, database=group)
        customer_column = entity.columns().get(self.config.customer_column)
        for key, extras in by_key.items():
            if key in orders or (self.customer is not None and (
                    customer_column is None or _text(extras[0], customer_column) != self.customer)):
                continue
            for extra in extras:
                self.report.add("duplicate_item", entity.name, key, monday_id=extra["id"],
                                detail="the database has no live order with this key")
        return matched

    def compare_subitems(self, entity: Entity, lines: list[dict[str, Any]], subitems: list[dict[str, Any]],
                         parents: dict[str, str]) -> None:
        by_key = _by_key(subitems, entity.key_column)
        known = set()
        for line in lines:
            key = f"{line['order_key']}|{line['size']}"
            known.add(key)
            stored = str(line["monday_subitem_id"]) if line["monday_subitem_id"] else None
            parent = parents.get(line["order_key"])
            candidates = by_key.get(key, [])
            under_parent = [s for s in candidates if (s.get("parent_item") or {}).get("id") == parent]
            subitem = _pick(under_parent, stored) or _pick(candidates, stored)
            if subitem is None:
                self.report.add("missing_subitem", entity.name, key, monday_id=stored)
                continue
            where = (subitem.get("parent_item") or {}).get("id")
            if parent is not None and where != parent:
                self.report.add("wrong_parent", entity.name, key, monday_id=subitem["id"], board=where, database=parent)
            for extra in candidates:
                if extra is not subitem:
                    self.report.add("duplicate_subitem", entity.name, key, monday_id=extra["id"],
                                    detail=f"a second live subitem with this key besides {subitem['id']}")
            self.compare_values(entity, key, subitem, line["size"], {"size": line["size"], "qty": line["qty"]})
        orders = {line["order_key"] for line in lines}
        for key, extras in by_key.items():
            if key in known or (self.customer is not None and key.rsplit("|", 1)[0] not in orders):
                continue
            for extra in extras:
                self.report.add("duplicate_subitem", entity.name, key, monday_id=extra["id"],
                                detail="the database has no line with this key")

    def compare_values(self, entity: Entity, key: str, item: dict[str, Any], name: Any,
                       source: dict[str, Any]) -> None:
        board = entity.board
        if str(name or "") != (item.get("name") or ""):
            self.report.add("value_differs", entity.name, key, monday_id=item["id"], column="name",
                            board=item.get("name"), database=str(name or ""))
        try:
            values = build_values(self.config, board, entity.columns(), source, f"{entity.name} {key}",
                                  creating=False)
        except FormatError as exc:
            self.report.add("value_differs", entity.name, key, monday_id=item["id"], detail=exc.message)
            return
        for column_id, formatted in values.column_values.items():
            wanted = shown_text(board.columns[column_id].type, formatted)
            shown = _text(item, column_id)
            if shown != wanted:
                self.report.add("value_differs", entity.name, key, monday_id=item["id"], column=column_id,
                                board=shown, database=wanted)
