"""Every keyboard shortcut of the app, in one table: the menus bind from it and the
help screen lists it, so the list cannot drift from the real key bindings."""

from __future__ import annotations

from dataclasses import dataclass

from ui.views.case_workspace import TABS


@dataclass(frozen=True)
class Shortcut:
    action: str
    keys: tuple[str, ...]  # portable text, as QKeySequence reads it
    description: str
    where: str = "Anywhere"


#: Every keyboard shortcut, for the menus and for the help screen.
SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("search", ("Ctrl+K", "Ctrl+Shift+F"), "Search all cases"),
    Shortcut("new_case", ("Ctrl+N",), "New case"),
    Shortcut("cases", ("Ctrl+0",), "Go to the case list"),
    *(
        Shortcut(
            f"tab_{spec.key}",
            (f"Ctrl+{i}",),
            f"Go to the {spec.title.replace('&', '')} tab",
            "In a case",
        )
        for i, spec in enumerate(TABS, start=1)
    ),
    Shortcut("save_now", ("Ctrl+S",), "Save now (changes are saved as you type anyway)"),
    Shortcut("export", ("Ctrl+E",), "Export the PAR", "In a case"),
    Shortcut("refresh", ("F5",), "Refresh the case list"),
    Shortcut("lock", ("Ctrl+L",), "Lock HomeStudy now"),
    Shortcut("settings", ("Ctrl+,",), "Settings"),
    Shortcut("help", ("F1",), "Help and keyboard shortcuts"),
    Shortcut("quit", ("Ctrl+Q",), "Quit"),
    Shortcut("undo", ("Ctrl+Z",), "Undo", "In a text"),
    Shortcut("redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo", "In a text"),
    Shortcut("cut", ("Ctrl+X",), "Cut", "In a text"),
    Shortcut("copy", ("Ctrl+C",), "Copy", "In a text"),
    Shortcut("paste", ("Ctrl+V",), "Paste (keeps bold, italic and lists)", "In a text"),
    Shortcut("select_all", ("Ctrl+A",), "Select all", "In a text"),
    Shortcut("find", ("Ctrl+F",), "Find in the text…", "In a text"),
    Shortcut("bold", ("Ctrl+B",), "Bold", "In a text"),
    Shortcut("italic", ("Ctrl+I",), "Italic", "In a text"),
    Shortcut("bullets", ("Ctrl+Shift+8",), "Bulleted list", "In a text"),
    Shortcut("numbers", ("Ctrl+Shift+7",), "Numbered list", "In a text"),
    Shortcut("open", ("Return",), "Open the selected case, hit or finding", "In a list"),
)
