"""Demo images for the media library, drawn with Pillow (no downloaded photos): simple
landscapes in the portal's colours, each marked "Demo-Grafik". Idempotent by title."""

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from media import services
from media.models import MediaFile, MediaKind

GREEN, GREEN_DARK, GREEN_LIGHT, AMBER = "#0b5a3c", "#07402a", "#e6f1ec", "#d98e04"
SKIES = {"morning": "#f6d8a8", "day": "#bfe0f2", "evening": "#f2b880"}
DEMO_CREDIT = "Demo-Grafik, erzeugt für die Vorführung (keine echte Aufnahme)"


def draw_landscape(*, seed: int, sky: str = "day", size=(1800, 1200)) -> bytes:
    """Rolling hills, a field, a church tower or trees; the same seed draws the same image."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, SKIES[sky])
    draw = ImageDraw.Draw(image)
    sun_x = rng.randint(width // 5, width * 4 // 5)
    draw.ellipse((sun_x - 90, 120, sun_x + 90, 300), fill=AMBER)
    for index, colour in enumerate((GREEN_LIGHT, "#7fb08f", GREEN)):
        base = height * (0.45 + 0.15 * index)
        points = [(0, height)]
        for x in range(0, width + 150, 150):
            points.append((x, base + rng.randint(-60, 60)))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    for _tree in range(rng.randint(3, 7)):
        x, y = rng.randint(50, width - 50), rng.randint(int(height * 0.55), int(height * 0.7))
        draw.rectangle((x - 8, y, x + 8, y + 60), fill="#5b3a1a")
        draw.ellipse((x - 50, y - 90, x + 50, y + 10), fill=GREEN_DARK)
    tower = rng.randint(width // 4, width * 3 // 4)
    draw.rectangle((tower - 30, int(height * 0.38), tower + 30, int(height * 0.62)), fill="#f4f1ea")
    draw.polygon(
        [
            (tower - 38, int(height * 0.38)),
            (tower + 38, int(height * 0.38)),
            (tower, int(height * 0.26)),
        ],
        fill=GREEN_DARK,
    )
    font = ImageFont.load_default(size=56)
    draw.rectangle((0, height - 100, 560, height), fill="#ffffff")
    draw.text((30, height - 85), "Demo-Grafik", fill=GREEN_DARK, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def demo_image(*, title: str, alt_text: str, caption: str = "", seed: int, sky="day"):
    """The demo image of this title, drawn and stored on the first call."""
    existing = MediaFile.objects.filter(title=title, kind=MediaKind.IMAGE).first()
    if existing:
        return existing
    media = MediaFile(
        kind=MediaKind.IMAGE, title=title, alt_text=alt_text, caption=caption, credit=DEMO_CREDIT
    )
    upload = SimpleUploadedFile("demo.jpg", draw_landscape(seed=seed, sky=sky))
    services.media_file_store_upload(media=media, upload=upload)
    media.save()
    return media
