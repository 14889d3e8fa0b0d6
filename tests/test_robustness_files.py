"""A torture corpus: `rag index` reads what it can, names every file it skips
with a one-line reason, and stays quick and small on huge or numerous files."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from rag.index import Index
from rag.ingest import index_documents
from rag.loaders import load_paths
from rag.types import Document, Skipped
from tests.fakes import FakeEmbedder
from tests.test_index_safety import rag_command, rag_env, run_rag
from tests.test_ingest_formats import PDF_PAGES, make_pdf

SIMPLIFIED = "香港的优秀人才入境计划每年配额为四千个名额。申请人须符合基本资格，并通过综合计分制评核。"
TRADITIONAL = "臺北的捷運系統每天載客超過兩百萬人次。車站乾淨，班次準時，票價也很便宜。"
# Too short for statistical detection alone (it reads these as Korean and UTF-16).
SHORT_SIMPLIFIED, SHORT_TRADITIONAL = "优秀人才入境计划", "優秀人才入境計劃"
DAMAGED_UTF8 = "Grüße aus Zürich: die Brücke über die Limmat ist für Fußgänger geöffnet.".encode() + b"\xff\xfe" + " Schön.".encode()
LATIN1_NAME = os.fsdecode(b"caf\xe9 menu.txt")  # a name that is not valid UTF-8

# file name -> text the document must contain, or None when it must be skipped
READABLE = {
    "gbk.txt": SIMPLIFIED,
    "big5.txt": TRADITIONAL,
    "utf16 bom.txt": "UTF-16 with a byte-order mark: naïve café",
    "damaged utf8.txt": "Zürich: die Brücke über die Limmat",
    "latin1.txt": "Le café de la gare sert un thé très chaud.",
    "owner-password.pdf": "Cargo volumes rose by eleven percent",
    "名前 with spaces é.md": "Zürich lies on a lake.",
    "notes [draft].txt": "Draft notes about [bold] markup.",
    LATIN1_NAME: "Menu of the day: soup.",
    "records.jsonl#r1": "A good record among bad lines.",
}
# file name -> words its skip reason must contain
SKIPPED = {
    "empty.txt": "empty file",
    "[bold]blank.txt": "empty file",
    "binary.txt": "binary data",
    "empty.pdf": "empty file",
    "truncated.pdf": "unreadable PDF",
    "password.pdf": "password-protected PDF",
    "scanned.pdf": "no extractable text",
    "not-a-zip.docx": "not a valid .docx",
    "self-link.txt": "symbolic link loop",
    "dangling.txt": "broken symbolic link",
    "loop": "symbolic link loop",
    "sub/back-up": "symbolic link loop",
    "pipe.txt": "not a regular file",
    "zeros.txt": "link points outside the folders given",
    "records.jsonl": "2 line(s) are not a JSON object",
    "picture.png": "unsupported file type",
}


def _pdf_encrypted(user_password: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(PDF_PAGES)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_without_text() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)  # what a scan without OCR looks like to a text extractor
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _write_texts(folder: Path) -> None:
    (folder / "gbk.txt").write_bytes(SIMPLIFIED.encode("gbk"))
    (folder / "big5.txt").write_bytes(TRADITIONAL.encode("big5"))
    (folder / "utf16 bom.txt").write_bytes("UTF-16 with a byte-order mark: naïve café\n".encode("utf-16"))
    (folder / "damaged utf8.txt").write_bytes(DAMAGED_UTF8)
    (folder / "latin1.txt").write_bytes("Le café de la gare sert un thé très chaud.\n".encode("cp1252"))
    (folder / "名前 with spaces é.md").write_text("# Städte\n\nZürich lies on a lake.\n", encoding="utf-8")
    (folder / "notes [draft].txt").write_text("Draft notes about [bold] markup.\n", encoding="utf-8")
    (folder / LATIN1_NAME).write_text("Menu of the day: soup.\n", encoding="utf-8")
    lines = [json.dumps({"_id": "r1", "text": "A good record among bad lines."}), "{not json", json.dumps({"_id": "r2", "title": "no text"})]
    (folder / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_broken(folder: Path) -> None:
    (folder / "empty.txt").write_bytes(b"")
    (folder / "[bold]blank.txt").write_bytes(b"  \n\n\t \n")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "empty.pdf").write_bytes(b"")
    pdf = make_pdf(PDF_PAGES)
    (folder / "truncated.pdf").write_bytes(pdf[: len(pdf) // 2])
    (folder / "password.pdf").write_bytes(_pdf_encrypted("open-sesame"))
    (folder / "owner-password.pdf").write_bytes(_pdf_encrypted(""))
    (folder / "scanned.pdf").write_bytes(_pdf_without_text())
    (folder / "not-a-zip.docx").write_bytes(b"PK\x03\x04 but not really a zip archive")
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")


def _write_special(folder: Path) -> None:
    (folder / "self-link.txt").symlink_to("self-link.txt")
    (folder / "dangling.txt").symlink_to("no-such-target.txt")
    (folder / "loop").symlink_to(".")
    (folder / "sub").mkdir()
    (folder / "sub" / "back-up").symlink_to("..")
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    (folder / "zeros.txt").symlink_to("/dev/zero")  # reading it would never end


@pytest.fixture
def torture(tmp_path: Path) -> Path:
    folder = tmp_path / "torture"
    folder.mkdir()
    _write_texts(folder)
    _write_broken(folder)
    _write_special(folder)
    return folder


def _load(paths: list[str], **kwargs) -> list[Document | Skipped]:
    """load_paths in a thread with a deadline, so a hang fails the test instead of the suite."""
    result: list[Document | Skipped] = []
    worker = threading.Thread(target=lambda: result.extend(load_paths(paths, **kwargs)), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "loading hung"
    return result


def _name(source: str, folder: Path) -> str:
    return os.path.relpath(source, folder).replace(os.sep, "/")


def test_torture_corpus_reads_what_it_can_and_says_why_not(torture: Path) -> None:
    items = _load([str(torture)])
    documents = {_name(i.source, torture): i for i in items if isinstance(i, Document)}
    skipped = {_name(i.source, torture): i.reason for i in items if isinstance(i, Skipped)}
    latin1_display = LATIN1_NAME.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    expected_docs = {latin1_display if k == LATIN1_NAME else k for k in READABLE}
    assert set(documents) == expected_docs
    assert set(skipped) == set(SKIPPED), skipped
    for name, words in SKIPPED.items():
        assert words in skipped[name], (name, skipped[name])
        assert "\n" not in skipped[name]
    for name, text in READABLE.items():
        document = documents[latin1_display if name == LATIN1_NAME else name]
        assert text in document.text, (name, document.text)


def test_a_followed_link_to_a_device_is_still_not_read(torture: Path) -> None:
    skipped = {_name(i.source, torture): i.reason for i in _load([str(torture)], follow_links=True) if isinstance(i, Skipped)}
    assert "not a regular file" in skipped["zeros.txt"]


def test_chinese_legacy_encodings_come_out_exactly(torture: Path, tmp_path: Path) -> None:
    (tmp_path / "gbk-short.txt").write_bytes(SHORT_SIMPLIFIED.encode("gbk"))
    (tmp_path / "big5-short.txt").write_bytes(SHORT_TRADITIONAL.encode("big5"))
    paths = [torture / "gbk.txt", torture / "big5.txt", tmp_path / "gbk-short.txt", tmp_path / "big5-short.txt"]
    documents = {Path(i.source).name: i.text for i in _load([str(p) for p in paths])}
    assert documents == {"gbk.txt": SIMPLIFIED, "big5.txt": TRADITIONAL, "gbk-short.txt": SHORT_SIMPLIFIED, "big5-short.txt": SHORT_TRADITIONAL}


def test_damaged_utf8_keeps_its_good_characters(torture: Path) -> None:
    [document] = _load([str(torture / "damaged utf8.txt")])
    assert document.text == DAMAGED_UTF8.decode("utf-8", errors="replace")
    assert "\ufffd" in document.text


def test_unreadable_file_is_skipped_with_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated: the suite may run as root, where chmod 000 does not stop reading.
    # test_cli_skips_a_really_unreadable_file below does it for real.
    (tmp_path / "secret.txt").write_text("hidden\n", encoding="utf-8")
    (tmp_path / "open.txt").write_text("visible\n", encoding="utf-8")
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "secret.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    items = {Path(i.source).name: i for i in _load([str(tmp_path)])}
    assert isinstance(items["open.txt"], Document)
    assert isinstance(items["secret.txt"], Skipped) and "permission denied" in items["secret.txt"].reason


def _as_unprivileged(command: list[str]) -> list[str]:
    """Root reads chmod-000 files; without the two DAC capabilities it cannot."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv, so no file can be made unreadable")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]


