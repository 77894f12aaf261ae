"""Write bodies refuse out-of-range input before anything is sent: one test per rule."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tui.api.models import (
    BatchDeleteRequest,
    CreateTaskRequest,
    MigProjectBody,
    SpeedLimitRequest,
    SpeedLimitRuleWrite,
    TaskActionRequest,
    UpdateTaskRequest,
)


def rule(**kw: Any) -> dict[str, Any]:
    return {"start": "00:00", "end": "08:00", "speed": 100, **kw}


def refused(model: Any, data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    assert field in str(exc.value)


@pytest.mark.parametrize("speed", [-1, 10001])
def test_speed_is_0_to_10000(speed: int) -> None:
    refused(SpeedLimitRuleWrite, rule(speed=speed), "speed")
    assert SpeedLimitRuleWrite.model_validate(rule(speed=0)).speed == 0
    assert SpeedLimitRuleWrite.model_validate(rule(speed=10000)).speed == 10000


@pytest.mark.parametrize("threshold", [-0.1, 100.1])
def test_overspeed_threshold_is_0_to_100(threshold: float) -> None:
    refused(SpeedLimitRuleWrite, rule(over_speed_threshold=threshold), "over_speed_threshold")
    assert SpeedLimitRuleWrite.model_validate(rule(over_speed_threshold=100)).over_speed_threshold == 100


@pytest.mark.parametrize("bad", ["24:00", "7:5", "ab:cd", "12:60", "", "0800"])
def test_times_are_hh_mm(bad: str) -> None:
    refused(SpeedLimitRuleWrite, rule(start=bad), "start")


def test_start_before_end_and_23_59_ends_the_day() -> None:
    refused(SpeedLimitRuleWrite, rule(start="08:00", end="08:00"), "before")
    refused(SpeedLimitRuleWrite, rule(start="09:00", end="08:00"), "before")
    assert SpeedLimitRuleWrite.model_validate(rule(start="0:00", end="23:59")).minutes() == (0, 1440)


def test_rules_may_not_overlap() -> None:
    refused(SpeedLimitRequest, {"speed_limit": [rule(end="09:00"), rule(start="08:30", end="10:00")]},
            "overlap")
    ok = SpeedLimitRequest.model_validate({"speed_limit": [rule(), rule(start="08:00", end="23:59")]})
    assert len(ok.speed_limit) == 2


def test_task_priority_is_0_to_2() -> None:
    refused(UpdateTaskRequest, {"priority": 3}, "priority")
    refused(UpdateTaskRequest, {"priority": -1}, "priority")
    assert UpdateTaskRequest.model_validate({"priority": 2}).priority == 2


def test_task_level_speed_limit_range() -> None:
    refused(UpdateTaskRequest, {"speed_limit": 10001}, "speed_limit")


def test_unknown_operation_and_clone_test_without_template() -> None:
    refused(TaskActionRequest, {"operation": "explode"}, "operation")
    refused(TaskActionRequest, {"operation": "clone_test"}, "template_id")
    assert TaskActionRequest.model_validate({"operation": "clone_test", "template_id": "t"})
    # A newer operation can still be sent on purpose, unvalidated, for the server to judge.
    assert TaskActionRequest.passthrough("cutover").to_body() == {"operation": "cutover"}


@pytest.mark.parametrize("name", ["a", "x" * 20])
def test_migration_project_name_is_2_to_19(name: str) -> None:
    body = {"name": name, "region": "r", "use_public_ip": True, "exist_server": False,
            "type": "MIGRATE_BLOCK", "syncing": False}
    refused(MigProjectBody, body, "name")
    assert MigProjectBody.model_validate({**body, "name": "ab"}).name == "ab"


def test_create_task_needs_a_target_and_a_255_name() -> None:
    base = {"name": "t", "type": "MIGRATE_BLOCK", "os_type": "LINUX", "source_server": {"id": "s"},
            "target_server": {"disks": []}, "region_name": "r", "region_id": "r",
            "project_name": "p", "project_id": "p"}
    refused(CreateTaskRequest, base, "template")
    refused(CreateTaskRequest, {**base, "vm_template_id": "tpl", "name": "x" * 256}, "name")
    refused(CreateTaskRequest, {**base, "vm_template_id": "tpl", "type": "COPY"}, "type")
    assert CreateTaskRequest.model_validate({**base, "vm_template_id": "tpl"}).to_body()["vm_template_id"] == "tpl"


def test_batch_delete_needs_ids() -> None:
    refused(BatchDeleteRequest, {"ids": []}, "ids")
    refused(BatchDeleteRequest, {"ids": [""]}, "ids")
