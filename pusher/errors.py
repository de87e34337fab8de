"""The error kinds every command shares, each tied to one documented exit code.

Commands raise these; ``pusher.cli`` turns them into a one-line message on stderr and the
matching exit code, so a scheduler (SQL Agent, Windows Task Scheduler) can tell them apart.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # everything asked for was done
    ROWS_FAILED = 1  # the run finished, but some rows failed (see `ordersync status`)
    CONFIG_ERROR = 2  # bad configuration or command line; nothing was changed
    REMOTE_FATAL = 3  # monday refused the whole run (token, board, daily limit); rows left PENDING
    DATABASE_ERROR = 4  # the database could not be reached or a procedure failed
    MASS_CHANGE_REFUSED = 5  # the pipeline would archive/delete beyond the threshold; nothing merged
    INTERRUPTED = 130  # Ctrl-C / SIGTERM


class OrdersyncError(Exception):
    """Base class: an error with a sentence for the user and an exit code."""

    exit_code = ExitCode.DATABASE_ERROR


class ConfigError(OrdersyncError):
    """A configuration problem; the message names the key and the fix."""

    exit_code = ExitCode.CONFIG_ERROR


class DatabaseError(OrdersyncError):
    """The database refused or failed; the message names the object involved."""

    exit_code = ExitCode.DATABASE_ERROR


class RemoteFatalError(OrdersyncError):
    """monday refused the whole run (bad token, unknown board or column, daily limit)."""

    exit_code = ExitCode.REMOTE_FATAL


class MassChangeRefused(OrdersyncError):
    """The pipeline's mass-change guard refused the run (empty or half-loaded staging);
    the message names the counts, the thresholds and the override."""

    exit_code = ExitCode.MASS_CHANGE_REFUSED
