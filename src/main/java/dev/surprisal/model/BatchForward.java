package dev.surprisal.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import java.util.Arrays;
import java.util.List;

/**
 * How a batch of events of different sessions is scheduled and packed for the native engine:
 * sessions ordered longest event first, time segments that end where an event ends, states packed
 * into (layers, batch, hidden) tensors and back, and the reduction of each segment's log-softmax to
 * the per-position figures scoring keeps. Not thread-safe: {@link LanguageModel} calls it under its
 * lock.
 */
final class BatchForward {

    private final Model model;
    private final RnnLanguageModelBlock block;
    private final ParameterStore parameters;

    BatchForward(Model model, RnnLanguageModelBlock block, ParameterStore parameters) {
        this.model = model;
        this.block = block;
        this.parameters = parameters;
    }

    /** The per-position figures of one event, filled segment by segment. */
    private static final class Rows {
        final float[] logProb;
        final int[] rank;
        final float[] entropy;
        final int[] topIds;
        final float[] topLogProbs;

        Rows(int positions, int k) {
            logProb = new float[positions];
            rank = new int[positions];
            entropy = new float[positions];
            topIds = new int[positions * k];
            topLogProbs = new float[positions * k];
        }

        LanguageModel.Forward forward(int k, float[] state) {
            return new LanguageModel.Forward(logProb.length, k, logProb, rank, entropy, topIds, topLogProbs, state);
        }
    }

    /** Forwards of one event per session, in the order given; the caller holds the model's lock. */
    List<LanguageModel.Forward> run(List<float[]> states, List<int[]> tokens, int k, boolean topEverywhere) {
        ModelSpec spec = block.spec();
        int batch = states.size();
        int slice = spec.layers() * spec.hiddenSize();
        boolean lstm = spec.cell() == ModelSpec.Cell.LSTM;
        Integer[] order = new Integer[batch];
        for (int b = 0; b < batch; b++) {
            order[b] = b;
        }
        Arrays.sort(order, (x, y) -> Integer.compare(tokens.get(y).length, tokens.get(x).length));
        // working state per session in sorted order: h of every layer, then c of every layer
        float[][] working = new float[batch][];
        Rows[] rows = new Rows[batch];
        for (int i = 0; i < batch; i++) {
            working[i] = states.get(order[i]).clone();
            rows[i] = new Rows(tokens.get(order[i]).length + 1, k);
        }
        int running = batch;
        int time = 0;
        while (running > 0) {
            int end = tokens.get(order[running - 1]).length;
            // a call's logits are (running, steps + 1, vocab): cut the segment in time to stay within the cap
            int maxSteps = (int) Math.max(1, DjlRuntime.maxLogitsPerCall() / ((long) running * spec.vocabularySize()) - 1);
            for (int from = time; from < end; from += maxSteps) {
                segment(order, tokens, working, rows, running, from, Math.min(end, from + maxSteps), slice, lstm, k,
                        topEverywhere);
            }
            time = end;
            while (running > 0 && tokens.get(order[running - 1]).length == end) {
                running--;
            }
        }
        LanguageModel.Forward[] out = new LanguageModel.Forward[batch];
        for (int i = 0; i < batch; i++) {
            out[order[i]] = rows[i].forward(k, working[i]);
        }
        return Arrays.asList(out);
    }

