"""ordersync: keep monday.com boards in step with ORDER_LIST.

The database does the set work (merge, unpivot, delta) in procedures rendered from the
Jinja templates under ``db/`` and ``procedures/``; this package renders and deploys them,
runs the pipeline, pushes pending rows to monday, and ships a local monday emulator.
"""

__version__ = "0.1.0"
