"""Realistic staging snapshots for the demo, the tests and the benchmark, and a fast loader.

Rows are sparse dicts (column name -> value) because a real ORDER_LIST row fills a dozen
of its ~200 size columns: keeping only the set cells makes 100k generated orders cheap, and
`load_snapshot` spreads them into full rows only while streaming them to the database.

Everything is seeded: the same `(orders, seed)` gives the same rows, and a change set picks
its orders from the snapshot itself, so a test can state the exact deltas to expect
(`ChangeSummary`). Size runs are written for the project's sample catalog
(`configs/sample_order_list_columns.tsv`); runs whose columns a catalog lacks are dropped,
so other catalogs (the reference one) still get realistic rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pusher.config import Config
from pusher.errors import ConfigError, DatabaseError
from pusher.sql.catalog import Column, size_columns
from pusher.sql.connection import Database

Row = dict[str, Any]

ORDER_TYPE = "ORDER TYPE"
TOTAL_QTY = "TOTAL QTY"
ONE_SIZE = "ONE SIZE"
CHANGE_SETS = ("quantities", "sizes", "cancel", "drop", "demo")

# Size runs in wearing order, by family. A style takes a contiguous window of one run.
SIZE_FAMILIES: dict[str, tuple[tuple[str, ...], ...]] = {
    "kids": (
        ("0-3M", "3-6M", "6-12M", "12-18M", "18-24M"),
        ("3/6 MTHS", "6/12 MTHS", "12/18 MTHS", "18/24 MTHS"),
        ("2T", "3T", "4T", "5T", "6T"),
        ("2/3", "3-4 years", "4/5", "5-6 years", "6/7", "7-8 years", "8/9", "9-10 years", "10/11",
         "11-12 years", "12/13", "13-14 years"),
        ("S(6-8)", "M(8-10)", "L(10-12)", "L(14-16)", "XL(16-18)"),
        ("M(10-12)", "L(14-16)", "XL(16-18)"),
        ("2/4", "4/6", "6/8"),
    ),
    "letter": (
        ("XXXS", "XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL"),
        ("S", "M", "L", "XL", "2XL", "3XL", "4XL", "5XL"),
        ("XS/S", "S/M", "M/L", "L/XL", "XL/XXL", "XXL/3XL"),
        ("04/XXS", "06/XS", "08/S", "10/M", "12/L", "14/XL", "16/XXL", "18/XXXL"),
        ("XS-PETITE", "S-PETITE", "M-PETITE"),
        ("S-TALL", "M-TALL", "L-TALL"),
        ("Men's S", "Men's M", "Men's L", "Men's XL"),
        ("Women's S", "Women's M", "Women's L", "Women's XL"),
        ("XS Short", "S Short", "M Short", "L Short", "XL Short"),
    ),
    "numeric": (
        ("0", "2", "4", "6", "8", "10", "12", "14", "16", "18", "20", "22", "24"),
        ("1", "3", "5", "7", "9", "11", "13", "15"),
        ("24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36"),
        ("28", "30", "32", "34", "36", "38", "40", "42", "44"),
        ("UK 3", "UK 4", "UK 5", "UK 6", "UK 7", "UK 8", "UK 9", "UK 10", "UK 11", "UK 12"),
        ("EU 36", "EU 37", "EU 38", "EU 39", "EU 40", "EU 41", "EU 42", "EU 43", "EU 44", "EU 45", "EU 46"),
        ("US 5.5", "US 6.5", "US 7.5", "US 8.5"),
        ("Größe 36", "Größe 38", "Größe 40"),
    ),
    "waist/length": (
        ("28/30", "30/30", "30/32", "31/30", "31/32", "32/30", "32/32", "32/34", "33/30", "33/32",
         "34/30", "34/32", "34/34", "36/30", "36/32", "36/34", "38/30", "38/32", "38/34"),
        ("28/32", "28/34", "30/34", "31/34", "33/34"),
        ("28-30L", "30-30L", "30-32L", "32-32L", "34-32L"),
    ),
    "bra": (
        ("32A", "32B", "32C", "32D", "34A", "34B", "34C", "34D", "36A", "36B", "36C", "36D",
         "38A", "38B", "38C", "38D"),
        ("AB/XS", "CD/XS", "AB/S", "CD/S", "AB/M", "CD/M", "AB/L", "CD/L", "AB/XL", "CD/XL"),
    ),
    "one size": ((ONE_SIZE,),),
}
FAMILY_WEIGHTS = {"kids": 18, "letter": 38, "numeric": 18, "waist/length": 10, "bra": 6, "one size": 10}
CATEGORIES = {
    "kids": ("KIDS", ("Girls' Ruffle Dress", "Boys' Pique Polo", "Toddler Fleece Romper", "Kids' Rain Shell")),
    "letter": ("TOPS", ("Men's Pima Polo", "Women's Merino Crew", "Quarter-Zip Pullover", "Café Linen Shirt")),
    "numeric": ("BOTTOMS", ("Pleated Chino", "Wrap Midi Dress", "Leather Derby Shoe", "Tailored Trouser")),
    "waist/length": ("DENIM", ("Slim Selvedge Jean", "Relaxed 5-Pocket", "Straight Stretch Jean")),
    "bra": ("INTIMATES", ("T-Shirt Bra", "Lace Balconette", "Sports Bra Hi-Impact")),
    "one size": ("ACCESSORIES", ("Cable Knit Beanie", "Canvas Tote", "Leather Belt 'Classic'")),
}
CUSTOMERS = (
    ("Société Générale Wear", "SGW"), ("O'Neill Coastal", "ONC"), ("Brønd & Søn", "BRS"),
    ("Café Müller Kids", "CMK"), ("GREYSON", "GRY"), ("Tuckernuck", "TUC"), ("Rhône Valley Apparel", "RVA"),
    ("Marks' Everyday", "MKE"), ("Åsa Ström Design", "ASD"), ("Johnnie-O", "JOO"),
)
SEASONS = (("SS26", "2026 SPRING"), ("FW26", "2026 FALL"), ("SS27", "2027 SPRING"), ("FW25", "2025 FALL"))
COLOURS = (
    ("001", "BLACK"), ("410", "NAVY BLAZER"), ("020", "HEATHER GREY"), ("100", "OFF-WHITE"),
    ("245", "CRÈME BRÛLÉE"), ("301", "FOREST GREEN"), ("612", "DUSTY ROSE"), ("250", "SAND DUNE"),
    ("455", "CHAMBRAY BLUE"), ("600", "CARDINAL RED"), ("700", "SAFFRON"), ("820", "STONE WASH"),
)
PLANNERS = ("Aoife Ní Bhriain", "José Martínez", "Li Wei", "Zoë O'Connor", "Priya Raman")
COLLECTIONS = ("Core", "Heritage", "Resort", "Outdoor", "Essentials", "Holiday Capsule")
DESTINATIONS = (("Los Angeles, US", "LA DC 3"), ("Rotterdam, NL", "EU Hub Venlo"), ("Felixstowe, GB", "UK DC"),
                ("Montréal, CA", "Québec DC"), ("Sydney, AU", "AU DC 1"))
DELIVERY_TERMS = ("FOB", "FOB", "FOB", "DDP", "EXW", "CIF", "FCA")
DELIVERY_METHODS = ("SEA", "SEA", "SEA", "AIR", "SEA-AIR")
ORDER_TYPES = ("ACTIVE",) * 90 + ("CANCELLED",) * 4 + ("ON HOLD",) * 3 + ("SAMPLE",) * 3
NOTES = ("Hold for lab dip approval", "Customer's hanger spec 'H-22'", "Split shipment: 60/40", "Re-order of FW25")
PACKS = (6, 6, 12, 12, 12, 24, 24, 36, 48, 60)

# The fixed case shaped like the customer's reference PO: (style, family run, sizes, colours).
# 12x5 + 12x6 + 10x4 + 10x6 + 9x1 + 10x4 + 6x6 = 69 rows and 317 canonical size lines.
REFERENCE_CUSTOMER = "Société Générale Wear"
REFERENCE_PO = "4500123456"
REFERENCE_STYLES = (
    ("SGW-PL1001", "Men's Pima Polo", "letter", ("XS", "S", "M", "L", "XL"), 12),
    ("SGW-KN2002", "Women's Merino Crew", "letter", ("XS", "S", "M", "L", "XL", "XXL"), 12),
    ("SGW-TD3003", "Toddler Fleece Romper", "kids", ("2T", "3T", "4T", "5T"), 10),
    ("SGW-BR4004", "Lace Balconette", "bra", ("32A", "32B", "34A", "34B", "36A", "36B"), 10),
    ("SGW-AC5005", "Cable Knit Beanie", "one size", (ONE_SIZE,), 9),
    ("SGW-DR6006", "Wrap Midi Dress", "numeric", ("4", "6", "8", "10"), 10),
    ("SGW-DN7007", "Slim Selvedge Jean", "waist/length", ("30/30", "30/32", "32/30", "32/32", "34/32", "34/34"), 6),
)


class SampleShape:
    """The staging columns a generator writes to, and how rows map to order keys and lines.

    Built from the config and a staging column list, so the key columns, size columns and
    alias map are the ones the pipeline will use.
    """

    def __init__(self, config: Config, columns: list[Column]):
        self.names = frozenset(c.name for c in columns)
        self.key_columns = config.key_columns
        self.sizes = size_columns(config, columns)
        size_set = set(self.sizes)
        self.canonical = {s: config.sizes.canonical(s) for s in self.sizes}
        self.groups: dict[str, tuple[str, ...]] = {}
        for column, size in self.canonical.items():
            self.groups[size] = (*self.groups.get(size, ()), column)
        self.one_size_aliases = tuple(a for a, c in config.sizes.aliases.items() if c == ONE_SIZE and a in size_set)
        families = {name: tuple(run for run in runs if set(run) <= size_set) for name, runs in SIZE_FAMILIES.items()}
        self.families = {name: runs for name, runs in families.items() if runs}
        if not self.families:  # a catalog with none of the sample names: its own column order is the run
            self.families = {"letter": (tuple(s for s in self.sizes if self.canonical[s] == s),)}

    def order_key(self, row: Row) -> str:
        """The contract's order key: the key columns' values joined with `|`."""
        return "|".join(str(row[c]) for c in self.key_columns)

    def lines(self, row: Row) -> dict[str, int]:
        """Non-zero quantities by canonical size (aliases summed), as the pipeline unpivots them."""
        totals: dict[str, int] = {}
        for column, qty in row.items():  # a row holds few cells; the catalog has ~200 sizes
            size = self.canonical.get(column)
            if size is not None and qty is not None:
                totals[size] = totals.get(size, 0) + qty
        return {size: qty for size, qty in totals.items() if qty != 0}

    def total(self, row: Row) -> int:
        """TOTAL QTY as upstream computes it: every size cell, aliases included."""
        return sum(qty for column, qty in row.items() if qty and column in self.canonical)

    def run_of(self, row: Row) -> tuple[str, ...] | None:
        """The size run a row's sizes come from (None for a row with no sizes)."""
        present = set(self.lines(row))
        if not present:
            return None
        return next((run for runs in self.families.values() for run in runs if present <= set(run)), None)

    def fit(self, row: Row) -> Row:
        """Drop values for columns this catalog does not have (the generator knows the sample's)."""
        if row.keys() <= self.names:
            return row
        return {k: v for k, v in row.items() if k in self.names}


