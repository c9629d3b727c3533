#!/usr/bin/env python3
"""Generate photocheck's derived image fixtures (EXIF orientation, DPI metadata).

What it makes (paths relative to the repository root):

  fixtures/exif-orientation/hopper_orient_1.jpg .. hopper_orient_8.jpg
      grace_hopper.jpg downscaled to 240x281 px (LANCZOS), JPEG quality 90 with
      4:4:4 chroma (no subsampling; 4:2:0 at q90 gave a mean error of ~3.0 on
      the flag's saturated red/blue edges, too close to the 3.0 check below).
      File N carries EXIF Orientation = N, and its stored pixels are the upright
      picture transformed by the *inverse* of what tag N asks a viewer to do, so
      every file looks identical (upright) in a viewer that honours the tag.
      Files 5-8 therefore store a 281x240 (transposed) raster.
  fixtures/exif-orientation/hopper_300dpi.jpg
      The same upright 240 px picture, EXIF IFD0 XResolution = YResolution = 300,
      ResolutionUnit = 2 (inch), EXIF DateTimeOriginal = "2020:01:15 10:30:00",
      no Orientation tag. The JFIF header is left at Pillow's default
      (density unit 0 = aspect ratio only, 1:1), so the 300 dpi is ONLY in EXIF.
  All nine JPEGs: segments SOI, APP0 (JFIF, no dpi), APP1 (Exif, little-endian
      TIFF), COM (the original's "File source: http://commons.wikimedia.org/
      wiki/File:Grace_Hopper.jpg" comment, kept as provenance), DQT, ...
  fixtures/astronaut_96dpi.png
      skimage's astronaut.png downscaled 512 -> 256 px (LANCZOS), saved as RGB
      PNG with a pHYs chunk of 96 dpi (3780 px/m). The original's ICC profile,
      300 dpi pHYs and "Comment" text chunk are not carried over.

Inputs (checked against the SHA-256 values below before use):

  grace_hopper.jpg  from matplotlib 3.11.2, matplotlib/mpl-data/sample_data/;
                    read from fixtures/grace_hopper.jpg (committed, original bytes).
  astronaut.png     from scikit-image 0.26.0, skimage/data/astronaut.png;
                    read from fixtures/astronaut.png if present, else from
                    --astronaut PATH, else fetched with
                    `pip download --no-deps --only-binary=:all: scikit-image==0.26.0`
                    into a temporary folder and read out of the wheel.
  Either input may also be overridden with --hopper PATH / --astronaut PATH.

How to run (from anywhere; needs Python >= 3.9 and pip on PATH for the fetch):

  python3 -m venv /tmp/fxvenv
  /tmp/fxvenv/bin/pip install Pillow numpy
  /tmp/fxvenv/bin/python tools/make_exif_fixtures.py            # write + verify
  /tmp/fxvenv/bin/python tools/make_exif_fixtures.py --verify-only

Pip packages needed: Pillow (outputs in the repo were made with Pillow 13.0.0)
and numpy (verification only; made with numpy 2.4.6). Byte-exact output can
differ between Pillow / libjpeg-turbo / zlib versions; the pixels will not
differ meaningfully. CI never runs this script: the outputs are committed.

Verification (always run after writing, or alone with --verify-only):
  * each hopper_orient_N.jpg has Orientation == N and its stored raster matches
    the one derived independently from the EXIF 2.32 definition of tag N
    (which edge of the picture the 0th row / 0th column shows);
  * PIL.ImageOps.exif_transpose(file) matches the upright downscaled picture;
  * hopper_300dpi.jpg has the resolution / date tags; astronaut_96dpi.png reads
    back with dpi ~= 96; every output is under 300 KB.
  "Matches" = mean absolute difference over all RGB samples < 3.0.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
EXIF_DIR = FIXTURES / "exif-orientation"

HOPPER_SHA256 = "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130"
ASTRONAUT_SHA256 = "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"
SKIMAGE_REQ = "scikit-image==0.26.0"
ASTRONAUT_IN_WHEEL = "skimage/data/astronaut.png"

HOPPER_WIDTH = 240
ASTRONAUT_WIDTH = 256
JPEG_QUALITY = 90
JPEG_SUBSAMPLING = 0  # 4:4:4
MAX_BYTES = 300 * 1024
MAX_MEAN_ABS_DIFF = 3.0

# EXIF tag numbers.
TAG_ORIENTATION = 0x0112
TAG_XRES = 0x011A
TAG_YRES = 0x011B
TAG_RES_UNIT = 0x0128
TAG_EXIF_IFD = 0x8769
TAG_DATETIME_ORIGINAL = 0x9003

# What to do to the UPRIGHT picture to get the raster stored under tag N.
# This is the inverse of what a viewer does for tag N: the flips, the 180
# rotation, transpose and transverse are their own inverses; tag 6 (viewer
# rotates 90 deg clockwise) stores the picture rotated 90 deg counter-clockwise
# (Pillow's ROTATE_90 is counter-clockwise), and tag 8 the other way round.
T = Image.Transpose
STORE_OP = {
    1: None,
    2: T.FLIP_LEFT_RIGHT,
    3: T.ROTATE_180,
    4: T.FLIP_TOP_BOTTOM,
    5: T.TRANSPOSE,
    6: T.ROTATE_90,
    7: T.TRANSVERSE,
    8: T.ROTATE_270,
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_checked(path: Path, expected: str) -> bytes:
    data = path.read_bytes()
    got = sha256(data)
    if got != expected:
        sys.exit(f"{path}: SHA-256 {got} != expected {expected}")
    return data


def astronaut_bytes(override: Path | None) -> bytes:
    if override is not None:
        return load_checked(override, ASTRONAUT_SHA256)
    local = FIXTURES / "astronaut.png"
    if local.exists():
        return load_checked(local, ASTRONAUT_SHA256)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"fetching {SKIMAGE_REQ} wheel with pip download ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary=:all:", SKIMAGE_REQ, "-d", tmp],
            check=True,
        )
        wheels = list(Path(tmp).glob("scikit_image-*.whl"))
        if len(wheels) != 1:
            sys.exit(f"expected one scikit-image wheel, found {wheels}")
        with zipfile.ZipFile(wheels[0]) as zf:
            data = zf.read(ASTRONAUT_IN_WHEEL)
    if sha256(data) != ASTRONAUT_SHA256:
        sys.exit(f"{ASTRONAUT_IN_WHEEL} in {wheels[0].name}: unexpected SHA-256")
    return data


def downscale(im: Image.Image, width: int) -> Image.Image:
    im = im.convert("RGB")
    height = round(im.height * width / im.width)
    out = im.resize((width, height), Image.Resampling.LANCZOS)
    out.info = {}  # Pillow would otherwise re-emit the source's ICC / comment / dpi
    return out


def upright_hopper(hopper: bytes) -> Image.Image:
    return downscale(Image.open(io.BytesIO(hopper)), HOPPER_WIDTH)


def write_outputs(hopper: bytes, astronaut: bytes) -> None:
    EXIF_DIR.mkdir(parents=True, exist_ok=True)
    up = upright_hopper(hopper)
    comment = Image.open(io.BytesIO(hopper)).info.get("comment")  # keep the source URL

    for n, op in STORE_OP.items():
        stored = up if op is None else up.transpose(op)
        exif = Image.Exif()
        exif[TAG_ORIENTATION] = n
        stored.save(EXIF_DIR / f"hopper_orient_{n}.jpg", "JPEG",
                    quality=JPEG_QUALITY, subsampling=JPEG_SUBSAMPLING, comment=comment, exif=exif.tobytes())

    exif = Image.Exif()
    exif[TAG_XRES] = 300.0
    exif[TAG_YRES] = 300.0
    exif[TAG_RES_UNIT] = 2  # inches
    exif.get_ifd(TAG_EXIF_IFD)[TAG_DATETIME_ORIGINAL] = "2020:01:15 10:30:00"
    up.save(EXIF_DIR / "hopper_300dpi.jpg", "JPEG",
            quality=JPEG_QUALITY, subsampling=JPEG_SUBSAMPLING, comment=comment, exif=exif.tobytes())

    astro = downscale(Image.open(io.BytesIO(astronaut)), ASTRONAUT_WIDTH)
    astro.save(FIXTURES / "astronaut_96dpi.png", "PNG", dpi=(96, 96), optimize=True)


# ---------------------------------------------------------------- verification

def spec_stored_raster(up, n: int):
    """Raster stored under tag n, from the EXIF definition, using numpy only.

    Tag n says which visual edge the 0th stored row / 0th stored column is:
      1 top/left  2 top/right  3 bottom/right  4 bottom/left
      5 left/top  6 right/top  7 right/bottom  8 left/bottom
    """
    import numpy as np

    u = np.asarray(up)  # (H, W, 3), row 0 = visual top, col 0 = visual left
    if n <= 4:
        s = u
        if n in (3, 4):  # 0th row is the visual bottom
            s = s[::-1]
        if n in (2, 3):  # 0th column is the visual right
            s = s[:, ::-1]
        return s
    s = u.transpose(1, 0, 2)  # stored row i = visual column i, stored col j = visual row j
    if n in (6, 7):  # 0th row is the visual right edge
        s = s[::-1]
    if n in (7, 8):  # 0th column is the visual bottom edge
        s = s[:, ::-1]
    return s


def mad(a, b) -> float:
    import numpy as np

    a = np.asarray(a, dtype=np.int16)
    b = np.asarray(b, dtype=np.int16)
    if a.shape != b.shape:
        return float("inf")
    return float(np.abs(a - b).mean())


def verify(hopper: bytes) -> bool:
    up = upright_hopper(hopper)
    ok = True

    def check(cond: bool, msg: str) -> None:
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + msg)
        ok = ok and cond

    for n in range(1, 9):
        path = EXIF_DIR / f"hopper_orient_{n}.jpg"
        im = Image.open(path)
        im.load()
        tag = im.getexif().get(TAG_ORIENTATION)
        d_spec = mad(im.convert("RGB"), spec_stored_raster(up, n))
        d_view = mad(ImageOps.exif_transpose(im).convert("RGB"), up)
        check(tag == n and d_spec < MAX_MEAN_ABS_DIFF and d_view < MAX_MEAN_ABS_DIFF,
              f"{path.name}: stored {im.size}, Orientation={tag}, "
              f"mad(stored, spec)={d_spec:.2f}, mad(exif_transpose, upright)={d_view:.2f}")

    path = EXIF_DIR / "hopper_300dpi.jpg"
    im = Image.open(path)
    ex = im.getexif()
    dto = ex.get_ifd(TAG_EXIF_IFD).get(TAG_DATETIME_ORIGINAL)
    check(float(ex.get(TAG_XRES, 0)) == 300.0 and float(ex.get(TAG_YRES, 0)) == 300.0
          and ex.get(TAG_RES_UNIT) == 2 and dto == "2020:01:15 10:30:00"
          and TAG_ORIENTATION not in ex
          and mad(im.convert("RGB"), up) < MAX_MEAN_ABS_DIFF,
          f"{path.name}: {im.size}, EXIF res {ex.get(TAG_XRES)}x{ex.get(TAG_YRES)} "
          f"unit {ex.get(TAG_RES_UNIT)}, DateTimeOriginal={dto!r}, "
          f"JFIF unit {im.info.get('jfif_unit')}, Pillow info dpi {im.info.get('dpi')}")

    path = FIXTURES / "astronaut_96dpi.png"
    im = Image.open(path)
    dpi = im.info.get("dpi", (0, 0))
    check(im.size == (ASTRONAUT_WIDTH, ASTRONAUT_WIDTH) and im.mode == "RGB"
          and all(abs(v - 96) < 0.1 for v in dpi),
          f"{path.name}: {im.size} {im.mode}, dpi {dpi}")

    for path in sorted([*EXIF_DIR.glob("*.jpg"), FIXTURES / "astronaut_96dpi.png"]):
        size = path.stat().st_size
        check(size < MAX_BYTES, f"{path.relative_to(REPO)}: {size} bytes < {MAX_BYTES}")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hopper", type=Path, default=FIXTURES / "grace_hopper.jpg",
                    help="original grace_hopper.jpg (default: fixtures/grace_hopper.jpg)")
    ap.add_argument("--astronaut", type=Path, default=None,
                    help="original astronaut.png (default: fixtures/astronaut.png, "
                         "else fetched from the scikit-image wheel)")
    ap.add_argument("--verify-only", action="store_true",
                    help="only check the committed outputs")
    args = ap.parse_args()

    hopper = load_checked(args.hopper, HOPPER_SHA256)
    if not args.verify_only:
        write_outputs(hopper, astronaut_bytes(args.astronaut))
    sys.exit(0 if verify(hopper) else 1)


if __name__ == "__main__":
    main()
