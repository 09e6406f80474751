"""Uploaded photos, made safe: decoded and encoded again under a generated name.

Used by every app that takes photos (wish and fulfilment photos, joint-request photos), each
with its own size limits."""

import io
import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from .validators import invalid

# Accepted formats: the stored file's extension and the options it is re-encoded with.
IMAGE_FORMATS = {
    "JPEG": ("jpg", {"quality": 90}),
    "PNG": ("png", {}),
    "WEBP": ("webp", {"quality": 90}),
}


def clean_image(photo, *, field: str, max_bytes: int, max_pixels: int) -> ContentFile:
    """The photo re-encoded, under a generated name with its detected format's extension.

    Size first (cheap), then the pixel count from the header (before decoding), then decode
    and encode again: whatever was appended to or embedded in the file (a page, a script,
    GPS and other metadata) is not copied, and the client's file name is never used, so a
    `poc.html` that is a valid PNG is stored as `<random>.png`.
    """
    if photo.size > max_bytes:
        message = _("照片不能超过 %(mb)s MB。") % {"mb": round(max_bytes / 1024 / 1024, 1)}
        raise invalid(field, message, "photo_too_large")
    try:
        with Image.open(photo) as image:
            kind, (width, height) = image.format, image.size
            if kind in IMAGE_FORMATS and width * height <= max_pixels:
                image.load()
                clean = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                clean.save(out, kind, **IMAGE_FORMATS[kind][1])
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    finally:
        photo.seek(0)
    if kind not in IMAGE_FORMATS:
        raise invalid(field, _("请上传 JPG、PNG 或 WEBP 格式的图片。"), "photo_not_image")
    if width * height > max_pixels:
        message = _("照片不能超过 %(mp)s 百万像素。") % {"mp": round(max_pixels / 1_000_000)}
        raise invalid(field, message, "photo_too_large_pixels")
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{IMAGE_FORMATS[kind][0]}")
