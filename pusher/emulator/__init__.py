"""A local monday.com-compatible GraphQL API for the demo and the tests (see docs/emulator.md)."""

from pusher.emulator.faults import FaultRule
from pusher.emulator.fixtures import SAMPLE_ITEMS_BOARD_ID, SAMPLE_SUBITEMS_BOARD_ID
from pusher.emulator.options import EmulatorOptions
from pusher.emulator.server import EmulatorServer

__all__ = [
    "SAMPLE_ITEMS_BOARD_ID",
    "SAMPLE_SUBITEMS_BOARD_ID",
    "EmulatorOptions",
    "EmulatorServer",
    "FaultRule",
]