def snapshot(shape: SampleShape, orders: int, seed: int = 1) -> Iterator[Row]:
    """`orders` random order rows, lazily: POs of a customer, styles on a PO, a row per colour.

    The first k rows do not depend on `orders`, so a bigger snapshot extends a smaller one.
    """
    rng = random.Random(seed)
    made = 0
    while made < orders:
        customer, code = rng.choice(CUSTOMERS)
        po = _po_header(rng, customer)
        for _style in range(rng.randint(1, 6)):
            family = rng.choices(list(shape.families), [FAMILY_WEIGHTS.get(f, 1) for f in shape.families])[0]
            run = rng.choice(shape.families[family])
            window = _window(rng, run)
            style = _style_header(rng, family, f"{code}{rng.randint(1000, 99999)}")
            for colour_code, colour in rng.sample(COLOURS, rng.randint(1, 5)):
                if made == orders:
                    return
                made += 1
                row = {**po, **style, "AAG ORDER NUMBER": f"{code}-{made:07d}",
                       "CUSTOMER'S COLOUR CODE": colour_code, "CUSTOMER COLOUR DESCRIPTION": colour,
                       ORDER_TYPE: rng.choice(ORDER_TYPES)}
                if rng.random() < 0.05:
                    row["NOTES"] = rng.choice(NOTES)
                _fill_sizes(rng, shape, row, window)
                yield shape.fit(row)


