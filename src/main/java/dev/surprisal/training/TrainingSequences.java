package dev.surprisal.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** A corpus's sessions as the training loop takes them: segments, batches of them, and windows of a batch. */
final class TrainingSequences {

    private TrainingSequences() {
    }

    /** The truncated back-propagation windows of a batch. */
    static long windows(List<int[]> batch, int bptt) {
        int length = batch.stream().mapToInt(s -> s.length).max().orElseThrow() - 1;
        return (length + bptt - 1) / bptt;
    }

    /**
     * Each session as [bos, tokens…, bos]: the closing bos teaches the model where sessions end
     * (not for a session cut before its end). Cut into segments that overlap by one token so no
     * label is lost.
     */
    static List<int[]> segments(List<int[]> sessions, boolean[] ends, int bosId, int maxSegmentTokens) {
        List<int[]> out = new ArrayList<>();
        int segment = maxSegmentTokens;
        for (int s = 0; s < sessions.size(); s++) {
            int[] ids = sessions.get(s);
            int[] seq = new int[ids.length + (ends[s] ? 2 : 1)];
            seq[0] = bosId;
            System.arraycopy(ids, 0, seq, 1, ids.length);
            if (ends[s]) {
                seq[seq.length - 1] = bosId;
            }
            for (int from = 0; from + 1 < seq.length; from += segment) {
                out.add(Arrays.copyOfRange(seq, from, Math.min(seq.length, from + segment + 1)));
            }
        }
        return out;
    }

    /** Sequences of similar length together (less padding), batchSize at a time. */
    static List<List<int[]>> batches(List<int[]> sequences, int batchSize) {
        List<int[]> sorted = new ArrayList<>(sequences);
        sorted.sort(Comparator.comparingInt(s -> s.length));
        List<List<int[]>> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i += batchSize) {
            out.add(sorted.subList(i, Math.min(sorted.size(), i + batchSize)));
        }
        return out;
    }

    /** Inputs, labels and loss mask of columns [from, from + width) of a batch; padding is masked. */
    record Window(int[] inputs, long[] labels, float[] mask, int counted) {
        static Window of(List<int[]> batch, int from, int width) {
            int rows = batch.size();
            int[] inputs = new int[rows * width];
            long[] labels = new long[rows * width];
            float[] mask = new float[rows * width];
            int counted = 0;
            for (int r = 0; r < rows; r++) {
                int[] seq = batch.get(r);
                for (int t = 0; t < width; t++) {
                    int i = from + t;
                    if (i + 1 < seq.length) {
                        inputs[r * width + t] = seq[i];
                        labels[r * width + t] = seq[i + 1];
                        mask[r * width + t] = 1f;
                        counted++;
                    }
                }
            }
            return new Window(inputs, labels, mask, counted);
        }
    }
}
