"""The settings dialog: shows the loaded values, greys out IT's, saves through the pool."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from homestudy.settings import load_settings
from ui.context import AppContext, make_context
from ui.views.settings_dialog import LOCKED_TEXT, SettingsDialog, proxy_problem


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    user, central = tmp_path / "user.json", tmp_path / "central.json"
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(user))
    monkeypatch.setenv("HOMESTUDY_CENTRAL_SETTINGS", str(central))
    return user, central


@pytest.fixture
def make_ctx(qapp: object, tmp_path: Path) -> Iterator[object]:
    made: list[AppContext] = []

    def make() -> AppContext:
        ctx = make_context(load_settings(), tmp_path / "vault")
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.shutdown()


def save_button(dialog: SettingsDialog) -> object:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Save)


def test_shows_values_and_saves_them(qtbot, files, make_ctx) -> None:
    user, _ = files
    user.write_text(json.dumps({"idle_lock_minutes": 4, "proxy_url": ""}), encoding="utf-8")
    ctx = make_ctx()
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.idle_lock.value() == 4
    assert dialog.lock_labels == {}
    assert all(w.isEnabled() for w in (dialog.idle_lock, dialog.proxy, dialog.vault_dir))

    dialog.idle_lock.setValue(15)
    dialog.par_days.setValue(10)
    qtbot.keyClicks(dialog.proxy, "http://proxy.example.org:3128")
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    assert saved.args[0].idle_lock_minutes == 15
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert ctx.settings.par_to_applicants_working_days == 10
    on_disk = json.loads(user.read_text(encoding="utf-8"))
    assert on_disk["idle_lock_minutes"] == 15
    assert on_disk["proxy_url"] == "http://proxy.example.org:3128"
    assert load_settings().par_to_applicants_working_days == 10


def test_centrally_set_keys_are_disabled_and_kept(qtbot, files, make_ctx) -> None:
    user, central = files
    central.write_text(
        json.dumps({"idle_lock_minutes": 5, "proxy_url": "http://it.example:8080"}),
        encoding="utf-8",
    )
    ctx = make_ctx()
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    assert not dialog.idle_lock.isEnabled() and not dialog.proxy.isEnabled()
    assert dialog.par_days.isEnabled()
    assert set(dialog.lock_labels) == {"idle_lock_minutes", "proxy_url"}
    assert all(label.text() == LOCKED_TEXT for label in dialog.lock_labels.values())
    assert dialog.idle_lock.toolTip() == LOCKED_TEXT

    dialog.idle_lock.setValue(60)  # a setter bypassing the disabled widget must not win
    dialog.review_months.setValue(18)
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    assert saved.args[0].idle_lock_minutes == 5
    on_disk = json.loads(user.read_text(encoding="utf-8"))
    assert "idle_lock_minutes" not in on_disk and "proxy_url" not in on_disk
    assert on_disk["review_of_approval_months"] == 18


def test_bad_proxy_is_refused_in_plain_words(qtbot, files, make_ctx) -> None:
    user, _ = files
    dialog = SettingsDialog(make_ctx())
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.proxy, "proxy.example.org")
    with qtbot.assertNotEmitted(dialog.saved, wait=100):
        qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    assert not dialog.error.isHidden()
    assert "http://" in dialog.error.text()
    assert not user.exists()


def test_problems_in_the_files_are_shown(qtbot, files, make_ctx) -> None:
    user, _ = files
    user.write_text(json.dumps({"idle_lock_minutes": "often"}), encoding="utf-8")
    dialog = SettingsDialog(make_ctx())
    qtbot.addWidget(dialog)
    assert "idle_lock_minutes" in dialog.problems.text()
    assert not dialog.problems.isHidden()


def test_a_failed_save_says_so_and_keeps_the_dialog_open(
    qtbot, files, make_ctx, tmp_path, monkeypatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the settings folder should be", encoding="utf-8")
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(blocker / "settings.json"))
    ctx = make_ctx()
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.idle_lock.setValue(20)
    qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.error.isHidden(), timeout=5000)
    assert dialog.error.text().startswith("The settings could not be saved.")
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.buttons.isEnabled()
    assert ctx.settings.idle_lock_minutes == 10


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("", True),
        ("http://p.example:3128", True),
        ("https://p.example", True),
        ("p.example:3128", False),
        ("http://", False),
        ("http://p.example:99999", False),
    ],
)
def test_proxy_problem(url: str, ok: bool) -> None:
    assert (proxy_problem(url) == "") is ok


def test_settings_from_the_main_window_apply_the_idle_lock_at_once(
    qtbot, make_app, demo_vault_dir, unlock, isolated_settings
) -> None:
    from PySide6.QtWidgets import QApplication

    folder, _ = demo_vault_dir
    window, ctx = make_app(folder)
    unlock(window)
    assert window.actions["settings"].isVisible()
    window.actions["settings"].trigger()  # File › Settings (Ctrl+,)

    def opened() -> list[SettingsDialog]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, SettingsDialog) and w.parent() is window and w.isVisible()
        ]

    qtbot.waitUntil(lambda: len(opened()) == 1, timeout=5000)
    dialog = opened()[0]
    dialog.idle_lock.setValue(3)
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    assert window.idle.interval_ms == 3 * 60_000
    assert ctx.settings.idle_lock_minutes == 3
    assert json.loads(isolated_settings.read_text(encoding="utf-8"))["idle_lock_minutes"] == 3
