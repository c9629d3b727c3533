#!/usr/bin/env python3
"""Exact graph rewrites of the shipped MediaPipe ONNX models, for tract (conversion time only; CI never
runs this).

    python3 tools/rewrite_models.py [--check PHOTO]

Reads the converted originals in models/source/ and writes the rewritten models to models/, then checks
each rewritten model against its original with onnxruntime on a real photo and on random inputs, and
fails when an output differs by more than 1e-4 (absolute). Needs a Python with `onnx`, `onnxruntime`,
`numpy` and `pillow`. The Rust side checks the same with tract (`cargo test --release rewritten`).

Rewrites (each gives the same function; floating-point results agree to rounding):
  * PRelu(x, s) -> Relu(x) + s * Min(x, 0). tract runs PRelu as a general broadcasting operator outside
    its convolution kernels; Relu, Min, Mul and Add by constants are fused into them.
  * Resize (linear, half_pixel, scale 2 on H and W, NCHW) -> per axis: Pad (edge) by one, two Slices for
    the neighbours, 0.25/0.75 blends (Mul, Add), the even and odd outputs interleaved by Concat on a new
    axis and Reshape. Exactly the bilinear weights of a x2 half-pixel resize, edge rows clamped.
  * Depthwise Conv with stride 2 -> the same Conv with stride 1, then its even rows (Reshape to row pairs
    and a contiguous Slice) and even columns (Gather on the last axis). tract runs strided depthwise
    convolutions through its generic path (0.6-0.7 ms for some segmentation layers); unstrided ones go
    through its SIMD kernel, so computing four times the outputs and dropping three is faster.
  * MaxPool 2x2, stride 2 -> Max of the even and odd rows, then Max of the even and odd columns (as
    above). tract's MaxPool took 0.5 ms for the face mesh's first pool; Reduce<Max> was 15x slower.
  * AveragePool whose window is the whole feature map -> GlobalAveragePool (a plain sum).
  * NHWC islands: Transpose(NCHW->NHWC) -> element-wise ops (HardSwish, Mul by a per-channel vector) ->
    Transpose(NHWC->NCHW), as tf2onnx leaves them, are run in NCHW and the transposes dropped; Reshapes
    that do not change the shape are dropped.
"""
import argparse
import hashlib
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, '..', 'models')
SOURCE = os.path.join(MODELS, 'source')
# file -> (input side, what the input is scaled to)
FILES = {
    'face_landmark.onnx': (192, (0.0, 1.0)),
    'iris_landmark.onnx': (64, (0.0, 1.0)),
    'selfie_segmentation.onnx': (256, (0.0, 1.0)),
    'face_detection_short_range.onnx': (128, (-1.0, 1.0)),
}
TOLERANCE = 1e-4