def reference_po(shape: SampleShape) -> list[Row]:
    """The fixed case shaped like the customer's reference PO: 69 rows, 317 canonical lines
    on the sample catalog (a catalog without some of its sizes gets fewer lines).

    One customer, one PO, seven styles x colours, all ACTIVE. Some one-size rows spread
    their quantity over `ONE SIZE` and an alias column, which fold into one line.
    """
    rng = random.Random(20260)
    po = _po_header(rng, REFERENCE_CUSTOMER)
    po.update({"PO NUMBER": REFERENCE_PO, "CUSTOMER SEASON": "FW26", "AAG SEASON": "2026 FALL",
               "DELIVERY TERMS": "FOB", "DESTINATION": "Rotterdam, NL"})
    rows = []
    for style, description, family, sizes, colours in REFERENCE_STYLES:
        header = _style_header(rng, family, style)
        header["STYLE DESCRIPTION"] = description
        for colour_code, colour in COLOURS[:colours]:
            row = {**po, **header, "AAG ORDER NUMBER": f"SGW-{len(rows) + 1:05d}",
                   "CUSTOMER'S COLOUR CODE": colour_code, "CUSTOMER COLOUR DESCRIPTION": colour,
                   ORDER_TYPE: "ACTIVE"}
            _fill_sizes(rng, shape, row, sizes)
            rows.append(shape.fit(row))
    return rows


