"""The dry run's plan: every pending change, order by order, column by column, old -> new.

"Old" is what monday last confirmed: the payload (or quantity) of the newest SYNCED row of the
same order (line), read through the ``sync.PlannedChanges`` view. When there is none (never
synced, or purged by retention) the old value is unknown and the plan says so instead of
pretending it was empty. Subitems are grouped under their order, including the lines of a new
order that wait for their item to be created.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pusher import views
from pusher.queue import ENTITIES, json_value
from pusher.sql.connection import Database
from pusher.sync.entities import Items

NAME, GROUP = "(item name)", "(group)"


def build_plan(db: Database, limit: int | None = None, customer: str | None = None) -> dict[str, Any]:
    """Every PENDING change grouped by order (the first ``limit`` orders), with totals over all of them."""
    where, params = views.customer_filter(db, customer)
    rows = views.view_rows(db, "PlannedChanges", where=where, params=params, order_by="entity, delta_id")
    orders: dict[str, dict[str, Any]] = {}
    totals = {entity: Counter() for entity in ENTITIES}
    for row in rows:
        order = orders.setdefault(row["order_key"], {"order_key": row["order_key"], "customer": row["customer"],
                                                     "action": None, "changes": [], "subitems": []})
        totals[row["entity"]][row["action"].lower()] += 1
        if row["entity"] == Items.name:
            order.update(action=row["action"].lower(), last_synced_at=row["last_synced_at"],
                         changes=item_changes(row))
        else:
            order["subitems"].append(subitem_change(row))
    planned = list(orders.values())
    return {
        "orders_total": len(planned),
        "totals": {entity: dict(sorted(c.items())) for entity, c in totals.items()},
        "orders": planned if limit is None else planned[:limit],
    }


def item_changes(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Columns that change. A create lists every value it sets; an update with an unknown old
    payload lists every column without an ``old`` key (absent: not known, not empty)."""
    new = {**(json_value(row["payload"]) or {}), NAME: row["item_name"], GROUP: row["group_key"]}
    if row["action"] == "ARCHIVE":
        return []
    if row["action"] == "CREATE":
        return [{"column": c, "new": v} for c, v in new.items() if v is not None]
    if row["last_synced_at"] is None:
        return [{"column": c, "new": v} for c, v in new.items()]
    old = {**(json_value(row["last_payload"]) or {}), NAME: row["last_item_name"], GROUP: row["last_group_key"]}
    return [{"column": c, "old": old.get(c), "new": v} for c, v in new.items() if old.get(c) != v]


def subitem_change(row: dict[str, Any]) -> dict[str, Any]:
    change: dict[str, Any] = {"size": row["size"], "action": row["action"].lower(), "new_qty": row["qty"],
                              "waits_for_parent": bool(row["waits_for_parent"])}
    if row["last_synced_at"] is not None:
        change["old_qty"] = row["last_qty"]
    return change


# -- the readable table ---------------------------------------------------------------------------
def _value(change: dict[str, Any], key: str) -> str:
    if key not in change:
        return "?"
    value = change[key]
    return "(empty)" if value is None or value == "" else json.dumps(value, ensure_ascii=False).strip('"')


def _item_lines(order: dict[str, Any]) -> list[str]:
    if order["action"] == "create":
        return [f"{c['column']}: {_value(c, 'new')}" for c in order["changes"]]
    return [f"{c['column']}: {_value(c, 'old')} -> {_value(c, 'new')}" for c in order["changes"]]


def _subitem_line(s: dict[str, Any]) -> str:
    if s["action"] == "create":
        text = f"qty {_value(s, 'new_qty')}"
    elif s["action"] == "delete":
        text = f"qty {_value(s, 'old_qty')} -> (removed)"
    else:
        text = f"qty {_value(s, 'old_qty')} -> {_value(s, 'new_qty')}"
    return text + ("  (once its item exists)" if s["waits_for_parent"] else "")


def format_plan(plan: dict[str, Any]) -> str:
    """One block per order: the item's action and changed columns, then its subitems by size."""
    totals = "; ".join(f"{entity} " + ", ".join(f"{a} {n}" for a, n in counts.items())
                       for entity, counts in plan["totals"].items() if counts)
    shown = len(plan["orders"])
    lines = [f"plan: {plan['orders_total']} order(s) change" + (f" ({totals})" if totals else "")
             + (f", the first {shown} shown (--limit)" if shown < plan["orders_total"] else ""),
             "  (old -> new; old is what monday last confirmed, ? when unknown: never synced or purged)"]
    width = max([9, *(len(o["order_key"]) for o in plan["orders"]),
                 *(len(s["size"]) + 7 for o in plan["orders"] for s in o["subitems"])])
    for order in plan["orders"]:
        head = f"  {order['order_key'].ljust(width)}  {(order['action'] or '-').ljust(8)}"
        details = _item_lines(order) or [""]
        lines.append((head + details[0]).rstrip())
        lines += [" " * len(head) + d for d in details[1:]]
        lines += [f"  {('  size ' + s['size']).ljust(width)}  {s['action'].ljust(8)}{_subitem_line(s)}"
                  for s in order["subitems"]]
    return "\n".join(lines)
