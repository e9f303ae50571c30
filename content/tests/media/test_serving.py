"""Local media serving with HTTP Range (through the real /media/ URL) and the storage helper."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage
from django.http import Http404
from django.test import RequestFactory
from django.urls import resolve

from content.media.serving import parse_range, serve_media
from content.media.storage import asset_url, save_lesson_asset, sign_cdn_url

PAYLOAD = bytes(range(256)) * 40  # 10240 bytes
pytestmark = pytest.mark.urls("content.tests.media.urls")


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    (root / "lessons" / "42").mkdir(parents=True)
    for name in ("lesson.mp4", "lesson.vtt", "lesson.jpg", "scene0.png", "scene0.wav"):
        (root / "lessons" / "42" / name).write_bytes(PAYLOAD)
    (tmp_path / "secret.txt").write_text("top secret")
    settings.MEDIA_ROOT = str(root)
    return root


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(("name", "content_type"), [
    ("lesson.mp4", "video/mp4"), ("lesson.vtt", "text/vtt; charset=utf-8"), ("lesson.jpg", "image/jpeg"),
    ("scene0.png", "image/png"), ("scene0.wav", "audio/wav"),
])
def test_whole_file_with_content_type_and_accept_ranges(client, media_root, name, content_type):
    response = client.get(f"/media/lessons/42/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(PAYLOAD))
    assert body(response) == PAYLOAD


@pytest.mark.parametrize(("header", "expected"), [
    pytest.param("bytes=100-199", (100, 199), id="middle"),
    pytest.param("bytes=10000-", (10000, 10239), id="open_ended"),
    pytest.param("bytes=-24", (10216, 10239), id="suffix"),
    pytest.param("bytes=10200-20000", (10200, 10239), id="past_the_end_is_clamped"),
    pytest.param("bytes=0-0", (0, 0), id="first_byte"),
])
def test_range_request_returns_206_with_exact_bytes(client, media_root, header, expected):
    first, last = expected
    response = client.get("/media/lessons/42/lesson.mp4", HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(PAYLOAD)}"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Content-Type"] == "video/mp4"
    assert body(response) == PAYLOAD[first:last + 1]


@pytest.mark.parametrize("header", ["bytes=20000-", "bytes=500-100", "bytes=-0"])
def test_unsatisfiable_range_is_416(client, media_root, header):
    response = client.get("/media/lessons/42/lesson.mp4", HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(PAYLOAD)}"


def test_malformed_or_multi_range_serves_whole_file(client, media_root):
    for header in ("bytes=0-1,5-6", "items=0-5", "bytes=abc"):
        response = client.get("/media/lessons/42/lesson.mp4", HTTP_RANGE=header)
        assert response.status_code == 200
        assert body(response) == PAYLOAD


@pytest.mark.parametrize("path", ["../secret.txt", "lessons/../../secret.txt", "/etc/passwd",
                                  "lessons/42/../../../secret.txt", "lessons/42", "lessons/42/missing.mp4"])
def test_traversal_missing_and_directories_are_404(media_root, path):
    request = RequestFactory().get("/media/x")
    with pytest.raises(Http404):
        serve_media(request, path)


def test_traversal_through_the_url_is_404(client, media_root):
    assert client.get("/media/%2e%2e/secret.txt").status_code == 404
    assert client.get("/media/lessons/42/%2e%2e/%2e%2e/%2e%2e/secret.txt").status_code == 404


def test_symlink_out_of_media_root_is_404(client, media_root):
    (media_root / "lessons" / "42" / "link.txt").symlink_to(media_root.parent / "secret.txt")
    assert client.get("/media/lessons/42/link.txt").status_code == 404


def test_only_safe_methods(client, media_root):
    assert client.post("/media/lessons/42/lesson.mp4").status_code == 405
    head = client.head("/media/lessons/42/lesson.mp4", HTTP_RANGE="bytes=0-9")
    assert head.status_code == 206
    assert head["Content-Length"] == "10"


def test_view_is_reusable_with_another_root(tmp_path):
    (tmp_path / "a.vtt").write_text("WEBVTT\n")
    response = serve_media(RequestFactory().get("/x", HTTP_RANGE="bytes=0-2"), "a.vtt", root=tmp_path)
    assert (response.status_code, body(response)) == (206, b"WEB")


@pytest.mark.urls("vividly.urls")
def test_project_urls_route_media_to_the_range_view():
    assert resolve("/media/lessons/42/lesson.mp4").func is serve_media


def test_parse_range_edges():
    assert parse_range("", 10) is None
    assert parse_range("bytes=-100", 10) == (0, 9)
    with pytest.raises(ValueError, match="satisfiable"):
        parse_range("bytes=10-", 10)


# --- storage ----------------------------------------------------------------------------------

def test_save_lesson_asset_stores_file_and_returns_media_url(media_root, tmp_path, settings):
    settings.MEDIA_CDN_BASE_URL = ""
    local = tmp_path / "out.mp4"
    local.write_bytes(b"first version")
    url = save_lesson_asset("lessons/7/lesson.mp4", local)
    assert url == "/media/lessons/7/lesson.mp4"
    assert (media_root / "lessons" / "7" / "lesson.mp4").read_bytes() == b"first version"
    # re-running the stage replaces the file under the same name
    local.write_bytes(b"second version")
    assert save_lesson_asset("lessons/7/lesson.mp4", local) == url
    assert (media_root / "lessons" / "7" / "lesson.mp4").read_bytes() == b"second version"
    assert sorted(p.name for p in (media_root / "lessons" / "7").iterdir()) == ["lesson.mp4"]


def test_saved_asset_is_served_with_range(client, media_root, tmp_path, settings):
    settings.MEDIA_CDN_BASE_URL = ""
    local = tmp_path / "cap.vtt"
    local.write_text("WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nHi\n")
    url = save_lesson_asset("lessons/8/lesson.vtt", local)
    response = client.get(url, HTTP_RANGE="bytes=0-5")
    assert (response.status_code, body(response)) == (206, b"WEBVTT")


@pytest.mark.parametrize("bad", ["../escape.mp4", "lessons/../../x", "", "/"])
def test_save_lesson_asset_rejects_bad_paths(media_root, tmp_path, bad):
    local = tmp_path / "x.mp4"
    local.write_bytes(b"x")
    with pytest.raises(SuspiciousFileOperation):
        save_lesson_asset(bad, local, storage=FileSystemStorage(location=media_root))


def test_cdn_url_unsigned(settings):
    settings.MEDIA_CDN_BASE_URL = "https://cdn.vividly.example/"
    settings.MEDIA_CDN_SIGNING_KEY_NAME = ""
    assert asset_url("lessons/7/lesson.mp4") == "https://cdn.vividly.example/lessons/7/lesson.mp4"


def test_cdn_url_is_signed_with_the_cloud_cdn_scheme(settings):
    key = base64.urlsafe_b64encode(b"0123456789abcdef").decode()
    settings.MEDIA_CDN_BASE_URL = "https://cdn.vividly.example"
    settings.MEDIA_CDN_SIGNING_KEY_NAME = "lesson-key"
    settings.MEDIA_CDN_SIGNING_KEY = key
    settings.MEDIA_CDN_URL_TTL = 3600
    url = asset_url("lessons/7/lesson file.mp4", now=1_000_000)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    assert parts.path == "/lessons/7/lesson%20file.mp4"
    assert query["Expires"] == "1003600"
    assert query["KeyName"] == "lesson-key"
    signed_part = url.rsplit("&Signature=", 1)[0]
    expected = base64.urlsafe_b64encode(hmac.new(b"0123456789abcdef", signed_part.encode(),
                                                 hashlib.sha1).digest()).decode()
    assert query["Signature"] == expected
    assert sign_cdn_url("https://c/x?a=1", key_name="k", key=key, expires=5).startswith(
        "https://c/x?a=1&Expires=5&KeyName=k&Signature=")
