"""Parts of monday's API that real clients call and the emulator now answers: me, versions, archive_group,
delete_group, and create_group keeping its colour and position. Each field is also in the official schema
(tests/emulator/test_contract.py compares the whole emulator schema with it)."""

from __future__ import annotations

BOARD = "5000000001"


def data(api, server, query):
    body = api(server, query).json()
    assert "errors" not in body, body
    return body["data"]


def groups(api, server):
    (board,) = data(api, server, f"{{ boards(ids: [{BOARD}]) {{ groups {{ id title }} }} }}")["boards"]
    return {g["title"]: g for g in board["groups"]}


def test_me_and_versions_answer_for_a_token_check(monday_emulator, api):
    got = data(api, monday_emulator, "{ me { id name email url } versions { display_name kind value } }")
    assert got["me"]["id"] and got["me"]["email"]
    assert {"kind": "current", "value": "2026-10"}.items() <= next(
        v for v in got["versions"] if v["kind"] == "current").items()


def test_create_group_keeps_colour_and_position(monday_emulator, api):
    first = data(api, monday_emulator, f'mutation {{ create_group(board_id: {BOARD}, group_name: "A", '
                                       f'group_color: "#ff642e") {{ id color position }} }}')["create_group"]
    assert first["color"] == "#ff642e" and float(first["position"]) > 65536
    before = data(api, monday_emulator, f'mutation {{ create_group(board_id: {BOARD}, group_name: "B", '
                                        f'relative_to: "{first["id"]}", position_relative_method: before_at) '
                                        f"{{ id position }} }}")["create_group"]
    assert 65536 < float(before["position"]) < float(first["position"])
    placed = data(api, monday_emulator, f'mutation {{ create_group(board_id: {BOARD}, group_name: "C", '
                                        f'position: "7") {{ position }} }}')["create_group"]
    assert placed["position"] == "7"


def test_archive_group_archives_its_items_and_delete_group_deletes_them(monday_emulator, api):
    gid = data(api, monday_emulator, f'mutation {{ create_group(board_id: {BOARD}, group_name: "Old") '
                                     f"{{ id }} }}")["create_group"]["id"]
    item = data(api, monday_emulator, f'mutation {{ create_item(board_id: {BOARD}, group_id: "{gid}", '
                                      f'item_name: "x") {{ id }} }}')["create_item"]["id"]
    archived = data(api, monday_emulator, f'mutation {{ archive_group(board_id: {BOARD}, group_id: "{gid}") '
                                          f"{{ id archived }} }}")["archive_group"]
    assert archived == {"id": gid, "archived": True}
    assert {i["id"]: i["state"] for i in monday_emulator.items(BOARD)}[item] == "archived"
    data(api, monday_emulator, f'mutation {{ delete_group(board_id: {BOARD}, group_id: "{gid}") {{ id }} }}')
    assert "Old" not in groups(api, monday_emulator)
    assert monday_emulator.items(BOARD, include_archived=True) == []


def test_the_last_group_of_a_board_cannot_be_deleted(monday_emulator, api):
    body = api(monday_emulator, f'mutation {{ delete_group(board_id: {BOARD}, group_id: "topics") {{ id }} }}').json()
    assert body["errors"][0]["extensions"]["code"] == "InvalidArgumentException"


def test_boards_filters_and_the_board_fields_real_clients_select(monday_emulator, api):
    query = ("{ boards(board_kind: public, workspace_ids: [1], hierarchy_types: [classic], order_by: created_at, "
             "latest: true) { id updated_at permissions tags { id } owners { id } } }")
    got = data(api, monday_emulator, query)["boards"]
    assert [b["id"] for b in got] == sorted((b["id"] for b in got), key=int, reverse=True) and got
    assert got[0]["permissions"] and got[0]["tags"] == [] and got[0]["owners"] == [{"id": "1"}]
    none = data(api, monday_emulator, "{ a: boards(workspace_ids: [99]) { id } "
                                      "b: boards(hierarchy_types: [multi_level]) { id } "
                                      "c: boards(board_kind: private) { id } }")
    assert none == {"a": [], "b": [], "c": []}
    item = data(api, monday_emulator, f'mutation {{ create_item(board_id: {BOARD}, item_name: "x") '
                                      f"{{ id updates {{ id body }} }} }}")["create_item"]
    assert item["updates"] == []
    (board,) = data(api, monday_emulator, f"{{ boards(ids: [{BOARD}]) {{ updated_at }} }}")["boards"]
    assert board["updated_at"]


