import os
from pathlib import Path

from desktop.ui.dialogs.login import LoginDialog
from desktop.ui.main_window import MainWindow
from tests.ui import screens
from tests.ui.conftest import actor


def test_screenshot_of_each_main_screen(qtbot, demo_registry, tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots = []
    login = LoginDialog(demo_registry, "天津市民政局（演示）")
    qtbot.addWidget(login)
    login.resize(420, 220)
    shots.append(screens.save(login, folder, "01-login"))
    clerk = MainWindow(demo_registry, actor(demo_registry, "clerk", "clerk2026"))
    qtbot.addWidget(clerk)
    clerk.resize(1400, 860)
    clerk.show_section("register")
    shots.append(screens.save(clerk, folder, "02-register"))
    clerk.show_section("queue")
    shots.append(screens.save(clerk, folder, "03-my-queue"))
    clerk.show_section("all")
    shots.append(screens.save(clerk, folder, "04-registry"))
    clerk.open_case(clerk.page("all").model.case_id_at(5))
    shots.append(screens.save(clerk, folder, "05-case-detail"))
    clerk.show_section("stats")
    shots.append(screens.save(clerk, folder, "06-stats"))
    admin = MainWindow(demo_registry, actor(demo_registry, "admin", "admin2026"))
    qtbot.addWidget(admin)
    admin.resize(1400, 860)
    admin.show_section("admin")
    for i, name in enumerate(("07-admin-users", "08-admin-divisions", "09-admin-settings", "10-calendar",
                              "11-templates")):
        admin.page("admin").setCurrentIndex(i)
        shots.append(screens.save(admin, folder, name))
    for shot in shots:
        assert shot.stat().st_size > 5000
        assert screens.distinct_colours(shot) > 8, shot
