"""Language: Qt Linguist translations (resources/i18n/stationmgr_<lang>.qm) and QLocale.

The language follows the system locale unless the user picked one in Settings (QSettings
`ui/language`: "" for the system, "en" or "sv"); it applies at the next start. Numbers,
dates and currency are formatted by the matching QLocale.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication

from ui.resources import resources_dir

LANGUAGES = {"en": "English", "sv": "Svenska"}


def chosen_language() -> str:
    """The language code in use: the setting, else the system's when we have it, else en."""
    lang = str(QSettings().value("ui/language", "") or "")
    if lang in LANGUAGES:
        return lang
    sys_lang = QLocale.system().name().split("_")[0]
    return sys_lang if sys_lang in LANGUAGES else "en"


def locale_for(lang: str) -> QLocale:
    """The system locale when it speaks `lang` (keeps the user's region), else the language's."""
    system = QLocale.system()
    if system.name().split("_")[0] == lang:
        return system
    return QLocale({"sv": "sv_SE", "en": "en_GB"}.get(lang, lang))


def install(app: QApplication, lang: str | None = None) -> QLocale:
    """Install our and Qt's own translations for `lang`; returns the locale to format with."""
    lang = lang or chosen_language()
    loc = locale_for(lang)
    QLocale.setDefault(loc)
    if lang != "en":
        ours = QTranslator(app)
        if ours.load(str(Path(resources_dir()) / "i18n" / f"stationmgr_{lang}.qm")):
            app.installTranslator(ours)
        qt = QTranslator(app)
        if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt)
    return loc
