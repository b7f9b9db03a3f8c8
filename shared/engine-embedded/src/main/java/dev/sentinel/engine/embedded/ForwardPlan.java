package dev.sentinel.engine.embedded;

import dev.sentinel.engine.embedded.Layers.Layer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

/**
 * A model's forward pass, compiled once at load: layers fused into steps, weights packed for the kernels, and
 * every feature map given a slot in a workspace that is reused from one image to the next (no allocation per
 * layer or per image once a workspace exists; one per concurrent caller).
 *
 * <p>Fusions: a ZeroPadding2D read only by a convolution becomes that convolution's padding; an Add of a
 * convolution's output (read by nothing else) and an earlier map becomes the convolution's residual, added as it
 * stores; and MobileNet's inverted residual block — a 1x1 expansion, a depthwise convolution, a 1x1 projection,
 * each read only by the next — runs as one step in bands of output rows, so the expanded maps (six times wider
 * than the block's input) live only in a ring of a few rows that stays in cache and are never written out whole.
 */
final class ForwardPlan {

    /** Output pixels a band of a block should hold, so the projection's weights are reused across enough pixels. */
    static final int BAND_PIXELS = 128;
    static final int MAX_THREADS = 8;

    /** Where a feature map lives (slot -1: the caller's input) and its shape; each pixel has {@code stride} floats. */
    record Tensor(int slot, int h, int w, int c, int stride) {
        int floats() {
            return h * w * stride;
        }
    }

    /** A timed part of a step, reported under the name of the layer it computes. */
    record Stage(String layer, String kind) { }

    private final Kernels kernels;
    private final List<Op> ops;
    private final List<Stage> stages;
    private final int[] slotFloats;
    private final Tensor output;
    private final int inputFloats;
    private int ringFloats;
    private int bandFloats;
    private int im2colFloats;
    private int maxKernelRows = 1;
    private final ConcurrentLinkedQueue<Workspace> idle = new ConcurrentLinkedQueue<>();

