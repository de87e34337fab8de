"""The monday API version ordersync speaks, pinned once.

The pusher sends it as the ``API-Version`` header (unless the config overrides
``monday.api_version``), and the official schema committed for that version is the one every
GraphQL document is validated against (``pusher.graphql_contract``). To move to a newer version,
run ``scripts/update_monday_schema.py --version YYYY-MM``, change ``API_VERSION`` here, delete
the old schema file and run the contract tests.
"""

from pusher.paths import GRAPHQL_DIR

API_VERSION = "2026-10"
SCHEMA_PATH = GRAPHQL_DIR / "schema" / f"monday-{API_VERSION}.graphql"
