"""Logos for the tests: images made with Pillow, uploaded as the office would."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from incubator import services


def image_bytes(size=(120, 40), colour="#0b6e4f", image_format="PNG", mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, image_format)
    return buffer.getvalue()


def upload(name="logo.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes() if content is None else content, "image/png")


def give_logo(world, name="logo.png", content: bytes | None = None):
    """The coordinator uploads a logo; ``world.programme`` is read again."""
    services.programme_update(actor=world.coordinator, programme=world.programme, logo=upload(name, content))
    world.programme.refresh_from_db()
    return world.programme
