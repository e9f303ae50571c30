"""Download stage: archives over (local) HTTP with checksum, cache, traversal and zip-bomb protection."""

import hashlib
import io
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ingestion import pipeline
from ingestion.download import DownloadError, safe_extract
from ingestion.models import Chunk, IngestionRun, Topic
from tests.support.corpus import MINI_CORPUS_DIR


class ArchiveServer:
    """A real HTTP server on 127.0.0.1 serving in-memory files, counting requests."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.hits: dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                body = outer.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, data: bytes) -> tuple[str, str]:
        self.files[path] = data
        return self.url(path), hashlib.sha256(data).hexdigest()


@pytest.fixture
def archive_server():
    server = ArchiveServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture(autouse=True)
def _cache_dir(settings, tmp_path):
    settings.OER_CACHE_DIR = tmp_path / "oer-cache"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _corpus_zip(book: str) -> bytes:
    root = MINI_CORPUS_DIR / book
    return _zip({f"osbooks-{book}-abc123/{p.relative_to(root)}": p.read_bytes()
                 for p in root.rglob("*") if p.is_file()})


def test_ingest_from_a_local_http_archive_uses_the_cache(db, archive_server, settings):
    url, digest = archive_server.serve("/biology.zip", _corpus_zip("biology-2e"))
    run = pipeline.run_ingest(book="biology", source=url, sha256=digest)
    assert run.status == IngestionRun.Status.SUCCEEDED, run.errors
    assert Topic.objects.filter(chapter__book__slug="biology-2e").count() == 3
    assert Chunk.objects.filter(book_slug="biology-2e", version__status="active").exists()
    assert (settings.OER_CACHE_DIR / digest / ".complete").exists()
    # a second run is served from the verified cache, without another request
    assert pipeline.run_ingest(book="biology", source=url, sha256=digest).status == IngestionRun.Status.SUCCEEDED
    assert archive_server.hits["/biology.zip"] == 1


def test_tar_gz_archives_work(db, archive_server):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(MINI_CORPUS_DIR / "chemistry-2e", arcname="chem")
    url, digest = archive_server.serve("/chem.tar.gz", buffer.getvalue())
    run = pipeline.run_ingest(book="chemistry", source=url, sha256=digest, stop_after="process")
    assert run.status == IngestionRun.Status.SUCCEEDED, run.errors
    assert Topic.objects.filter(module_id="m91102").exists()


def _assert_failed_and_nothing_lost(run, message):
    assert run.status == IngestionRun.Status.FAILED
    assert any(message in e["error"] for e in run.errors), run.errors


def test_wrong_checksum_is_refused(mini_corpus, archive_server):
    before = Chunk.objects.filter(version__status="active").count()
    url, _ = archive_server.serve("/bio.zip", _corpus_zip("biology-2e"))
    run = pipeline.run_ingest(book="biology", source=url, sha256="0" * 64)
    _assert_failed_and_nothing_lost(run, "checksum mismatch")
    assert Chunk.objects.filter(version__status="active").count() == before


def test_missing_checksum_is_refused(db, archive_server):
    url, _ = archive_server.serve("/bio.zip", _corpus_zip("biology-2e"))
    _assert_failed_and_nothing_lost(pipeline.run_ingest(source=url), "sha256 checksum")


def test_http_error_is_recorded(db, archive_server):
    run = pipeline.run_ingest(source=archive_server.url("/nope.zip"), sha256="a" * 64)
    _assert_failed_and_nothing_lost(run, "HTTP 404")


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil.txt", "a/../../evil.txt", "C:/evil.txt"])
def test_path_traversal_is_refused(mini_corpus, archive_server, tmp_path, name):
    before = Chunk.objects.filter(version__status="active").count()
    url, digest = archive_server.serve("/evil.zip", _zip({"ok/README.md": b"hi", name: b"pwned"}))
    run = pipeline.run_ingest(source=url, sha256=digest)
    _assert_failed_and_nothing_lost(run, "unsafe path")
    assert not (tmp_path / "evil.txt").exists()
    assert Chunk.objects.filter(version__status="active").count() == before


def test_symlink_in_tar_is_refused(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("link")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        archive.addfile(info)
    with pytest.raises(DownloadError, match="link"):
        safe_extract(buffer.getvalue(), tmp_path / "out")


def test_zip_bomb_is_refused(mini_corpus, archive_server, settings):
    settings.OER_EXTRACT_MAX_BYTES = 5_000_000
    bomb = _zip({"bomb/zeros.bin": b"\0" * 20_000_000})  # ~20 KB compressed, 20 MB expanded
    assert len(bomb) < 100_000
    url, digest = archive_server.serve("/bomb.zip", bomb)
    run = pipeline.run_ingest(source=url, sha256=digest)
    _assert_failed_and_nothing_lost(run, "zip bomb")


def test_high_ratio_member_is_refused(tmp_path):
    with pytest.raises(DownloadError, match="zip bomb"):
        safe_extract(_zip({"z.bin": b"\0" * 3_000_000}), tmp_path / "out")


def test_local_directory_that_does_not_exist(db, tmp_path):
    _assert_failed_and_nothing_lost(pipeline.run_ingest(source=str(tmp_path / "nope")), "not found")
