#!/usr/bin/env python3
"""Makes the few bad-input files that the Rust tests cannot generate themselves (the `image`
crate writes only baseline JPEG, RGB/grey PNG and GIF): progressive, CMYK and YCCK JPEGs, a
palette PNG and an animated WebP, all from fixtures/made/astronaut_licence.jpg (public domain),
into tests/data/. Needs Pillow (`pip install Pillow`). Run from the repository root:
`python3 tools/make_bad_inputs.py`. The outputs are committed; CI never runs this.
"""
from PIL import Image

src = Image.open('fixtures/made/astronaut_licence.jpg').convert('RGB')
small = src.resize((130, 189))
src.save('tests/data/progressive.jpg', quality=85, progressive=True)
cmyk = src.convert('CMYK')
cmyk.save('tests/data/cmyk.jpg', quality=85)
src.convert('P', palette=Image.ADAPTIVE, colors=64).save('tests/data/palette.png')
frames = [small, small.rotate(5), small.rotate(-5)]
frames[0].save('tests/data/animated.webp', save_all=True, append_images=frames[1:], duration=200, loop=0)
frames[0].save('tests/data/animated.gif', save_all=True, append_images=frames[1:], duration=200, loop=0)
for name in ['progressive.jpg', 'cmyk.jpg', 'palette.png', 'animated.webp', 'animated.gif']:
    im = Image.open('tests/data/' + name)
    print(name, im.format, im.mode, im.size, getattr(im, 'n_frames', 1))

# YCCK: store Y, Cb, Cr of the inverted CMY plus K as the four channels (libjpeg stores CMYK
# channels untransformed), then mark the Adobe APP14 segment's transform as 2 (YCCK).
c, m, y, k = cmyk.split()
inv = Image.merge('RGB', [ch.point(lambda v: 255 - v) for ch in (c, m, y)]).convert('YCbCr')
yy, cb, cr = inv.split()
Image.merge('CMYK', (yy, cb, cr, k)).save('tests/data/ycck.jpg', quality=85)
data = bytearray(open('tests/data/ycck.jpg', 'rb').read())
i = data.find(b'Adobe')
assert i > 0 and data[i - 4:i - 2] == b'\xff\xee', 'no Adobe APP14 segment'
data[i + 11] = 2
open('tests/data/ycck.jpg', 'wb').write(bytes(data))
print('ycck.jpg Adobe transform', data[i + 11])
