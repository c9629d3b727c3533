#!/usr/bin/env python3
"""Per-image signed errors of a photocheck JSON report against the photo suite's truth.

Usage: tools/suite_errors.py TRUTH.jsonl REPORT.json [field]
Prints crown, chin (px, + = below truth), head length (mm) and ear width (mm) errors, sorted
by the absolute error of `field` (crown|chin|len|width; default len), plus mean signed errors.
Development aid for the geometry; the pass/fail scoring is ../shared/tools/score_suite.py.
"""
import json, os, statistics, sys

truth = {json.loads(l)['file']: json.loads(l) for l in open(sys.argv[1]) if l.strip()}
text = open(sys.argv[2]).read().strip()
rep = json.loads(text) if text.startswith('[') else [json.loads(l) for l in text.splitlines()]
key = sys.argv[3] if len(sys.argv) > 3 else 'len'
rows = []
for r in rep:
    t = truth.get(os.path.basename(r['file']))
    m = r.get('measurements') or {}
    if not t or t.get('faces', 1) != 1 or m.get('crown_y_px') is None:
        continue
    row = dict(file=t['file'], h=t['height_px'],
               crown=m['crown_y_px'] - t['crown_y'], chin=m['chin_y_px'] - t['chin_y'],
               len=m['head_length_mm'] - t['head_length_mm'],
               width=(m['head_width_ears_mm'] - t['ear_outer_width_mm']) if m.get('head_width_ears_mm') is not None else None,
               roots=(m['head_width_ear_roots_mm'] - t['face_width_ear_roots_mm']) if m.get('head_width_ear_roots_mm') else None)
    rows.append(row)
rows.sort(key=lambda r: -abs(r[key]) if r[key] is not None else 0)
for r in rows[:25]:
    print('%-34s h=%4d crown %+6.2f px  chin %+6.2f px  len %+6.3f mm  width %s  roots %s' % (
        r['file'], r['h'], r['crown'], r['chin'], r['len'],
        '%+.2f' % r['width'] if r['width'] is not None else 'n/m',
        '%+.2f' % r['roots'] if r['roots'] is not None else 'n/m'))
for k in ('crown', 'chin', 'len', 'width', 'roots'):
    v = [r[k] for r in rows if r[k] is not None]
    v_rel = [r[k] / r['h'] * 378 for r in rows if r[k] is not None] if k in ('crown', 'chin') else v
    print('%-6s n=%3d mean %+.3f median %+.3f MAE %.3f (crown/chin in px at 378 height)' % (
        k, len(v), statistics.mean(v_rel), statistics.median(v_rel), statistics.mean(abs(x) for x in v_rel)))