    private ForwardPlan(Kernels kernels, List<KerasModel.Step> steps, String inputName, String outputName,
                        int inputHeight, int inputWidth) {
        this.kernels = kernels;
        this.ops = new ArrayList<>();
        this.stages = new ArrayList<>();
        this.inputFloats = inputHeight * inputWidth * 3;
        Map<String, String> alias = new HashMap<>();
        List<Fused> fused = fuse(steps, inputName, alias);
        String resultName = resolve(alias, outputName);
        Map<String, Integer> readers = new HashMap<>();
        for (Fused f : fused) {
            f.inputs().forEach(in -> readers.merge(in, 1, Integer::sum));
        }
        readers.merge(resultName, 1, Integer::sum);
        Map<String, Tensor> values = new HashMap<>();
        values.put(inputName, new Tensor(-1, inputHeight, inputWidth, 3, 3));
        Slots slots = new Slots();
        for (Fused f : fused) {
            List<Tensor> in = new ArrayList<>();
            for (String name : f.inputs()) {
                Tensor t = values.get(name);
                if (t == null) {
                    throw new ModelFormatException("layer '" + f.output() + "' needs '" + name
                            + "', which no earlier layer produced");
                }
                in.add(t);
            }
            Op op = build(f, in, slots);
            op.firstStage = stages.size();
            stages.addAll(f.stages());
            ops.add(op);
            values.put(f.output(), op.out);
            for (String name : f.inputs()) {
                if (readers.merge(name, -1, Integer::sum) == 0 && values.get(name).slot() >= 0) {
                    slots.release(values.get(name).slot());
                }
            }
        }
        output = values.get(resultName);
        if (output == null) {
            throw new ModelFormatException("output layer '" + outputName + "' was not computed");
        }
        slotFloats = slots.sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    static ForwardPlan compile(Kernels kernels, List<KerasModel.Step> steps, String inputName, String outputName,
                               int inputHeight, int inputWidth) {
        return new ForwardPlan(kernels, steps, inputName, outputName, inputHeight, inputWidth);
    }

    Kernels kernels() {
        return kernels;
    }

    /** Runs the pass on {@code input} (height x width x 3) with up to {@code threads} threads. */
    float[] run(float[] input, int threads, List<LayerTime> times) {
        if (input.length != inputFloats) {
            throw new IllegalArgumentException("input has " + input.length + " values, the model takes "
                    + inputFloats);
        }
        Workspace ws = idle.poll();
        if (ws == null) {
            ws = new Workspace();
        }
        try {
            ws.input = input;
            ws.nanos = times == null ? null : new long[MAX_THREADS][stages.size()];
            int workers = Math.max(1, Math.min(threads, MAX_THREADS));
            for (Op op : ops) {
                long start = ws.clock();
                op.run(ws, workers);
                if (ws.nanos != null && !op.timesItself()) {
                    ws.nanos[0][op.firstStage] += System.nanoTime() - start;
                }
            }
            if (times != null) {
                for (int s = 0; s < stages.size(); s++) {
                    long total = 0;
                    for (long[] worker : ws.nanos) {
                        total += worker[s];
                    }
                    times.add(new LayerTime(stages.get(s).layer(), stages.get(s).kind(), total));
                }
            }
            return compact(ws.map(output), output);
        } finally {
            ws.input = null;
            ws.nanos = null;
            idle.offer(ws);
        }
    }

    /** The real channels of every pixel, without the padding. */
    private static float[] compact(float[] data, Tensor t) {
        float[] out = new float[t.h() * t.w() * t.c()];
        for (int p = 0; p < t.h() * t.w(); p++) {
            System.arraycopy(data, p * t.stride(), out, p * t.c(), t.c());
        }
        return out;
    }

    // ------------------------------------------------------------------ fusion

    /**
     * A step of the compiled pass: one layer, or a convolution with what was folded into it, or a block. Maps are
     * named by the layer that computes them: a folded layer's name is an alias of the map it passes on.
     */
    private record Fused(String output, List<String> inputs, Layer layer, Layers.Conv2D expand,
                         Layers.Conv2D project, Layers.Padding extraPadding, List<Stage> stages) { }

    private static List<Fused> fuse(List<KerasModel.Step> steps, String inputName, Map<String, String> alias) {
        Map<String, KerasModel.Step> producer = new HashMap<>();
        Map<String, Integer> position = new HashMap<>();
        Map<String, Integer> readers = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            producer.put(steps.get(i).name(), steps.get(i));
            position.put(steps.get(i).name(), i);
            steps.get(i).inputs().forEach(in -> readers.merge(in, 1, Integer::sum));
        }
        position.put(inputName, -1);
        Map<String, Layers.Padding> padOf = new HashMap<>();
        Map<String, String> residualOf = new HashMap<>();
        for (KerasModel.Step step : steps) {
            Layer layer = step.layer();
            if (layer instanceof Layers.Identity) {
                alias.put(step.name(), step.inputs().get(0));
            } else if (layer instanceof Layers.ZeroPadding2D pad && readers.getOrDefault(step.name(), 0) == 1) {
                KerasModel.Step reader = onlyReader(steps, step.name());
                if (reader.layer() instanceof Layers.Conv2D || reader.layer() instanceof Layers.DepthwiseConv2D) {
                    alias.put(step.name(), step.inputs().get(0));
                    padOf.put(reader.name(), pad.padding());
                }
            } else if (layer instanceof Layers.Add && step.inputs().size() == 2) {
                for (int side = 0; side < 2; side++) {
                    String conv = step.inputs().get(side);
                    String other = step.inputs().get(1 - side);
                    if (producer.containsKey(conv) && producer.get(conv).layer() instanceof Layers.Conv2D
                            && readers.get(conv) == 1 && position.get(other) < position.get(conv)
                            && !residualOf.containsKey(conv)) {
                        residualOf.put(conv, other);
                        alias.put(step.name(), conv);
                        break;
                    }
                }
            }
        }
        List<Fused> fused = new ArrayList<>();
        Set<String> absorbed = new HashSet<>();
        for (KerasModel.Step step : steps) {
            if (alias.containsKey(step.name()) || absorbed.contains(step.name())) {
                continue;
            }
            List<String> inputs = step.inputs().stream().map(in -> resolve(alias, in)).toList();
            Layer layer = step.layer();
            String output = step.name();
            if (layer instanceof Layers.DepthwiseConv2D dw) {
                Layers.Conv2D expand = null;
                String blockInput = inputs.get(0);
                KerasModel.Step e = producer.get(blockInput);
                if (e != null && isPointwise(e.layer(), padOf.get(e.name())) && readers.get(e.name()) == 1
                        && !residualOf.containsKey(e.name())) {
                    expand = (Layers.Conv2D) e.layer();
                    fused.removeIf(f -> f.output().equals(e.name()));
                    blockInput = resolve(alias, e.inputs().get(0));
                }
                Layers.Conv2D project = null;
                KerasModel.Step p = readers.getOrDefault(step.name(), 0) == 1 ? onlyReader(steps, step.name()) : null;
                if (p != null && isPointwise(p.layer(), padOf.get(p.name()))) {
                    project = (Layers.Conv2D) p.layer();
                    absorbed.add(p.name());
                    output = p.name();
                }
                List<String> blockInputs = new ArrayList<>(List.of(blockInput));
                String residual = project == null ? null : residualOf.get(p.name());
                if (residual != null) {
                    blockInputs.add(resolve(alias, residual));
                }
                List<Stage> stages = new ArrayList<>();
                if (expand != null) {
                    stages.add(new Stage(e.name(), "pointwise"));
                }
                stages.add(new Stage(step.name(), "depthwise"));
                if (project != null) {
                    stages.add(new Stage(output, "pointwise"));
                }
                fused.add(new Fused(output, blockInputs, dw, expand, project, padOf.get(step.name()), stages));
            } else {
                List<String> all = new ArrayList<>(inputs);
                if (residualOf.containsKey(step.name())) {
                    all.add(resolve(alias, residualOf.get(step.name())));
                }
                fused.add(new Fused(output, all, layer, null, null, padOf.get(step.name()),
                        List.of(new Stage(output, LayerTime.kindOf(layer)))));
            }
        }
        return fused;
    }

