"""Translations are the same document (issue 14): `X.de.md` / `de/X.md` translate `X.md`.

Never a duplicate id, never the document findings point at; controlled fields come from
the default-language file (D110 when a translation contradicts them); a translation older
than its source's version is C410; `qmskit review` stamps every language.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qmskit import translations
from qmskit.cli import main
from qmskit.config import TranslationsConfig
from qmskit.loader import open_qms

from qmsfactory import QmsRepo, git, init_git, line_of

SUFFIX = "[translations]\nlanguages = [\"en\", \"de\"]\n"
PROC = "procedures/PROC-A.md"
GERMAN = "procedures/PROC-A.de.md"


def _config(repo: QmsRepo, extra: str = SUFFIX) -> None:
    (repo.root / "qmskit.toml").write_text(f"today = 2026-11-24\n{extra}", encoding="utf-8")


def _check(repo: QmsRepo, capsys: pytest.CaptureFixture[str], *args: str
           ) -> tuple[int, list[dict[str, object]]]:
    code = main(["check", str(repo.root), "--format", "json", "--no-cache", *args])
    return code, json.loads(capsys.readouterr().out)["findings"]


def _german(repo: QmsRepo, edit: dict[str, str] | None = None, body: str = "Text.\n") -> Path:
    """The German file: PROC-A's front matter repeated, with `edit` replacements."""
    text = (repo.root / PROC).read_text(encoding="utf-8")
    for old, new in (edit or {}).items():
        assert old in text
        text = text.replace(old, new)
    return repo.write_raw(GERMAN, text.split("---\n", 2)[1].join(["---\n", "---\n"]) + body)


