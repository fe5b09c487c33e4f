package dev.surprisal.evaluate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How well a score separates anomalous from normal items. Items are (score, label); an item is
 * flagged when its score is above the threshold. Ties in scores are handled exactly: tied items are
 * flagged together, ROC-AUC gives a tie half credit, and PR-AUC steps once per distinct score.
 */
public final class Detection {

    private final double[] scores;
    private final boolean[] labels;
    private final int positives;

    public Detection(double[] scores, boolean[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException("scores and labels differ in length");
        }
        this.scores = scores.clone();
        this.labels = labels.clone();
        int p = 0;
        for (boolean l : labels) {
            p += l ? 1 : 0;
        }
        this.positives = p;
    }

    public int size() {
        return scores.length;
    }

    /** Confusion counts and the usual ratios at one threshold. */
    public record Confusion(double threshold, long truePositives, long falsePositives, long falseNegatives,
                            long trueNegatives) {
        public double precision() {
            long flagged = truePositives + falsePositives;
            return flagged == 0 ? 0 : (double) truePositives / flagged;
        }

        public double recall() {
            long actual = truePositives + falseNegatives;
            return actual == 0 ? 0 : (double) truePositives / actual;
        }

        public double f1() {
            double p = precision();
            double r = recall();
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }

        public double falsePositiveRate() {
            long negatives = falsePositives + trueNegatives;
            return negatives == 0 ? 0 : (double) falsePositives / negatives;
        }
    }

    public Confusion at(double threshold) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long tn = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean flagged = scores[i] > threshold;
            if (flagged && labels[i]) {
                tp++;
            } else if (flagged) {
                fp++;
            } else if (labels[i]) {
                fn++;
            } else {
                tn++;
            }
        }
        return new Confusion(threshold, tp, fp, fn, tn);
    }

    /** One confusion per distinct way of cutting the sorted scores, from flagging nothing to flagging all. */
    public List<Confusion> sweep() {
        double[] distinct = Arrays.stream(scores).distinct().sorted().toArray();
        List<Confusion> out = new ArrayList<>(distinct.length + 1);
        if (distinct.length == 0) {
            return out;
        }
        out.add(at(Math.nextDown(distinct[0])));
        for (double s : distinct) {
            out.add(at(s));
        }
        return out;
    }

    /**
     * The cut that finds at least this share of the anomalous items with the fewest false positives:
     * the operating point a target such as "FPR at most 1% at recall 99%" is judged at.
     */
    public Confusion atRecall(double recall) {
        return sweep().stream().filter(c -> c.recall() >= recall).max(Comparator.comparingDouble(Confusion::threshold))
                .orElse(at(Double.NEGATIVE_INFINITY));
    }

    /** The threshold with the highest F1 (the lowest such threshold on ties). */
    public Confusion bestF1() {
        return sweep().stream().max(Comparator.comparingDouble(Confusion::f1)
                .thenComparing(Confusion::threshold, Comparator.reverseOrder())).orElse(at(0));
    }

    /** Probability that a random anomalous item scores above a random normal one (ties count half). */
    public double rocAuc() {
        int negatives = scores.length - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        Integer[] order = sortedIndices();
        double rankSumPositives = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (labels[order[k]]) {
                    rankSumPositives += averageRank;
                }
            }
            i = j + 1;
        }
        return (rankSumPositives - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** Average precision: precision at each distinct threshold, weighted by the recall it adds. */
    public double prAuc() {
        if (positives == 0) {
            return Double.NaN;
        }
        List<Confusion> points = new ArrayList<>(sweep());
        points.sort(Comparator.comparingDouble(Confusion::threshold).reversed());
        double area = 0;
        double previousRecall = 0;
        for (Confusion c : points) {
            area += (c.recall() - previousRecall) * c.precision();
            previousRecall = c.recall();
        }
        return area;
    }

    /**
     * The best F1 any detector could reach that sees only the items' content: identical content must
     * get the same verdict, so groups of identical items are flagged together, most anomalous first.
     */
    public static double oracleF1(List<String> contents, boolean[] labels) {
        Map<String, int[]> groups = new HashMap<>();
        for (int i = 0; i < labels.length; i++) {
            int[] counts = groups.computeIfAbsent(contents.get(i), k -> new int[2]);
            counts[labels[i] ? 1 : 0]++;
        }
        int total = 0;
        for (boolean l : labels) {
            total += l ? 1 : 0;
        }
        List<int[]> sorted = new ArrayList<>(groups.values());
        sorted.sort(Comparator.comparingDouble((int[] g) -> (double) g[1] / (g[0] + g[1])).reversed());
        double best = 0;
        long tp = 0;
        long fp = 0;
        for (int[] g : sorted) {
            tp += g[1];
            fp += g[0];
            double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
            double recall = total == 0 ? 0 : (double) tp / total;
            if (precision + recall > 0) {
                best = Math.max(best, 2 * precision * recall / (precision + recall));
            }
        }
        return best;
    }

    private Integer[] sortedIndices() {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        return order;
    }
}