    private static boolean isPointwise(Layer layer, Layers.Padding extra) {
        return layer instanceof Layers.Conv2D c && c.kh == 1 && c.kw == 1 && c.sh == 1 && c.sw == 1
                && extra == null;
    }

    private static KerasModel.Step onlyReader(List<KerasModel.Step> steps, String name) {
        return steps.stream().filter(s -> s.inputs().contains(name)).findFirst().orElseThrow();
    }

    private static String resolve(Map<String, String> alias, String name) {
        String resolved = name;
        while (alias.containsKey(resolved)) {
            resolved = alias.get(resolved);
        }
        return resolved;
    }

    // ------------------------------------------------------------------ steps

    private Op build(Fused f, List<Tensor> in, Slots slots) {
        Layer layer = f.layer();
        if (layer instanceof Layers.DepthwiseConv2D dw) {
            return new BlockOp(f, in, dw, slots);
        }
        if (layer instanceof Layers.Conv2D conv) {
            return new ConvOp(conv, in.get(0), in.size() > 1 ? in.get(1) : null, f.extraPadding(), slots);
        }
        if (layer instanceof Layers.ZeroPadding2D pad) {
            return new PadOp(in.get(0), pad.padding(), slots);
        }
        if (layer instanceof Layers.BatchNormalization bn) {
            return new AffineOp(in.get(0), bn, slots);
        }
        if (layer instanceof Layers.ReLU relu) {
            return new ClampOp(in.get(0), relu.max(), slots);
        }
        if (layer instanceof Layers.Add) {
            return new AddOp(in, slots);
        }
        if (layer instanceof Layers.AveragePooling2D pool) {
            return new PoolOp(in.get(0), pool, slots);
        }
        if (layer instanceof Layers.Flatten) {
            return new FlattenOp(in.get(0), slots);
        }
        if (layer instanceof Layers.Dense dense) {
            return new DenseOp(in.get(0), dense, slots);
        }
        throw new ModelFormatException("layer '" + f.output() + "' cannot be planned");
    }

    private Tensor allocate(Slots slots, int h, int w, int c) {
        int stride = Kernels.align(c, kernels.channelAlign());
        return new Tensor(slots.take(h * w * stride), h, w, c, stride);
    }

    private float[] packPointwise(Layers.Conv2D conv, int k, int coutPadded) {
        return Kernels.packPanels(conv.kernel, k, conv.filters, coutPadded, kernels.panelWidth());
    }

    private static float[] bias(Layers.Epilogue epilogue, int channels, int padded) {
        return epilogue.bias == null ? new float[padded] : Kernels.padChannels(epilogue.bias, channels, padded);
    }

    private static void checkKernel(String what, float[] kernel, int expected) {
        if (kernel.length != expected) {
            throw new ModelFormatException(what + " has " + kernel.length + " weights, its input needs " + expected);
        }
    }

    /** Splits {@code n} items into {@code parts} near-equal ranges, boundaries on multiples of {@code grain}. */
    private static int split(int n, int part, int parts, int grain) {
        long at = (long) n * part / parts;
        return part == parts ? n : (int) Math.min(n, at / grain * grain);
    }

