#!/usr/bin/env python3
"""Builds a multi-face recall set from labelled group photos, framed like ID photos.

    python3 tools/make_recall_set.py OUT_DIR IMAGES_XML...

IMAGES_XML are dlib imglab files (`<image file=... ><box top left width height/>...`), such as
`examples/faces/training.xml` and `testing.xml` in davisking/dlib (photos from PASCAL VOC; used for
measurement only, never committed). For every labelled face, the script cuts a portrait-shaped window
(22:32, resized to the licence photo's 260 x 378 px) in which that face is the main face, at two framings (face width 45 % and
30 % of the window width), upright and tilted by 15 degrees each way, and writes OUT_DIR/recall.jsonl:
one line per window with the file, every labelled face box that lies wholly inside it (`faces`) and
those cut by its edge (`partial`), in the window's px. `cargo run --release --example face_recall -- OUT_DIR/recall.jsonl` scores the detectors.
"""
import json
import math
import os
import sys
import xml.etree.ElementTree as ET

from PIL import Image

ASPECT = 32.0 / 22.0


def rotate_point(x, y, cx, cy, deg):
    """Where (x, y) goes when the image is turned by `deg` counter-clockwise about (cx, cy) (PIL)."""
    a = math.radians(deg)
    dx, dy = x - cx, y - cy
    return cx + dx * math.cos(a) + dy * math.sin(a), cy - dx * math.sin(a) + dy * math.cos(a)


def main():
    out, xmls = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    lines = []
    for xml in xmls:
        base = os.path.dirname(xml)
        for image in ET.parse(xml).getroot().iter('image'):
            path = os.path.join(base, image.get('file'))
            img = Image.open(path).convert('RGB')
            boxes = [tuple(float(b.get(k)) for k in ('left', 'top', 'width', 'height'))
                     for b in image.iter('box') if b.get('ignore') != '1']
            for i, (x, y, w, h) in enumerate(boxes):
                cx, cy = x + w / 2, y + h / 2
                for frac in (0.45, 0.30):
                    for tilt in (0, 15, -15):
                        turned = img.rotate(tilt, resample=Image.BICUBIC, center=(cx, cy),
                                            fillcolor=(255, 255, 255))
                        cw = w / frac
                        ch = cw * ASPECT
                        left, top = cx - cw / 2, cy - 0.45 * ch
                        crop = turned.crop((round(left), round(top), round(left + cw), round(top + ch)))
                        inside, partial, main = [], [], None
                        for j, (bx, by, bw, bh) in enumerate(boxes):
                            bcx, bcy = rotate_point(bx + bw / 2, by + bh / 2, cx, cy, tilt)
                            nb = (bcx - bw / 2 - round(left), bcy - bh / 2 - round(top), bw, bh)
                            if nb[0] >= 0 and nb[1] >= 0 and nb[0] + bw <= crop.width and nb[1] + bh <= crop.height:
                                if j == i:
                                    main = len(inside)
                                inside.append([round(v, 1) for v in nb])
                            elif nb[0] < crop.width and nb[1] < crop.height and nb[0] + bw > 0 and nb[1] + bh > 0:
                                partial.append([round(v, 1) for v in nb])
                        # At the licence photo's size (260 x 378 px), as a user's photo would come.
                        k = 260.0 / crop.width
                        crop = crop.resize((260, 378), Image.BICUBIC)
                        inside = [[round(v * k, 1) for v in b] for b in inside]
                        partial = [[round(v * k, 1) for v in b] for b in partial]
                        name = '%s_f%d_%02d_t%+d.png' % (os.path.splitext(image.get('file'))[0], i,
                                                          round(100 * frac), tilt)
                        crop.save(os.path.join(out, name))
                        lines.append({'file': name, 'faces': inside, 'partial': partial, 'main': main, 'tilt_deg': tilt,
                                      'framing': frac, 'source': image.get('file')})
    with open(os.path.join(out, 'recall.jsonl'), 'w') as f:
        for line in lines:
            f.write(json.dumps(line) + '\n')
    multi = sum(1 for line in lines if len(line['faces']) > 1)
    print('%d windows (%d with more than one face), %d faces' % (
        len(lines), multi, sum(len(line['faces']) for line in lines)))


if __name__ == '__main__':
    main()
