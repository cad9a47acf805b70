"""Pictures people upload: product photos, shop logos, post images.

What arrives is whatever bytes a browser sent with a friendly file name: it is checked by
its content (Pillow must recognise it as one of a few formats), its size and its pixel
count (read from the header, before anything is decoded, so a 50,000 x 50,000 "bomb" of a
few kilobytes is refused without allocating gigabytes), then decoded, turned upright,
re-encoded as JPEG without its metadata (camera, GPS position) and given a thumbnail.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from socialshop import images
from socialshop.services.errors import ValidationError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# 40 megapixels: any phone photo passes; decoding one costs at most ~160 MB.
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
# The longest side kept, per kind, and of thumbnails.
MAX_SIDE = {"products": 1200, "posts": 1200, "logos": 512, "avatars": 512}
THUMB_SIDE = 400
MIN_SIDE = 16


@dataclass(frozen=True)
class UploadedPicture:
    url: str
    thumb_url: str
    width: int
    height: int


def process_picture(data: object, *, kind: str) -> UploadedPicture:
    """Check, re-encode and store an uploaded picture; ValidationError with a code saying
    what is wrong (image_missing, image_too_big, image_not_an_image, image_too_many_pixels,
    image_too_small)."""
    if kind not in MAX_SIDE:
        raise ValueError(f"unknown picture kind {kind!r}")
    if not isinstance(data, bytes | bytearray) or not data:
        raise ValidationError("image_missing")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError("image_too_big", max_mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    picture = _decode(bytes(data))
    side = MAX_SIDE[kind]
    picture.thumbnail((side, side), Image.Resampling.LANCZOS)
    thumb = picture.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    url = images.save_upload(kind, secrets.token_hex(16), picture, thumb)
    return UploadedPicture(url=url, thumb_url=images.thumb_url(url), width=picture.width, height=picture.height)


def _decode(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.format not in ALLOWED_FORMATS:
                    raise ValidationError("image_not_an_image")
                width, height = opened.size
                # The header's size, checked before load(): nothing is decoded yet.
                if width * height > MAX_PIXELS:
                    raise ValidationError("image_too_many_pixels", max_mp=MAX_PIXELS // 1_000_000)
                if min(width, height) < MIN_SIDE:
                    raise ValidationError("image_too_small", min=MIN_SIDE)
                opened.seek(0)  # an animated GIF or WebP: its first frame
                opened.load()
                upright = ImageOps.exif_transpose(opened)
                return _flatten(upright)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError("image_too_many_pixels", max_mp=MAX_PIXELS // 1_000_000) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        # Truncated or corrupt files fail while loading with any of these.
        raise ValidationError("image_not_an_image") from exc


def _flatten(picture: Image.Image) -> Image.Image:
    """RGB on white: JPEG has no transparency, and a transparent logo must not turn black."""
    if picture.mode in ("RGBA", "LA") or (picture.mode == "P" and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return picture.convert("RGB")