    /** Runs {@code body(t)} for t in [0, tasks): the first on this thread, the others in the common pool. */
    private static void parallel(int tasks, IntConsumer body) {
        if (tasks <= 1) {
            body.accept(0);
            return;
        }
        ForkJoinTask<?>[] forks = new ForkJoinTask<?>[tasks - 1];
        for (int t = 1; t < tasks; t++) {
            int task = t;
            forks[t - 1] = ForkJoinPool.commonPool().submit(() -> body.accept(task));
        }
        body.accept(0);
        for (ForkJoinTask<?> fork : forks) {
            fork.join();
        }
    }

    private abstract static class Op {
        Tensor out;
        int firstStage;

        abstract void run(Workspace ws, int threads);

        /** Whether the op records its own stage times (it has several, or runs on several threads). */
        boolean timesItself() {
            return false;
        }
    }

    /**
     * A convolution: 1x1 with stride 1 straight on the map's pixels; otherwise each output row's windows copied
     * into a row of patches (im2col, zeros for padding) that the same pointwise kernel multiplies.
     */
    private final class ConvOp extends Op {
        private final Tensor in;
        private final Tensor residual;
        private final Layers.Conv2D conv;
        private final Layers.Padding pad;
        private final int patch;
        private final float[] packed;
        private final float[] bias;
        private final boolean direct;

        ConvOp(Layers.Conv2D conv, Tensor in, Tensor residual, Layers.Padding extra, Slots slots) {
            this.in = in;
            this.conv = conv;
            int padH = in.h() + (extra == null ? 0 : extra.top() + extra.bottom());
            int padW = in.w() + (extra == null ? 0 : extra.left() + extra.right());
            Layers.Padding same = Layers.Padding.of(conv.padding, padH, padW, conv.kh, conv.kw, conv.sh, conv.sw);
            this.pad = extra == null ? same : extra.plus(same);
            int outH = pad.outH(in.h(), conv.kh, conv.sh);
            int outW = pad.outW(in.w(), conv.kw, conv.sw);
            this.patch = conv.kh * conv.kw * in.c();
            checkKernel("Conv2D kernel", conv.kernel, patch * conv.filters);
            this.out = allocate(slots, outH, outW, conv.filters);
            if (residual != null && (residual.h() != outH || residual.w() != outW || residual.c() != conv.filters
                    || residual.stride() != out.stride())) {
                throw new ModelFormatException("Add of " + residual.h() + "x" + residual.w() + "x" + residual.c()
                        + " and " + outH + "x" + outW + "x" + conv.filters);
            }
            this.residual = residual;
            this.packed = packPointwise(conv, patch, out.stride());
            this.bias = bias(conv.epilogue, conv.filters, out.stride());
            this.direct = conv.kh == 1 && conv.kw == 1 && conv.sh == 1 && conv.sw == 1
                    && pad.equals(Layers.Padding.NONE);
            if (!direct) {
                im2colFloats = Math.max(im2colFloats, outW * patch);
            }
        }

        @Override
        void run(Workspace ws, int threads) {
            float[] x = ws.map(in);
            float[] y = ws.map(out);
            float[] r = residual == null ? null : ws.map(residual);
            int ys = out.stride();
            if (direct) {
                int rows = in.h() * in.w();
                int tasks = Math.min(threads, Math.max(1, rows / 64));
                parallel(tasks, t -> {
                    int from = split(rows, t, tasks, 8);
                    int to = split(rows, t + 1, tasks, 8);
                    kernels.pointwise(x, from * in.stride(), in.stride(), to - from, in.c(), packed, bias, ys,
                            conv.epilogue.reluMax, r, from * ys, y, from * ys);
                });
                return;
            }
            int tasks = Math.min(threads, out.h());
            parallel(tasks, t -> {
                float[] patches = ws.scratch(t).im2col;
                for (int oy = split(out.h(), t, tasks, 1); oy < split(out.h(), t + 1, tasks, 1); oy++) {
                    im2col(x, oy, patches);
                    int o = oy * out.w() * ys;
                    kernels.pointwise(patches, 0, patch, out.w(), patch, packed, bias, ys, conv.epilogue.reluMax,
                            r, o, y, o);
                }
            });
        }

