"""Uploaded pictures: checked by content, size and pixel count, re-encoded, thumbnailed."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from socialshop import images
from socialshop.services import uploads
from socialshop.services.errors import ValidationError


@pytest.fixture(autouse=True)
def assets(tmp_path, monkeypatch):
    monkeypatch.setattr(images, "ASSETS_DIR", tmp_path / "assets")
    monkeypatch.setattr(images, "PUBLIC_DIR", tmp_path / "public")
    return tmp_path


def picture_bytes(fmt: str = "PNG", size=(64, 48), mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None).save(out, format=fmt, **save)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height but has a few bytes of data: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def test_a_png_is_stored_as_a_jpeg_with_a_thumbnail(assets):
    picture = uploads.process_picture(picture_bytes(size=(2000, 1000)), kind="products")
    assert images.is_upload_url(picture.url, "products")
    assert picture.thumb_url == picture.url.replace(".jpg", "-thumb.jpg")
    stored = assets / "assets" / picture.url.lstrip("/")
    with Image.open(stored) as img:
        assert img.format == "JPEG" and img.size == (1200, 600)
    with Image.open(assets / "assets" / picture.thumb_url.lstrip("/")) as thumb:
        assert thumb.size == (400, 200)
    assert (stored.stat().st_mode & 0o777) == 0o644


def test_the_built_site_gets_a_copy_so_it_is_served_without_a_rebuild(assets):
    (assets / "public").mkdir()
    picture = uploads.process_picture(picture_bytes(), kind="posts")
    assert (assets / "public" / picture.url.lstrip("/")).is_file()


def test_metadata_is_stripped(assets):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0112] = 6  # orientation: rotated; applied, then dropped
    data = picture_bytes("JPEG", size=(80, 40), exif=exif.tobytes())
    picture = uploads.process_picture(data, kind="products")
    with Image.open(assets / "assets" / picture.url.lstrip("/")) as img:
        assert img.size == (40, 80)
        assert not img.getexif()
        assert "exif" not in img.info


def test_transparent_logo_is_flattened_on_white(assets):
    data = picture_bytes("PNG", size=(32, 32), mode="RGBA")
    picture = uploads.process_picture(data, kind="logos")
    with Image.open(assets / "assets" / picture.url.lstrip("/")) as img:
        assert img.getpixel((5, 5))[0] > 240


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4 not a picture", b"<svg xmlns='http://www.w3.org/2000/svg'/>", picture_bytes()[:60], b"GIF89a"],
)
def test_not_an_image_is_refused(data):
    with pytest.raises(ValidationError) as err:
        uploads.process_picture(data, kind="products")
    assert err.value.code == "image_not_an_image"


def test_other_formats_pillow_reads_are_refused_too():
    with pytest.raises(ValidationError) as err:
        uploads.process_picture(picture_bytes("BMP"), kind="products")
    assert err.value.code == "image_not_an_image"


def test_too_big_a_file_is_refused_before_decoding(monkeypatch):
    def never(*_a, **_k):
        raise AssertionError("decoded")

    monkeypatch.setattr(Image, "open", never)
    with pytest.raises(ValidationError) as err:
        uploads.process_picture(b"\0" * (uploads.MAX_UPLOAD_BYTES + 1), kind="products")
    assert err.value.code == "image_too_big"


@pytest.mark.parametrize("side", [7000, 50_000])
def test_decompression_bomb_is_refused(side):
    # 7000^2 = 49 MP is over our limit but under Pillow's own; 50,000^2 trips Pillow's error.
    with pytest.raises(ValidationError) as err:
        uploads.process_picture(png_header_only(side, side), kind="products")
    assert err.value.code == "image_too_many_pixels"


def test_tiny_and_empty_are_refused():
    with pytest.raises(ValidationError) as err:
        uploads.process_picture(picture_bytes(size=(4, 4)), kind="products")
    assert err.value.code == "image_too_small"
    for empty in (b"", None, "text"):
        with pytest.raises(ValidationError) as err:
            uploads.process_picture(empty, kind="products")
        assert err.value.code == "image_missing"


def test_upload_urls_are_only_ours():
    good = "/generated/products/u-" + "a" * 32 + ".jpg"
    assert images.is_upload_url(good, "products")
    assert not images.is_upload_url(good, "logos")
    assert not images.is_upload_url(good.replace(".jpg", "-thumb.jpg"), "products")
    for bad in ("https://evil.example/x.jpg", "/generated/products/../x.jpg", "/generated/products/seed-1.png", None, 5):
        assert not images.is_upload_url(bad, "products")
    assert images.thumb_url("/generated/products/seed-1.png") == "/generated/products/seed-1.png"
