"""The About box names the fonts letters are drawn with on this PC and shows their licences."""

from desktop.documents.fonts import letter_fonts


def test_about_names_the_letter_fonts_and_their_licences(qtbot, registry):
    from desktop.ui.dialogs.about import AboutDialog

    dialog = AboutDialog(registry.describe())
    qtbot.addWidget(dialog)
    fonts = letter_fonts()
    listed = dialog.fonts.text()
    assert fonts.body_source.label in listed and fonts.title_source.label in listed
    assert "正文：" in listed and "标题：" in listed and "生僻字：" in listed
    assert "DDesk Han Ext" in listed and "SIL Open Font License 1.1" in listed  # the bundled fallback, always
    licences = dialog.licence.toPlainText()
    assert "Noto Serif CJK SC" in licences and "Reserved Font Name 'Source'" in licences
    assert "Hanazono Font License" in licences and "花園フォント ライセンス" in licences
    assert licences.count("SIL OPEN FONT LICENSE Version 1.1") == 2
