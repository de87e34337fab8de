"""Every GraphQL document the pusher can send is valid for the official monday schema (API 2026-10).

The files under graphql/ are checked one by one, and so are batches built from them (aliases and
suffixed variables), since the batch text is what actually goes over the wire.
"""

from __future__ import annotations

import pytest

from graphql import FragmentDefinitionNode, parse
from pusher.graphql_contract import load_official_schema, validate_document
from pusher.monday_api import API_VERSION, SCHEMA_PATH
from pusher.paths import GRAPHQL_DIR
from pusher.sample_data import apply_change_set, snapshot
from pusher.sync.client import MondayClient
from pusher.sync.mutations import (
    FRAGMENTS_DIR,
    MUTATIONS,
    QUERIES,
    Op,
    build_batch,
    document_text,
    mutation_field,
)
from tests.pusher.conftest import point_at, push

MUTATION_FIELDS = {mutation_field(name) for name in MUTATIONS}

FILES = sorted(p.stem for p in GRAPHQL_DIR.glob("*.graphql"))

SAMPLE_VARIABLES = {
    "create_group": {"board_id": "1", "group_name": "ACME FW26"},
    "create_item": {"board_id": "1", "group_id": "g", "item_name": "n", "column_values": "{}", "create_labels": False},
    "create_subitem": {"parent_item_id": "2", "item_name": "XS", "column_values": "{}", "create_labels": True},
    "change_values": {"board_id": "1", "item_id": "2", "column_values": "{}", "create_labels": False},
    "move_item": {"item_id": "2", "group_id": "g"},
    "archive_item": {"item_id": "2"},
    "delete_item": {"item_id": "2"},
}


def test_every_document_the_pusher_names_is_a_file_and_every_file_is_named():
    assert set(FILES) == set(QUERIES) | set(MUTATIONS)


@pytest.mark.parametrize("name", FILES)
def test_each_graphql_file_is_valid_against_the_official_schema(name):
    assert validate_document(load_official_schema(), document_text(name)) == []


def test_each_fragment_file_holds_the_one_fragment_it_is_named_after_and_a_document_spreads_it():
    fragments = sorted(FRAGMENTS_DIR.glob("*.graphql"))
    assert fragments, "graphql/fragments/ is empty"
    for path in fragments:
        (definition,) = parse(path.read_text(encoding="utf-8")).definitions
        assert isinstance(definition, FragmentDefinitionNode) and definition.name.value == path.stem, path
    used = {d.name.value for name in FILES for d in parse(document_text(name)).definitions
            if isinstance(d, FragmentDefinitionNode)}
    assert used == {path.stem for path in fragments}


def test_a_document_carries_only_the_fragments_it_spreads():
    names = {name: [d.name.value for d in parse(document_text(name)).definitions
                    if isinstance(d, FragmentDefinitionNode)] for name in ("probe", "reconcile_next", "create_item")}
    assert names == {"probe": ["Complexity"], "reconcile_next": ["ComparedItemsPage", "Complexity"], "create_item": []}


def test_a_batch_of_every_mutation_kind_is_valid_and_carries_values_only_as_variables():
    ops = [Op(name, dict(SAMPLE_VARIABLES[name])) for name in MUTATIONS for _ in range(2)]
    ops[2].variables["item_name"] = 'a "quoted" } name'
    document, variables = build_batch(ops)
    assert validate_document(load_official_schema(), document) == []
    assert document.count("complexity") == 1
    assert [f"m{i}:" in document for i in range(len(ops))] == [True] * len(ops)
    assert "quoted" not in document and variables["item_name_2"] == 'a "quoted" } name'


def test_a_batch_of_a_hundred_creates_stays_one_document_with_distinct_variables():
    document, variables = build_batch([Op("create_item", dict(SAMPLE_VARIABLES["create_item"]))] * 100)
    assert validate_document(load_official_schema(), document) == []
    assert len(variables) == 500 and "$item_name_99" in document


def test_the_committed_schema_is_the_pinned_api_version_and_the_config_sends_that_version(config):
    assert SCHEMA_PATH.name == f"monday-{API_VERSION}.graphql"
    assert f"API-Version {API_VERSION}." in SCHEMA_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert [p.name for p in SCHEMA_PATH.parent.glob("*.graphql")] == [SCHEMA_PATH.name]
    assert config.monday.api_version == API_VERSION
    assert load_official_schema().mutation_type.fields["create_item"] is not None


def test_every_document_a_sync_sends_over_the_wire_is_valid_against_the_official_schema(
        db, config, shape, monday_emulator, load_reference, monkeypatch):
    sent: list[str] = []
    send = MondayClient.request

    def recording(client, document, *args, **kwargs):  # a spy: the request still goes to the emulator
        sent.append(document)
        return send(client, document, *args, **kwargs)

    monkeypatch.setattr(MondayClient, "request", recording)
    rows = load_reference(list(snapshot(shape, 20)))
    assert push(point_at(config, monday_emulator), db)[1] == 0
    changed = apply_change_set(shape, rows, "demo")[0]
    changed[0] = {**changed[0], "CUSTOMER SEASON": "SS99"}  # a moved order: move_item_to_group
    load_reference(changed)
    assert push(point_at(config, monday_emulator), db)[1] == 0

    fields = {field for document in sent for field in MUTATION_FIELDS if f" {field}(" in document}
    assert fields == MUTATION_FIELDS, f"not exercised: {MUTATION_FIELDS - fields}"
    assert {document: validate_document(load_official_schema(), document) for document in set(sent)} == {
        document: [] for document in set(sent)}