def _po_header(rng: random.Random, customer: str) -> Row:
    """Columns shared by every row of one PO: customer, season, dates, terms, destination."""
    season, aag_season = rng.choice(SEASONS)
    ordered = datetime(2025, 6, 1) + timedelta(days=rng.randint(0, 420))
    ex_factory = ordered + timedelta(days=rng.randint(60, 150))
    destination, warehouse = rng.choice(DESTINATIONS)
    row = {
        "CUSTOMER NAME": customer, "PO NUMBER": str(rng.randint(4500000000, 4599999999)),
        "AAG SEASON": aag_season, "CUSTOMER SEASON": season, "DROP": f"DROP {rng.randint(1, 4)}",
        "PLANNER": rng.choice(PLANNERS), "ORDER DATE PO RECEIVED": ordered, "UNIT OF MEASURE": "EA",
        "DESTINATION": destination, "DESTINATION WAREHOUSE": warehouse, "EX FACTORY DATE": ex_factory,
        "ETA CUSTOMER WAREHOUSE DATE": ex_factory + timedelta(days=rng.randint(21, 45)),
        "DELIVERY TERMS": rng.choice(DELIVERY_TERMS), "PLANNED DELIVERY METHOD": rng.choice(DELIVERY_METHODS),
        "INVOICE YEAR": ex_factory.year, "_SOURCE_TABLE": "ORDER_LIST",
    }
    if rng.random() < 0.2:
        row["CUSTOMER ALT PO"] = f"ALT-{rng.randint(10000, 99999)}"
    return row


def _style_header(rng: random.Random, family: str, style: str) -> Row:
    """Columns shared by every colour of one style: description, category, prices."""
    category, descriptions = CATEGORIES[family]
    price = Decimal(rng.randint(400, 12000)) / 100
    return {
        "CUSTOMER STYLE": style, "STYLE DESCRIPTION": rng.choice(descriptions), "CATEGORY": category,
        "RANGE / COLLECTION": rng.choice(COLLECTIONS), "MAKE/BUY CODE": rng.choice(("MAKE", "BUY")),
        "CUSTOMER PRICE": price, "EX WORKS (USD)": (price * Decimal("0.45")).quantize(Decimal("0.0001")),
        "FINAL FOB (USD)": (price * Decimal("0.55")).quantize(Decimal("0.0001")),
        "US DUTY RATE": Decimal(rng.choice(("0.166000", "0.120000", "0.280000", "0.074000"))),
    }