        private void im2col(float[] x, int oy, float[] patches) {
            int c = in.c();
            int at = 0;
            for (int ox = 0; ox < out.w(); ox++) {
                int ix0 = ox * conv.sw - pad.left();
                boolean inside = ix0 >= 0 && ix0 + conv.kw <= in.w() && in.stride() == c;
                for (int ky = 0; ky < conv.kh; ky++) {
                    int iy = oy * conv.sh + ky - pad.top();
                    if (iy < 0 || iy >= in.h()) {
                        Arrays.fill(patches, at, at + conv.kw * c, 0f);
                        at += conv.kw * c;
                    } else if (inside) {
                        // The window's row is one run of the input (for the stem, 3 pixels x 3 colours).
                        System.arraycopy(x, (iy * in.w() + ix0) * c, patches, at, conv.kw * c);
                        at += conv.kw * c;
                    } else {
                        for (int kx = 0; kx < conv.kw; kx++, at += c) {
                            int ix = ix0 + kx;
                            if (ix < 0 || ix >= in.w()) {
                                Arrays.fill(patches, at, at + c, 0f);
                            } else {
                                System.arraycopy(x, (iy * in.w() + ix) * in.stride(), patches, at, c);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A depthwise convolution with, when the model has them, the 1x1 expansion before it and the 1x1 projection
     * (and residual Add) after it. Output rows are computed in bands: the expanded input rows a band needs go into
     * a ring (rows shared with the previous band are kept, not recomputed), the depthwise output of the band into
     * a small buffer, and the projection writes the band's final rows. Each thread takes a contiguous share of
     * the rows with its own ring.
     */
    private final class BlockOp extends Op {
        private final Tensor in;
        private final Tensor residual;
        private final Layers.DepthwiseConv2D dw;
        private final Layers.Conv2D expand;
        private final Layers.Conv2D project;
        private final Layers.Padding pad;
        private final int channels;
        private final int stride;
        private final float[] expandPacked;
        private final float[] expandBias;
        private final float[] dwKernel;
        private final float[] dwBias;
        private final float[] projectPacked;
        private final float[] projectBias;
        private final int outH;
        private final int outW;
        private final int band;
        private final int ringRows;

        BlockOp(Fused f, List<Tensor> inputs, Layers.DepthwiseConv2D dw, Slots slots) {
            this.in = inputs.get(0);
            this.dw = dw;
            this.expand = f.expand();
            this.project = f.project();
            int c = expand == null ? in.c() : expand.filters;
            this.channels = c;
            this.stride = Kernels.align(c, kernels.channelAlign());
            if (expand != null) {
                checkKernel("Conv2D kernel", expand.kernel, in.c() * c);
                expandPacked = packPointwise(expand, in.c(), stride);
                expandBias = bias(expand.epilogue, c, stride);
            } else {
                expandPacked = null;
                expandBias = null;
            }
            checkKernel("DepthwiseConv2D kernel", dw.kernel, dw.kh * dw.kw * c);
            dwKernel = new float[dw.kh * dw.kw * stride];
            for (int tap = 0; tap < dw.kh * dw.kw; tap++) {
                System.arraycopy(dw.kernel, tap * c, dwKernel, tap * stride, c);
            }
            dwBias = bias(dw.epilogue, c, stride);
            Layers.Padding extra = f.extraPadding();
            int padH = in.h() + (extra == null ? 0 : extra.top() + extra.bottom());
            int padW = in.w() + (extra == null ? 0 : extra.left() + extra.right());
            Layers.Padding same = Layers.Padding.of(dw.padding, padH, padW, dw.kh, dw.kw, dw.sh, dw.sw);
            this.pad = extra == null ? same : extra.plus(same);
            if (dw.sh != dw.sw) {
                throw new ModelFormatException("depthwise convolution with strides " + dw.sh + "x" + dw.sw);
            }
            outH = pad.outH(in.h(), dw.kh, dw.sh);
            outW = pad.outW(in.w(), dw.kw, dw.sw);
            if (project != null) {
                checkKernel("Conv2D kernel", project.kernel, c * project.filters);
                out = allocate(slots, outH, outW, project.filters);
                projectPacked = packPointwise(project, c, out.stride());
                projectBias = bias(project.epilogue, project.filters, out.stride());
            } else {
                out = allocate(slots, outH, outW, c);
                projectPacked = null;
                projectBias = null;
            }
            this.residual = inputs.size() > 1 ? inputs.get(1) : null;
            if (residual != null && (residual.h() != outH || residual.w() != outW || residual.c() != out.c()
                    || residual.stride() != out.stride())) {
                throw new ModelFormatException("Add of " + residual.h() + "x" + residual.w() + "x" + residual.c()
                        + " and " + outH + "x" + outW + "x" + out.c());
            }
            band = Math.min(outH, Math.max(1, (BAND_PIXELS + outW - 1) / outW));
            ringRows = Math.min(in.h(), (band - 1) * dw.sh + dw.kh);
            // The ring's rows, then one row of zeros for padding rows.
            ringFloats = Math.max(ringFloats, (ringRows + 1) * in.w() * stride);
            if (project != null) {
                bandFloats = Math.max(bandFloats, band * outW * stride);
            }
            maxKernelRows = Math.max(maxKernelRows, dw.kh);
        }

        @Override
        boolean timesItself() {
            return true;
        }

        @Override
        void run(Workspace ws, int threads) {
            int tasks = Math.min(threads, outH);
            parallel(tasks, t -> rows(ws, t, split(outH, t, tasks, 1), split(outH, t + 1, tasks, 1)));
        }

        /** Output rows [from, to) on worker {@code t}. */
        private void rows(Workspace ws, int t, int from, int to) {
            Scratch scratch = ws.scratch(t);
            float[] x = ws.map(in);
            float[] y = ws.map(out);
            float[] res = residual == null ? null : ws.map(residual);
            float[] ring = scratch.ring;
            int rowFloats = in.w() * stride;
            int zeroRow = ringRows * rowFloats;
            Arrays.fill(ring, zeroRow, zeroRow + rowFloats, 0f);
            int[] rowAt = scratch.rows;
            int s = dw.sh;
            int next = Integer.MIN_VALUE;
            int stage = firstStage;
            int dwStage = expand == null ? stage : stage + 1;
            for (int b = from; b < to; b += band) {
                int end = Math.min(to, b + band);
                int lo = Math.max(0, b * s - pad.top());
                int hi = Math.min(in.h() - 1, (end - 1) * s - pad.top() + dw.kh - 1);
                long start = ws.clock();
                for (int r = Math.max(next, lo); r <= hi; ) {
                    int slot = r % ringRows;
                    int n = Math.min(hi - r + 1, ringRows - slot);
                    fill(x, r, n, ring, slot * rowFloats);
                    r += n;
                }
                next = Math.max(next, hi + 1);
                if (expand != null) {
                    ws.time(t, stage, start);
                    start = ws.clock();
                }
                float[] dest = project == null ? y : scratch.band;
                for (int oy = b; oy < end; oy++) {
                    for (int ky = 0; ky < dw.kh; ky++) {
                        int iy = oy * s + ky - pad.top();
                        rowAt[ky] = iy < 0 || iy >= in.h() ? zeroRow : (iy % ringRows) * rowFloats;
                    }
                    int o = project == null ? oy * outW * stride : (oy - b) * outW * stride;
                    kernels.depthwiseRow(ring, rowAt, in.w(), stride, dw.kh, dw.kw, s, pad.left(), dwKernel, dwBias,
                            dw.epilogue.reluMax, dest, o, outW);
                }
                ws.time(t, dwStage, start);
                if (project != null) {
                    start = ws.clock();
                    int o = b * outW * out.stride();
                    kernels.pointwise(scratch.band, 0, stride, (end - b) * outW, channels, projectPacked, projectBias,
                            out.stride(), project.epilogue.reluMax, res, o, y, o);
                    ws.time(t, dwStage + 1, start);
                }
            }
        }

        /** Input rows [r, r + n) into the ring at {@code at}: expanded, or copied with the channel padding. */
        private void fill(float[] x, int r, int n, float[] ring, int at) {
            int pixels = n * in.w();
            if (expand != null) {
                kernels.pointwise(x, r * in.w() * in.stride(), in.stride(), pixels, in.c(), expandPacked, expandBias,
                        stride, expand.epilogue.reluMax, null, 0, ring, at);
            } else if (in.stride() == stride) {
                System.arraycopy(x, r * in.w() * stride, ring, at, pixels * stride);
            } else {
                for (int p = 0; p < pixels; p++) {
                    int o = at + p * stride;
                    System.arraycopy(x, (r * in.w() + p) * in.stride(), ring, o, channels);
                    Arrays.fill(ring, o + channels, o + stride, 0f);
                }
            }
        }
    }

    /** An unfused layer of one input map whose output map starts from zeros (its channel padding stays zero). */
    private abstract static class MapOp extends Op {
        final Tensor in;

        MapOp(Tensor in) {
            this.in = in;
        }

        @Override
        final void run(Workspace ws, int threads) {
            float[] y = ws.map(out);
            Arrays.fill(y, 0, out.floats(), 0f);
            compute(ws, ws.map(in), y);
        }

        abstract void compute(Workspace ws, float[] x, float[] y);
    }

    /** An unfused ZeroPadding2D. */
    private final class PadOp extends MapOp {
        private final Layers.Padding pad;

        PadOp(Tensor in, Layers.Padding pad, Slots slots) {
            super(in);
            this.pad = pad;
            this.out = allocate(slots, in.h() + pad.top() + pad.bottom(), in.w() + pad.left() + pad.right(), in.c());
        }

        @Override
        void compute(Workspace ws, float[] x, float[] y) {
            for (int iy = 0; iy < in.h(); iy++) {
                for (int ix = 0; ix < in.w(); ix++) {
                    System.arraycopy(x, (iy * in.w() + ix) * in.stride(), y,
                            ((iy + pad.top()) * out.w() + ix + pad.left()) * out.stride(), in.c());
                }
            }
        }
    }

    /** Per-channel work on every pixel of one map, leaving the channel padding zero. */
    private abstract class ChannelOp extends MapOp {
        ChannelOp(Tensor in, Slots slots) {
            super(in);
            this.out = allocate(slots, in.h(), in.w(), in.c());
        }

        @Override
        final void compute(Workspace ws, float[] x, float[] y) {
            for (int p = 0; p < in.h() * in.w(); p++) {
                for (int ch = 0; ch < in.c(); ch++) {
                    y[p * out.stride() + ch] = apply(ws, p, ch, x[p * in.stride() + ch]);
                }
            }
        }

        abstract float apply(Workspace ws, int pixel, int channel, float value);
    }

    /** An unfused BatchNormalization. */
    private final class AffineOp extends ChannelOp {
        private final Layers.BatchNormalization bn;

        AffineOp(Tensor in, Layers.BatchNormalization bn, Slots slots) {
            super(in, slots);
            if (bn.scale.length != in.c()) {
                throw new ModelFormatException("batch normalization of " + bn.scale.length
                        + " channels after a map of " + in.c());
            }
            this.bn = bn;
        }

        @Override
        float apply(Workspace ws, int pixel, int channel, float value) {
            return value * bn.scale[channel] + bn.shift[channel];
        }
    }

    /** An unfused ReLU. */
    private final class ClampOp extends ChannelOp {
        private final float max;

        ClampOp(Tensor in, float max, Slots slots) {
            super(in, slots);
            this.max = max;
        }

        @Override
        float apply(Workspace ws, int pixel, int channel, float value) {
            return Math.min(Math.max(value, 0f), max);
        }
    }

    /** An unfused Add. */
    private final class AddOp extends ChannelOp {
        private final List<Tensor> others;

        AddOp(List<Tensor> inputs, Slots slots) {
            super(inputs.get(0), slots);
            this.others = inputs.subList(1, inputs.size());
            for (Tensor other : others) {
                if (other.h() != in.h() || other.w() != in.w() || other.c() != in.c()) {
                    throw new ModelFormatException("Add of " + in.h() + "x" + in.w() + "x" + in.c() + " and "
                            + other.h() + "x" + other.w() + "x" + other.c());
                }
            }
        }

        @Override
        float apply(Workspace ws, int pixel, int channel, float value) {
            float sum = value;
            for (Tensor other : others) {
                sum += ws.map(other)[pixel * other.stride() + channel];
            }
            return sum;
        }
    }

    private final class PoolOp extends MapOp {
        private final Layers.AveragePooling2D pool;

        PoolOp(Tensor in, Layers.AveragePooling2D pool, Slots slots) {
            super(in);
            this.pool = pool;
            this.out = allocate(slots, (in.h() - pool.ph()) / pool.sh() + 1, (in.w() - pool.pw()) / pool.sw() + 1,
                    in.c());
        }

        @Override
        void compute(Workspace ws, float[] x, float[] y) {
            for (int oy = 0; oy < out.h(); oy++) {
                for (int ox = 0; ox < out.w(); ox++) {
                    int o = (oy * out.w() + ox) * out.stride();
                    for (int ky = 0; ky < pool.ph(); ky++) {
                        for (int kx = 0; kx < pool.pw(); kx++) {
                            int i = ((oy * pool.sh() + ky) * in.w() + ox * pool.sw() + kx) * in.stride();
                            for (int ch = 0; ch < in.c(); ch++) {
                                y[o + ch] += x[i + ch];
                            }
                        }
                    }
                    for (int ch = 0; ch < in.c(); ch++) {
                        y[o + ch] /= pool.ph() * pool.pw();
                    }
                }
            }
        }
    }

    private final class FlattenOp extends MapOp {
        FlattenOp(Tensor in, Slots slots) {
            super(in);
            this.out = allocate(slots, 1, 1, in.h() * in.w() * in.c());
        }

        @Override
        void compute(Workspace ws, float[] x, float[] y) {
            for (int p = 0; p < in.h() * in.w(); p++) {
                System.arraycopy(x, p * in.stride(), y, p * in.c(), in.c());
            }
        }
    }

    /** Dense: the pointwise kernel on one pixel; a ReLU is its uncapped clamp, softmax follows. */
    private final class DenseOp extends Op {
        private final Tensor in;
        private final Layers.Dense dense;
        private final float[] packed;
        private final float[] bias;

        DenseOp(Tensor in, Layers.Dense dense, Slots slots) {
            if (in.h() * in.w() != 1) {
                throw new ModelFormatException("Dense of " + dense.units + " units got a " + in.h() + "x" + in.w()
                        + " map (Flatten first)");
            }
            checkKernel("Dense kernel", dense.kernel, in.c() * dense.units);
            this.in = in;
            this.dense = dense;
            this.out = allocate(slots, 1, 1, dense.units);
            this.packed = Kernels.packPanels(dense.kernel, in.c(), dense.units, out.stride(), kernels.panelWidth());
            this.bias = dense.bias == null ? new float[out.stride()]
                    : Kernels.padChannels(dense.bias, dense.units, out.stride());
        }

        @Override
        void run(Workspace ws, int threads) {
            float[] y = ws.map(out);
            float relu = dense.activation == Layers.Activation.RELU ? Float.POSITIVE_INFINITY : Float.NaN;
            kernels.pointwise(ws.map(in), 0, in.stride(), 1, in.c(), packed, bias, out.stride(), relu, null, 0, y, 0);
            if (dense.activation == Layers.Activation.SOFTMAX) {
                Layers.softmax(y, 0, dense.units);
            }
        }
    }

    // ------------------------------------------------------------------ memory

    /** Slots for feature maps: a map takes a free slot (growing it if needed), gives it back after its last read. */
    private static final class Slots {
        final List<Integer> sizes = new ArrayList<>();
        private final List<Integer> free = new ArrayList<>();

        int take(int floats) {
            int best = -1;
            for (int slot : free) {
                if (best < 0 || fits(slot, floats, best)) {
                    best = slot;
                }
            }
            if (best < 0) {
                sizes.add(floats);
                return sizes.size() - 1;
            }
            free.remove(Integer.valueOf(best));
            sizes.set(best, Math.max(sizes.get(best), floats));
            return best;
        }

        /** Prefers the smallest free slot that holds the map, else the largest. */
        private boolean fits(int slot, int floats, int best) {
            int size = sizes.get(slot);
            int bestSize = sizes.get(best);
            if (size >= floats) {
                return bestSize < floats || size < bestSize;
            }
            return bestSize < floats && size > bestSize;
        }

        void release(int slot) {
            free.add(slot);
        }
    }

    /** Per worker: the ring of expanded rows, a band of depthwise output, a row of patches, tap row offsets. */
    private static final class Scratch {
        final float[] ring;
        final float[] band;
        final float[] im2col;
        final int[] rows;

        Scratch(int ring, int band, int im2col, int rows) {
            this.ring = new float[ring];
            this.band = new float[band];
            this.im2col = new float[im2col];
            this.rows = new int[rows];
        }
    }

    /** Everything one forward pass writes; reused by the next pass that finds it idle. */
    private final class Workspace {
        final float[][] slots = new float[slotFloats.length][];
        final Scratch[] scratch = new Scratch[MAX_THREADS];
        float[] input;
        long[][] nanos;

        Workspace() {
            for (int i = 0; i < slots.length; i++) {
                slots[i] = new float[slotFloats[i]];
            }
        }

        float[] map(Tensor t) {
            return t.slot() < 0 ? input : slots[t.slot()];
        }

        Scratch scratch(int worker) {
            if (scratch[worker] == null) {
                scratch[worker] = new Scratch(ringFloats, bandFloats, im2colFloats, maxKernelRows);
            }
            return scratch[worker];
        }

        /** A start time when profiling, else 0 without reading the clock. */
        long clock() {
            return nanos == null ? 0 : System.nanoTime();
        }

        void time(int worker, int stage, long start) {
            if (nanos != null) {
                nanos[worker][stage] += System.nanoTime() - start;
            }
        }
    }
}
