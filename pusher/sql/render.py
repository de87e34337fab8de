"""Render the SQL templates (`db/`, `procedures/`) for one dialect.

One template per object, or per queue for a template named `...{Entity}...` (rendered once for each
of pusher.queue.QUEUES, with `entity` and `procedure` set); `db/deploy_order.txt` says the order.
Everything a template needs
is computed here once (column lists, size groups, fingerprints) so templates read like the
SQL they emit. Output carries a "generated from" header and no timestamps, so rendering
twice gives byte-identical files, and a check can re-render and diff.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace

import jinja2

from pusher.config import Config
from pusher.errors import ConfigError
from pusher.paths import DB_DIR, PROJECT_ROOT
from pusher.queue import QUEUES
from pusher.sql import deployed_config, server_version
from pusher.sql.catalog import Column, check_config_columns, fingerprint, size_columns
from pusher.sql.dialect import Dialect, get_dialect, hash_family

DEPLOY_ORDER = DB_DIR / "deploy_order.txt"
STAGING_TEMPLATE = "db/staging/swp_ORDER_LIST_V2.sql.j2"
DIALECT_MACROS = "procedures/_dialect"  # default.sql.j2, and <dialect>.sql.j2 overriding it
MAX_SIZE_NAME = 50  # characters in ORDER_LIST_LINES.size (see db/tables/ORDER_LIST_LINES.sql.j2)
PER_QUEUE = "{Entity}"  # in a template's name: rendered once per queue


@dataclass(frozen=True)
class RenderedObject:
    template: str  # path relative to the project root
    sql: str
    queue: str | None = None  # the queue a per-queue template was rendered for

    @property
    def file_name(self) -> str:
        """``sync.ClaimItems.sql`` for ``procedures/sync.Claim{Entity}.sql.j2`` rendered for items."""
        name = Path(self.template).name.removesuffix(".j2")
        return QUEUES[self.queue].procedure(name) if self.queue else name

    @property
    def procedure(self) -> str | None:
        """The procedure this object creates (``procedures/sync.<Name>.sql.j2``: ``ClaimItems``), else None."""
        parts = self.file_name.split(".")
        return parts[1] if self.template.startswith("procedures/") and parts[2:] == ["sql"] else None

    @property
    def source(self) -> str:
        """What a message names: the template, and the queue it was rendered for."""
        return f"{self.template} ({self.queue})" if self.queue else self.template


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates shared by the Renderers of one dialect in the process (compiling is
    ~95% of a render). One cache per dialect: Jinja folds filters on constants (`'x' | lit`) at
    compile time. An entry is checked against a checksum of the source, so an edited template
    is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED: dict[str, _CompiledTemplates] = {}


def deploy_order(path: Path = DEPLOY_ORDER) -> list[str]:
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#")]


def deploy_objects(templates: list[str] | None = None) -> list[tuple[str, str | None]]:
    """(template, queue) of every object in deploy order: a per-queue template once per queue."""
    return [(t, q) for t in (templates or deploy_order()) for q in (QUEUES if PER_QUEUE in t else [None])]


def queue_procedures() -> list[str]:
    """The procedures rendered per queue (ClaimItems, ClaimSubitems, ...), for the grants and the
    uninstall script."""
    return [RenderedObject(t, "", q).procedure for t, q in deploy_objects() if q is not None]


def columns_file_note(columns_file: str) -> str:
    """What a render from a column list says in its headers and on the console."""
    return (f"staging columns from the file {columns_file}, not from the live table: "
            f"check them against the target table before deploying")


def write_sql(path: Path, sql: str, dialect: Dialect) -> Path:
    """Write one rendered script the way its engine's command-line client reads it (`file_encoding`)."""
    path.write_text(sql, encoding=dialect.file_encoding, newline="\n")
    return path


