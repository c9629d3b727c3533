#!/usr/bin/env python3
"""Makes assets/fonts/wqy-microhei-subset.ttf: WenQuanYi Micro Hei (Apache-2.0, Debian package
fonts-wqy-microhei) cut down to printable ASCII plus every non-ASCII character in
src/report/lang.rs and of the Chinese rule names in src/checks/*.rs, for the Chinese text of
annotated images (a few KB instead of 5 MB).
Needs fonttools (`pip install fonttools`) and the Debian package. Run from the repository root
after changing the Chinese messages or rule names; a unit test in src/report/annotate.rs fails
when a character is missing.
"""
import glob, subprocess, sys

text = ''.join(open(p, encoding='utf-8').read()
               for p in ['src/report/lang.rs'] + sorted(glob.glob('src/checks/*.rs')))
chars = sorted({c for c in text if ord(c) > 127} | {chr(c) for c in range(32, 127)})
subprocess.run([
    sys.executable, '-m', 'fontTools.subset', '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
    '--font-number=0', '--text=' + ''.join(chars), '--output-file=assets/fonts/wqy-microhei-subset.ttf',
    '--layout-features=', '--no-hinting', '--desubroutinize',
], check=True)
print(len(chars), 'characters')
