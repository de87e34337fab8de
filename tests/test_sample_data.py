"""The sample data generator: the reference-shaped PO, determinism, change sets, the loader.

Change sets are checked against an independent diff of the rows before and after, so a
summary that claims more, less or other changes than the rows show fails.
"""

from __future__ import annotations

from collections import Counter

import pytest

from pusher.config import Config, load_config
from pusher.errors import ConfigError, DatabaseError
from pusher.paths import DEFAULT_CONFIG
from pusher.sample_data import (
    CHANGE_SETS,
    ONE_SIZE,
    ORDER_TYPE,
    TOTAL_QTY,
    ChangeSummary,
    SampleShape,
    apply_change_set,
    load_snapshot,
    reference_po,
    snapshot,
)
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database


@pytest.fixture(scope="module")
def shape() -> SampleShape:
    config = load_config(DEFAULT_CONFIG, "development")
    return SampleShape(config, read_columns_file(config.columns_file))


def _diff(shape: SampleShape, before: list[dict], after: list[dict]) -> ChangeSummary:
    """What changed between two snapshots, worked out from the rows alone."""
    old = {shape.order_key(r): r for r in before}
    new = {shape.order_key(r): r for r in after}
    quantities, added, removed = {}, {}, {}
    cancelled = []
    for key, row in new.items():
        was, now = shape.lines(old[key]), shape.lines(row)
        for size in was.keys() | now.keys():
            if size not in now:
                removed[(key, size)] = was[size]
            elif size not in was:
                added[(key, size)] = now[size]
            elif was[size] != now[size]:
                quantities[(key, size)] = (was[size], now[size])
        if old[key][ORDER_TYPE] != row[ORDER_TYPE]:
            assert row[ORDER_TYPE] == "CANCELLED"
            cancelled.append(key)
        untouched = {c for c in row.keys() | old[key].keys() if c not in shape.sizes} - {TOTAL_QTY, ORDER_TYPE}
        assert {c: row.get(c) for c in untouched} == {c: old[key].get(c) for c in untouched}
    return ChangeSummary("diff", quantities, added, removed, tuple(cancelled), tuple(old.keys() - new.keys()))


def _same_changes(a: ChangeSummary, b: ChangeSummary) -> bool:
    return (a.quantities, a.added, a.removed, set(a.cancelled), set(a.dropped)) == (
        b.quantities, b.added, b.removed, set(b.cancelled), set(b.dropped))


# -- the reference-shaped PO ------------------------------------------------------------------


def test_the_reference_po_has_69_orders_and_317_canonical_lines(shape):
    rows = reference_po(shape)
    assert len(rows) == 69
    assert sum(len(shape.lines(r)) for r in rows) == 317
    assert len({shape.order_key(r) for r in rows}) == 69
    assert {(r["CUSTOMER NAME"], r["PO NUMBER"]) for r in rows} == {("Société Générale Wear", "4500123456")}


def test_the_reference_po_folds_an_alias_column_used_beside_one_size(shape):
    rows = reference_po(shape)
    both = [r for r in rows if r.get(ONE_SIZE) and any(r.get(a) for a in shape.one_size_aliases)]
    assert both, "no row spreads a one-size quantity over ONE SIZE and an alias"
    raw_cells = sum(1 for r in rows for s in shape.sizes if r.get(s))
    assert raw_cells > 317
    for row in both:
        assert shape.lines(row) == {ONE_SIZE: sum(row.get(c) or 0 for c in shape.groups[ONE_SIZE])}


def test_total_qty_is_the_sum_of_the_sizes(shape):
    for row in [*reference_po(shape), *snapshot(shape, 300, seed=5)]:
        assert row[TOTAL_QTY] == sum(shape.lines(row).values()) > 0


# -- random snapshots ------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows(shape):
    assert list(snapshot(shape, 200, seed=3)) == list(snapshot(shape, 200, seed=3))
    assert list(snapshot(shape, 200, seed=3)) != list(snapshot(shape, 200, seed=4))
    assert reference_po(shape) == reference_po(shape)


def test_a_bigger_snapshot_extends_a_smaller_one(shape):
    assert list(snapshot(shape, 500, seed=9))[:120] == list(snapshot(shape, 120, seed=9))


def test_random_orders_look_like_an_order_list(shape):
    rows = list(snapshot(shape, 2000, seed=11))
    assert len({shape.order_key(r) for r in rows}) == 2000
    types = Counter(r[ORDER_TYPE] for r in rows)
    assert set(types) == {"ACTIVE", "CANCELLED", "ON HOLD", "SAMPLE"}
    assert types["ACTIVE"] > 0.8 * len(rows)
    assert {r["CUSTOMER SEASON"] for r in rows} >= {"SS26", "FW26"}
    assert any("'" in r["CUSTOMER NAME"] for r in rows)
    assert any(not r["CUSTOMER NAME"].isascii() for r in rows)
    families = Counter()
    for row in rows:
        run = shape.run_of(row)
        assert run is not None, f"{shape.order_key(row)} mixes size families: {sorted(shape.lines(row))}"
        family = next(f for f, runs in shape.families.items() if run in runs)
        families[family] += 1
        count = len(shape.lines(row))
        assert count == 1 if family == "one size" else 3 <= count <= min(8, len(run)), shape.lines(row)
        assert row["EX FACTORY DATE"] > row["ORDER DATE PO RECEIVED"]
    assert set(families) == set(shape.families)
    assert any(r.get(a) for r in rows for a in shape.one_size_aliases)