class Renderer:
    """Renders templates for one config, dialect and staging column list."""

    def __init__(self, config: Config, dialect: Dialect | str, staging_columns: list[Column],
                 columns_file: str | None = None):
        """columns_file: the column list the staging columns came from, named in every header
        (None: they came from the live table, or do not matter to the caller)."""
        self.config = config
        self.columns_file = columns_file
        self.dialect = get_dialect(dialect) if isinstance(dialect, str) else dialect
        problems = check_config_columns(config, staging_columns)
        if problems:
            listing = "\n  - ".join(problems)
            raise ConfigError(f"{config.path} does not fit the staging table:\n  - {listing}")
        self.staging_columns = staging_columns
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(PROJECT_ROOT)),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
            bytecode_cache=_COMPILED.setdefault(self.dialect.name, _CompiledTemplates()),
        )
        self.env.filters.update(
            q=self.dialect.quote,
            lit=self.dialect.literal,
            sqltype=self.dialect.sql_type,
            hashfamily=hash_family,
            param=self.dialect.param_name,
        )
        self.env.globals.update(self._context(), override_required=self._override_required)
        self.env.globals["d"] = self._dialect_macros()

    def _dialect_macros(self) -> SimpleNamespace:
        """The `d` templates call macros on: the dialect's own file first, then default.sql.j2
        (dbt's dispatch to a default macro with per-adapter overrides). Jinja imports a macro
        file as a module but cannot layer two, so the layering is this merge: later wins."""
        layers = [self.env.get_template(f"{DIALECT_MACROS}/{name}.sql.j2").make_module()
                  for name in ("default", self.dialect.name)]
        return SimpleNamespace(**{name: macro for layer in layers
                                  for name, macro in vars(layer).items() if not name.startswith("_")})

    def _override_required(self, macro: str) -> str:
        """The body of a default macro every engine spells its own way: reached, it names the gap."""
        raise jinja2.TemplateRuntimeError(
            f"{DIALECT_MACROS}/{self.dialect.name}.sql.j2 has no macro {macro!r}, and "
            f"{DIALECT_MACROS}/default.sql.j2 has none for every engine: write it for {self.dialect.name}")

    def _context(self) -> dict:
        cfg = self.config
        by_name = {c.name: c for c in self.staging_columns}
        sizes = size_columns(cfg, self.staging_columns)
        size_groups: dict[str, list[str]] = {}
        for column in sizes:
            size_groups.setdefault(cfg.sizes.canonical(column), []).append(column)
        self._refuse_unstorable(cfg, list(size_groups))
        for name in (cfg.environment.data_schema, cfg.environment.sync_schema, *vars(cfg.tables).values()):
            self.dialect.quote(name)  # refuses identifiers the engine cannot hold
        return {
            "dialect": self.dialect.name,
            "config": cfg,
            "data_schema": cfg.environment.data_schema,
            "sync_schema": cfg.environment.sync_schema,
            "tables": cfg.tables,
            "staging_columns": self.staging_columns,
            "staging_fingerprint": fingerprint([c.name for c in self.staging_columns]),
            "header_columns": [by_name[n] for n in cfg.monday_columns],
            "key_columns": list(cfg.key_columns),
            "customer_column": cfg.customer_column,
            "item_name": cfg.item_name,
            "group_name": cfg.group_name,
            "staging_mode": cfg.staging_mode,
            "size_columns": sizes,
            "size_groups": size_groups,
            "size_fingerprint": fingerprint(sizes),
            "max_attempts": cfg.monday.max_attempts,
            "lease_seconds": cfg.monday.lease_seconds,
            "deployed_settings": deployed_config.settings_json(cfg),
            "deployed_fingerprint": deployed_config.fingerprint(cfg),
            "queue_procedures": queue_procedures(),
        }

    def _refuse_unstorable(self, cfg: Config, sizes: list[str]) -> None:
        """Names the tables could not hold or the T-SQL payload would mangle, refused up front."""
        problems = [f"size {s!r} is {len(s)} characters; ORDER_LIST_LINES.size holds {MAX_SIZE_NAME} "
                    f"(SQL Server's 900-byte key limit): shorten it with an entry in [sizes.aliases]"
                    for s in sizes if len(s) > MAX_SIZE_NAME]
        problems += self.dialect.payload_column_problems(cfg.monday_columns)
        if problems:
            raise ConfigError(f"{cfg.path}:\n  - " + "\n  - ".join(problems))

    def render(self, template: str, queue: str | None = None) -> RenderedObject:
        """One object; a per-queue template (``{Entity}`` in its name) needs ``queue``."""
        if (PER_QUEUE in template) != (queue is not None):
            raise ValueError(f"{template}: a queue is needed exactly when the name holds {PER_QUEUE}")
        shell = RenderedObject(template, "", queue)
        names = {} if queue is None else {"entity": queue, "procedure": shell.procedure}
        try:
            body = self.env.get_template(template).render(**names)
        except jinja2.TemplateError as exc:
            where = f"{getattr(exc, 'filename', None) or template}:{getattr(exc, 'lineno', '?')}"
            raise ConfigError(f"rendering {template} failed at {where}: {exc}") from exc
        header = (f"-- generated from {shell.source} by `ordersync render --dialect {self.dialect.name}`;\n"
                  f"-- edit the template, not this file.\n")
        if self.columns_file:
            header += f"-- {columns_file_note(self.columns_file)}\n"
        return replace(shell, sql=header + str(self.env.globals["d"].file_settings()) + body.strip("\n") + "\n")

    def render_all(self, templates: list[str] | None = None) -> list[RenderedObject]:
        """Every object in deploy order; a per-queue template gives one object per queue."""
        return [self.render(t, q) for t, q in deploy_objects(templates)]

    def install_script(self, objects: list[RenderedObject]) -> str:
        """All objects in deploy order as one script (`sqlcmd -b -f 65001 -i install.sql` for T-SQL),
        behind a version check that refuses a server older than ordersync supports."""
        template = self.env.get_template(f"db/install/{self.dialect.name}.sql.j2")
        script = template.render(objects=[o.sql.rstrip("\n") for o in objects], versions=server_version)
        return f"-- {columns_file_note(self.columns_file)}\n{script}" if self.columns_file else script

    def write(self, out_dir: Path) -> list[Path]:
        """Write one file per object (numbered in deploy order), the order file and install.sql."""
        out_dir.mkdir(parents=True, exist_ok=True)
        objects = self.render_all()
        written = []
        for number, obj in enumerate(objects, start=1):
            path = out_dir / f"{number:03d}_{obj.file_name}"
            written.append(write_sql(path, obj.sql, self.dialect))
        order = out_dir / "deploy_order.txt"
        order.write_text("".join(f"{p.name}\n" for p in written), encoding="utf-8", newline="\n")
        install = out_dir / "install.sql"
        write_sql(install, self.install_script(objects), self.dialect)
        return [*written, order, install]
