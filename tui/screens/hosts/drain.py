"""Draining a dedicated host: a placement plan for all its servers, one confirmation.

The plan places the largest servers first on the other hosts of their zone (capacity counted,
moves in flight included) and lists what fits nowhere; ``y``/``enter`` runs it two servers at
a time (running ones are stopped, moved and started again), then a per-server summary.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.screens.hosts.outcomes import run_in_background
from tui.screens.hosts.rows import gib, host_label
from tui.service.hosts import MovePlan, item_of, slot_of, steps_for
from tui.service.placement import DrainPlan, plan_drain
from tui.untrusted import clean


def plan_lines(plan: DrainPlan, names: dict[str, str], running: set[str]) -> Text:
    """The plan as text: each move (server, size, destination), what stays and why, and the
    destinations' capacity afterwards."""
    out = Text()
    out.append(f"Moves ({len(plan.moves)})", style="bold")
    if running & {item.id for item, _ in plan.moves}:
        out.append("   ↻ running: stopped, moved, started again", style="yellow")
    out.append("\n")
    for item, slot in plan.moves:
        out.append("↻ " if item.id in running else "  ", style="yellow")
        out.append(f"{clean(item.name)[:22]:<23}{item.size.cpus:>3} vCPU "
                   f"{gib(item.size.memory):>4} GiB  → {clean(slot.name)}\n")
    if plan.stays:
        out.append(f"\nStays on the host ({len(plan.stays)})\n",
                   style="bold bright_red")
        for item, why in plan.stays:
            out.append(f"  {clean(item.name)[:22]:<23}{item.size.cpus:>3} vCPU "
                       f"{gib(item.size.memory):>4} GiB  ✖ {why}\n")
    if plan.free_after:
        out.append("\nFree afterwards\n", style="bold")
        for slot_id, free in sorted(plan.free_after.items(), key=lambda kv: names[kv[0]]):
            out.append(f"  {names[slot_id][:22]:<23}{free.cpus:>3} vCPU "
                       f"{gib(free.memory):>4} GiB\n")
    return out


class DrainScreen(ModalScreen[bool]):
    """The drain plan; ``y``/``enter`` runs it, ``n``/``escape`` cancels (nothing sent)."""

    DEFAULT_CSS = """
    DrainScreen { align: center middle; }
    DrainScreen > Vertical {
        width: 100; max-width: 95%; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    DrainScreen #drain-title { text-style: bold; }
    DrainScreen #drain-plan { height: auto; max-height: 60vh; margin: 1 0; }
    DrainScreen #drain-help { color: $text-muted; }
    """
    BINDINGS = [
        Binding("y", "confirm", "Drain"),
        Binding("enter", "confirm", "Drain", show=False),
        Binding("n", "cancel", "Cancel"),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self, title: str, plan_text: Text, movable: int) -> None:
        super().__init__()
        self.title_text = title
        self.plan_text = plan_text
        self.movable = movable
        self._answered = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, id="drain-title", markup=False)
            with VerticalScroll(id="drain-plan"):
                yield Static(self.plan_text, id="drain-lines")
            yield Static(f"y/enter: move {self.movable} servers, two at a time · "
                         "n/escape: cancel" if self.movable else
                         "Nothing can move. escape closes.", id="drain-help", markup=False)

    def action_confirm(self) -> None:
        """Run the plan (once)."""
        if not self._answered and self.movable:
            self._answered = True
            self.dismiss(True)

    def action_cancel(self) -> None:
        """Close; nothing is sent."""
        if not self._answered:
            self._answered = True
            self.dismiss(False)


def open_drain(app: Any, host_id: str) -> None:
    """Plan draining ``host_id`` and ask once before running it."""
    poller = app.backends["hosts"]
    snap = poller.snapshot
    host = snap.hosts.get(host_id)
    if host is None:
        app.notify("That host is gone from the last poll.", severity="warning")
        return
    ids = [s for s in snap.servers_on(host_id) if poller.job_of(s) is None]
    busy = len(snap.servers_on(host_id)) - len(ids)
    servers = {s: snap.servers[s] for s in ids}
    items = [item_of(servers[s], host_id) for s in ids]
    # ECS refuses to move yearly/monthly servers (Ecs.1901): they stay, with that reason.
    billed = tuple((i, "billed yearly/monthly: only pay-per-use servers move") for i in items
                   if not servers[i.id].pay_per_use)
    slots = [slot_of(h) for h in snap.hosts.values()]
    plan = plan_drain(host_id, [i for i in items if servers[i.id].pay_per_use], slots,
                      poller.reserved())
    plan = replace(plan, stays=plan.stays + billed)
    names = {s.id: clean(s.name) for s in slots}
    running = {s for s in ids if steps_for(servers[s]) != ("migrate",)}
    name = host_label(snap.hosts, host_id)
    title = (f"Drain {name}: {len(plan.moves)} of {len(items)} servers can move"
             + (f" ({busy} already have a job in flight)" if busy else ""))
    if not items:
        title = f"Drain {name}: no server to move" + (f" ({busy} in flight)" if busy else "")
    plans = [MovePlan(item.id, clean(item.name), host_id, slot.id, clean(slot.name),
                      steps_for(servers[item.id])) for item, slot in plan.moves]

    def answered(ok: bool | None) -> None:
        if ok:
            run_in_background(app, plans, f"drain {name}", summary=True)

    app.push_screen(DrainScreen(title, plan_lines(plan, names, running), len(plans)), answered)
