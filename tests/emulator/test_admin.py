"""The local-only admin endpoints, over HTTP, as a test in another process would use them."""

from __future__ import annotations

import pytest
import requests

from pusher.emulator.admin import is_local_client

CREATE = 'mutation { create_item(board_id: 5000000001, item_name: "x") { id } }'


def admin(server, method, path, **kwargs):
    return requests.request(method, server.admin_url + path, timeout=5, **kwargs)


def test_state_shows_boards_items_and_archived_flags(monday_emulator, api):
    created = api(monday_emulator, CREATE).json()["data"]["create_item"]["id"]
    api(monday_emulator, f"mutation {{ archive_item(item_id: {created}) {{ id }} }}")
    state = admin(monday_emulator, "GET", "/state").json()
    boards = {b["id"]: b for b in state["boards"]}
    assert set(boards) == {"5000000001", "5000000002"}
    [item] = boards["5000000001"]["items"]
    assert (item["id"], item["state"], item["name"]) == (created, "archived", "x")
    assert boards["5000000001"]["item_counts"] == {"active": 0, "archived": 1, "deleted": 0}


def test_items_endpoint_filters_archived_and_deleted(monday_emulator, api):
    ids = [api(monday_emulator, CREATE).json()["data"]["create_item"]["id"] for _ in range(3)]
    api(monday_emulator, f"mutation {{ archive_item(item_id: {ids[0]}) {{ id }} }}")
    api(monday_emulator, f"mutation {{ delete_item(item_id: {ids[1]}) {{ id }} }}")

    def listed(query):
        return [i["id"] for i in admin(monday_emulator, "GET", "/items?board_id=5000000001" + query).json()["items"]]

    assert listed("") == [ids[0], ids[2]]
    assert listed("&include_archived=0") == [ids[2]]
    assert listed("&include_deleted=1") == ids
    assert admin(monday_emulator, "GET", "/items?board_id=42").status_code == 404


def test_stats_count_requests_mutations_errors_and_statuses(monday_emulator, api):
    api(monday_emulator, CREATE)
    api(monday_emulator, 'mutation { create_item(board_id: 5000000001, item_name: "") { id } }')
    api(monday_emulator, CREATE, token="")
    stats = admin(monday_emulator, "GET", "/stats").json()
    assert stats["requests"] == 3
    assert stats["mutations"] == {"create_item": 1}
    assert stats["errors_by_code"] == {"ItemNameTooLongException": 1, "Unauthorized": 1}
    assert stats["http_statuses"] == {"200": 2, "401": 1}
    assert stats["complexity_spent"] > 60_000


def test_faults_are_set_read_and_cleared_over_http(monday_emulator, api):
    body = {"rules": [{"kind": "500", "next": 1}, {"kind": "slow", "every": 10}], "slow_seconds": 0.5, "seed": 3}
    assert admin(monday_emulator, "POST", "/faults", json=body).status_code == 200
    described = admin(monday_emulator, "GET", "/faults").json()
    assert described["seed"] == 3 and described["slow_seconds"] == 0.5
    assert described["rules"][0] == {"kind": "http_500", "next": 1, "left": 1}
    assert api(monday_emulator, CREATE).status_code == 500
    assert admin(monday_emulator, "DELETE", "/faults").json()["rules"] == []
    assert api(monday_emulator, CREATE).status_code == 200
    bad = admin(monday_emulator, "POST", "/faults", json={"rules": [{"kind": "nope", "next": 1}]})
    assert bad.status_code == 400 and "unknown fault kind" in bad.json()["error"]


def test_boards_can_be_loaded_over_http(monday_emulator, api):
    board = {"id": "7200000001", "name": "Loaded", "columns": [{"id": "text_x", "title": "X", "type": "text"}]}
    assert admin(monday_emulator, "POST", "/boards", json={"boards": [board]}).json() == {"loaded": ["7200000001"]}
    made = api(
        monday_emulator,
        'mutation { create_item(board_id: 7200000001, item_name: "a", '
        'column_values: "{\\"text_x\\": \\"v\\"}") { id } }',
    ).json()
    assert "errors" not in made
    bad = admin(monday_emulator, "POST", "/boards", json={"id": "abc", "name": "x"})
    assert bad.status_code == 400 and "numeric" in bad.json()["error"]


def test_reset_returns_to_the_start(monday_emulator, api):
    api(monday_emulator, CREATE)
    monday_emulator.set_faults([{"kind": "500", "every": 5}])
    assert admin(monday_emulator, "POST", "/reset").json() == {"ok": True}
    assert monday_emulator.items("5000000001") == []
    assert monday_emulator.stats()["requests"] == 0
    assert monday_emulator.faults()["rules"] == []
    later = api(monday_emulator, CREATE).json()["data"]["create_item"]["id"]
    assert int(later) > 10_000_000_001  # ids never repeat across a reset


def test_health_and_unknown_endpoints(monday_emulator):
    assert admin(monday_emulator, "GET", "/health").json() == {"ok": True, "url": monday_emulator.url}
    missing = admin(monday_emulator, "GET", "/nope")
    assert missing.status_code == 404 and "GET /admin/state" in missing.json()["endpoints"]
    assert admin(monday_emulator, "POST", "/faults", data=b"{not json").status_code == 400


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.1.2.3", False),
        ("192.168.0.5", False),
        ("::ffff:10.0.0.1", False),
        ("fe80::1%eth0", False),
        ("junk", False),
    ],
)
def test_only_loopback_clients_count_as_local(address, local):
    assert is_local_client(address) is local


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe{}"], ids=["not-json", "not-utf8"])
def test_an_admin_body_that_is_not_json_gets_a_400_not_a_dropped_connection(monday_emulator, body):
    reply = admin(monday_emulator, "POST", "/faults", data=body)
    assert reply.status_code == 400 and "body is not JSON" in reply.json()["error"]
