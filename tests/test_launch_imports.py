"""What a launch without ECS/DeH imports: neither the ECS client and its models nor the hosts
poller (they cost ~35 ms of the first frame; issue 14)."""

from __future__ import annotations

import subprocess
import sys


def test_launch_without_ecs_imports_no_ecs_code() -> None:
    code = ("import sys; import tui.cli, tui.app; "
            "print(sorted(m for m in sys.modules "
            "if m.startswith(('tui.api.ecs', 'tui.service.hosts'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