def test_cli_skips_a_really_unreadable_file_and_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "locked").mkdir(parents=True)
    (corpus / "locked" / "inside.txt").write_text("inside a locked folder\n", encoding="utf-8")
    (corpus / "secret.txt").write_text("secret\n", encoding="utf-8")
    (corpus / "open.txt").write_text("an open file\n", encoding="utf-8")
    os.chmod(corpus / "secret.txt", 0)
    os.chmod(corpus / "locked", 0)
    try:
        probe = subprocess.run(_as_unprivileged(["cat", str(corpus / "secret.txt")]), capture_output=True)
        if probe.returncode == 0:
            pytest.skip("this system lets the test read a chmod-000 file even without privileges")
        command = _as_unprivileged(rag_command("index", str(corpus), "--index", str(tmp_path / "index")))
        done = subprocess.run(command, cwd=tmp_path, env=rag_env(), capture_output=True, text=True, timeout=120)
    finally:
        os.chmod(corpus / "locked", 0o755)
        os.chmod(corpus / "secret.txt", 0o644)
    assert done.returncode == 0, done.stderr
    assert "secret.txt: permission denied" in done.stderr
    assert "locked: cannot list this folder: permission denied" in done.stderr
    assert "1 added" in done.stdout


def test_cli_indexes_the_torture_corpus_and_lists_every_skip(torture: Path, tmp_path: Path) -> None:
    done = run_rag("index", str(torture), "--index", str(tmp_path / "index"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == len(SKIPPED) and all(line.startswith("skipped ") for line in lines), lines
    for name, words in SKIPPED.items():
        assert any(name in line and words in line for line in lines), name
    assert f"{len(READABLE)} added" in done.stdout and f"{len(SKIPPED)} skipped" in done.stdout
    sources = set(Index.open(tmp_path / "index", FakeEmbedder.name).manifest.documents)
    assert any(s.endswith("名前 with spaces é.md") for s in sources)


def test_cli_json_report_lists_skips(torture: Path, tmp_path: Path) -> None:
    done = run_rag("index", str(torture), "--index", str(tmp_path / "index"), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {_name(s["source"], torture) for s in report["skipped"]} == set(SKIPPED)
    assert report["added"] == len(READABLE)


@pytest.mark.parametrize("given", ["all-bad", "missing", "empty-folder"])
def test_cli_fails_clearly_when_nothing_was_indexed(given: str, tmp_path: Path) -> None:
    folder = tmp_path / given
    if given != "missing":
        folder.mkdir()
    if given == "all-bad":
        (folder / "empty.txt").write_bytes(b"")
        (folder / "binary.txt").write_bytes(bytes(range(256)))
    done = run_rag("index", str(folder), "--index", str(tmp_path / "index"), cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    error = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and ("nothing could be indexed" in error[0] or "no documents found" in error[0])
    if given == "all-bad":
        assert "skipped" in done.stderr and "empty.txt: empty file" in done.stderr and "binary.txt: binary data" in done.stderr


def _write_big_text(path: Path, megabytes: int) -> None:
    block = ("The harbour log records every ship that enters and leaves the port. " * 15 + "\n").encode()
    per_mb = (1024 * 1024) // len(block) + 1
    with path.open("wb") as handle:
        for _ in range(megabytes):
            handle.write(block * per_mb)


def test_cli_skips_a_100_mb_file_with_bounded_memory(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write_big_text(corpus / "huge.txt", 100)
    (corpus / "small.txt").write_text("A small file about tides.\n", encoding="utf-8")
    rss_file = tmp_path / "rss"
    done = run_rag("index", str(corpus), "--index", str(tmp_path / "index"), cwd=tmp_path, FAKE_RSS_FILE=str(rss_file))
    assert done.returncode == 0, done.stderr
    assert "huge.txt: 100 MB, above the 64 MB limit; raise it with --max-file-mb or RAG_MAX_FILE_MB" in done.stderr
    peak_mb = int(rss_file.read_text()) / 1024
    assert peak_mb < 400, f"peak RSS {peak_mb:.0f} MB: the large file was read"


def test_file_size_limit_follows_flag_and_environment(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write_big_text(corpus / "two-mb.txt", 2)
    (corpus / "small.txt").write_text("A small file about tides.\n", encoding="utf-8")
    index = str(tmp_path / "index")
    by_env = run_rag("index", str(corpus), "--index", index, cwd=tmp_path, RAG_MAX_FILE_MB="1")
    assert by_env.returncode == 0 and "two-mb.txt: 2 MB, above the 1 MB limit" in by_env.stderr
    by_flag = run_rag("index", str(corpus), "--index", index, "--max-file-mb", "3", cwd=tmp_path, RAG_MAX_FILE_MB="1")
    assert by_flag.returncode == 0 and "skipped" not in by_flag.stderr and "1 added" in by_flag.stdout
    bad = run_rag("index", str(corpus), "--index", index, "--max-file-mb", "0", cwd=tmp_path)
    assert bad.returncode != 0 and "--max-file-mb must be a positive number" in bad.stderr and "Traceback" not in bad.stderr


def test_ten_thousand_tiny_files_index_quickly(tmp_path: Path) -> None:
    corpus = tmp_path / "tiny"
    corpus.mkdir()
    for n in range(10_000):
        (corpus / f"note-{n:05d}.txt").write_text(f"Note {n} mentions the widget code w{n}x.\n", encoding="utf-8")
    started = time.perf_counter()
    report = index_documents(load_paths([str(corpus)]), tmp_path / "index", FakeEmbedder())
    seconds = time.perf_counter() - started
    assert report.added == 10_000 and report.skipped == ()
    assert seconds < 60, f"10,000 tiny files took {seconds:.1f}s"
    from rag.retrieval import BM25Retriever

    index = Index.open(tmp_path / "index", FakeEmbedder.name)
    assert BM25Retriever(index).retrieve("w4321x", 1)[0].chunk.source.endswith("note-04321.txt")


@pytest.mark.slow
def test_real_rag_indexes_the_torture_corpus(torture: Path, tmp_path: Path) -> None:
    rag = str(Path(rag_command()[0]).with_name("rag"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    done = subprocess.run([rag, "index", str(torture), "--index", str(tmp_path / "index")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"{len(READABLE)} added" in done.stdout
    assert sum(line.startswith("skipped ") for line in done.stderr.splitlines()) == len(SKIPPED)
