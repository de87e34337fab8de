"""claim -> push -> mark: the pusher's one loop, for items first and then subitems.

What differs between the two (board, key column, id field, removal policy, the mutation a row
becomes, groups and the board's item limit) is asked of the entity object (``sync/entities.py``).

Per claimed batch: look up keys on the board when an earlier attempt may have reached monday
(adopt, never duplicate), make sure every group exists (find by title, else create, cache through
SaveGroup), format values (a bad value fails its row alone), then send aliased mutations in
requests sized to the complexity budget. A request that fails on every try is bisected until the
row that breaks it is alone (FAILED with monday's message) while the rest lands. After each
request, exactly what monday confirmed is marked SYNCED and exactly what it refused is marked
FAILED (retryable or not); nothing is written for what it did not confirm. A run-fatal answer, or
a stop request (Ctrl-C / SIGTERM), ends the run after the current request: rows never sent (or
refused unrun, a 429) are released with their attempts given back, rows whose request ended with
an unknown outcome keep their attempt so the next one looks them up first.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pusher import queue
from pusher.config import Config
from pusher.errors import ConfigError
from pusher.sql.connection import Database
from pusher.sync import errors
from pusher.sync.board import Board, read_boards
from pusher.sync.client import MondayClient, Reply
from pusher.sync.entities import Entity, entities_for
from pusher.sync.errors import Disposition, Gone, RowFailure, RunFatalError, TransientError, classify_row
from pusher.sync.mutations import Op, alias, build_batch, document_text
from pusher.sync.progress import Progress
from pusher.sync.values import FormatError, RowValues

log = logging.getLogger(__name__)

PREVIEW_BATCH = 1000  # a claim's largest batch; a dry run claims every pending row this way
LOOKUP_PAGE = 500  # items_page_by_column_values returns at most 500 items per page
SPLIT_TRIES = 2  # tries of each half while bisecting a failing request; a row alone gets every try
CREATES = ("create", "recreate")  # recreate: a create for a row whose item was deleted on the board by hand


class Interrupted(Exception):
    """A stop was requested (Ctrl-C / SIGTERM); the current request finished, the rest was released."""


@dataclass
class Planned:
    """What the runner will do for one claimed row."""

    row: Any
    verb: str  # create | update | archive | delete | noop
    op: Op | None = None
    known_id: str | None = None
    values: RowValues | None = None
    group_id: str | None = None  # items: the monday group the order belongs in


@dataclass(frozen=True)
class Preview:
    """A dry run's first request of one entity, for the summary: how many mutations, and the first
    of them alone as a sendable document with its variables (built from the ops, not the text)."""

    entity: str
    mutations: int
    document: str
    variables: dict[str, Any]


@dataclass
class RunReport:
    """What a run did, for the summary, ``--output-json`` and the run log."""

    dry_run: bool
    counts: dict[str, Counter] = field(default_factory=lambda: {e: Counter() for e in queue.ENTITIES})
    failures: list[dict[str, Any]] = field(default_factory=list)
    payloads: list[dict[str, Any]] = field(default_factory=list)
    previews: list[Preview] = field(default_factory=list)  # dry run: the first request per entity
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. a board the pending creates would overfill
    fatal: str | None = None
    interrupted: bool = False
    requests: int = 0
    complexity: int = 0

    def count(self, entity: str, verb: str, outcome: str, n: int = 1) -> None:
        self.counts[entity][f"{verb}:{outcome}"] += n

    @property
    def synced(self) -> int:
        return sum(n for c in self.counts.values() for k, n in c.items() if k.endswith(":synced"))

    @property
    def failed(self) -> int:
        return sum(n for c in self.counts.values() for k, n in c.items() if k.endswith(":failed"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "counts": {entity: dict(sorted(c.items())) for entity, c in self.counts.items()},
            "synced": self.synced,
            "failed": self.failed,
            "failures": self.failures,
            "problems": self.problems,
            "warnings": self.warnings,
            "payloads": self.payloads,
            "fatal": self.fatal,
            "interrupted": self.interrupted,
            "requests": self.requests,
            "complexity": self.complexity,
        }


@dataclass(frozen=True)
class RunContext:
    """What a batch uses of its run, handed over explicitly: where to read and write, whom to tell,
    and ``check_stop`` (raises Interrupted once a stop was requested)."""

    config: Config
    db: Database
    client: MondayClient
    report: RunReport
    progress: Progress
    check_stop: Callable[[], None]
    first_payloads: int
    run_id: int | None = None  # the pusher run (its run-log id) every batch row is logged under


@dataclass
class Pusher:
    """Pushes the pending queue of one database to one pair of boards."""

    config: Config
    db: Database
    client: MondayClient
    items_board: Board
    subitems_board: Board | None
    limit: int | None = field(default=None, kw_only=True)
    customer: str | None = field(default=None, kw_only=True)
    progress: Progress = field(default_factory=lambda: Progress(None), kw_only=True)
    stop: threading.Event = field(default_factory=threading.Event, kw_only=True)
    first_payloads: int = field(default=3, kw_only=True)
    run_id: int | None = field(default=None, kw_only=True)  # the run's run-log id (session.start_run_log)
    report: RunReport = field(init=False)
    context: RunContext = field(init=False)
    entities: list[Entity] = field(init=False)  # items, then subitems when there is a subitems board

    def __post_init__(self) -> None:
        self.report = RunReport(dry_run=False)
        self.entities = entities_for(self.config, self.items_board, self.subitems_board)
        self.context = RunContext(self.config, self.db, self.client, self.report, self.progress, self.check_stop,
                                  self.first_payloads, self.run_id)

    # -- the loop -----------------------------------------------------------------------------
    def run(self) -> RunReport:
        """Drain items, then subitems; return the report (RunFatalError / Interrupted propagate)."""
        for entity in self.entities:
            self._drain(entity)
        return self.report

    def _drain(self, entity: Entity) -> None:
        taken = 0
        m = self.config.monday
        while self.limit is None or taken < self.limit:
            self.check_stop()
            size = m.batch_size if self.limit is None else min(m.batch_size, self.limit - taken)
            token = str(uuid.uuid4())
            rows = entity.claim(self.db, size, token, self.customer, self.run_id)
            if not rows:
                return
            taken += len(rows)
            batch = _Batch(self.context, entity, token)
            try:
                batch.push(rows)
            except TransientError as exc:
                fatal = self.client.gave_up(exc)
                batch.abandon(fatal)
                raise fatal from exc
            except (RunFatalError, Interrupted, ConfigError) as exc:
                batch.abandon(exc)
                raise

    def preview(self) -> RunReport:
        """Dry run: plan every pending row (reads only, no mutation), then release the claims.

        Claiming gives the exact rows and order an execute run would see; ReleaseClaim gives every
        attempt back, so a preview spends nothing. Subitems of items not yet on the board are not
        claimable, so the preview does not count them (`ordersync status` shows them as PENDING).
        """
        self.report.dry_run = True
        m = self.config.monday
        for entity in self.entities:
            token = str(uuid.uuid4())
            rows: list[Any] = []
            try:
                while self.limit is None or len(rows) < self.limit:
                    want = PREVIEW_BATCH if self.limit is None else min(PREVIEW_BATCH, self.limit - len(rows))
                    claimed = entity.claim(self.db, want, token, self.customer, self.run_id)
                    if not claimed:
                        break
                    rows += claimed
                batch = _Batch(self.context, entity, token, dry=True)
                plans, failures = batch.plan(rows)
            finally:
                queue.release_claim(self.db, token, self.run_id)
            for p in plans:
                self.report.count(entity.name, p.verb, "planned")
            for row, verb, failure in failures:
                self.report.count(entity.name, verb, "would_fail")
                self.report.problems.append(f"{entity.name} {entity.key(row)}: {failure.message}")
            creates = sum(p.verb in CREATES for p in plans)
            full = entity.board.capacity_problem(creates) if entity.top_level else None
            if full:
                self.report.warnings.append(full)
                log.warning("%s", full)
            sendable = [p.op for p in plans if p.op is not None]
            for start in range(0, min(len(sendable), m.batch_size * self.first_payloads), m.batch_size):
                batch = sendable[start:start + m.batch_size]
                document, variables = build_batch(batch)
                self.report.payloads.append({"entity": entity.name, "query": document, "variables": variables})
                if start == 0:
                    self.report.previews.append(Preview(entity.name, len(batch), *build_batch(batch[:1])))
        return self.report

    def check_stop(self) -> None:
        if self.stop.is_set():
            self.report.interrupted = True
            raise Interrupted("stop requested")


class _Batch:
    """One claimed batch: its token, its request counter (for Idempotency-Keys) and its open rows."""

    def __init__(self, context: RunContext, entity: Entity, token: str, dry: bool = False):
        self.run = context
        self.dry = dry
        self.entity = entity
        self.token = token
        self.sequence = 0
        self.open: dict[int, Any] = {}  # delta_id -> row still IN_FLIGHT under our token
        self.unknown: dict[int, Any] = {}  # rows whose request ended without a known outcome
        self.landed = 0  # mutation requests monday answered: proof that a failing row is not an outage
        self.suspects: list[tuple[Planned, TransientError]] | None = None  # rows failing alone, while bisecting
        self.board = entity.board

    # -- bookkeeping --------------------------------------------------------------------------
    def next_key(self) -> str:
        self.sequence += 1
        return f"ordersync-{self.token}-{self.sequence}"

    def synced(self, planned: list[tuple[Planned, str | None]]) -> None:
        if not planned:
            return
        queue.mark_synced(self.run.db, self.token, self.entity.name,
                          [queue.SyncResult(p.row.delta_id, monday_id) for p, monday_id in planned], self.run.run_id)
        for p, _ in planned:
            self.open.pop(p.row.delta_id, None)
            self.run.report.count(self.entity.name, p.verb, "synced")
        self.run.progress.advance(len(planned))

    def failed(self, rows: list[tuple[Any, str, RowFailure]]) -> None:
        if not rows:
            return
        queue.mark_failed(self.run.db, self.token, self.entity.name,
                          [queue.Failure(row.delta_id, f.code, f.message[:2000], f.retryable) for row, _, f in rows],
                          self.run.run_id)
        for row, verb, f in rows:
            self.open.pop(row.delta_id, None)
            self.run.report.count(self.entity.name, verb, "retry" if f.retryable else "failed")
            self.run.report.failures.append({"entity": self.entity.name, "key": self.entity.key(row),
                                             "action": row.action,
                                           "code": f.code, "message": f.message, "retryable": f.retryable})
            level = logging.INFO if f.retryable else logging.WARNING
            log.log(level, "%s %s %s: %s", self.entity.name, self.entity.key(row),
                    "will be retried" if f.retryable else "FAILED",
                    f.message)
        self.run.progress.advance(len(rows))

    def abandon(self, exc: Exception) -> None:
        """End the batch early: unknown outcomes keep their attempt, never-sent rows are released."""
        if (isinstance(exc, RunFatalError) and not exc.after_retry) or getattr(exc, "applied_nothing", False):
            self.unknown = {}  # refused before running: known not applied, so released below
        reason = str(exc)
        unknown = [(r, r.action.lower(), RowFailure(getattr(exc, "code", errors.NO_RESULT),
                                                    f"outcome unknown: {reason}")) for r in self.unknown.values()]
        self.failed(unknown)
        if self.open:
            released = queue.release_claim(self.run.db, self.token, self.run.run_id)
            log.info("released %s %s row(s) without spending attempts", released, self.entity.name)
            self.run.report.count(self.entity.name, "any", "released", len(self.open))
            self.open.clear()

    # -- the work -----------------------------------------------------------------------------
    def push(self, rows: list[Any]) -> None:
        self.open = {r.delta_id: r for r in rows}
        plans, local_failures = self.plan(rows)
        self.failed(local_failures)
        noops = [(p, p.known_id) for p in plans if p.op is None]
        self.synced(noops)
        sendable = [p for p in plans if p.op is not None]
        held, full = self.over_capacity(sendable)
        self.send([p for p in sendable if p not in held])
        if held:  # after the rest was sent; the held creates are released without spending attempts
            raise RunFatalError(errors.ITEMS_LIMIT, full)

    def over_capacity(self, plans: list[Planned]) -> tuple[list[Planned], str | None]:
        """The creates a full (or nearly full) items board cannot take, and the sentence saying so."""
        creates = [p for p in plans if p.verb in CREATES]
        room = self.board.room() if self.entity.top_level else None
        if room is None or len(creates) <= room:
            return [], None
        return creates[room:], self.board.capacity_problem(len(creates))

    def plan(self, rows: list[Any]) -> tuple[list[Planned], list[tuple[Any, str, RowFailure]]]:
        found = self.lookup([r for r in rows if self.needs_lookup(r)])
        plans: list[Planned] = []
        failures: list[tuple[Any, str, RowFailure]] = []
        for row in rows:
            known = self.known_id(row, found)
            try:
                plans.append(self.plan_row(row, known))
            except FormatError as exc:
                failures.append((row, row.action.lower(), RowFailure(exc.code, exc.message)))
        if self.entity.top_level:
            failures += self.ensure_groups([p for p in plans if p.verb in CREATES or (
                p.verb == "update" and (p.row.group_title or p.row.group_key))])
            failed_ids = {row.delta_id for row, _, _ in failures}
            plans = [p for p in plans if p.row.delta_id not in failed_ids]
        return plans, failures

    def needs_lookup(self, row: Any) -> bool:
        """Look up by key when an earlier attempt may have created it, or no id is known for a change.

        An earlier attempt shows as attempts > 1, or as any error the row carries: RequeueFailed
        restarts attempts at 0 but keeps the error (e.g. LEASE_EXPIRED: a pusher died after sending).
        """
        if self.entity.own_id(row) is not None and row.last_error_code != errors.ITEM_MISSING:
            return False
        removing = row.action in ("ARCHIVE", "DELETE")
        tried_before = row.attempts > 1 or row.last_error_code is not None
        return removing or tried_before or row.action == "UPDATE"

    def known_id(self, row: Any, found: dict[str, str]) -> str | None:
        own = self.entity.own_id(row)
        if own is not None and row.last_error_code != errors.ITEM_MISSING:
            return own
        return found.get(self.entity.key(row))

    def lookup(self, rows: list[Any]) -> dict[str, str]:
        """key -> id of the live item holding that key (the oldest one, should a person have copied it)."""
        if not rows:
            return {}
        keys = sorted({self.entity.key(r) for r in rows})
        found: dict[str, list[tuple[int, str]]] = {}
        for start in range(0, len(keys), LOOKUP_PAGE):
            chunk = keys[start:start + LOOKUP_PAGE]
            reply = self.run.client.request(document_text("items_by_keys"), {
                "board_id": self.board.id, "column_id": self.entity.key_column, "keys": chunk, "limit": LOOKUP_PAGE})
            page = reply.data.get("items_page_by_column_values") or {}
            while True:
                for item in page.get("items") or []:
                    text = next((c.get("text") for c in item.get("column_values") or []), None)
                    if text in chunk and item.get("state") in (None, "active"):
                        found.setdefault(text, []).append((int(item["id"]), str(item["id"])))
                if not page.get("cursor"):
                    break
                reply = self.run.client.request(document_text("next_items_page"), {
                    "cursor": page["cursor"], "limit": LOOKUP_PAGE, "column_id": self.entity.key_column})
                page = reply.data.get("next_items_page") or {}
        adopted = {key: min(ids)[1] for key, ids in found.items()}
        for key, ids in found.items():
            if len(ids) > 1:
                log.warning("%s key %s is on the board %d times (ids %s); using the oldest", self.entity.name, key,
                            len(ids), ", ".join(i for _, i in sorted(ids)))
        if adopted:
            log.info("adopted %d existing %s(s) found by key on the board", len(adopted), self.entity.name)
        return adopted

    def plan_row(self, row: Any, known: str | None) -> Planned:
        if row.action in ("ARCHIVE", "DELETE"):
            if known is None:
                return Planned(row, "noop")  # nothing on the board: nothing to remove
            return Planned(row, self.entity.removal, self.entity.removal_op(known), known)
        op, values = self.entity.change(row, known)
        if known is not None:
            return Planned(row, "update", op, known, values)
        recreate = row.last_error_code == errors.ITEM_MISSING and self.entity.own_id(row) is not None
        if recreate and not self.dry:
            log.warning("%s: re-creating it, its item %s was deleted on the board by hand", self.entity.who(row),
                        self.entity.own_id(row))
        return Planned(row, "recreate" if recreate else "create", op, known, values)

    def ensure_groups(self, creates: list[Planned]) -> list[tuple[Any, str, RowFailure]]:
        """Give every item to create or update its group id: cached, found by title, or created now."""
        board = self.board
        if any(p.row.monday_group_id and p.row.monday_group_id not in board.group_ids for p in creates) or any(
                (p.row.group_title or p.row.group_key) not in board.groups for p in creates
                if not p.row.monday_group_id):
            self.refresh_groups()  # another pusher (or a person) may have added groups since we read the board
        missing: dict[str, str] = {}  # title -> group key
        for p in creates:
            title = p.row.group_title or p.row.group_key
            gid = p.row.monday_group_id if p.row.monday_group_id in board.group_ids else board.groups.get(title)
            if gid is None:
                missing.setdefault(title, p.row.group_key)
            elif gid != p.row.monday_group_id and not self.dry:
                queue.save_group(self.run.db, p.row.group_key, gid)
        failures: dict[str, RowFailure] = {}
        if missing and self.dry:
            self.run.report.count(self.entity.name, "create_group", "planned", len(missing))
        elif missing:
            for title, group_key in missing.items():
                reply = self.request([Op("create_group", {"board_id": board.id, "group_name": title})],
                                     key=_group_key(board.id, title))
                result = reply.data.get(alias(0))
                if result and result.get("id"):
                    board.add_group(title, result["id"])
                    queue.save_group(self.run.db, group_key, result["id"])
                    log.info("created group %r (%s)", title, result["id"])
                else:
                    failures[title] = self.failure_of(reply, 0)
        out = []
        for p in creates:
            title = p.row.group_title or p.row.group_key
            if title in failures:
                out.append((p.row, p.verb, failures[title]))
                continue
            p.group_id = board.groups.get(title, p.row.monday_group_id)
            if p.verb in CREATES:
                p.op.variables["group_id"] = p.group_id
        return out

    def refresh_groups(self) -> None:
        fresh = read_boards(self.run.client, [self.board.id])[self.board.id]
        for title, gid in fresh.groups.items():
            self.board.add_group(title, gid)

    # -- sending ------------------------------------------------------------------------------
    def request(self, ops: list[Op], key: str | None = None, tries: int | None = None) -> Reply:
        document, variables = build_batch(ops)
        estimate = sum(self.run.client.pacer.estimate(op.field) for op in ops)
        return self.run.client.request(document, variables, idempotency_key=key or self.next_key(), estimate=estimate,
                                     tries=tries)

    def send(self, plans: list[Planned], tries: int | None = None) -> None:
        pacer = self.run.client.pacer
        while plans:
            self.run.check_stop()
            costs = [pacer.estimate(p.op.field) for p in plans[: self.run.config.monday.batch_size]]
            count = max(1, pacer.fits(costs))
            chunk, plans = plans[:count], plans[count:]
            self.send_chunk(chunk, tries)

    def send_chunk(self, chunk: list[Planned], tries: int | None) -> None:
        """One request (each with its own Idempotency-Key); a persistent failure isolates its poison."""
        self.record_payload(chunk)
        self.unknown = {p.row.delta_id: p.row for p in chunk}
        try:
            reply = self.request([p.op for p in chunk], tries=tries)
        except TransientError as exc:
            self.isolate(chunk, tries, exc)
            return
        self.unknown = {}
        self.landed += 1
        self.apply(chunk, reply)

    def isolate(self, chunk: list[Planned], tries: int | None, exc: TransientError) -> None:
        """A request failed on every try: bisect it until the row that breaks it is alone.

        A rate limit (429 other than the budget) is waited out by the next run, not split (re-raised).
        When monday may have applied part of the request (anything but a 429), the creates are looked
        up by key first and adopted if there, so no resend duplicates them. Halves go out with their
        own keys and few tries; a row alone gets every try and, failing them, becomes a suspect.
        """
        if exc.applied_nothing and exc.code != errors.BUDGET_EXHAUSTED:
            raise exc
        if not exc.applied_nothing:
            chunk = self.adopt_created(chunk)
        self.unknown = {}
        if not chunk:
            return
        top = self.suspects is None
        if top:
            self.probe(chunk)  # monday down altogether: stop now, not after bisecting the batch row by row
            self.suspects, landed = [], self.landed
        try:
            if len(chunk) > 1:
                log.warning("%s request of %d rows failed on every try (%s); splitting it to find the row "
                            "that breaks it", self.entity.name, len(chunk), exc)
                half = len(chunk) // 2
                self.send(chunk[:half], SPLIT_TRIES)
                self.send(chunk[half:], SPLIT_TRIES)
            elif tries is not None:
                self.send(chunk, None)  # alone at last: every try before judging it
            elif exc.applied_nothing:
                raise RunFatalError(exc.code, f"one {chunk[0].op.field} costs more than the whole complexity "
                                              f"budget window ({self.run.client.pacer.window} points)")
            else:
                self.suspects.append((chunk[0], exc))
                self.probe([p for p, _ in self.suspects])
        finally:
            if top:
                suspects, self.suspects = self.suspects, None
        if top and suspects:
            self.judge(suspects, landed, exc)

    def probe(self, rows: list[Planned]) -> None:
        """Is monday answering at all? A cheap read; if it fails too, its TransientError ends the run and
        ``rows`` keep their attempt (their requests' outcome is unknown)."""
        self.unknown = {p.row.delta_id: p.row for p in rows}
        self.run.client.request(document_text("probe"))
        self.unknown = {}

    def judge(self, suspects: list[tuple[Planned, TransientError]], landed: int, exc: TransientError) -> None:
        """Rows that failed alone (each followed by an answered probe) are poison only if monday also took
        other requests of the batch meanwhile.

        Otherwise monday is failing everything (an outage, not a row): the run stops and the suspects
        keep their attempt, so a row that is really poison still dead-letters after max_attempts.
        """
        if self.landed == landed:
            self.unknown = {p.row.delta_id: p.row for p, _ in suspects}
            raise exc
        self.failed([(p.row, p.verb, RowFailure(errors.FAILED_ALONE, (
            f"monday failed this row's request on each of {self.run.client.retry.tries} tries while it took the rest "
            f"of the batch: {e.code}: {e.message}"))) for p, e in suspects])

    def adopt_created(self, chunk: list[Planned]) -> list[Planned]:
        """Creates of a request with an unknown outcome that are on the board after all: mark them SYNCED."""
        found = self.lookup([p.row for p in chunk if p.verb in CREATES])
        adopted = [(p, found[self.entity.key(p.row)]) for p in chunk
                   if p.verb in CREATES and self.entity.key(p.row) in found]
        self.synced(adopted)
        done = {p.row.delta_id for p, _ in adopted}
        return [p for p in chunk if p.row.delta_id not in done]

    def record_payload(self, chunk: list[Planned]) -> None:
        report = self.run.report
        if len(report.payloads) < self.run.first_payloads:
            document, variables = build_batch([p.op for p in chunk])
            report.payloads.append({"entity": self.entity.name, "query": document, "variables": variables})

    def failure_of(self, reply: Reply, index: int) -> RowFailure:
        error = reply.error_for(alias(index))
        if error is None:
            return RowFailure(errors.NO_RESULT, "monday returned no result and no error for this mutation")
        code = (error.get("extensions") or {}).get("code") or "UNKNOWN"
        data = (error.get("extensions") or {}).get("error_data")
        detail = f" ({json.dumps(data, ensure_ascii=False)})" if data else ""
        return RowFailure(code, f"{error.get('message') or code}{detail}")

    def apply(self, chunk: list[Planned], reply: Reply) -> None:
        """Mark what monday confirmed, fail what it refused; raise after marking if the run must stop.

        An update monday answered from another group than its order's is not done yet: the item is
        moved (a second request) and the row is SYNCED once the move is confirmed.
        """
        confirmed: list[tuple[Planned, str | None]] = []
        refused: list[tuple[Any, str, RowFailure]] = []
        moves: list[Planned] = []
        fatal: RowFailure | None = None
        for index, p in enumerate(chunk):
            result = reply.data.get(alias(index))
            if result and result.get("id"):
                for column_id, label in p.values.new_labels if p.values else ():
                    self.board.add_label(column_id, label)
                if p.verb == "update" and result.get("state") == "archived":
                    refused.append((p.row, p.verb, RowFailure(errors.ITEM_ARCHIVED, (
                        f"monday {self.entity.name} {p.known_id} is archived on the board (by hand): monday wrote the "
                        f"change to it but it stays archived. Restore it in monday and requeue the row "
                        f"(RequeueFailed), or delete it on the board to have it re-created"))))
                elif self.misplaced(p, result):
                    moves.append(Planned(p.row, "move", Op("move_item", {"item_id": p.known_id,
                                                                         "group_id": p.group_id}), p.known_id))
                else:
                    confirmed.append((p, str(result["id"]) if p.verb in CREATES else p.known_id))
                continue
            failure = self.failure_of(reply, index)
            verdict = classify_row(failure.code, p.verb, under_parent=not self.entity.top_level)
            if verdict is Gone.REMOVED:
                confirmed.append((p, p.known_id))  # already gone from the board: the removal holds
            elif verdict is Gone.ITEM:
                refused.append((p.row, p.verb, self.missing(p, "no longer exists (deleted on the board by hand)")))
            elif verdict is Gone.PARENT:
                refused.append((p.row, p.verb, self.orphaned(p)))
            elif verdict is Disposition.FATAL:
                fatal = fatal or failure
            else:
                refused.append((p.row, p.verb, failure))
        self.synced(confirmed)
        self.failed(refused)
        if self.entity.top_level and self.board.items_count is not None:
            self.board.items_count += sum(1 for p, _ in confirmed if p.verb in CREATES)
        if fatal is not None:
            raise RunFatalError(fatal.code, fatal.message)
        if moves:
            log.info("moving %d item(s) to their order's group", len(moves))
            self.send(moves)

    def misplaced(self, p: Planned, result: dict[str, Any]) -> bool:
        """An updated item that monday reports in another group than its order's (moved order or hand move)."""
        where = (result.get("group") or {}).get("id")
        return (p.verb == "update" and self.entity.top_level and p.group_id is not None
                and where not in (None, p.group_id))

    def orphaned(self, p: Planned) -> RowFailure:
        """A subitem create whose parent item was deleted by hand. With on_missing_item = "recreate" the
        order is marked for the next pipeline run (QueueRepairs), which queues its item again: the item is
        re-created and every line with it, superseding this FAILED row."""
        parent = p.op.variables.get("parent_item_id")
        if self.run.config.monday.on_missing_item == "fail":
            return RowFailure(errors.ITEM_GONE, f"parent item {parent} no longer exists on monday (deleted by hand); "
                                                f"monday.on_missing_item = \"fail\" keeps the line FAILED")
        if not self.dry:
            queue.mark_repairs(self.run.db, [p.row.order_key])
        return RowFailure(errors.PARENT_MISSING, f"parent item {parent} no longer exists on monday (deleted by hand); "
                                                 f"order {p.row.order_key} is marked for the next pipeline run, which "
                                                 f"re-creates the item with all its subitems and closes this row")

    def missing(self, p: Planned, what: str) -> RowFailure:
        """The row's item is gone from the board (deleted by hand): re-create it, or fail, per the config."""
        thing = f"monday {self.entity.name} {p.known_id}"
        if self.run.config.monday.on_missing_item == "fail":
            return RowFailure(errors.ITEM_GONE, f"{thing} {what}; monday.on_missing_item = \"fail\" keeps it "
                                                f"FAILED: restore it on the board and requeue, or set \"recreate\"")
        return RowFailure(errors.ITEM_MISSING, f"{thing} {what}; the next attempt looks the key up and re-creates "
                                               f"it (with all its subitems) if no live item holds it")


def _group_key(board_id: str, title: str) -> str:
    """One Idempotency-Key per board group for the key's life (30 minutes on monday): two pushers that
    both find a group missing send the same key, so monday creates it once and replays its id."""
    digest = hashlib.sha256(f"{board_id}\x1f{title}".encode()).hexdigest()[:32]
    return f"ordersync-group-{digest}"