class Graph:
    """A mutable view of an ONNX graph: nodes, constants, shapes and a name generator."""

    def __init__(self, model):
        self.model = shape_inference.infer_shapes(model)
        g = self.model.graph
        self.nodes = list(g.node)
        self.consts = {i.name: numpy_helper.to_array(i) for i in g.initializer}
        self.shapes = {}
        for v in list(g.value_info) + list(g.input) + list(g.output):
            self.shapes[v.name] = [d.dim_value for d in v.type.tensor_type.shape.dim]
        self.counter = 0

    def name(self, stem):
        self.counter += 1
        return '%s__rw%d' % (stem, self.counter)

    def const(self, stem, array):
        n = self.name(stem)
        self.consts[n] = np.asarray(array)
        return n

    def consumers(self, tensor):
        return [n for n in self.nodes if tensor in n.input]

    def producer(self, tensor):
        for n in self.nodes:
            if tensor in n.output:
                return n
        return None

    def rename_input(self, old, new):
        for n in self.nodes:
            for i, x in enumerate(n.input):
                if x == old:
                    n.input[i] = new

    def prune(self):
        """Drops nodes whose outputs nobody reads, and unused constants."""
        outputs = {o.name for o in self.model.graph.output}
        while True:
            used = outputs | {i for n in self.nodes for i in n.input}
            keep = [n for n in self.nodes if any(o in used for o in n.output)]
            if len(keep) == len(self.nodes):
                break
            self.nodes = keep
        used = {i for n in self.nodes for i in n.input}
        self.consts = {k: v for k, v in self.consts.items() if k in used}

    def refresh_shapes(self):
        """Shapes of the tensors earlier rewrites made (shape inference over the graph as it is
        now), so that later rewrites, which need an input's shape, see them."""
        inferred = shape_inference.infer_shapes(self.build()).graph
        for v in list(inferred.value_info) + list(inferred.input) + list(inferred.output):
            self.shapes.setdefault(v.name, [d.dim_value for d in v.type.tensor_type.shape.dim])

    def build(self):
        g = self.model.graph
        graph = helper.make_graph(
            self.nodes, g.name, list(g.input), list(g.output),
            [numpy_helper.from_array(v.astype(v.dtype), k) for k, v in self.consts.items()])
        model = helper.make_model(graph, opset_imports=list(self.model.opset_import),
                                  producer_name='photocheck tools/rewrite_models.py')
        model.ir_version = self.model.ir_version
        onnx.checker.check_model(model)
        return model


def attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def rewrite_prelu(g):
    out = []
    count = 0
    zero = g.const('zero', np.array(0.0, dtype=np.float32))
    for n in g.nodes:
        if n.op_type != 'PRelu':
            out.append(n)
            continue
        x, s = n.input
        y = n.output[0]
        relu, neg, scaled = g.name(y + '_relu'), g.name(y + '_min0'), g.name(y + '_neg')
        out += [
            helper.make_node('Relu', [x], [relu], name=relu),
            helper.make_node('Min', [x, zero], [neg], name=neg),
            helper.make_node('Mul', [neg, s], [scaled], name=scaled),
            helper.make_node('Add', [relu, scaled], [y], name=g.name(y + '_add')),
        ]
        count += 1
    g.nodes = out
    return count


def upsample_axis(g, nodes, x, shape, axis):
    """Nodes that resize tensor `x` (shape `shape`, NCHW) x2 along `axis` (2 or 3) with half-pixel
    bilinear weights; returns the output name and shape."""
    n = shape[axis]
    pads = [0] * 8
    pads[axis], pads[4 + axis] = 1, 1
    padded = g.name(x + '_pad')
    nodes.append(helper.make_node('Pad', [x, g.const('pads', np.array(pads, np.int64))], [padded],
                                  mode='edge', name=padded))

    def slice_(start):
        s = g.name(x + '_sl%d' % start)
        nodes.append(helper.make_node('Slice', [
            padded, g.const('st', np.array([start], np.int64)), g.const('en', np.array([start + n], np.int64)),
            g.const('ax', np.array([axis], np.int64))], [s], name=s))
        return s
    prev, nxt = slice_(0), slice_(2)
    quarter = g.const('quarter', np.array(0.25, np.float32))
    three = g.const('three_quarters', np.array(0.75, np.float32))

    def blend(a, b):  # 0.25 * a + 0.75 * b
        ma, mb, s = g.name(x + '_qa'), g.name(x + '_qb'), g.name(x + '_blend')
        nodes.append(helper.make_node('Mul', [a, quarter], [ma], name=ma))
        nodes.append(helper.make_node('Mul', [b, three], [mb], name=mb))
        nodes.append(helper.make_node('Add', [ma, mb], [s], name=s))
        return s
    even, odd = blend(prev, x), blend(nxt, x)
    # Interleave: stack on a new axis after `axis`, then merge the two.
    stacked_shape = shape[:axis + 1] + [1] + shape[axis + 1:]
    parts = []
    for t in (even, odd):
        r = g.name(t + '_unsq')
        nodes.append(helper.make_node('Reshape', [t, g.const('shape', np.array(stacked_shape, np.int64))], [r],
                                      name=r))
        parts.append(r)
    cat = g.name(x + '_interleave')
    nodes.append(helper.make_node('Concat', parts, [cat], axis=axis + 1, name=cat))
    out_shape = list(shape)
    out_shape[axis] = 2 * n
    merged = g.name(x + '_x2')
    nodes.append(helper.make_node('Reshape', [cat, g.const('shape', np.array(out_shape, np.int64))], [merged],
                                  name=merged))
    return merged, out_shape