def _window(rng: random.Random, run: tuple[str, ...]) -> tuple[str, ...]:
    """3-8 neighbouring sizes of a run (the whole run when it is shorter)."""
    width = min(len(run), rng.randint(3, 8))
    start = rng.randint(0, len(run) - width)
    return run[start : start + width]


def _fill_sizes(rng: random.Random, shape: SampleShape, row: Row, sizes: tuple[str, ...]) -> None:
    """Quantities peaking in the middle sizes, in packs; one-size rows sometimes use an alias column.

    A one-size row may spread its quantity over `ONE SIZE` and an alias column, as the
    real data does; `shape.lines` folds them back into one line.
    """
    pack = rng.choice(PACKS)
    middle = (len(sizes) - 1) / 2
    for i, size in enumerate(sizes):
        weight = max(1, round(3 - abs(i - middle)))
        qty = pack * weight * rng.randint(1, 4)
        if size == ONE_SIZE and shape.one_size_aliases and rng.random() < 0.5:
            alias = rng.choice(shape.one_size_aliases)
            if rng.random() < 0.5:
                row[ONE_SIZE], row[alias] = qty, pack
            else:
                row[alias] = qty
            continue
        row[size] = qty
    row[TOTAL_QTY] = shape.total(row)


# -- change sets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeSummary:
    """What a change set changed, so a test can assert the exact deltas the pipeline yields."""

    name: str
    quantities: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # (order, size) -> old, new
    added: dict[tuple[str, str], int] = field(default_factory=dict)  # (order, size) -> new qty
    removed: dict[tuple[str, str], int] = field(default_factory=dict)  # (order, size) -> old qty
    cancelled: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()

    def item_actions(self) -> dict[str, str]:
        """order key -> expected item delta, for a config whose monday columns include
        TOTAL QTY and ORDER TYPE (the shipped one): size changes alter TOTAL QTY."""
        actions = {order: "UPDATE" for order, _ in (*self.quantities, *self.added, *self.removed)}
        actions.update({order: "UPDATE" for order in self.cancelled})
        actions.update({order: "ARCHIVE" for order in self.dropped})
        return actions

    def line_actions(self) -> dict[tuple[str, str], str]:
        """(order key, size) -> expected line delta. Lines of dropped orders are left to the
        pipeline's archive rule and are not listed."""
        actions = {line: "UPDATE" for line in self.quantities}
        actions.update({line: "CREATE" for line in self.added})
        actions.update({line: "DELETE" for line in self.removed})
        return actions

    def describe(self) -> list[str]:
        """One line per change, for the CLI."""
        out = [f"quantity {o} {s}: {a} -> {b}" for (o, s), (a, b) in self.quantities.items()]
        out += [f"size added {o} {s}: {q}" for (o, s), q in self.added.items()]
        out += [f"size removed {o} {s} (was {q})" for (o, s), q in self.removed.items()]
        out += [f"cancelled {o}" for o in self.cancelled]
        out += [f"dropped from staging {o}" for o in self.dropped]
        return out


