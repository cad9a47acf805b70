"""Demo pictures drawn locally with Pillow: nothing is downloaded, nothing is licensed.

Reflex serves the project's `assets/` folder at the site root, so an image written to
`assets/generated/<kind>/<name>.png` is shown at the URL `/generated/<kind>/<name>.png`.
The folder is gitignored: every checkout draws its own, and the drawing depends only on
the seed string, so two machines produce the same picture.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import os
import random
import re
import tempfile
import unicodedata
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont
from slugify import slugify as _slugify

from socialshop.settings import PROJECT_ROOT

# Tests point this (or the environment variable) at a temporary folder.
ASSETS_DIR = Path(os.environ.get("SOCIALSHOP_ASSETS_DIR", PROJECT_ROOT / "assets"))
URL_PREFIX = "/generated"

SIZES = {"posts": 800, "products": 800, "logos": 256, "avatars": 256}
KINDS = tuple(SIZES)

# A name ends up in a file path and a URL: only these characters, so no "../" tricks.
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
# 64 flat colours keep an 800x800 picture around 12 KB while gradients still look smooth;
# the fast octree quantizer is 5x quicker than median cut and looks the same here.
_COLOURS = 64


def generated_dir() -> Path:
    return Path(ASSETS_DIR) / "generated"


def slugify(text: str, max_length: int = 60) -> str:
    """A file-name-safe slug: 'Caffè Aurora' -> 'caffe-aurora'."""
    return _slugify(text, max_length=max_length, word_boundary=True) or "x"


def _check(kind: str, name: str) -> None:
    if kind not in SIZES:
        raise ValueError(f"unknown image kind {kind!r}; expected one of {KINDS}")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"image name {name!r} must match {_NAME_RE.pattern}")


def url_for(kind: str, name: str) -> str:
    _check(kind, name)
    return f"{URL_PREFIX}/{kind}/{name}.png"


def path_for(kind: str, name: str) -> Path:
    _check(kind, name)
    return generated_dir() / kind / f"{name}.png"


def path_for_url(url: str) -> Path | None:
    """The file behind a generated image's URL, or None when the URL is not one of ours."""
    match = re.fullmatch(rf"{URL_PREFIX}/([a-z]+)/([a-z0-9_-]+)\.png", url or "")
    if not match or match.group(1) not in SIZES or not _NAME_RE.match(match.group(2)):
        return None
    return path_for(match.group(1), match.group(2))


def existing_url(kind: str, name: str) -> str:
    """The URL if the picture has been drawn, else "" so the UI can fall back to initials."""
    return url_for(kind, name) if path_for(kind, name).is_file() else ""


def ensure_image(kind: str, name: str, label: str, seed: str) -> str:
    """Draw `kind/name.png` unless it already exists; return its URL path.

    Existing files are left alone so re-running the seed costs one stat per picture.
    """
    path = path_for(kind, name)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        image = render(kind, label, seed)
        # Written beside the target and renamed, so a browser (or a parallel seed) never
        # reads half a PNG.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                # Default compression: optimize=True saves ~20% for 10x the time.
                image.save(handle, format="PNG")
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a separate web server may need to read it
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return url_for(kind, name)


# Debian's DejaVu Sans covers Italian accents; Pillow's bundled font does not, so where
# DejaVu is missing labels are folded to plain letters rather than drawn as empty boxes.
SYSTEM_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    if SYSTEM_FONT.exists():
        return ImageFont.truetype(str(SYSTEM_FONT), size=size)
    return ImageFont.load_default(size=size)


def _drawable(text: str) -> str:
    if SYSTEM_FONT.exists():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _palette(rnd: random.Random) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    hue = rnd.random()
    light = colorsys.hls_to_rgb(hue, 0.70, 0.60)
    # A neighbouring, darker hue: gradients between distant hues turn muddy in the middle.
    dark = colorsys.hls_to_rgb((hue + 0.06 + rnd.random() * 0.14) % 1.0, 0.45, 0.55)
    return (
        tuple(int(v * 255) for v in light),  # type: ignore[return-value]
        tuple(int(v * 255) for v in dark),
    )


_DIRECTIONS = (
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.ROTATE_180,
    Image.Transpose.TRANSPOSE,
)


@functools.lru_cache(maxsize=8)
def _diagonal(size: int, direction: int) -> Image.Image:
    """A corner-to-corner 0..255 ramp; cached because every picture of a size reuses one of four."""
    ramp = Image.linear_gradient("L").resize((size, size))
    diagonal = ImageChops.add(ramp, ramp.transpose(Image.Transpose.ROTATE_90), scale=2)
    return diagonal.transpose(_DIRECTIONS[direction])


