"""Every JSON example of the SMS v3 reference parses into its model; tolerance; write rules.

The examples are extracted by ``scripts/extract_examples.py`` into ``fixtures/examples/``;
``index.json`` names the model each one must parse into (and any fix-up applied to it).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from tui.api.models.record import Record
from tui.api.models import (
    BatchDeleteRequest,
    BtrfsFileSystem,
    ChangeStateRequest,
    CreateTaskRequest,
    ErrorBody,
    ListSourcesResponse,
    ListTasksResponse,
    MigProject,
    MigProjectBody,
    SourceDetail,
    SourceListItem,
    SpeedLimitRequest,
    SpeedLimitRuleWrite,
    TaskActionRequest,
    TaskDetail,
    TemplateBody,
    UpdateTaskRequest,
    parse_hhmm,
)

EXAMPLES = Path(__file__).parent / "fixtures" / "examples"
INDEX: dict[str, dict[str, Any]] = json.loads((EXAMPLES / "index.json").read_text())


def model_class(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, (BaseModel, Record))
    return cls


def _is_model(value: Any) -> bool:
    return isinstance(value, (BaseModel, Record))


def load(fname: str) -> Any:
    return json.loads((EXAMPLES / fname).read_text())


# -- deep comparison of a parsed model with the JSON it came from ----------------------------


def _field_for(model: Any, key: str) -> str | None:
    """The attribute of ``model`` that JSON key ``key`` populates (name or validation alias)."""
    if isinstance(model, Record):  # by the name in JSON (another spelling: a private field)
        names = {f.encode_name: f.name for f in msgspec.structs.fields(type(model))}
        return names.get(key)
    for name, info in type(model).model_fields.items():
        if key in (name, info.alias):
            return name
        alias = info.validation_alias
        choices = getattr(alias, "choices", None)
        if alias == key or (choices and key in choices):
            return name
    return None


def _scalar(value: Any) -> Any:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def assert_matches(parsed: Any, raw: Any, path: str = "$") -> int:
    """Assert that every field of ``raw`` the model knows round-trips; return how many did."""
    checked = 0
    if isinstance(raw, dict):
        if isinstance(parsed, dict):
            assert parsed == raw, path
            return 1
        assert _is_model(parsed), f"{path}: {parsed!r} is not a model"
        ignored = getattr(type(parsed), "__ignored__", frozenset())
        for key, value in raw.items():
            if key in ignored:  # documented as not read (SourceListItem's heartbeat)
                continue
            name = _field_for(parsed, key)
            # Read models ignore unknown fields by design, but every field of the reference's
            # own examples must be known (this catches a lost alias such as ``subvolumn``).
            assert name is not None, f"{path}.{key}: not a field of {type(parsed).__name__}"
            attr = getattr(parsed, name)
            where = f"{path}.{key}"
            if value is None:
                assert attr in (None, []), f"{where}: null read as {attr!r}"
            elif key in ("start", "end") and isinstance(value, str) and ":" in value:
                assert parse_hhmm(attr) == parse_hhmm(value), where
            else:
                checked += assert_matches(attr, value, where)
        return checked
    if isinstance(raw, list):
        assert isinstance(parsed, list), f"{path}: {parsed!r} is not a list"
        assert len(parsed) == len(raw), f"{path}: {len(parsed)} items, JSON has {len(raw)}"
        pairs = enumerate(zip(parsed, raw, strict=True))
        return 1 + sum(assert_matches(p, r, f"{path}[{i}]") for i, (p, r) in pairs)
    if isinstance(raw, str) and raw.endswith("iB"):
        # A human size (btrfs "3.30GiB") is read as bytes.
        power = "KMGTPE".index(raw[-3]) + 1
        assert parsed == int(float(raw[:-3]) * 1024**power), f"{path}: {parsed!r} != {raw!r}"
        return 1
    assert _scalar(parsed) == _scalar(raw), f"{path}: {parsed!r} != {raw!r}"
    return 1


# -- every example ---------------------------------------------------------------------------


def test_index_accounts_for_every_example() -> None:
    assert len(INDEX) >= 80
    for fname, entry in INDEX.items():
        assert (EXAMPLES / fname).is_file(), fname
        assert entry["kind"] in ("request", "response"), fname
        assert entry.get("skip") or entry.get("model"), f"{fname}: neither model nor skip"
    parsed = [f for f, e in INDEX.items() if not e.get("skip")]
    assert len(parsed) >= 70


def test_only_non_sms_examples_are_left_out() -> None:
    # IAM calls and raw HTTP headers (calling conventions, appendix) have no SMS model.
    left_out = {f: e for f, e in INDEX.items() if e.get("skip")}
    assert all(e["endpoint"] != "(calling conventions)" or e["line"] < 588
               for e in left_out.values()), left_out
    assert all(("iam" in f or "headers" in f) for f in left_out), sorted(left_out)


@pytest.mark.parametrize(
    "fname", sorted((f for f in INDEX if not INDEX[f].get("skip")), key=lambda f: INDEX[f]["line"])
)
def test_example_parses_into_its_model(fname: str) -> None:
    entry = INDEX[fname]
    raw = load(fname)
    cls = model_class(entry["model"])
    refused = entry.get("expect_refused")
    if refused:
        # A strict write body refuses the example, and only for the documented reason.
        with pytest.raises(ValidationError) as exc:
            cls.model_validate(raw)
        bad = {".".join(str(p) for p in err["loc"]) for err in exc.value.errors()}

        def listed(loc: str, f: str) -> bool:
            return loc == f or loc.startswith(f + ".")

        assert all(any(listed(b, f) for f in refused["fields"]) for b in bad), bad
        assert all(any(listed(b, f) for b in bad) for f in refused["fields"]), bad
        return
    parsed = cls.model_validate(raw)
    checked = assert_matches(parsed, raw)
    assert checked >= 1
    if "id" in raw:
        assert getattr(parsed, "id") == raw["id"]
    if "count" in raw:
        # Every list example is a single page, so ``count`` is also its number of items:
        # this also proves the page-break repairs kept every item in its list.
        assert getattr(parsed, "count") == raw["count"]
        (items,) = [v for v in raw.values() if isinstance(v, list)]
        assert len(items) == raw["count"]
    if hasattr(parsed, "to_body"):
        # A write body sends back what the example sent (times normalized to HH:MM).
        assert_matches(parsed, parsed.to_body())


# -- tolerance of the read models --------------------------------------------------------------


def test_unknown_fields_are_ignored() -> None:
    item = SourceListItem.model_validate(
        {"id": "s1", "brand_new_field": 1, "current_task": {"id": "t1", "future": {"x": 1}}}
    )
    assert item.id == "s1" and item.current_task is not None and item.current_task.id == "t1"
    assert "brand_new_field" not in item.model_dump()
    page = ListTasksResponse.model_validate({"count": 1, "tasks": [{"id": "t1"}], "next": "x"})
    assert page.tasks[0].id == "t1"


def test_unknown_enum_strings_are_kept() -> None:
    item = SourceListItem.model_validate(
        {"id": "s1", "state": "hibernating", "migration_cycle": "teleporting", "os_type": "BSD"}
    )
    assert (item.state, item.migration_cycle, item.os_type) == ("hibernating", "teleporting", "BSD")
    task = TaskDetail.model_validate(
        {"id": "t1", "state": "PAUSED_BY_ADMIN", "type": "MIGRATE_MAGIC",
         "sub_tasks": [{"name": "NEW_STEP", "user_op": "WHATEVER"}]}
    )
    assert (task.state, task.type, task.sub_tasks[0].name) == (
        "PAUSED_BY_ADMIN", "MIGRATE_MAGIC", "NEW_STEP")


def test_null_lists_read_as_empty() -> None:
    page = ListSourcesResponse.model_validate({"count": 0, "source_servers": None})
    assert page.source_servers == []
    detail = SourceDetail.model_validate(
        {"id": "s1", "disks": None, "checks": None, "volume_groups": None, "btrfs_list": None,
         "networks": None, "init_target_server": {"disks": None, "volume_groups": None}}
    )
    assert detail.disks == detail.checks == detail.volume_groups == detail.btrfs_list == []
    assert detail.networks == [] and detail.init_target_server is not None
    assert detail.init_target_server.disks == []
    task = TaskDetail.model_validate(
        {"id": "t1", "sub_tasks": None, "special_config": None, "target_server": {"disks": None}}
    )
    assert task.sub_tasks == task.special_config == [] and task.target_server.disks == []
    error = ErrorBody.model_validate(
        {"error_code": "SMS.9004", "error_param": None, "details": None}
    )
    assert error.error_param == error.details == []


def test_estimate_complete_time_is_an_alias() -> None:
    for name in ("estimate_complete_time", "estimate_completion_time"):
        task = TaskDetail.model_validate({"id": "t", name: 1598435778000})
        assert task.estimate_completion_time == 1598435778000
        item = SourceListItem.model_validate({"id": "s", "current_task": {name: 42}})
        assert item.current_task is not None and item.current_task.estimate_completion_time == 42


def test_enterprise_project_id_zero_is_a_string() -> None:
    for model in (SourceListItem, TaskDetail):
        parsed = model.model_validate({"id": "x", "enterprise_project_id": 0})
        assert parsed.enterprise_project_id == "0"


def test_btrfs_numbers_may_be_strings() -> None:
    fs = BtrfsFileSystem.model_validate(
        {"size": "3.30GiB", "nodesize": "16384", "sectorsize": "4096",
         "g_vol_used_size": "3894038528", "default_subvolid": 259,
         "subvolumn": [{"subvol_id": 257, "parent_id": "5", "is_snapshot": "true"},
                       {"subvol_id": "258", "parent_id": 257, "is_snapshot": False}]}
    )
    assert (fs.nodesize, fs.sectorsize, fs.g_vol_used_size) == (16384, 4096, 3894038528)
    assert fs.size == int(3.30 * 1024**3)
    assert fs.default_subvolid == "259"
    assert [s.subvol_id for s in fs.subvolume] == ["257", "258"]
    assert [s.snapshot for s in fs.subvolume] == [True, False]
    assert BtrfsFileSystem.model_validate({"size": "", "nodesize": ""}).size is None


# -- write bodies: one test per rule -----------------------------------------------------------


def _rule(**kw: Any) -> dict[str, Any]:
    return {"start": "00:00", "end": "08:00", "speed": 100, **kw}


def _refused(model: type[BaseModel], data: dict[str, Any], loc: str) -> None:
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    locs = [".".join(str(p) for p in err["loc"]) for err in exc.value.errors()]
    msgs = [err["msg"] for err in exc.value.errors()]
    assert any(loc in where or loc in msg for where, msg in zip(locs, msgs, strict=True)), locs


def _task(**kw: Any) -> dict[str, Any]:
    return {
        "name": "t", "type": "MIGRATE_BLOCK", "os_type": "LINUX", "source_server": {"id": "s"},
        "target_server": {"vm_id": "", "disks": []}, "region_name": "r", "region_id": "r",
        "project_name": "p", "project_id": "p", "vm_template_id": "tpl", **kw,
    }


def _migproject(**kw: Any) -> dict[str, Any]:
    return {"name": "proj", "region": "r", "use_public_ip": True, "exist_server": False,
            "type": "MIGRATE_BLOCK", "syncing": False, **kw}


def _template(**kw: Any) -> dict[str, Any]:
    return {"template": {"name": "tpl", "is_template": True, "region": "r", "projectid": "p", **kw}}


def test_rule_speed_is_0_to_10000() -> None:
    for bad in (-1, 10001):
        _refused(SpeedLimitRuleWrite, _rule(speed=bad), "speed")
        _refused(CreateTaskRequest, _task(speed_limit=bad), "speed_limit")
        _refused(UpdateTaskRequest, {"speed_limit": bad}, "speed_limit")
        _refused(MigProjectBody, _migproject(speed_limit=bad), "speed_limit")
    for ok in (0, 10000):
        assert SpeedLimitRuleWrite.model_validate(_rule(speed=ok)).speed == ok
        assert UpdateTaskRequest.model_validate({"speed_limit": ok}).speed_limit == ok


def test_rule_over_speed_threshold_is_0_to_100() -> None:
    for bad in (-0.1, 100.1, 101):
        _refused(SpeedLimitRuleWrite, _rule(over_speed_threshold=bad), "over_speed_threshold")
        _refused(CreateTaskRequest, _task(over_speed_threshold=bad), "over_speed_threshold")
    for ok in (0, 50.5, 100):
        rule = SpeedLimitRuleWrite.model_validate(_rule(over_speed_threshold=ok))
        assert rule.over_speed_threshold == ok


@pytest.mark.parametrize("bad", ["24:00", "7:5", "ab:cd", "12:60", "", "0800", "08:00:00", "-1:00"])
def test_rule_times_are_hh_mm(bad: str) -> None:
    _refused(SpeedLimitRuleWrite, _rule(start=bad), "start")
    _refused(SpeedLimitRuleWrite, _rule(end=bad), "end")


def test_rule_h_mm_is_accepted_and_sent_as_hh_mm() -> None:
    rule = SpeedLimitRuleWrite.model_validate(_rule(start="0:00", end="8:00"))
    assert rule.to_body() == {"start": "00:00", "end": "08:00", "speed": 100}


def test_rule_start_before_end() -> None:
    _refused(SpeedLimitRuleWrite, _rule(start="08:00", end="08:00"), "before")
    _refused(SpeedLimitRuleWrite, _rule(start="09:00", end="08:00"), "before")
    _refused(SpeedLimitRuleWrite, _rule(start="22:00", end="06:00"), "before")  # no midnight wrap
    rule = SpeedLimitRuleWrite.model_validate(_rule(start="08:00", end="08:01"))
    assert rule.minutes() == (480, 481)


def test_rule_rules_may_not_overlap() -> None:
    _refused(SpeedLimitRequest,
             {"speed_limit": [_rule(end="09:00"), _rule(start="08:30", end="10:00")]}, "overlap")
    _refused(SpeedLimitRequest,  # order does not matter, nor does containment
             {"speed_limit": [_rule(start="10:00", end="12:00"), _rule(end="23:59")]},
             "overlap")
    adjacent = SpeedLimitRequest.model_validate(
        {"speed_limit": [_rule(start="08:00", end="15:00"), _rule(end="08:00")]})
    assert len(adjacent.speed_limit) == 2
    assert SpeedLimitRequest.model_validate({"speed_limit": []}).speed_limit == []


def test_rule_end_23_59_is_allowed_and_ends_the_day() -> None:
    rule = SpeedLimitRuleWrite.model_validate(_rule(start="15:00", end="23:59"))
    assert rule.end == "23:59" and rule.minutes() == (900, 1440)
    _refused(SpeedLimitRuleWrite, _rule(start="23:59", end="23:59"), "before")


def test_rule_task_priority_is_0_to_2() -> None:
    for bad in (-1, 3):
        _refused(CreateTaskRequest, _task(priority=bad), "priority")
        _refused(UpdateTaskRequest, {"priority": bad}, "priority")
    for ok in (0, 1, 2):
        assert CreateTaskRequest.model_validate(_task(priority=ok)).priority == ok
        assert UpdateTaskRequest.model_validate({"priority": ok}).priority == ok


def test_rule_template_name_is_1_to_255() -> None:
    _refused(TemplateBody, _template(name=""), "template.name")
    _refused(TemplateBody, _template(name="x" * 256), "template.name")
    assert TemplateBody.model_validate(_template(name="x" * 255)).template.name == "x" * 255


def test_rule_migproject_name_is_2_to_19() -> None:
    for bad in ("", "a", "x" * 20):
        _refused(MigProjectBody, _migproject(name=bad), "name")
    for ok in ("ab", "x" * 19):
        assert MigProjectBody.model_validate(_migproject(name=ok)).name == ok


def test_rule_unknown_task_operation_is_refused() -> None:
    _refused(TaskActionRequest, {"operation": "cutover"}, "operation")
    _refused(TaskActionRequest, {"operation": "START"}, "operation")
    for op in ("start", "stop", "test", "restart", "network_check"):
        assert TaskActionRequest.model_validate({"operation": op}).operation == op
    # The explicit escape hatch sends an undocumented operation unvalidated.
    assert TaskActionRequest.passthrough("sync").to_body() == {"operation": "sync"}
    with pytest.raises(ValueError):
        TaskActionRequest.passthrough("")


def test_rule_clone_test_needs_template_id() -> None:
    _refused(TaskActionRequest, {"operation": "clone_test"}, "template_id")
    _refused(TaskActionRequest, {"operation": "clone_test", "template_id": ""}, "template_id")
    body = TaskActionRequest.model_validate({"operation": "clone_test", "template_id": "tpl"})
    assert body.to_body() == {"operation": "clone_test", "template_id": "tpl"}


def test_rule_write_bodies_refuse_unknown_fields() -> None:
    _refused(UpdateTaskRequest, {"name": "t", "colour": "red"}, "colour")
    _refused(SpeedLimitRuleWrite, _rule(speeed=5), "speeed")


def test_rule_public_ip_bandwidth_is_1_to_2000() -> None:
    for bad in (0, 2001):
        _refused(TemplateBody, _template(publicip={"type": "5_bgp", "bandwidth_size": bad}),
                 "template.publicip.bandwidth_size")
    assert TemplateBody.model_validate(
        _template(publicip={"type": "5_bgp", "bandwidth_size": 2000})).template.publicip is not None


def test_rule_disk_types_are_sas_ssd_sata() -> None:
    _refused(TemplateBody, _template(volumetype="NVME"), "template.volumetype")
    _refused(TemplateBody, _template(disk=[{"index": 0, "name": "d", "disktype": "", "size": 40}]),
             "template.disk.0.disktype")
    assert TemplateBody.model_validate(_template(volumetype="SSD")).template.volumetype == "SSD"


def test_rule_create_task_needs_a_template_or_an_existing_server() -> None:
    _refused(CreateTaskRequest, _task(vm_template_id=None), "template")
    _refused(CreateTaskRequest, _task(exist_server=True), "vm_id")
    ok = CreateTaskRequest.model_validate(
        _task(vm_template_id=None, exist_server=True, target_server={"vm_id": "vm", "disks": []}))
    assert ok.target_server.vm_id == "vm"


def test_rule_batch_delete_needs_ids() -> None:
    _refused(BatchDeleteRequest, {"ids": []}, "ids")
    _refused(BatchDeleteRequest, {"ids": [""]}, "ids.0")
    assert BatchDeleteRequest.model_validate({"ids": ["a"]}).ids == ["a"]


def test_rule_migration_cycle_is_documented() -> None:
    _refused(ChangeStateRequest, {"migrationcycle": "teleporting"}, "migrationcycle")
    body = ChangeStateRequest.model_validate({"migrationcycle": "cutovering"})
    assert body.migrationcycle == "cutovering"


def test_read_model_is_lenient_where_write_body_is_strict() -> None:
    # The same project: read back with a numeric name (as the PUT example sends), refused to send.
    assert MigProject.model_validate({"id": "p", "name": 225}).name == "225"
    _refused(MigProjectBody, _migproject(name=225), "name")


def test_list_records_are_values_and_copies_leave_them_alone() -> None:
    # (Memory at 10,000 sources: tests/api/test_records.py::test_records_hold_no_per_instance_dict.)
    a = SourceListItem.model_validate({"id": "s1", "name": "a", "state": "error"})
    b = SourceListItem.model_validate({"id": "s2", "name": "b", "state": "waiting"})
    d = a.model_copy(update={"ip": "10.0.0.1"})
    assert (d.id, d.name, d.state, d.ip) == ("s1", "a", "error", "10.0.0.1") and a.ip is None
    assert a.model_dump()["name"] == "a" and a.model_dump(include={"id"}) == {"id": "s1"}
    assert a != b and a == SourceListItem.model_validate({"id": "s1", "name": "a", "state": "error"})