"""Config text shared by the tests that load the reference ORDER_LIST shape (the 411-column catalog
in tests/fixtures/order_list_columns.tsv): its tables, named as in configs/sync_order_list.toml.

Each test writes its own environment, staging, order and [monday] sections around it.
"""

TABLES = """\
[tables]
staging = "swp_ORDER_LIST_V2"
orders = "ORDER_LIST_V2"
lines = "ORDER_LIST_LINES"
order_delta = "ORDER_LIST_DELTA"
line_delta = "ORDER_LIST_LINES_DELTA"
groups = "ORDER_LIST_GROUPS"
run_log = "ORDER_LIST_RUN_LOG"
"""
