#!/usr/bin/env python3
"""Makes the appearance fixtures in fixtures/appearance/ from fixtures/made/astronaut_licence.jpg
(NASA portrait of Eileen Collins, public domain; derived works are public domain too).

Each file changes one thing a clerk looks at, so that one rule must flag it while the
geometry stays that of the licence fixture. Run from the repository root:

    python3 tools/make_appearance_fixtures.py

Needs Pillow (tested with Pillow 10-13) and numpy. Expected results: fixtures/expected.toml.
The eye positions below were measured by photocheck on the source (eye line 140 px, IPD 65 px,
face centre x 129.4 px).
"""
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SRC = "fixtures/made/astronaut_licence.jpg"
OUT = "fixtures/appearance/"
EYES = [(96.9, 140.1), (161.9, 140.1)]


def save(img, name, **kw):
    if name.endswith(".jpg"):
        img.save(OUT + name, quality=92, subsampling=0, **kw)
    else:
        img.save(OUT + name, **kw)


def main():
    src = Image.open(SRC).convert("RGB")
    a = np.asarray(src).astype(np.float32)

    # Out of focus: a Gaussian blur of 2.5 px (the face about 140 px wide).
    save(src.filter(ImageFilter.GaussianBlur(2.5)), "astronaut_blurred.jpg")

    # Under-exposed: linear light x 0.08 (about 3.6 stops darker), back to sRGB.
    lin = (a / 255.0) ** 2.2
    dark = np.clip((lin * 0.08) ** (1 / 2.2) * 255.0, 0, 255)
    save(Image.fromarray(dark.astype(np.uint8)), "astronaut_dark.jpg")

    # Over-exposed: linear light x 4 (two stops), clipped.
    bright = np.clip((lin * 4.0) ** (1 / 2.2) * 255.0, 0, 255)
    save(Image.fromarray(bright.astype(np.uint8)), "astronaut_overexposed.jpg")

    # A hard shadow over the image-right half of the face: that half at 30 % of its light
    # (linear), with a soft 8 px edge along the nose.
    h, w = a.shape[:2]
    x = np.arange(w, dtype=np.float32)
    ramp = np.clip((x - 129.0) / 8.0, 0.0, 1.0)
    gain = 1.0 - 0.7 * ramp
    shade = np.clip((lin * gain[None, :, None]) ** (1 / 2.2) * 255.0, 0, 255)
    save(Image.fromarray(shade.astype(np.uint8)), "astronaut_side_shadow.jpg")

    # Sunglasses: two dark, slightly see-through lenses over the eyes and a bridge.
    glasses = src.copy()
    layer = Image.new("RGBA", src.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    for ex, ey in EYES:
        d.ellipse([ex - 26, ey - 17, ex + 26, ey + 19], fill=(18, 16, 14, 235))
    d.rectangle([EYES[0][0] + 24, 133, EYES[1][0] - 24, 137], fill=(10, 10, 10, 255))
    glasses = Image.alpha_composite(glasses.convert("RGBA"), layer).convert("RGB")
    save(glasses, "astronaut_sunglasses.jpg")

    # A knitted cap: a red dome over the top of the head down to the forehead, with a folded
    # brim (a darker band), drawn over the hair.
    hat = src.copy()
    d = ImageDraw.Draw(hat)
    d.pieslice([58, 4, 202, 200], 180, 360, fill=(170, 28, 40))
    d.rectangle([58, 88, 202, 106], fill=(140, 20, 32))
    save(hat, "astronaut_hat.jpg")

    # Upside down.
    save(src.transpose(Image.Transpose.ROTATE_180), "astronaut_upside_down.jpg")

    # A black band 6 px high along the bottom edge.
    band = src.copy()
    ImageDraw.Draw(band).rectangle([0, h - 6, w, h], fill=(0, 0, 0))
    save(band, "astronaut_bottom_band.jpg")

    # Sepia: the luminance toned brown (one hue over the whole photo).
    grey = np.asarray(src.convert("L")).astype(np.float32) / 255.0
    tone = np.array([1.0, 0.82, 0.62], dtype=np.float32)
    sepia = np.clip(grey[..., None] * tone[None, None, :] * 255.0 + 10.0, 0, 255)
    save(Image.fromarray(sepia.astype(np.uint8)), "astronaut_sepia.jpg")

    # Warm colour balance (a tanned or warm-lit face): red up, blue down; still a colour photo.
    warm = np.clip(a * np.array([1.08, 0.97, 0.78], dtype=np.float32), 0, 255)
    save(Image.fromarray(warm.astype(np.uint8)), "astronaut_warm.jpg")

    # A transparent backdrop: the near-white backdrop made transparent (black under the alpha).
    rgba = np.dstack([a, np.full((h, w), 255.0, dtype=np.float32)])
    backdrop = a.min(axis=2) > 245
    rgba[backdrop] = [0, 0, 0, 0]
    save(Image.fromarray(rgba.astype(np.uint8), "RGBA"), "astronaut_transparent.png")


if __name__ == "__main__":
    main()