def rewrite_resize(g):
    out = []
    count = 0
    for n in g.nodes:
        scales = g.consts.get(n.input[2]) if n.op_type == 'Resize' and len(n.input) >= 3 else None
        if (n.op_type != 'Resize' or attr(n, 'mode') != b'linear'
                or attr(n, 'coordinate_transformation_mode') != b'half_pixel'
                or scales is None or list(scales) != [1.0, 1.0, 2.0, 2.0] or len(n.input) > 3):
            out.append(n)
            continue
        shape = g.shapes[n.input[0]]
        nodes = []
        t, s = upsample_axis(g, nodes, n.input[0], shape, 3)
        t, s = upsample_axis(g, nodes, t, s, 2)
        nodes[-1].output[0] = n.output[0]
        out += nodes
        count += 1
    g.nodes = out
    return count


def int64s(g, stem, values):
    return g.const(stem, np.array(values, np.int64))


def even_rows(g, nodes, x, shape, start=0):
    """Nodes that take rows start, start + 2, ... of NCHW tensor `x` (even height) as contiguous slices:
    Reshape to [N, C, H/2, 2W], Slice [start W, (start + 1) W) on the last axis."""
    n, c, h, w = shape
    pairs, y = g.name(x + '_rowpairs'), g.name(x + '_rows%d' % start)
    nodes += [
        helper.make_node('Reshape', [x, int64s(g, 'shape', [n, c, h // 2, 2 * w])], [pairs], name=pairs),
        helper.make_node('Slice', [pairs, int64s(g, 'st', [start * w]), int64s(g, 'en', [(start + 1) * w]),
                                   int64s(g, 'ax', [3])], [y], name=y),
    ]
    return y


def every_second_column(g, nodes, x, width, start=0, out=None):
    """A node that takes columns start, start + 2, ... of NCHW tensor `x` (`width` columns): a Gather on
    the last axis (tract copies it element by element from the flat buffer; a step-2 Slice becomes its
    Downsample, which walks a strided view and costs several times more)."""
    y = out or g.name(x + '_cols%d' % start)
    nodes.append(helper.make_node('Gather', [x, int64s(g, 'cols', list(range(start, width, 2)))], [y], axis=3,
                                  name=g.name(y + '_every2')))
    return y


def rewrite_strided_depthwise(g):
    """Depthwise Conv (group = channels) with stride 2 -> the same Conv with stride 1, then every second
    row (contiguous slices, see even_rows) and every second column (Gather, see every_second_column): output (i, j) of the
    strided conv is output (2i, 2j) of the unstrided one, summing the same products. The unstrided conv's
    bottom and right padding is grown so that its height and width are twice the strided output's (the
    extra row and column are discarded)."""
    out = []
    count = 0
    for n in g.nodes:
        w = g.consts.get(n.input[1]) if n.op_type == 'Conv' and len(n.input) > 1 else None
        shape = g.shapes.get(n.input[0])
        if (w is None or attr(n, 'group', 1) == 1 or attr(n, 'group') != w.shape[0] or w.shape[1] != 1
                or list(attr(n, 'strides', [1, 1])) != [2, 2] or not shape or len(shape) != 4
                or list(attr(n, 'dilations', [1, 1])) != [1, 1] or attr(n, 'auto_pad') not in (None, b'NOTSET')):
            out.append(n)
            continue
        kh, kw = w.shape[2:]
        pads = list(attr(n, 'pads', [0, 0, 0, 0]))
        ho = (shape[2] + pads[0] + pads[2] - kh) // 2 + 1
        wo = (shape[3] + pads[1] + pads[3] - kw) // 2 + 1
        pads[2] = 2 * ho - shape[2] - pads[0] + kh - 1
        pads[3] = 2 * wo - shape[3] - pads[1] + kw - 1
        full = g.name(n.output[0] + '_stride1')
        conv = helper.make_node('Conv', list(n.input), [full], name=full)
        for a in n.attribute:
            if a.name not in ('strides', 'pads'):
                conv.attribute.append(a)
        conv.attribute.append(helper.make_attribute('strides', [1, 1]))
        conv.attribute.append(helper.make_attribute('pads', pads))
        nodes = [conv]
        rows = even_rows(g, nodes, full, [shape[0], shape[1], 2 * ho, 2 * wo])
        every_second_column(g, nodes, rows, 2 * wo, 0, n.output[0])
        out += nodes
        count += 1
    g.nodes = out
    return count


def rewrite_max_pool(g):
    """MaxPool 2x2, stride 2, no padding, even sides (NCHW) -> the element-wise Max of the even and the
    odd rows (contiguous slices, see even_rows), then of the even and the odd columns of that (Gather,
    see every_second_column): the maximum of the same four values."""
    out = []
    count = 0
    for n in g.nodes:
        shape = g.shapes.get(n.input[0]) if n.op_type == 'MaxPool' else None
        if (shape is None or len(shape) != 4 or list(attr(n, 'kernel_shape')) != [2, 2]
                or list(attr(n, 'strides', [1, 1])) != [2, 2] or any(attr(n, 'pads', [0] * 4))
                or attr(n, 'auto_pad') not in (None, b'NOTSET') or attr(n, 'ceil_mode', 0)
                or len(n.output) != 1 or shape[2] % 2 or shape[3] % 2):
            out.append(n)
            continue
        x = n.input[0]
        rows = [even_rows(g, out, x, shape, start) for start in (0, 1)]
        row_max = g.name(n.output[0] + '_rowmax')
        out.append(helper.make_node('Max', rows, [row_max], name=row_max))
        cols = [every_second_column(g, out, row_max, shape[3], start) for start in (0, 1)]
        out.append(helper.make_node('Max', cols, [n.output[0]], name=g.name(n.output[0] + '_max')))
        count += 1
    g.nodes = out
    return count


def rewrite_global_average_pool(g):
    """AveragePool whose window is the whole feature map (no padding) -> GlobalAveragePool."""
    out = []
    count = 0
    for n in g.nodes:
        shape = g.shapes.get(n.input[0]) if n.op_type == 'AveragePool' else None
        if (shape is None or len(shape) != 4 or list(attr(n, 'kernel_shape')) != shape[2:]
                or any(attr(n, 'pads', [0] * 4)) or attr(n, 'auto_pad') not in (None, b'NOTSET')):
            out.append(n)
            continue
        out.append(helper.make_node('GlobalAveragePool', [n.input[0]], list(n.output),
                                    name=g.name(n.output[0] + '_global')))
        count += 1
    g.nodes = out
    return count


NHWC = [0, 2, 3, 1]
NCHW = [0, 3, 1, 2]
ELEMENTWISE = {'HardSwish', 'Relu', 'Sigmoid'}


def drop_nhwc_islands(g):
    """Runs element-wise NHWC ops in NCHW (see the module doc); returns the number of transposes
    removed."""
    nchw = {}  # NHWC tensor -> its NCHW twin
    new_nodes = []
    for n in g.nodes:
        new_nodes.append(n)
        if n.op_type == 'Transpose' and list(attr(n, 'perm')) == NHWC:
            nchw[n.output[0]] = n.input[0]
        elif n.op_type in ELEMENTWISE and n.input[0] in nchw:
            y = g.name(n.output[0] + '_nchw')
            new_nodes.append(helper.make_node(n.op_type, [nchw[n.input[0]]], [y], name=y))
            nchw[n.output[0]] = y
        elif n.op_type == 'Mul' and n.input[0] in nchw:
            v = g.producer(n.input[1])
            vin = v.input[0] if v is not None and v.op_type == 'Reshape' else None
            c = g.shapes.get(n.input[1])
            if vin is not None and c and c[:3] == [1, 1, 1] and g.shapes.get(vin) == [1, c[3], 1, 1]:
                y = g.name(n.output[0] + '_nchw')
                new_nodes.append(helper.make_node('Mul', [nchw[n.input[0]], vin], [y], name=y))
                nchw[n.output[0]] = y
    g.nodes = new_nodes
    removed = 0
    for n in list(g.nodes):
        if n.op_type == 'Transpose' and list(attr(n, 'perm')) == NCHW and n.input[0] in nchw:
            g.rename_input(n.output[0], nchw[n.input[0]])
            removed += 1
    # Reshapes to the shape they already have.
    for n in list(g.nodes):
        if n.op_type == 'Reshape' and n.input[1] in g.consts:
            if list(g.consts[n.input[1]]) == g.shapes.get(n.input[0]) == g.shapes.get(n.output[0]) \
                    and n.output[0] not in {o.name for o in g.model.graph.output}:
                g.rename_input(n.output[0], n.input[0])
    g.prune()
    return removed


def photo_input(photo, side, lo_hi):
    from PIL import Image
    img = Image.open(photo).convert('RGB')
    w, h = img.size
    s = min(w, h)
    img = img.crop(((w - s) // 2, (h - s) // 4, (w - s) // 2 + s, (h - s) // 4 + s)).resize((side, side))
    lo, hi = lo_hi
    return (np.asarray(img, np.float32) / 255.0 * (hi - lo) + lo)[None]


def compare(original, rewritten, inputs):
    import onnxruntime as ort
    a = ort.InferenceSession(original.SerializeToString(), providers=['CPUExecutionProvider'])
    b = ort.InferenceSession(rewritten.SerializeToString(), providers=['CPUExecutionProvider'])
    name = a.get_inputs()[0].name
    worst = 0.0
    for x in inputs:
        for oa, ob in zip(a.run(None, {name: x}), b.run(None, {name: x})):
            worst = max(worst, float(np.abs(oa - ob).max()))
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--check', default=os.path.join(MODELS, '..', 'fixtures', 'grace_hopper.jpg'),
                    help='a real photo to compare the outputs on')
    a = ap.parse_args()
    rng = np.random.default_rng(7)
    failed = False
    for f, (side, lo_hi) in FILES.items():
        original = onnx.load(os.path.join(SOURCE, f))
        g = Graph(original)
        done = {'PRelu': rewrite_prelu(g), 'Resize': rewrite_resize(g), 'Transpose': drop_nhwc_islands(g)}
        g.refresh_shapes()
        done['strided depthwise Conv'] = rewrite_strided_depthwise(g)
        done['MaxPool'] = rewrite_max_pool(g)
        done['AveragePool'] = rewrite_global_average_pool(g)
        path = os.path.join(MODELS, f)
        if not any(done.values()):
            open(path, 'wb').write(open(os.path.join(SOURCE, f), 'rb').read())
            print('%s: nothing to rewrite; copied' % f)
            continue
        model = g.build()
        inputs = [photo_input(a.check, side, lo_hi)]
        inputs += [rng.uniform(lo_hi[0], lo_hi[1], (1, side, side, 3)).astype(np.float32) for _ in range(2)]
        worst = compare(original, model, inputs)
        onnx.save(model, path)
        digest = hashlib.sha256(open(path, 'rb').read()).hexdigest()
        status = 'ok' if worst <= TOLERANCE else 'DIFFERS'
        failed |= worst > TOLERANCE
        print('%s: rewrote %s; max abs difference %.2e (%s); sha256 %s' % (
            f, ', '.join('%d %s' % (v, k) for k, v in done.items() if v), worst, status, digest))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
