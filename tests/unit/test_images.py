from __future__ import annotations

import hashlib

import pytest
from PIL import Image

from socialshop import images


@pytest.fixture(autouse=True)
def assets(tmp_path, monkeypatch):
    monkeypatch.setattr(images, "ASSETS_DIR", tmp_path)
    return tmp_path


def test_ensure_image_writes_a_png_under_assets_generated(assets):
    url = images.ensure_image("products", "olio-nuovo", "Olio nuovo", "seed-1")
    assert url == "/generated/products/olio-nuovo.png"
    path = assets / "generated" / "products" / "olio-nuovo.png"
    assert path.is_file()
    with Image.open(path) as img:
        assert img.format == "PNG"
        assert img.size == (800, 800)
    assert path.stat().st_size < 30_000


@pytest.mark.parametrize(
    ("kind", "size"), [("posts", 800), ("products", 800), ("logos", 256), ("avatars", 256)]
)
def test_sizes_per_kind(assets, kind, size):
    images.ensure_image(kind, "x1", "Caffè Aurora", "s")
    with Image.open(assets / "generated" / kind / "x1.png") as img:
        assert img.size == (size, size)


def test_same_seed_same_picture_other_seed_other_picture():
    a = images.render("posts", "Ciao", "alpha").tobytes()
    assert a == images.render("posts", "Ciao", "alpha").tobytes()
    assert a != images.render("posts", "Ciao", "beta").tobytes()


def test_existing_file_is_not_rewritten(assets):
    images.ensure_image("posts", "keep", "One", "s1")
    path = assets / "generated" / "posts" / "keep.png"
    path.write_bytes(b"sentinel")
    # Same name, other label/seed: still left alone, so re-running the seed is cheap.
    assert images.ensure_image("posts", "keep", "Two", "s2") == "/generated/posts/keep.png"
    assert path.read_bytes() == b"sentinel"


def test_no_temporary_files_left_behind(assets):
    images.ensure_image("logos", "shop", "Bottega Verde", "bottega")
    assert [p.name for p in (assets / "generated" / "logos").iterdir()] == ["shop.png"]


@pytest.mark.parametrize("name", ["../evil", "a/b", "", "UPPER", "x" * 81, ".hidden", "a.png"])
def test_unsafe_names_are_refused(name):
    with pytest.raises(ValueError):
        images.ensure_image("posts", name, "x", "y")


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        images.ensure_image("secrets", "x", "x", "y")


def test_long_labels_still_render(assets):
    images.ensure_image("posts", "long", "Parola " * 40, "long")
    with Image.open(assets / "generated" / "posts" / "long.png") as img:
        img.verify()


def test_path_for_url_round_trip(assets):
    url = images.ensure_image("avatars", "user-7", "Giulia Rossi", "giulia")
    assert images.path_for_url(url) == assets / "generated" / "avatars" / "user-7.png"
    assert images.path_for_url("/generated/../../etc/passwd.png") is None
    assert images.path_for_url("/elsewhere/posts/x.png") is None


def test_existing_url_is_empty_until_drawn(assets):
    assert images.existing_url("avatars", "user-9") == ""
    images.ensure_image("avatars", "user-9", "Marco", "m")
    assert images.existing_url("avatars", "user-9") == "/generated/avatars/user-9.png"


def test_slugify_makes_file_safe_names():
    assert images.slugify("Caffè Aurora") == "caffe-aurora"
    assert images.slugify("!!!") == "x"


def test_picture_is_deterministic_on_disk(tmp_path, monkeypatch):
    digests = []
    for sub in ("one", "two"):
        monkeypatch.setattr(images, "ASSETS_DIR", tmp_path / sub)
        images.ensure_image("products", "p", "Miele", "miele")
        digests.append(hashlib.sha256((tmp_path / sub / "generated/products/p.png").read_bytes()).hexdigest())
    assert digests[0] == digests[1]
