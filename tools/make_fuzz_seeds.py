#!/usr/bin/env python3
"""Writes the fuzzing seed corpus (fuzz/seeds/, committed, kept under 100 KB): tiny images in every
format the decoder accepts, with and without EXIF orientation and density, for the decode and whole-check
targets; the spec presets for the spec target; expectation files for the expect target.
Needs pillow.   python3 tools/make_fuzz_seeds.py"""
import io
import os
import shutil

from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
SEEDS = os.path.join(ROOT, 'fuzz', 'seeds')


def save(img, name, **kw):
    for target in ('decode', 'check_bytes'):
        img.save(os.path.join(SEEDS, target, name), **kw)


def main():
    for d in ('decode', 'check_bytes', 'spec', 'expect'):
        os.makedirs(os.path.join(SEEDS, d), exist_ok=True)
    face = Image.open(os.path.join(ROOT, 'fixtures', 'made', 'astronaut_licence.jpg')).convert('RGB')
    small = face.resize((22, 32))
    save(small, 'rgb.png')
    save(small.convert('RGBA'), 'rgba.png')
    save(small.convert('P'), 'palette.png')
    save(small.convert('L'), 'grey.png', dpi=(300, 300))
    save(small, 'tiny.gif')
    save(small, 'tiny.webp', quality=50)
    save(small, 'tiny.tiff')
    save(small, 'tiny.bmp')
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turned
    save(small, 'exif6.jpg', quality=60, exif=exif.tobytes(), dpi=(300, 300))
    save(small, 'progressive.jpg', quality=60, progressive=True)
    save(small.convert('CMYK'), 'cmyk.jpg', quality=60)
    # One real licence photo (a face to analyse) for the whole-check target.
    face.resize((130, 189)).save(os.path.join(SEEDS, 'check_bytes', 'licence.jpg'), quality=70)
    presets = os.path.join(ROOT, 'src', 'spec', 'presets')
    for name in ('cn-driving-licence.toml', 'icao-35x45.toml', 'us-passport.toml'):
        shutil.copy(os.path.join(presets, name), os.path.join(SEEDS, 'spec', name))
    shutil.copy(os.path.join(ROOT, 'fixtures', 'expected.toml'), os.path.join(SEEDS, 'expect', 'expected.toml'))
    with open(os.path.join(SEEDS, 'expect', 'values.toml'), 'w') as f:
        f.write('[[photo]]\nfile = "a.jpg"\nverdict = "fail"\nfail = ["head_length"]\n[photo.values]\n'
                'head_length_mm = { value = 20.5, tolerance = 0.3 }\npose_roll = { value = 3.3, tolerance = 1.0 }\n')


if __name__ == '__main__':
    main()