def _ids(server):
    return [i["id"] for i in server.items(BOARD, include_archived=False)]


def test_change_item_position_orders_items_within_and_across_groups(monday_emulator, api):
    made = [data(api, monday_emulator, f'mutation {{ create_item(board_id: {BOARD}, item_name: "{n}") {{ id }} }}')
            ["create_item"]["id"] for n in "abc"]
    a, b, c = made
    data(api, monday_emulator, f"mutation {{ change_item_position(item_id: {c}, relative_to: {a}, "
                               f"position_relative_method: before_at) {{ id }} }}")
    assert _ids(monday_emulator) == [c, a, b]
    gid = data(api, monday_emulator, f'mutation {{ create_group(board_id: {BOARD}, group_name: "G") '
                                     f"{{ id }} }}")["create_group"]["id"]
    moved = data(api, monday_emulator, f'mutation {{ change_item_position(item_id: {a}, group_id: "{gid}", '
                                       f"group_top: true) {{ id group {{ id }} }} }}")["change_item_position"]
    assert moved["group"]["id"] == gid
    both = api(monday_emulator, f'mutation {{ change_item_position(item_id: {a}, group_id: "{gid}", '
                                f"relative_to: {b}) {{ id }} }}").json()
    assert both["errors"][0]["extensions"]["code"] == "InvalidArgumentException"


def test_bulk_archive_and_delete_run_as_jobs_that_job_status_reports(monday_emulator, api):
    made = [data(api, monday_emulator, f'mutation {{ create_item(board_id: {BOARD}, item_name: "{n}") {{ id }} }}')
            ["create_item"]["id"] for n in "abc"]
    job = data(api, monday_emulator, f"mutation {{ bulk_archive_items(board_id: {BOARD}, "
                                     f"item_ids: [{made[0]}, {made[1]}, 999]) {{ job_id }} }}")["bulk_archive_items"]
    status = data(api, monday_emulator, f'{{ job_status(job_id: "{job["job_id"]}") {{ status result '
                                        f"{{ total succeeded failed details }} }} }}")["job_status"]
    assert status["status"] == "COMPLETED"
    assert status["result"] == {"total": 3, "succeeded": 2, "failed": 1, "details": {"failed_item_ids": ["999"]}}
    assert _ids(monday_emulator) == [made[2]]
    data(api, monday_emulator, f"mutation {{ bulk_delete_items(board_id: {BOARD}, item_ids: [{made[2]}]) "
                               f"{{ job_id }} }}")
    assert monday_emulator.items(BOARD, include_archived=True, include_deleted=False) == [
        i for i in monday_emulator.items(BOARD) if i["state"] == "archived"]
    assert len(monday_emulator.items(BOARD)) == 2


def test_fragments_on_every_column_value_type_of_the_schema_validate_and_answer(monday_emulator, api):
    monday_emulator.load_board({"id": "7100000001", "name": "Typed", "groups": [{"id": "g", "title": "G"}],
                                "columns": [{"id": "dep", "title": "Dep", "type": "dependency"},
                                            {"id": "tags", "title": "Tags", "type": "tags"}]})
    data(api, monday_emulator, 'mutation { create_item(board_id: 7100000001, item_name: "x") { id } }')
    query = """{ boards(ids: [7100000001]) { items_page { items { column_values {
        __typename id ... on DependencyValue { display_value updated_at } ... on TagsValue { text }
        ... on TimelineValue { text } ... on WorldClockValue { updated_at } } } } } }"""
    (item,) = data(api, monday_emulator, query)["boards"][0]["items_page"]["items"]
    assert {v["id"]: v["__typename"] for v in item["column_values"]} == {"dep": "DependencyValue",
                                                                        "tags": "TagsValue"}
    assert next(v for v in item["column_values"] if v["id"] == "dep")["display_value"] == ""
