"""The fleet table's building blocks: columns, cells, and the ordered row model."""

from widgets.table.cells import Align, Cell, Column, Row, fit_cell, layout_widths, progress_bar
from widgets.table.model import Predicate, RowModel

__all__ = [
    "Align",
    "Cell",
    "Column",
    "Predicate",
    "Row",
    "RowModel",
    "fit_cell",
    "layout_widths",
    "progress_bar",
]
