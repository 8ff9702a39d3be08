"""Draw the application icon (a red document seal with 公开) into resources/icons (run once)."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from desktop.documents.fonts import bundled_font_file

OUT = Path(__file__).resolve().parent.parent / "resources/icons"


def draw(size: int) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    pad = size // 16
    d.rounded_rectangle([pad, pad, size - pad, size - pad], radius=size // 6, fill=(178, 34, 34, 255))
    d.rounded_rectangle([pad * 3, pad * 3, size - pad * 3, size - pad * 3], radius=size // 10,
                        outline=(255, 240, 230, 255), width=max(1, size // 40))
    font = ImageFont.truetype(str(bundled_font_file()), int(size * 0.36))
    for i, ch in enumerate("公开"):
        box = d.textbbox((0, 0), ch, font=font)
        w, h = box[2] - box[0], box[3] - box[1]
        y = size * (0.27 if i == 0 else 0.55) - box[1] - h / 2 + size * 0.05
        d.text(((size - w) / 2 - box[0], y), ch, font=font, fill=(255, 250, 245, 255))
    return img


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw(256)
    big.save(OUT / "app.png")
    big.save(OUT / "app.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print(OUT)