def apply_change_set(shape: SampleShape, rows: list[Row], name: str) -> tuple[list[Row], ChangeSummary]:
    """A copy of `rows` with the named change set applied, and what it changed.

    Every change set walks the same deterministic choice of ACTIVE orders (each part takes
    orders no earlier part took), so `demo` is exactly the union of the four others and
    each change lands on a different order. The input rows are not modified.
    """
    if name not in CHANGE_SETS:
        raise ConfigError(f"change set {name!r} is unknown: use one of {', '.join(CHANGE_SETS)}")
    wanted = set(CHANGE_SETS[:-1]) if name == "demo" else {name}
    rows = list(rows)  # rows are copied when taken: the caller's rows stay as they were
    rng = random.Random(f"ordersync change sets over {len(rows)} rows")
    candidates = [i for i, r in enumerate(rows) if r.get(ORDER_TYPE) == "ACTIVE" and shape.lines(r)]
    rng.shuffle(candidates)

    def take(fits) -> Row:
        """The next unused candidate order that fits (same walk for every change set)."""
        for position, i in enumerate(candidates):
            if fits(rows[i]):
                del candidates[position]
                rows[i] = dict(rows[i])
                return rows[i]
        raise ConfigError(f"change set {name!r} needs more ACTIVE orders than the snapshot has: "
                          f"load a bigger one (--orders 20)")

    quantities: dict[tuple[str, str], tuple[int, int]] = {}
    for count in (2, 1):  # two lines of one order, one line of another
        row = take(lambda r: True)
        for size, old in list(shape.lines(row).items())[:count]:
            column = max(shape.groups[size], key=lambda c: row.get(c) or 0)
            step = rng.choice((6, 12, 24))
            if row[column] > step and rng.random() < 0.5:
                step = -step
            if "quantities" in wanted:
                row[column] += step
                quantities[(shape.order_key(row), size)] = (old, old + step)

    added: dict[tuple[str, str], int] = {}
    row = take(lambda r: _addable(shape, r) is not None)
    if "sizes" in wanted:
        size, qty = _addable(shape, row), rng.choice(PACKS) * 2
        row[size] = qty
        added[(shape.order_key(row), size)] = qty
    removed: dict[tuple[str, str], int] = {}
    row = take(lambda r: len(shape.lines(r)) >= 2)
    if "sizes" in wanted:
        size, qty = list(shape.lines(row).items())[-1]
        for column in shape.groups[size]:
            row.pop(column, None)
        removed[(shape.order_key(row), size)] = qty

    row = take(lambda r: True)
    cancelled = ()
    if "cancel" in wanted:
        row[ORDER_TYPE] = "CANCELLED"
        cancelled = (shape.order_key(row),)
    row = take(lambda r: True)
    dropped = (shape.order_key(row),) if "drop" in wanted else ()

    resized = {order for order, _ in (*quantities, *added, *removed)}
    kept = []
    for row in rows:
        key = shape.order_key(row)
        if key in resized:
            row[TOTAL_QTY] = shape.total(row)
        if key not in dropped:
            kept.append(row)
    return kept, ChangeSummary(name, quantities, added, removed, cancelled, dropped)


def _addable(shape: SampleShape, row: Row) -> str | None:
    """A size of the row's run, next to its sizes, that the row does not have yet."""
    run = shape.run_of(row)
    if run is None:
        return None
    present = [i for i, size in enumerate(run) if size in shape.lines(row)]
    for i in (present[-1] + 1, present[0] - 1):
        if 0 <= i < len(run) and run[i] not in shape.lines(row):
            return run[i]
    return None


# -- loading ---------------------------------------------------------------------------------


def load_snapshot(db: Database, rows: Iterable[Row]) -> int:
    """Replace the staging table's content with `rows`; return how many were loaded.

    One transaction: DELETE, then the dialect's bulk load with every value a parameter (COPY for
    PostgreSQL, `fast_executemany` for SQL Server), then ANALYZE on PostgreSQL, whose merge
    plans degrade several-fold on a freshly loaded table without statistics.
    """
    cfg = db.config
    schema, table = cfg.environment.data_schema, cfg.tables.staging
    columns = [c.name for c in db.live_columns(schema, table)]
    if not columns:
        raise DatabaseError(f"staging table {schema}.{table} does not exist: `ordersync sample-data` "
                            f"creates it for the demo, production loads it upstream")
    position = {name: i for i, name in enumerate(columns)}
    target = db.dialect.qualified(schema, table)

    def full_rows() -> Iterator[list[Any]]:
        for row in rows:
            values: list[Any] = [None] * len(columns)
            for name, value in row.items():
                try:
                    values[position[name]] = value
                except KeyError:
                    raise ConfigError(f"sample row sets {name!r}, which is not a column of {schema}.{table}: "
                                      f"recreate the staging table from the configured columns") from None
            yield values

    conn = db.connection()
    try:
        cur = conn.cursor()
        cur.execute(f"DELETE FROM {target}")
        loaded = db.dialect.bulk_load(cur, target, columns, full_rows())
        conn.commit()
    except Exception as exc:
        conn.rollback()
        if isinstance(exc, ConfigError | DatabaseError):
            raise
        raise DatabaseError(f"loading {schema}.{table} failed: {exc}") from exc
    return loaded