# -- change sets ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHANGE_SETS)
@pytest.mark.parametrize("source", ["reference", "random"])
def test_a_change_set_changes_exactly_what_its_summary_says(shape, name, source):
    before = reference_po(shape) if source == "reference" else list(snapshot(shape, 500, seed=3))
    after, summary = apply_change_set(shape, before, name)
    assert _same_changes(summary, _diff(shape, before, after))
    assert all(r[TOTAL_QTY] == sum(shape.lines(r).values()) for r in after)
    expected_kinds = {
        "quantities": (3, 0, 0, 0, 0), "sizes": (0, 1, 1, 0, 0), "cancel": (0, 0, 0, 1, 0),
        "drop": (0, 0, 0, 0, 1), "demo": (3, 1, 1, 1, 1),
    }[name]
    kinds = tuple(len(x) for x in (summary.quantities, summary.added, summary.removed, summary.cancelled,
                                   summary.dropped))
    assert kinds == expected_kinds


def test_demo_is_the_union_of_the_other_change_sets_each_on_its_own_order(shape):
    rows = reference_po(shape)
    demo = apply_change_set(shape, rows, "demo")[1]
    parts = [apply_change_set(shape, rows, name)[1] for name in CHANGE_SETS if name != "demo"]
    assert demo.quantities == {k: v for p in parts for k, v in p.quantities.items()}
    assert demo.added == parts[1].added and demo.removed == parts[1].removed
    assert demo.cancelled == parts[2].cancelled and demo.dropped == parts[3].dropped
    orders = [*{o for o, _ in demo.quantities}, *(o for o, _ in demo.added), *(o for o, _ in demo.removed),
              *demo.cancelled, *demo.dropped]
    assert len(orders) == len(set(orders)) == 6


def test_expected_deltas_follow_from_the_summary(shape):
    summary = apply_change_set(shape, reference_po(shape), "demo")[1]
    items = summary.item_actions()
    assert Counter(items.values()) == {"UPDATE": 5, "ARCHIVE": 1}
    assert items[summary.dropped[0]] == "ARCHIVE" and items[summary.cancelled[0]] == "UPDATE"
    assert Counter(summary.line_actions().values()) == {"UPDATE": 3, "CREATE": 1, "DELETE": 1}


def test_a_change_set_leaves_its_input_alone_and_is_deterministic(shape):
    rows = reference_po(shape)
    first = apply_change_set(shape, rows, "demo")
    assert rows == reference_po(shape)
    assert first == apply_change_set(shape, rows, "demo")


def test_an_unknown_change_set_names_the_known_ones(shape):
    with pytest.raises(ConfigError, match="quantities, sizes, cancel, drop, demo"):
        apply_change_set(shape, reference_po(shape), "everything")


def test_a_snapshot_too_small_for_the_demo_says_so(shape):
    with pytest.raises(ConfigError, match="needs more ACTIVE orders"):
        apply_change_set(shape, reference_po(shape)[:3], "demo")


# -- loading into a real PostgreSQL -------------------------------------------------------------


def _staging(db: Database) -> list[dict]:
    rows = db.fetch('SELECT * FROM dbo."swp_ORDER_LIST_V2" ORDER BY "AAG ORDER NUMBER"')
    return [{k: v for k, v in r.items() if v is not None} for r in rows]


def test_load_snapshot_round_trips_every_value(db):
    shape = SampleShape(db.config, read_columns_file(db.config.columns_file))
    rows = reference_po(shape) + list(snapshot(shape, 200, seed=2))
    assert load_snapshot(db, rows) == 269
    assert _staging(db) == sorted(rows, key=lambda r: r["AAG ORDER NUMBER"])


def test_load_snapshot_replaces_what_staging_held(db):
    shape = SampleShape(db.config, read_columns_file(db.config.columns_file))
    load_snapshot(db, snapshot(shape, 50, seed=1))
    changed, summary = apply_change_set(shape, reference_po(shape), "demo")
    load_snapshot(db, changed)
    keys = [r["AAG ORDER NUMBER"] for r in _staging(db)]
    assert len(keys) == 68 and summary.dropped[0] not in keys
    assert all(k.startswith("SGW-") for k in keys), "rows of the earlier snapshot were left behind"


def test_load_snapshot_refuses_a_column_staging_does_not_have(db):
    with pytest.raises(ConfigError, match="'NO SUCH COLUMN', which is not a column"):
        load_snapshot(db, [{"AAG ORDER NUMBER": "X-1", "NO SUCH COLUMN": 1}])


def test_load_snapshot_names_a_missing_staging_table(config: Config, pg_url: str):
    with Database(config, url=pg_url) as bare, pytest.raises(DatabaseError, match="does not exist"):
        load_snapshot(bare, [])


@pytest.mark.slow
def test_100k_orders_generate_and_load_with_distinct_keys(db):
    """How long this takes is scripts/bench_pipeline.py's business ("loaded N orders in S s"), not a test's."""
    shape = SampleShape(db.config, read_columns_file(db.config.columns_file))
    assert load_snapshot(db, snapshot(shape, 100_000, seed=1)) == 100_000
    assert db.fetch('SELECT COUNT(DISTINCT "AAG ORDER NUMBER") AS n FROM dbo."swp_ORDER_LIST_V2"') == [{"n": 100_000}]
