"""The move dialog: where the server fits, each host's capacity after the move, then the plan.

Hosts it does not fit on are listed dimmed with the reason (and cannot be chosen); the public
pool is offered when the server is on a dedicated host. A running server is moved by one plan,
"stop, move, start again", each step after the previous job's SUCCESS; ``h`` asks for a hard
stop instead of a soft one (only by that explicit choice). ``enter`` takes the highlighted
destination, then the confirmation takes ``y``/``enter``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.screens.confirm import ConfirmScreen
from tui.screens.hosts.outcomes import run_in_background
from tui.screens.hosts.rows import gib, host_label
from tui.service.hosts import POOL, MovePlan, item_of, slot_of, steps_for
from tui.service.placement import Capacity, Fit, Item, candidates
from tui.untrusted import clean

POOL_OPTION = "__pool__"


@dataclass(frozen=True)
class MoveChoice:
    """The destination taken (None: the public pool) and whether to stop hard."""

    dest: str | None
    hard_stop: bool


def group_item(items: Sequence[Item]) -> Item:
    """Several servers moved together, as one item: their sizes add up; one zone or none."""
    zones = {i.zone for i in items}
    hosts = {i.host_id for i in items}
    size = sum((i.size for i in items), Capacity())
    return Item(",".join(i.id for i in items), f"{len(items)} servers",
                zones.pop() if len(zones) == 1 else "(several zones)", size,
                hosts.pop() if len(hosts) == 1 else None)


def fit_line(f: Fit) -> Text:
    """One destination: name, zone, and capacity after the move (or why it does not fit)."""
    s = f.slot
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(f"{clean(s.name)[:20]:<21}", style="bold" if f.ok else "")
    out.append(f"{clean(s.zone or '')[:14]:<15}")
    if f.ok:
        out.append(f"{f.after.cpus}/{s.total.cpus} vCPU · "
                   f"{gib(f.after.memory)}/{gib(s.total.memory)} GiB")
    else:
        out.append(f"✖ {f.reason}")
        out.stylize("dim")
    return out


class MoveScreen(ModalScreen[MoveChoice | None]):
    """Destination picker for one or more ECS servers."""

    DEFAULT_CSS = """
    MoveScreen { align: center middle; }
    MoveScreen > Vertical {
        width: 96; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    MoveScreen #move-title { text-style: bold; padding-top: 1; }
    MoveScreen #move-what { color: $text-muted; }
    MoveScreen #move-running { color: $warning; }
    MoveScreen #move-head { color: $text-muted; text-style: bold; margin-top: 1; padding-left: 2; }
    MoveScreen OptionList { height: auto; max-height: 40vh; }
    MoveScreen #move-help { color: $text-muted; }
    """
    BINDINGS = [
        Binding("enter", "choose", "Move here"),
        Binding("h", "toggle_hard", "Hard stop"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, what: str, fits: list[Fit], *, pool: bool,
                 running: int) -> None:
        super().__init__()
        self.title_text = title
        self.what = what
        self.fits = fits
        self.pool = pool
        self.running = running
        self.hard_stop = False

    def compose(self) -> ComposeResult:
        # The hosts it fits on (most room first), then the public pool, then every host it
        # does not fit on, dimmed with the reason.
        options = [Option(fit_line(f), id=f.slot.id) for f in self.fits if f.ok]
        if self.pool:
            options.append(Option(Text.assemble((f"{'public pool':<21}", "bold italic"),
                                                f"{'':<15}shared hosts, no DeH capacity"),
                                  id=POOL_OPTION))
        options += [Option(fit_line(f), id=f.slot.id, disabled=True)
                    for f in self.fits if not f.ok]
        with Vertical():
            yield Static(self.title_text, id="move-title", markup=False)
            yield Static(self.what, id="move-what", markup=False)
            yield Static(self._running_text(), id="move-running", markup=False)
            yield Static(f"{'Destination':<21}{'Zone':<15}Free after the move", id="move-head",
                         markup=False)
            yield OptionList(*options, id="move-options")
            fitting = sum(1 for f in self.fits if f.ok)
            yield Static(f"{fitting} of {len(self.fits)} hosts have room · enter: move here · "
                         f"{'h: hard stop · ' if self.running else ''}escape: cancel",
                         id="move-help", markup=False)

    def _running_text(self) -> str:
        if not self.running:
            return ""
        who = "It is" if self.running == 1 else f"{self.running} of them are"
        how = ("HARD stop, like pulling the plug" if self.hard_stop
               else "soft stop, the OS shuts down cleanly")
        return (f"{who} running. The plan: 1. stop ({how}; h changes it), 2. move, 3. start "
                "again — each step only after the previous job succeeded.")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        first = next((i for i in range(options.option_count)
                      if not options.get_option_at_index(i).disabled), None)
        options.highlighted = first

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._take(event.option.id)

    def action_choose(self) -> None:
        """Take the highlighted destination."""
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if not option.disabled:
                self._take(option.id)

    def _take(self, option_id: str | None) -> None:
        dest = None if option_id == POOL_OPTION else option_id
        self.dismiss(MoveChoice(dest, self.hard_stop))

    def action_toggle_hard(self) -> None:
        """Stop running servers hard instead of soft (only by this explicit choice)."""
        if self.running:
            self.hard_stop = not self.hard_stop
            self.query_one("#move-running", Static).update(self._running_text())

    def action_cancel(self) -> None:
        """Close without moving anything."""
        self.dismiss(None)


def open_move(app: Any, server_ids: tuple[str, ...], label: str) -> None:
    """The move dialog for ``server_ids``, then its confirmation, then the plans."""
    poller = app.backends["hosts"]
    snap = poller.snapshot
    if not snap.version:
        app.notify("The dedicated hosts are still loading; try again in a moment.",
                   severity="warning")
        return
    servers = [snap.servers[i] for i in server_ids if i in snap.servers]
    if not servers:
        app.notify(f"{clean(label) or server_ids[0]} is not among the ECS servers of this "
                   "project (yet).", severity="warning", markup=False)
        return
    busy = [s for s in servers if poller.job_of(s.id) is not None]
    if busy:
        app.notify(f"{clean(busy[0].name)} already has a job in flight; wait for it.",
                   severity="warning", markup=False)
        return
    billed = [s for s in servers if not s.pay_per_use]
    if billed:
        # ECS refuses cold migration of yearly/monthly servers (Ecs.1901): say so, send nothing.
        app.notify(f"{clean(billed[0].name)} is billed yearly/monthly; ECS moves only "
                   "pay-per-use servers.", severity="warning", markup=False)
        return
    items = [item_of(s, snap.host_of.get(s.id)) for s in servers]
    group = items[0] if len(items) == 1 else group_item(items)
    slots = [slot_of(h) for h in snap.hosts.values()]
    fits = candidates(group, slots, poller.reserved())
    running = sum(1 for s in servers if steps_for(s) != ("migrate",))
    on_deh = any(snap.host_of.get(s.id, POOL) != POOL for s in servers)
    names = ", ".join(clean(s.name or s.id) for s in servers[:4]) + (
        "…" if len(servers) > 4 else "")
    source = {snap.host_of.get(s.id, POOL) for s in servers}
    where = host_label(snap.hosts, source.pop()) if len(source) == 1 else "several hosts"
    title = (f"Move {names}" if len(servers) == 1 else f"Move {len(servers)} servers: {names}")
    what = (f"{group.size.cpus} vCPU, {gib(group.size.memory)} GiB · zone "
            f"{clean(group.zone or '?')} · now on {where}")

    def chosen(choice: MoveChoice | None) -> None:
        if choice is None:
            return
        plans = [MovePlan(s.id, clean(s.name or s.id), snap.host_of.get(s.id), choice.dest,
                          host_label(snap.hosts, choice.dest), steps_for(s), choice.hard_stop)
                 for s in servers if snap.host_of.get(s.id, POOL) != (choice.dest or POOL)]
        _confirm(app, plans, where)

    app.push_screen(MoveScreen(title, what, fits, pool=on_deh, running=running), chosen)


def _confirm(app: Any, plans: list[MovePlan], where: str) -> None:
    if not plans:
        app.notify("Nothing to move: already there.", severity="warning")
        return
    dest = plans[0].dest_name
    running = [p for p in plans if p.steps[0] == "stop"]
    if len(plans) == 1:
        p = plans[0]
        body = f"Move {p.server_name} from {where} to {dest}."
        if running:
            kind = "HARD stop" if p.hard_stop else "soft stop"
            body += (f"\n\nIt is running: 1. stop it ({kind}), 2. move it, 3. start it "
                     "again; each step only after the previous job succeeded. A failed "
                     "step stops the plan.")
    else:
        body = f"Move {len(plans)} servers to {dest}, two at a time."
        if running:
            body += (f"\n\n{len(running)} of them are running: each is stopped, moved and "
                     "started again, step by step.")
    body += "\n\nThe server is unavailable while it moves."

    def answered(ok: bool | None) -> None:
        if ok:
            run_in_background(app, plans, "move")

    app.push_screen(ConfirmScreen("Move to " + dest + "?", body, confirm_label="Move"),
                    answered)