    /** Tokens [from, to) of the first {@code running} sessions in one recurrent and one projection call. */
    private void segment(Integer[] order, List<int[]> tokens, float[][] working, Rows[] rows, int running,
                         int from, int to, int slice, boolean lstm, int k, boolean topEverywhere) {
        ModelSpec spec = block.spec();
        int hidden = spec.hiddenSize();
        int layers = spec.layers();
        int steps = to - from;
        int first = from == 0 ? 0 : 1;
        int positions = steps + 1 - first;
        long clock = KernelProfile.now();
        try (NDManager m = model.getNDManager().newSubManager()) {
            int[] ids = new int[running * steps];
            // position p of this segment is row from + first + p of its event, which scores token from + first + p
            int[] targets = new int[running * positions];
            float[] h0 = new float[layers * running * hidden];
            float[] c0 = new float[lstm ? layers * running * hidden : 0];
            for (int b = 0; b < running; b++) {
                int[] event = tokens.get(order[b]);
                System.arraycopy(event, from, ids, b * steps, steps);
                for (int p = 0; p < positions; p++) {
                    int row = from + first + p;
                    targets[b * positions + p] = row < event.length ? event[row] : 0; // the prediction row has no target
                }
                for (int l = 0; l < layers; l++) {
                    System.arraycopy(working[b], l * hidden, h0, (l * running + b) * hidden, hidden);
                    if (lstm) {
                        System.arraycopy(working[b], slice + l * hidden, c0, (l * running + b) * hidden, hidden);
                    }
                }
            }
            Shape stateShape = new Shape(layers, running, hidden);              // (layers, batch, hidden)
            NDList in = new NDList(m.create(ids, new Shape(running, steps)), m.create(h0, stateShape)); // (batch, time)
            if (lstm) {
                in.add(m.create(c0, stateShape));
            }
            clock = KernelProfile.lap(KernelProfile.Phase.PACK, clock);
            NDList rnnOut = block.recurrent(parameters, in, false);            // (batch, time, hidden), h', c'
            clock = KernelProfile.lap(KernelProfile.Phase.RECURRENT, clock);
            NDArray hiddens = rnnOut.head();
            if (from == 0) {
                // the first segment also projects the stored state: it scores each event's first token
                NDArray previousTop = in.get(1).get(layers - 1).reshape(running, 1, hidden);
                hiddens = previousTop.concat(hiddens, 1);                       // (batch, time + 1, hidden)
            }
            NDArray logProbs = block.project(parameters, hiddens, false).logSoftmax(2); // (batch, positions, vocab)
            clock = KernelProfile.lap(KernelProfile.Phase.PROJECT, clock);
            Reduced r = reduce(logProbs, m.create(targets, new Shape(running, positions)), k, topEverywhere);
            int topRows = topEverywhere ? positions : 1; // else the segment's last position: an ending event's prediction
            clock = KernelProfile.lap(KernelProfile.Phase.REDUCE, clock);
            float[] h = rnnOut.get(1).toFloatArray();
            float[] c = lstm ? rnnOut.get(2).toFloatArray() : null;
            for (int b = 0; b < running; b++) {
                int row = from + first;
                System.arraycopy(r.logProb, b * positions, rows[b].logProb, row, positions);
                System.arraycopy(r.rank, b * positions, rows[b].rank, row, positions);
                System.arraycopy(r.entropy, b * positions, rows[b].entropy, row, positions);
                int topRow = topEverywhere ? row : to;
                System.arraycopy(r.topIds, b * topRows * k, rows[b].topIds, topRow * k, topRows * k);
                System.arraycopy(r.topLogProbs, b * topRows * k, rows[b].topLogProbs, topRow * k, topRows * k);
                for (int l = 0; l < layers; l++) {
                    System.arraycopy(h, (l * running + b) * hidden, working[b], l * hidden, hidden);
                    if (lstm) {
                        System.arraycopy(c, (l * running + b) * hidden, working[b], slice + l * hidden, hidden);
                    }
                }
            }
        }
        KernelProfile.lap(KernelProfile.Phase.UNPACK, clock);
    }

    /** The reduced figures of a (batch, positions, vocab) block, flattened batch-major. */
    record Reduced(float[] logProb, int[] rank, float[] entropy, int[] topIds, float[] topLogProbs) {
    }

    static Reduced reduce(NDArray logProbs, NDArray targets, int k) {
        return reduce(logProbs, targets, k, true);
    }

    /** With {@code topEverywhere} false, the top k of the last position only: (batch, 1, k). */
    static Reduced reduce(NDArray logProbs, NDArray targets, int k, boolean topEverywhere) {
        NDArray actual = logProbs.gather(targets.toType(DataType.INT64, false).expandDims(2), 2); // (batch, positions, 1)
        // counted as floats: summing the comparison's booleans as integers took 1.6 times as long (exact below 2^24)
        NDArray rank = logProbs.gt(actual).toType(DataType.FLOAT32, false).sum(new int[] {2}).add(1); // (batch, positions)
        // the probabilities are multiplied in place: one (batch, positions, vocab) block fewer written
        NDArray entropy = logProbs.exp().muli(logProbs).sum(new int[] {2}).neg();              // (batch, positions)
        NDArray ranked = topEverywhere ? logProbs : logProbs.get(":, -1:, :");                // (batch, positions or 1, vocab)
        NDList top = ranked.topK(k, 2, true, true);                                             // (batch, positions or 1, k) ×2
        return new Reduced(actual.toFloatArray(), rank.toType(DataType.INT32, false).toIntArray(),
                entropy.toFloatArray(), top.get(1).toType(DataType.INT32, false).toIntArray(), top.get(0).toFloatArray());
    }
}