def test_a_repeated_front_matter_is_the_same_document_not_a_duplicate(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(clean)
    _german(clean, {"title: Title of PROC-A": "title: Titel von PROC-A"})
    assert _check(clean, capsys) == (0, [])
    qms = open_qms(clean.root, with_git=False)
    assert qms.documents["PROC-A"].path == PROC
    assert translations.of(qms).files("PROC-A") == {"en": PROC, "de": GERMAN}
    assert translations.of(qms).document_at(GERMAN) == "PROC-A"


def test_without_translations_configured_it_stays_a_duplicate(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _german(clean)
    code, findings = _check(clean, capsys)
    assert code == 1
    # PROC-A.de.md sorts first, so without the setting it is taken for the document.
    assert [(f["code"], f["path"]) for f in findings] == [("D103", PROC)]
    assert "[translations]" in str(findings[0]["hint"])


@pytest.mark.parametrize("text", ["---\ntitle: Einkauf\n---\n\nText.\n", "Nur Text.\n"],
                         ids=["title only", "no front matter"])
def test_a_title_or_nothing_is_enough(clean: QmsRepo, capsys: pytest.CaptureFixture[str],
                                      text: str) -> None:
    _config(clean)
    clean.write_raw(GERMAN, text)
    assert _check(clean, capsys) == (0, [])
    qms = open_qms(clean.root, with_git=False)
    assert translations.of(qms).files("PROC-A")["de"] == GERMAN


def test_a_contradicting_controlled_field_is_located_in_the_translation(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(clean)
    path = _german(clean, {"owner: ROLE-QM": "owner: ROLE-MD", "- OBJ-A": "- STRAT-A"})
    code, findings = _check(clean, capsys)
    assert code == 1
    assert [(f["code"], f["path"], f["line"], f["id"]) for f in findings] == [
        ("D110", GERMAN, line_of(path, "owner: ROLE-MD"), "PROC-A"),
        ("D110", GERMAN, line_of(path, "- STRAT-A"), "PROC-A")]
    assert findings[0]["col"] == len("owner: ") + 1
    assert findings[0]["message"] == f"owner ROLE-MD contradicts {PROC}, where it is ROLE-QM"


def test_equal_values_written_differently_do_not_contradict(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(clean)
    _german(clean, {"interval: 12 months": "interval: 12 months   # jährlich",
                    "last: 2026-06-01": "last: '2026-06-01'"})
    assert _check(clean, capsys) == (0, [])


def test_an_unknown_field_in_a_translation_is_d102_there(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(clean)
    clean.write_raw(GERMAN, "---\ntitle: Einkauf\nownr: ROLE-QM\n---\n")
    _, findings = _check(clean, capsys)
    assert [(f["code"], f["path"], f["line"], f["hint"]) for f in findings] == [
        ("D102", GERMAN, 3, "did you mean 'owner'?")]


def test_an_older_version_is_an_outdated_translation(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(clean)
    clean.write_raw(GERMAN, "---\ntitle: Einkauf\nversion: 0\n---\n")
    code, findings = _check(clean, capsys)
    assert code == 0  # a warning: the English version is the one in force
    assert [(f["code"], f["severity"], f["path"], f["line"], f["message"]) for f in findings] \
        == [("C410", "warning", GERMAN, 3, f"translates version 0 of PROC-A; {PROC} is at "
                                            "version 1")]


def test_a_newer_version_contradicts(clean: QmsRepo, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    _config(clean)
    clean.write_raw(GERMAN, "---\ntitle: Einkauf\nversion: 2\n---\n")
    assert [f["code"] for f in _check(clean, capsys)[1]] == ["D110"]


def test_an_id_on_the_translation_of_a_plain_page_belongs_on_the_page(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(clean)
    clean.write_raw("procedures/guide.md", "# Guide\n")
    clean.write_raw("procedures/guide.de.md", "---\nid: PROC-GUIDE\nkind: procedure\n---\n")
    code, findings = _check(clean, capsys)
    assert code == 1
    assert [(f["code"], f["path"], f["line"]) for f in findings] == [
        ("D110", "procedures/guide.de.md", 2)]
    assert "move the front matter to procedures/guide.md" in str(findings[0]["hint"])


def test_a_page_in_one_language_only_is_a_document_of_its_own(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(clean)
    text = (clean.root / PROC).read_text(encoding="utf-8").replace("PROC-A", "PROC-B")
    clean.write_raw("procedures/PROC-B.de.md", text)
    assert _check(clean, capsys) == (0, [])
    assert open_qms(clean.root, with_git=False).documents["PROC-B"].path == \
        "procedures/PROC-B.de.md"


def test_a_broken_translation_is_d101_there(clean: QmsRepo,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _config(clean)
    clean.write_raw(GERMAN, "---\ntitle: [Einkauf\n---\n")
    code, findings = _check(clean, capsys)
    assert code == 1
    assert [(f["code"], f["path"], f["id"]) for f in findings] == [("D101", GERMAN, "PROC-A")]


def test_folder_structure_the_default_language_wins_whatever_the_order(
    repo: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """`docs/de/` sorts before `docs/en/`: the German file must still not become the
    document, and a QMS folder under `en/` brings its German mirror along."""
    repo.baseline()
    _config(repo, "folders = [\"qms_docs\", \"objectives\", \"docs/en/procedures\"]\n"
                  "[translations]\nlanguages = [\"en\", \"de\"]\nstructure = \"folder\"\n")
    english = repo.root / "docs/en/procedures/PROC-A.md"
    english.parent.mkdir(parents=True)
    (repo.root / PROC).rename(english)
    (repo.root / "procedures").rmdir()
    german = repo.write_raw("docs/de/procedures/PROC-A.md",
                            english.read_text(encoding="utf-8").replace(
                                "status: approved", "status: draft"))
    code, findings = _check(repo, capsys)
    assert code == 1
    assert [(f["code"], f["path"], f["line"]) for f in findings] == [
        ("D110", "docs/de/procedures/PROC-A.md", line_of(german, "status: draft"))]
    qms = open_qms(repo.root, with_git=False)
    assert qms.documents["PROC-A"].path == "docs/en/procedures/PROC-A.md"
    assert translations.of(qms).files("PROC-A")["de"] == "docs/de/procedures/PROC-A.md"


@pytest.mark.parametrize(("path", "structure", "expected"), [
    ("docs/x.de.md", "suffix", ("docs/x.md", "de")),
    ("docs/x.en.md", "suffix", ("docs/x.md", "en")),
    ("docs/x.md", "suffix", ("docs/x.md", "en")),
    ("docs/x.fr.md", "suffix", ("docs/x.fr.md", "en")),  # not a configured language
    ("docs/de/a/x.md", "folder", ("docs/a/x.md", "de")),
    ("docs/en/x.md", "folder", ("docs/x.md", "en")),
    ("procedures/x.md", "folder", ("procedures/x.md", "en")),
])
def test_language_of(path: str, structure: str, expected: tuple[str, str]) -> None:
    config = TranslationsConfig(languages=["en", "de"], structure=structure)  # type: ignore[arg-type]
    assert translations.language_of(path, config) == expected


@pytest.mark.parametrize(("table", "message"), [
    ('languages = ["en", "de"]\ndefault = "fr"', "default 'fr' is not one of languages"),
    ('languages = ["en", "en"]', "each language once"),
    ('languages = ["English"]', "String should match pattern"),
    ('languages = ["en"]\nstructure = "tabs"', "Input should be 'suffix' or 'folder'"),
])
def test_a_bad_translations_table_is_a_config_error(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], table: str, message: str
) -> None:
    _config(clean, f"[translations]\n{table}\n")
    assert main(["check", str(clean.root)]) == 2
    assert message in capsys.readouterr().err


# ----------------------------------------------------------------------- with git


def _commit(repo: QmsRepo, message: str, day: str) -> None:
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", message, date=day)


def test_a_source_changed_after_its_translation_makes_it_outdated(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(clean)
    clean.write_raw(GERMAN, "---\ntitle: Einkauf\n---\n\nSchritt 1.\n")
    init_git(clean.root, "2026-06-01")
    assert _check(clean, capsys) == (0, [])
    source = clean.root / PROC
    # A stamp-only commit is not a change of content.
    source.write_text(source.read_text(encoding="utf-8").replace("interval: 12 months",
                                                                 "interval: 6 months"))
    _commit(clean, "Shorter review interval", "2026-07-01")
    assert _check(clean, capsys, "--select", "C410") == (0, [])
    source.write_text(source.read_text(encoding="utf-8") + "\nStep 2.\n", encoding="utf-8")
    _commit(clean, "Add step 2", "2026-08-01")
    code, findings = _check(clean, capsys, "--select", "C410")
    assert code == 0
    assert [(f["code"], f["path"], f["id"]) for f in findings] == [("C410", GERMAN, "PROC-A")]
    assert str(findings[0]["message"]).startswith(f"{PROC} changed on 2026-08-01 (commit ")
    # The translator catches up: the translation is current again.
    german = clean.root / GERMAN
    german.write_text(german.read_text(encoding="utf-8") + "\nSchritt 2.\n", encoding="utf-8")
    _commit(clean, "Übersetzung: Schritt 2", "2026-08-03")
    assert _check(clean, capsys, "--select", "C410") == (0, [])


def test_adding_front_matter_to_a_translated_page_is_no_change(
    repo: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Adopting qmskit: the page and its translation existed for years; the commit that
    gives the page front matter is a baseline, not a change the translation missed."""
    repo.baseline()
    _config(repo)
    source = repo.root / PROC
    text = source.read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    source.write_text("# Purchasing\n" + body, encoding="utf-8")
    repo.write_raw(GERMAN, "# Einkauf\n" + body)
    init_git(repo.root, "2024-03-01")
    source.write_text(text, encoding="utf-8")
    _commit(repo, "Adopt qmskit", "2026-09-01")
    assert _check(repo, capsys, "--select", "C410") == (0, [])


# -------------------------------------------------------------------- qmskit review


def test_review_stamps_every_language_that_carries_a_stamp(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(clean)
    _german(clean, {"title: Title of PROC-A": "title: Einkauf"})
    clean.write_raw("procedures/PROC-A.fr.md", "---\ntitle: Achats\n---\n")
    _config(clean, "[translations]\nlanguages = [\"en\", \"de\", \"fr\"]\n")
    init_git(clean.root)
    assert main(["review", "PROC-A", "--by", "ROLE-QM", "--root", str(clean.root)]) == 0
    out = capsys.readouterr().out
    assert f"{GERMAN} (de): stamped too (review.last, review.by)" in out
    assert ("procedures/PROC-A.fr.md (fr): states no stamp (its controlled fields come "
            f"from {PROC}); left as it is") in out
    assert "last: 2026-11-24\n  interval: 12 months\n  by: ROLE-QM" in (
        clean.root / GERMAN).read_text(encoding="utf-8")
    assert (clean.root / "procedures/PROC-A.fr.md").read_text(encoding="utf-8") == \
        "---\ntitle: Achats\n---\n"
    assert _check(clean, capsys) == (0, [])


def test_a_raised_version_is_not_copied_to_the_translation(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(clean)
    _german(clean)
    init_git(clean.root)
    assert main(["review", "PROC-A", "--by", "ROLE-QM", "--bump", "--commit",
                 "--root", str(clean.root)]) == 0
    out = capsys.readouterr().out
    assert f"{GERMAN} (de): translates version 1; update the translation for version 2 " \
           "and set its version to 2" in out
    assert "version: 1\n" in (clean.root / GERMAN).read_text(encoding="utf-8")
    assert git(clean.root, "status", "--porcelain") == ""  # both files in the commit
    assert "procedures/PROC-A.de.md" in git(clean.root, "show", "--name-only", "HEAD")
    code, findings = _check(clean, capsys, "--select", "C410,D110")
    assert code == 0
    assert [f["code"] for f in findings] == ["C410"]
