"""``j``: every ECS job this dashboard started, live: state, server, from/to, begin/end, sub
jobs and the decoded failure of the highlighted one."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tui.screens.hosts.rows import JOB_STATES, badge, host_label
from tui.service.hosts import JobRecord, JobsChanged
from tui.untrusted import clean, literal
from widgets.footer import KeyFooter as Footer
from widgets.source_table import Column, Row, SourceTable
from widgets.status_header import StatusHeader
from widgets.units import duration

COLUMNS = [
    Column("status", "State", width=10),
    Column("kind", "Job", width=8),
    Column("server", "Server", min_width=14, searchable=True),
    Column("source", "From", min_width=10),
    Column("dest", "To", min_width=10),
    Column("begin", "Begin", width=20, sort_key=lambda r: r["_begun"]),
    Column("end", "End / elapsed", width=20),
    Column("subs", "Sub jobs", width=8),
    Column("id", "Job ID", width=0, min_width=0, searchable=True),
]


def short_time(value: object) -> str:
    """``2026-11-30T10:29:38.123Z`` → ``2026-11-30 10:29:38`` (ECS's own text, cleaned)."""
    return clean(value)[:19].replace("T", " ") if value else ""


def job_row(record: JobRecord, hosts: Any, now: float) -> Row:
    """One job's row."""
    job = record.job
    subs = list(getattr(job, "sub_jobs", []) or [])
    done = sum(1 for s in subs if getattr(s, "status", None) == "SUCCESS")
    end = getattr(job, "end_time", None)
    return {
        "status": badge(JOB_STATES, record.status),
        "kind": record.kind,
        "server": literal(record.server_name),
        "source": host_label(hosts, record.source),
        "dest": host_label(hosts, record.dest) if record.kind == "migrate" else "",
        "begin": short_time(getattr(job, "begin_time", None)) or "sent",
        "end": short_time(end) if end else f"running {duration(max(0.0, now - record.begun))}",
        "subs": f"{done}/{len(subs)}" if subs else "",
        "id": clean(record.job_id),
        "_begun": record.begun,
    }


def job_detail(record: JobRecord | None) -> Text:
    """The highlighted job: id, type, failure, and each sub job."""
    if record is None:
        return Text("No job yet: moves and drains you start show here.", style="dim")
    job = record.job
    out = Text()
    out.append(f"{record.kind} job {clean(record.job_id)}", style="bold")
    out.append(f"  ({clean(getattr(job, 'job_type', None) or 'type not read yet')})\n")
    failure = record.failure()
    if failure:
        out.append("Failed: ", style="bold bright_red")
        out.append(clean(failure) + "\n")
    if record.read_error:
        out.append("Could not read it: ", style="bold yellow")
        out.append(clean(record.read_error) + "\n")
    for sub in getattr(job, "sub_jobs", []) or []:
        out.append("  ")
        out.append_text(badge(JOB_STATES, getattr(sub, "status", None)))
        out.append(" ")
        out.append(f" {clean(getattr(sub, 'job_type', None) or '')}  "
                   f"{short_time(getattr(sub, 'begin_time', None))} → "
                   f"{short_time(getattr(sub, 'end_time', None)) or '…'}")
        reason = clean(getattr(sub, "fail_reason", None) or "")
        if reason:
            out.append(f"  {reason}", style="bright_red")
        out.append("\n")
    return out


class JobsScreen(Screen[None]):
    """Jobs: state, server, source and destination host, begin/end, sub jobs, failure."""

    DEFAULT_CSS = """
    JobsScreen #jobs-title { height: 1; padding: 0 1; text-style: bold; }
    JobsScreen #jobs { height: 1fr; }
    JobsScreen #job-detail {
        height: auto; max-height: 12; padding: 0 1; border-top: solid $primary-darken-2;
    }
    """
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield StatusHeader(app.settings.label, app.settings.region, read_only=app.read_only,
                           interval=app.settings.refresh, clock=app.clock, id="header")
        yield Static("Jobs started from this dashboard", id="jobs-title")
        yield SourceTable(COLUMNS, empty_message="No job yet: moves and drains show here.",
                          id="jobs")
        yield Static("", id="job-detail")
        yield Footer()

    @property
    def poller(self) -> Any:
        """The hosts backend's poller (it keeps the job records)."""
        return self.app.backends["hosts"]  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        table = self.query_one(SourceTable)
        table.sort_by("begin", reverse=True)
        self._show()
        self.watch(self.app, "backend_polls", self._polled, init=False)
        self.watch(self.app, "hosts_connection", self._header, init=True)
        self.set_interval(1.0, self._tick)
        table.focus()

    def _header(self, status: Any) -> None:
        self.query_one(StatusHeader).status = status

    def _polled(self, event: Any) -> None:
        if isinstance(event, JobsChanged):
            self._show()

    def _tick(self) -> None:
        # Elapsed times of running jobs move every second.
        if self.poller.in_flight():
            self._show()

    def _show(self) -> None:
        table = self.query_one(SourceTable)
        hosts = self.poller.snapshot.hosts
        now = float(self.app.wall_clock())  # type: ignore[attr-defined]
        table.set_rows({k: job_row(r, hosts, now) for k, r in self.poller.jobs.items()})
        self._detail()

    @on(SourceTable.CursorMoved)
    def _detail(self) -> None:
        key = self.query_one(SourceTable).cursor_key
        record = self.poller.jobs.get(key) if key else None
        self.query_one("#job-detail", Static).update(job_detail(record))

    def action_back(self) -> None:
        """Back to the hosts."""
        self.dismiss(None)
