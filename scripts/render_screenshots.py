"""Copy the README's pictures from the reviewed snapshots and render each as PNG too.

Run after the snapshot tests pass: ``.venv/bin/python scripts/render_screenshots.py``.
Needs ``rsvg-convert`` (Debian: librsvg2-bin) and a CJK font (fonts-wqy-zenhei) for the PNGs.
Snapshots pad with runs of ordinary spaces, which SVG collapses unless told to preserve
them: without ``xml:space="preserve"`` the table columns slide together in the PNG.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPS = ROOT / "tests" / "app" / "__snapshots__"
OUT = ROOT / "screenshots"

PICTURES = {
    "source-list": "test_snapshots/test_list[160x48].svg",
    "source-detail": "test_snapshots/test_detail_with_error_check[160x48].svg",
    "task-progress": "test_snapshots/test_task_mid_replication.svg",
    "failed-servers": "test_snapshots/test_failed_servers.svg",
    "speed-limits": "test_snapshots_limits/"
                    "TestSpeedLimitEditor.test_three_rules_and_the_now_marker[160x48].svg",
    "bulk-summary": "test_snapshots_bulk/TestBulkSummary.test_start_over_marked_servers.svg",
    "stalled": "test_snapshots_bulk/TestStalledRow.test_flagged_in_the_list_with_its_toast.svg",
    "templates": "test_snapshots_catalog/TestTemplates.test_list[160x48].svg",
    "create-task": "test_snapshots_catalog/TestCreateTask.test_form_with_a_validation_error.svg",
    "hosts-view": "test_snapshots_hosts/TestHostsView.test_hosts_and_servers[160x48].svg",
    "hosts-move": "test_snapshots_hosts/TestMoveDialog.test_running_server[160x48].svg",
    "hosts-drain": "test_snapshots_hosts/TestDrainPlan.test_plan_with_servers_that_stay[160x48].svg",
    "hosts-jobs": "test_snapshots_hosts/TestJobs.test_a_failed_move[160x48].svg",
    "zstack-view": "test_snapshots_zstack/TestZStackView.test_a_migration_in_flight.svg",
    "zstack-confirm": "test_snapshots_zstack/TestZStackDialogs.test_confirmation_with_options.svg",
    "zstack-evacuate": "test_snapshots_zstack/TestZStackDialogs.test_evacuation_plan.svg",
}


def main() -> int:
    """Copy every picture and render its PNG; returns a process exit status."""
    if shutil.which("rsvg-convert") is None:
        print("rsvg-convert not found: apt-get install librsvg2-bin", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    for name, snap in PICTURES.items():
        svg = (SNAPS / snap).read_text(encoding="utf-8")
        (OUT / f"{name}.svg").write_text(svg, encoding="utf-8")
        flat = svg.replace("&#160;", " ").replace("<svg ", '<svg xml:space="preserve" ', 1)
        with tempfile.NamedTemporaryFile("w", suffix=".svg", encoding="utf-8") as tmp:
            tmp.write(flat)
            tmp.flush()
            subprocess.run(["rsvg-convert", "-o", str(OUT / f"{name}.png"), tmp.name],
                           check=True)
        print(f"screenshots/{name}.svg  screenshots/{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
