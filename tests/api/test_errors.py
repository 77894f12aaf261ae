"""The SMS error catalogue and the helpers that explain codes, fill messages and build bodies."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import pytest

from tui.api.errors import (
    GENERIC_HANDLING,
    MISSING,
    CatalogueEntry,
    catalogue,
    decode_error_json,
    error_body,
    explain,
    fill,
    lookup,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = REPO_ROOT / "tests" / "api" / "data" / "reference-5.1-error-codes.txt"
"""Table 5.1 of the v3 reference, verbatim, kept in the repository (a clone has no seeds)."""
CATALOGUE = REPO_ROOT / "tui" / "api" / "data" / "error_codes.json"


def load_extractor() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "extract_errors", REPO_ROOT / "scripts" / "extract_errors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


class TestCatalogue:
    def test_has_every_row_of_table_5_1(self) -> None:
        # Counted independently of the extractor: every data row starts "NNN<TAB>SMS.".
        text = REFERENCE.read_text(encoding="utf-8")
        expected = len(re.findall(r"^\d{3}\tSMS\.", text, flags=re.MULTILINE))
        assert expected > 300
        assert len(catalogue()) == expected

    def test_is_what_the_extractor_makes_of_the_reference(self, tmp_path: Path) -> None:
        # The catalogue in the package is generated, never edited: regenerating it from the
        # table gives the same bytes (status column included).
        out = tmp_path / "error_codes.json"
        assert load_extractor().main([str(REFERENCE), "--output", str(out)]) == 0
        assert out.read_bytes() == CATALOGUE.read_bytes()

    def test_extractor_needs_the_reference_named(self) -> None:
        # No default path outside the repository: a missing argument is a usage error.
        with pytest.raises(SystemExit) as usage:
            load_extractor().main([])
        assert usage.value.code == 2

    def test_rows_are_complete(self) -> None:
        for entry in catalogue():
            assert re.fullmatch(r"SMS\.\d{4}", entry.code), entry
            assert 400 <= entry.status < 600, entry
            assert entry.message and entry.description and entry.handling, entry
            assert "<" not in entry.handling, entry

    def test_is_loaded_once(self) -> None:
        assert catalogue() is catalogue()

    def test_page_split_row_is_merged(self) -> None:
        # SMS.7728's handling measure continues after a page break in the reference.
        entry = lookup("SMS.7728")
        assert entry is not None
        assert "cutovering" in entry.handling
        assert entry.handling.endswith(
            "finished, deleting, stopping, error, stopped, or unconnected."
        )

    def test_duplicate_code_keeps_both_rows_and_lookup_uses_first(self) -> None:
        rows = [e for e in catalogue() if e.code == "SMS.6542"]
        assert [r.status for r in rows] == [400, 403]
        assert lookup("SMS.6542") == rows[0]

    def test_lookup(self) -> None:
        entry = lookup("SMS.9004")
        assert entry == CatalogueEntry(
            status=400,
            code="SMS.9004",
            message="The current account does not have the permission to execute policy {0}.",
            description="Insufficient permissions to perform {}.",
            handling="Obtain corresponding fine-grained permissions.",
        )
        assert lookup(" sms.9004 ") == entry
        assert lookup("SMS.0000") is None
        assert lookup("") is None


class TestFill:
    def test_percent_s_in_order(self) -> None:
        assert fill("%s to %s", ["a", "b"]) == "a to b"

    def test_indexed_braces(self) -> None:
        assert fill("{0[1]} then {0[0]}", ["a", "b"]) == "b then a"

    def test_missing_params_leave_visible_placeholder(self) -> None:
        assert fill("%s and %s", ["a"]) == f"a and {MISSING}"
        assert fill("{0[2]}", ["a"]) == MISSING
        assert fill("policy {0}", []) == f"policy {MISSING}"

    def test_extra_params_ignored(self) -> None:
        assert fill("only %s", ["a", "b", "c"]) == "only a"

    def test_params_are_not_reinterpreted(self) -> None:
        assert fill("%s %s", ["%s", "{0[0]}"]) == "%s {0[0]}"

    def test_bare_string_is_one_param(self) -> None:
        assert fill("disk %s", "vdb") == "disk vdb"

    @pytest.mark.parametrize(
        "template",
        ["{", "}", "{}{}{", "{0[", "{0[99999999999]}", "%", "%%s", "{name}", "{0!r}", "\x00%s", ""],
    )
    def test_never_raises(self, template: str) -> None:
        result = fill(template, ["x"])
        assert isinstance(result, str)

    def test_nasty_braces_left_as_text(self) -> None:
        assert fill("{name} {0!r} {", ["x"]) == "{name} {0!r} {"


class TestExplain:
    def test_indexed_placeholder(self) -> None:
        e = explain("SMS.0204", ["no sms:server:list"])
        assert str(e) == (
            "SMS.0204: Insufficient permissions. Cause: no sms:server:list. "
            "Obtain the required fine-grained permissions."
        )
        assert e.known and e.status == 400 and e.params == ("no sms:server:list",)
        assert e.handling == "Obtain the required fine-grained permissions."

    def test_two_percent_s(self) -> None:
        e = explain("SMS.0303", ["obs.example.com", "timed out"])
        assert e.message == "Unable to access domain name obs.example.com. Cause: timed out"

    def test_sms_9004_matches_reference_example(self) -> None:
        cause = "You do not have permission to perform action XXX on resource XXX."
        e = explain("SMS.9004", [cause])
        assert e.message == (
            "The current account does not have the permission to execute policy " + cause + "."
        )

    def test_params_as_json_encoded_list(self) -> None:
        assert explain("SMS.0303", '["a", "b"]').params == ("a", "b")
        assert explain("SMS.0303", "").params == ()
        assert explain("SMS.0303", "not json").params == ("not json",)

    def test_unknown_code(self) -> None:
        e = explain("SMS.0000", ["p"])
        assert not e.known and e.status is None
        assert e.message == "Unknown error code SMS.0000"
        assert e.handling == GENERIC_HANDLING
        assert e.params == ("p",)
        assert str(e) == "SMS.0000: Unknown error code SMS.0000"

    def test_unknown_code_uses_fallback_message(self) -> None:
        e = explain("AS.0001", fallback_message="The format of message is error")
        assert str(e) == "AS.0001: The format of message is error"

    def test_no_code(self) -> None:
        e = explain(None)
        assert not e.known and e.code == "" and "no error code" in str(e)


class TestDecodeErrorJson:
    """The error_json strings of /v3/errors and task details."""

    # The four error_json strings of the /v3/errors example in the reference.
    EXAMPLES: ClassVar[dict[str, str]] = {
        "SMS.1302": '{"error_code":"SMS.1302", "error_param":"[\\"/mnt/vdb1\\"]"}',
        "SMS.2802": '{"error_param":"[\\"192.168.0.1\\"]", "error_code":"SMS.2802"}',
        "SMS.1114": '{"error_code":"SMS.1114", "error_param":"[]"}',
        "SMS.3805": '{"error_code":"SMS.3805", "error_param":"[]"}',
    }

    def test_examples_from_reference(self) -> None:
        decoded = {code: decode_error_json(text) for code, text in self.EXAMPLES.items()}
        # SMS.1302 is used in the example but absent from table 5.1.
        e1302 = decoded["SMS.1302"]
        assert e1302 is not None and not e1302.known and e1302.params == ("/mnt/vdb1",)
        e2802 = decoded["SMS.2802"]
        assert e2802 is not None and e2802.known
        assert "IP address 192.168.0.1 is reachable" in e2802.message
        e1114 = decoded["SMS.1114"]
        assert e1114 is not None and e1114.params == ()
        assert e1114.message == "Failed to send command to the target server."
        e3805 = decoded["SMS.3805"]
        assert e3805 is not None and str(e3805) == (
            "SMS.3805: The connection to the target server timed out."
        )
        assert e3805.handling == "Check the network."

    def test_examples_round_trip_through_the_response_json(self) -> None:
        # As the client sees them: error_json is a string field of the response body.
        body = json.loads(json.dumps({"error_json": self.EXAMPLES["SMS.2802"]}))
        e = decode_error_json(body["error_json"])
        assert e is not None and e.params == ("192.168.0.1",)

    def test_param_as_real_list_or_missing(self) -> None:
        e = decode_error_json('{"error_code":"SMS.0303","error_param":["h", 7]}')
        assert e is not None and e.message == "Unable to access domain name h. Cause: 7"
        e = decode_error_json('{"error_code":"SMS.1114"}')
        assert e is not None and e.known and e.params == ()

    @pytest.mark.parametrize("text", [None, "", "   "])
    def test_empty_is_none(self, text: str | None) -> None:
        assert decode_error_json(text) is None

    @pytest.mark.parametrize(
        "text", ["{not json", "[1, 2]", '"SMS.0204"', "{}", '{"error_param":"[]"}', "[" * 100000]
    )
    def test_malformed_shows_raw_text(self, text: str) -> None:
        e = decode_error_json(text)
        assert e is not None and not e.known and e.code == ""
        assert text[:50] in e.message
        assert len(e.message) < 600

    def test_message_without_code_is_kept(self) -> None:
        e = decode_error_json('{"error_msg":"disk busy"}')
        assert e is not None and str(e) == "disk busy" and not e.known


class TestErrorBody:
    def test_shape_matches_reference_403(self) -> None:
        cause = "You do not have permission to perform action XXX on resource XXX."
        body = error_body("SMS.9004", [cause], status=403)
        assert body == {
            "error_code": "SMS.9004",
            "error_msg": (
                "The current account does not have the permission to execute policy " + cause + "."
            ),
            "error_param": [cause],
            "details": [{"error_code": "SMS.9004", "error_msg": cause}],
            "encoded_authorization_message": "",
        }
        json.dumps(body)

    def test_without_params(self) -> None:
        body = error_body("SMS.1114")
        assert body["error_param"] == []
        assert body["details"] == [
            {"error_code": "SMS.1114", "error_msg": "Failed to send command to the target server."}
        ]

    def test_round_trips_through_explain(self) -> None:
        body = error_body("SMS.0303", ["h", "refused"])
        e = explain(body["error_code"], body["error_param"])
        assert e.message == body["error_msg"]
