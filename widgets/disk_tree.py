"""The disk/volume tree of a source server, with pending migrate/resize edits.

Disks → partitions (physical volumes); volume groups → logical volumes; btrfs file systems →
subvolumes; and the recommended target disks. The tree is rebuilt only when the layout itself
changes, keeping what was expanded and where the cursor was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.untrusted import clean, literal
from widgets.units import human_size

BAR = 10


@dataclass
class Volume:
    """What a node stands for: enough to edit it and to send the edit."""

    kind: str  # disk | pv | vg | lv | btrfs | subvol | target | section
    ident: str
    name: str
    size: int | None = None
    used: int | None = None
    need_migration: bool | None = None
    adjust_size: int | None = None
    parent: str | None = None
    """The disk or volume group id a partition / logical volume belongs to."""

    @property
    def editable(self) -> bool:
        return self.kind in ("disk", "pv", "vg", "lv") and bool(self.ident)


def used_bar(used: int | None, size: int | None) -> Text:
    """``▇▇▇▇░░░░░░ 42%`` (or ``—`` when unknown)."""
    if not size or used is None:
        return Text("—", style="dim")
    frac = max(0.0, min(1.0, used / size))
    full = round(frac * BAR)
    style = "red" if frac >= 0.9 else "yellow" if frac >= 0.75 else "green"
    text = Text("▇" * full, style=style)
    text.append("░" * (BAR - full), style="dim")
    text.append(f" {frac * 100:3.0f}%")
    return text


def _flag(vol: Volume, edits: dict[str, tuple[bool, int]]) -> Text:
    need, size = edits.get(vol.ident, (vol.need_migration, vol.adjust_size))
    out = Text()
    if vol.editable:
        out.append("[✓] " if need is not False else "[ ] ", style="bold" if vol.ident in edits else "")
    return out


class DiskTree(Tree[Volume]):
    """The layout tree; ``enter``/``space`` expand and collapse, ``e`` expands everything."""

    BINDINGS = [
        Binding("e", "expand_all", "Expand all", show=False),
        Binding("c", "collapse_all", "Collapse all", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Disks and volumes", data=Volume("section", "", "root"), id=id)
        self.show_root = False
        self.guide_depth = 3
        self._signature: tuple[Any, ...] = ()
        self.edits: dict[str, tuple[bool, int]] = {}
        """Pending changes: volume id → (need_migration, adjust_size)."""
        self.volumes: dict[str, Volume] = {}
        self._extras: dict[str, list[str | None]] = {}

    # -- building --------------------------------------------------------------------------

    def show(self, detail: Any) -> None:
        """Show ``detail``'s layout; a no-op when the layout has not changed."""
        # The records compare by value: the layout is these four fields.
        sig = (detail.disks, detail.volume_groups, detail.btrfs_list, detail.init_target_server)
        if sig == self._signature:
            return
        expanded = {self._path(n) for n in self._walk(self.root) if n.is_expanded}
        first = not self._signature
        cursor = self._path(self.cursor_node) if self.cursor_node is not None else None
        self._signature = sig
        self.clear()
        self.volumes.clear()
        self._populate(detail)
        for node in self._walk(self.root):
            if node is self.root:
                continue
            if first and node.data is not None and node.data.kind in ("section", "disk", "vg", "btrfs"):
                node.expand()
            elif self._path(node) in expanded:
                node.expand()
        if cursor:
            for node in self._walk(self.root):
                if self._path(node) == cursor:
                    self.move_cursor(node)
                    break

    def _populate(self, d: Any) -> None:
        disks = self.root.add(Text("Source disks", style="bold"), data=Volume("section", "", "disks"))
        if not d.disks:
            disks.add_leaf(Text("no disks reported by the agent", style="dim"))
        for disk in d.disks:
            vol = self._vol("disk", disk.id, disk.name, disk.size, disk.used_size, disk.need_migration,
                            disk.adjust_size)
            node = disks.add(self._label(vol, [disk.partition_style, disk.device_use,
                                               "OS disk" if disk.os_disk else None]), data=vol)
            for pv in disk.physical_volumes:
                pvol = self._vol("pv", pv.id, pv.name, pv.size, pv.used_size, pv.need_migration,
                                 pv.adjust_size, parent=disk.id)
                node.add_leaf(self._label(pvol, [pv.file_system, pv.mount_point, pv.device_use]),
                              data=pvol)
        if d.volume_groups:
            vgs = self.root.add(Text("Volume groups (LVM)", style="bold"),
                                data=Volume("section", "", "vgs"))
            for vg in d.volume_groups:
                vol = self._vol("vg", vg.id, vg.name, vg.size, (vg.size or 0) - (vg.free_size or 0)
                                if vg.size else None, vg.need_migration, vg.adjust_size)
                node = vgs.add(self._label(vol, [f"on {vg.components}" if vg.components else None]),
                               data=vol)
                for lv in vg.logical_volumes:
                    lvol = self._vol("lv", lv.id, lv.name, lv.size, lv.used_size, lv.need_migration,
                                     lv.adjust_size, parent=vg.id)
                    node.add_leaf(self._label(lvol, [lv.file_system, lv.mount_point]), data=lvol)
        if d.btrfs_list:
            fss = self.root.add(Text("Btrfs file systems", style="bold"),
                                data=Volume("section", "", "btrfs"))
            for fs in d.btrfs_list:
                vol = Volume("btrfs", fs.uuid or fs.name or "", fs.name or "btrfs", fs.size,
                             fs.g_vol_used_size)
                node = fss.add(self._label(vol, [f"default {fs.default_subvol_name}"
                                                 if fs.default_subvol_name else None]), data=vol)
                for sub in fs.subvolume:
                    label = literal(sub.subvol_name or "?", style="bold" if sub.snapshot else "")
                    label.append(clean(f"  id {sub.subvol_id or '?'}"), style="dim")
                    if sub.subvol_mount_path and sub.subvol_mount_path != "null":
                        label.append(clean(f"  mounted at {sub.subvol_mount_path}"))
                    if sub.snapshot:
                        label.append("  [snapshot]", style="magenta")
                    node.add_leaf(label, data=Volume("subvol", sub.uuid or "", sub.subvol_name or ""))
        target = d.init_target_server
        if target is not None and target.disks:
            tgt = self.root.add(Text("Recommended target", style="bold"),
                                data=Volume("section", "", "target"))
            for disk in target.disks:
                vol = Volume("target", "", disk.name or "?", disk.size, disk.used_size)
                node = tgt.add(self._label(vol, [disk.device_use]), data=vol)
                for pv in disk.physical_volumes:
                    pvol = Volume("target", "", pv.name or "?", pv.size, pv.used_size)
                    node.add_leaf(self._label(pvol, [pv.file_system, pv.mount_point]), data=pvol)

    def _vol(self, kind: str, ident: str | None, name: str | None, size: int | None,
             used: int | None, need: bool | None, adjust: int | None, parent: str | None = None) -> Volume:
        vol = Volume(kind, ident or "", name or "?", size, used, need, adjust, parent)
        if vol.ident:
            self.volumes[vol.ident] = vol
        return vol

    def _label(self, vol: Volume, extras: list[str | None]) -> Text:
        if vol.ident:
            self._extras[vol.ident] = extras
        text = _flag(vol, self.edits)
        # Names and mount points are the agent's text: controls made visible (tui.untrusted).
        text.append(clean(vol.name), style="bold" if vol.kind in ("disk", "vg", "btrfs") else "")
        need, new_size = self.edits.get(vol.ident, (vol.need_migration, vol.adjust_size))
        size = vol.size
        text.append(f"  {human_size(size)}" if size is not None else "")
        if new_size and size and new_size != size:
            text.append(f" → {human_size(new_size)}", style="bold yellow")
        # Size, bar and percentage first: when a long name or mount point meets the panel's
        # edge, what is cut is the detail (file system, mount, used bytes), not the fill.
        if vol.used is not None and size:
            text.append("  ")
            text.append_text(used_bar(vol.used, size))
        for extra in extras:
            if extra:
                text.append(f"  {clean(extra)}", style="cyan")
        if vol.used is not None and size:
            text.append(f"  used {human_size(vol.used)}")
        if need is False:
            text.stylize("dim")
        return text

    # -- edits ---------------------------------------------------------------------------------

    def relabel(self) -> None:
        """Redraw labels after an edit."""
        for node in self._walk(self.root):
            vol = node.data
            if vol is not None and vol.editable:
                node.set_label(self._label(vol, self._extras.get(vol.ident, [])))

    def toggle_migration(self) -> Volume | None:
        """Flip ``need_migration`` of the highlighted disk or volume (a pending edit)."""
        node = self.cursor_node
        vol = node.data if node is not None else None
        if vol is None or not vol.editable:
            return None
        need, size = self.edits.get(vol.ident, (vol.need_migration, vol.adjust_size or vol.size))
        if vol.kind == "disk" and "OS disk" in self._extras.get(vol.ident, []):
            return None  # the system disk is always migrated
        self.edits[vol.ident] = (not (need is not False), int(size or vol.size or 0))
        self.relabel()
        return vol

    def resize(self, vol: Volume, new_size: int) -> None:
        need, _ = self.edits.get(vol.ident, (vol.need_migration, vol.adjust_size))
        self.edits[vol.ident] = (need is not False, new_size)
        self.relabel()

    def highlighted(self) -> Volume | None:
        node = self.cursor_node
        return node.data if node is not None else None

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _walk(node: TreeNode[Volume]) -> list[TreeNode[Volume]]:
        out = [node]
        for child in node.children:
            out.extend(DiskTree._walk(child))
        return out

    @staticmethod
    def _path(node: TreeNode[Volume] | None) -> str:
        parts = []
        while node is not None:
            data = node.data
            parts.append(f"{data.kind}:{data.ident or data.name}" if data else str(node.label))
            node = node.parent
        return "/".join(reversed(parts))

    def action_expand_all(self) -> None:
        self.root.expand_all()

    def action_collapse_all(self) -> None:
        for child in self.root.children:
            child.collapse_all()
