"""Item ordering and bulk jobs: change_item_position, bulk_archive_items / bulk_delete_items, job_status.

monday runs bulk archive/delete as asynchronous jobs polled with ``job_status``; the emulator runs the
job at once, so the first poll answers COMPLETED with the counts (items that are not live items of the
board count as failed, their ids in ``result.details.failed_item_ids``). An item's place is its index
in the board's item list, which every listing follows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from pusher.emulator import errors
from pusher.emulator.errors import ApiError
from pusher.emulator.state import BoardStore

_job_ids = itertools.count(1)


def change_item_position(store: BoardStore, item_id: Any, group_id: str | None = None, group_top: bool | None = None,
                         relative_to: Any = None, method: str | None = None):
    """Put an item at the top / bottom of a group (``group_id``, ``group_top``) or before / after another
    item (``relative_to``, ``position_relative_method``, default before); the two ways are exclusive."""
    if (group_id is None) == (relative_to is None):
        raise ApiError(errors.INVALID_ARGUMENT, "Give either group_id or relative_to", {"item_id": str(item_id)})
    if group_top is not None and group_id is None:
        raise ApiError(errors.INVALID_ARGUMENT, "group_top needs group_id", {"item_id": str(item_id)})
    with store.lock:
        item = store.live_item(item_id)
        board = store.board(item.board_id)
        order = [i for i in board.item_ids if i != item.id]
        if group_id is not None:
            item.group_id = store.move_item(item.id, group_id).group_id
            members = [n for n, i in enumerate(order) if store.items[i].group_id == item.group_id]
            at = (members[0] if group_top else members[-1] + 1) if members else len(order)
        else:
            anchor = store.live_item(relative_to)
            if anchor.board_id != board.id or anchor.id == item.id:
                raise ApiError(errors.INVALID_ITEM_ID, "relative_to must be another item of the same board",
                               {"relative_to": str(relative_to)})
            item.group_id = anchor.group_id
            at = order.index(anchor.id) + (1 if method == "after_at" else 0)
        order.insert(at, item.id)
        board.item_ids[:] = order
        return item


def bulk_change(store: BoardStore, board_id: Any, item_ids: list[Any], state: str) -> dict[str, Any]:
    """Archive or delete the given items of one board as a job that is already COMPLETED."""
    done, failed = [], []
    with store.lock:
        board = store.board(board_id)
        for raw in item_ids:
            item = store.items.get(str(raw))
            if item is None or item.board_id != board.id or item.state != "active":
                failed.append(str(raw))
                continue
            store.set_state(item.id, state)
            done.append(item.id)
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        job = {"id": str(next(_job_ids)), "status": "COMPLETED", "created_at": stamp, "updated_at": stamp,
               "error": None, "result": {"total": len(item_ids), "succeeded": len(done), "failed": len(failed),
                                         "details": {"failed_item_ids": failed}}}
        store.jobs[job["id"]] = job
        return {"job_id": job["id"]}


def job_status(store: BoardStore, job_id: Any) -> dict[str, Any]:
    with store.lock:
        job = store.jobs.get(str(job_id))
    if job is None:
        raise ApiError(errors.INVALID_ARGUMENT, "Job not found", {"job_id": str(job_id)})
    return job