def render(kind: str, label: str, seed: str) -> Image.Image:
    """The picture for (kind, label, seed), palette-quantized and ready to save as PNG."""
    if kind not in SIZES:
        raise ValueError(f"unknown image kind {kind!r}")
    size = SIZES[kind]
    rnd = random.Random(hashlib.sha256(f"{kind}:{seed}".encode()).digest())
    light, dark = _palette(rnd)

    canvas = Image.composite(
        Image.new("RGB", (size, size), dark),
        Image.new("RGB", (size, size), light),
        _diagonal(size, rnd.randrange(len(_DIRECTIONS))),
    )
    # An "RGBA" drawer blends each translucent shape straight onto the RGB canvas.
    draw = ImageDraw.Draw(canvas, "RGBA")
    for _ in range(rnd.randint(3, 6)):
        radius = rnd.randint(size // 10, size // 3)
        x, y = rnd.randint(0, size), rnd.randint(0, size)
        fill = (255, 255, 255, rnd.randint(35, 80)) if rnd.random() < 0.65 else (0, 0, 0, rnd.randint(12, 30))
        if rnd.random() < 0.7:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)
        else:
            draw.rounded_rectangle(
                (x - radius, y - radius // 2, x + radius, y + radius // 2),
                radius=max(1, radius // 4),
                fill=fill,
            )

    text = _drawable(" ".join((label or "").split()))
    if kind in ("logos", "avatars"):
        initials = "".join(word[0] for word in text.split()[:2]).upper() or "?"
        draw.text(
            (size / 2, size / 2),
            initials,
            font=_font(size * 2 // 5),
            fill=(255, 255, 255, 240),
            anchor="mm",
        )
    elif text:
        pad = size // 25
        font_size = size // 13
        font = _font(font_size)
        while draw.textlength(text, font=font) > size - 4 * pad and font_size > 14:
            font_size -= 2
            font = _font(font_size)
        while draw.textlength(text, font=font) > size - 4 * pad and len(text) > 4:
            text = text[:-2].rstrip() + "…"
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        x0, y0 = pad, size - 3 * pad - (bottom - top)
        draw.rounded_rectangle(
            (x0, y0, x0 + (right - left) + 2 * pad, y0 + (bottom - top) + 2 * pad),
            radius=pad,
            fill=(255, 255, 255, 215),
        )
        draw.text((x0 + pad - left, y0 + pad - top), text, font=font, fill=(38, 38, 38, 255))

    return canvas.quantize(colors=_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)


# Pictures people upload (product photos, shop logos, post images) are JPEGs named with a
# random token, beside the drawn ones: `/generated/<kind>/u-<token>.jpg` and its thumbnail
# `/generated/<kind>/u-<token>-thumb.jpg`.
_UPLOAD_URL_RE = re.compile(rf"{URL_PREFIX}/([a-z]+)/(u-[a-f0-9]{{32}})(-thumb)?\.jpg")
# The compiled site's folder: `make run` and the browser tests serve pages from here, copied
# from assets/ at build time, so a picture uploaded after the build is written here too.
PUBLIC_DIR = Path(os.environ.get("SOCIALSHOP_PUBLIC_DIR", PROJECT_ROOT / ".web" / "build" / "client"))


def is_upload_url(url: object, kind: str) -> bool:
    """Whether `url` names a picture of `kind` uploaded here (not any address at all)."""
    if not isinstance(url, str):
        return False
    match = _UPLOAD_URL_RE.fullmatch(url)
    return match is not None and match.group(1) == kind and match.group(3) is None


def thumb_url(url: str) -> str:
    """The thumbnail of an uploaded picture; a drawn picture is its own thumbnail."""
    match = _UPLOAD_URL_RE.fullmatch(url or "")
    if match is None or match.group(3) is not None:
        return url
    return f"{URL_PREFIX}/{match.group(1)}/{match.group(2)}-thumb.jpg"


def _write_jpeg(path: Path, image: Image.Image, quality: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            # No exif= and no icc_profile=: nothing of the original's metadata is written.
            image.save(handle, format="JPEG", quality=quality, optimize=True, progressive=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_upload(kind: str, token: str, image: Image.Image, thumb: Image.Image) -> str:
    """Write an uploaded picture and its thumbnail (RGB, already checked and resized) under
    assets/ and, when the site is built, into the built site; return the picture's URL."""
    if kind not in SIZES:
        raise ValueError(f"unknown image kind {kind!r}")
    name = f"u-{token}"
    url = f"{URL_PREFIX}/{kind}/{name}.jpg"
    if not is_upload_url(url, kind):
        raise ValueError(f"bad upload token {token!r}")
    roots = [generated_dir()]
    if PUBLIC_DIR.is_dir():
        roots.append(PUBLIC_DIR / URL_PREFIX.strip("/"))
    for root in roots:
        _write_jpeg(root / kind / f"{name}.jpg", image, quality=85)
        _write_jpeg(root / kind / f"{name}-thumb.jpg", thumb, quality=80)
    return url
