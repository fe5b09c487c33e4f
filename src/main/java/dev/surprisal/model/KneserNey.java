package dev.surprisal.model;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The count-based baseline a sceptical user would try first: an interpolated Kneser-Ney n-gram
 * model over the same token ids as the RNN. Every level interpolates with the next shorter context
 * (continuation counts below the top order), and the unigram level with the uniform distribution,
 * so no token ever has probability zero.
 *
 * <p>A session is scored like the RNN scores it: it starts with {@code order - 1} session-start
 * tokens of context and, when asked, ends with the session-start token as its end. Besides each
 * token's probability, it gives the token's rank in the whole predicted distribution without
 * computing that distribution: a token that no context of order 2 or more has seen is ranked by its
 * unigram count alone, so a sorted array of those counts answers for all of them at once.
 *
 * <p>Saved as the top-order n-gram counts; everything else is derived from them when loading.
 */
public final class KneserNey {

    public static final int MAX_ORDER = 4;
    static final int ID_BITS = 21;
    static final String HEADER = "kneser-ney";

    final int order;
    final int vocabularySize;
    final int bosId;
    final Map<Long, Integer> topCounts;
    /** Per level k (index k-1): context of k-1 tokens → its followers and counts at that level. */
    private final List<Map<Long, Context>> levels = new ArrayList<>();
    private final double[] discounts;
    private final long[] sortedUnigramCounts;
    /** The anomaly rules' settings calibrated on held-out sessions, as for the RNN (0: not calibrated). */
    double anomalyThreshold;
    int topG;

    private static final class Context {
        final Map<Integer, Integer> counts = new HashMap<>();
        long total;
    }

    KneserNey(int order, int vocabularySize, int bosId, Map<Long, Integer> topCounts) {
        if (order < 1 || order > MAX_ORDER) {
            throw new IllegalArgumentException("n-gram order must be 1 to " + MAX_ORDER + ", was " + order);
        }
        if (vocabularySize >= 1 << ID_BITS) {
            throw new IllegalArgumentException("vocabulary too large for the n-gram baseline: " + vocabularySize);
        }
        this.order = order;
        this.vocabularySize = vocabularySize;
        this.bosId = bosId;
        this.topCounts = topCounts;
        this.discounts = new double[order];
        build();
        long[] unigram = new long[vocabularySize];
        Context root = levels.get(0).get(0L);
        if (root != null) {
            root.counts.forEach((w, c) -> unigram[w] = c);
        }
        Arrays.sort(unigram);
        this.sortedUnigramCounts = unigram;
    }

    /** Counts every n-gram of the sessions, each given as its token ids without session marks. */
    public static KneserNey train(int order, int vocabularySize, int bosId, List<int[]> sessions) {
        boolean[] ends = new boolean[sessions.size()];
        Arrays.fill(ends, true);
        return train(order, vocabularySize, bosId, sessions, ends);
    }

    /** @param ends whether each session ends where its ids do (a cut one teaches no end) */
    public static KneserNey train(int order, int vocabularySize, int bosId, List<int[]> sessions, boolean[] ends) {
        Map<Long, Integer> counts = new HashMap<>();
        for (int s = 0; s < sessions.size(); s++) {
            int[] padded = padded(order, bosId, sessions.get(s), ends[s]);
            for (int i = order - 1; i < padded.length; i++) {
                counts.merge(key(padded, i - order + 1, order), 1, Integer::sum);
            }
        }
        return new KneserNey(order, vocabularySize, bosId, counts);
    }

    private static int[] padded(int order, int bosId, int[] session, boolean ends) {
        int[] padded = new int[order - 1 + session.length + (ends ? 1 : 0)];
        Arrays.fill(padded, 0, order - 1, bosId);
        System.arraycopy(session, 0, padded, order - 1, session.length);
        if (ends) {
            padded[padded.length - 1] = bosId;
        }
        return padded;
    }

    /** Ids a[from], …, a[from + length - 1] packed into one long, first id in the highest bits. */
    private static long key(int[] a, int from, int length) {
        long k = 0;
        for (int i = from; i < from + length; i++) {
            k = (k << ID_BITS) | a[i];
        }
        return k;
    }

    static final long ID_MASK = (1L << ID_BITS) - 1;

    /**
     * Level {@code order} keeps the counts; each lower level k counts, for every k-gram, the distinct
     * tokens seen before it (its continuation count), which is what makes the lower orders
     * Kneser-Ney rather than plain backoff.
     */
    private void build() {
        for (int k = 0; k < order; k++) {
            levels.add(new HashMap<>());
        }
        Map<Long, Integer> grams = topCounts;
        for (int k = order; k >= 1; k--) {
            Map<Long, Context> level = levels.get(k - 1);
            Map<Long, Integer> lower = new HashMap<>();
            long ones = 0;
            long twos = 0;
            for (Map.Entry<Long, Integer> e : grams.entrySet()) {
                long gram = e.getKey();
                int count = e.getValue();
                int word = (int) (gram & ID_MASK);
                long context = gram >>> ID_BITS;
                Context c = level.computeIfAbsent(context, x -> new Context());
                c.counts.put(word, count);
                c.total += count;
                ones += count == 1 ? 1 : 0;
                twos += count == 2 ? 1 : 0;
                if (k > 1) {
                    long suffix = gram & ((1L << (ID_BITS * (k - 1))) - 1);
                    lower.merge(suffix, 1, Integer::sum);
                }
            }
            double d = ones + twos == 0 ? 0.5 : (double) ones / (ones + 2.0 * twos);
            discounts[k - 1] = Math.min(0.95, Math.max(0.05, d));
            grams = lower;
        }
    }

    public int order() {
        return order;
    }

    public int vocabularySize() {
        return vocabularySize;
    }

    public double anomalyThreshold() {
        return anomalyThreshold;
    }

    public int topG() {
        return topG;
    }

    public KneserNey calibrated(double threshold, int g) {
        this.anomalyThreshold = threshold;
        this.topG = g;
        return this;
    }

    /** Probability and rank of one token after a history (the last order - 1 ids matter). */
    public record Prediction(double probability, int rank) {
        public double bits() {
            return -Math.log(probability) / Math.log(2);
        }
    }

    /** A session being scored: the n-gram history carried across its events. */
    public final class Session {
        private final int[] history = startHistory();

        /** Scores the tokens in order, each then joining the history. */
        public Prediction[] score(int[] tokens) {
            Prediction[] out = new Prediction[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                out[i] = predict(history, tokens[i]);
                push(history, tokens[i]);
            }
            return out;
        }
    }

    /** The history after one more token: the oldest drops out. */
    static void push(int[] history, int token) {
        if (history.length > 0) {
            System.arraycopy(history, 1, history, 0, history.length - 1);
            history[history.length - 1] = token;
        }
    }

    public Session newSession() {
        return new Session();
    }

    /** The history a session starts from: the session-start token repeated, oldest first. */
    public int[] startHistory() {
        int[] history = new int[Math.max(0, order - 1)];
        Arrays.fill(history, bosId);
        return history;
    }

    /**
     * The distribution after one history (the last order - 1 tokens, oldest first), its contexts
     * looked up once for any number of tokens: what interpolating with another model needs.
     */
    public Next after(int[] history) {
        return new Next(contexts(history));
    }

    public final class Next {
        private final Context[] contexts;

        private Next(Context[] contexts) {
            this.contexts = contexts;
        }

        public double probability(int token) {
            return KneserNey.this.probability(contexts, token);
        }
    }

    private Prediction predict(int[] history, int token) {
        Context[] contexts = contexts(history);
        double p = probability(contexts, token);
        double lambdaAboveUnigram = 1;
        for (int k = order; k >= 2; k--) {
            lambdaAboveUnigram *= lambda(contexts[k - 1], k);
        }
        Set<Integer> seen = new HashSet<>();
        for (int k = order; k >= 2; k--) {
            if (contexts[k - 1] != null) {
                seen.addAll(contexts[k - 1].counts.keySet());
            }
        }
        int better = 0;
        for (int w : seen) {
            if (w != token && probability(contexts, w) > p) {
                better++;
            }
        }
        // tokens no longer context has seen: their probability grows with their unigram count alone
        Context root = contexts[0];
        double lambdaAll = lambdaAboveUnigram * lambda(root, 1);
        int from = firstAbove(root, lambdaAboveUnigram, lambdaAll, p);
        int unigramOnlyAbove = sortedUnigramCounts.length - from;
        for (int w : seen) {
            if (unigramOnlyProbability(root, w, lambdaAboveUnigram, lambdaAll) > p) {
                unigramOnlyAbove--;
            }
        }
        return new Prediction(p, 1 + better + unigramOnlyAbove);
    }

    private Context[] contexts(int[] history) {
        Context[] out = new Context[order];
        for (int k = 1; k <= order; k++) {
            out[k - 1] = levels.get(k - 1).get(key(history, history.length - (k - 1), k - 1));
        }
        return out;
    }

    private double lambda(Context c, int level) {
        return c == null || c.total == 0 ? 1 : discounts[level - 1] * c.counts.size() / c.total;
    }

    private double discounted(Context c, int level, int token) {
        if (c == null || c.total == 0) {
            return 0;
        }
        Integer count = c.counts.get(token);
        return count == null ? 0 : Math.max(count - discounts[level - 1], 0) / c.total;
    }

    private double probability(Context[] contexts, int token) {
        double p = 0;
        double weight = 1;
        for (int k = order; k >= 1; k--) {
            p += weight * discounted(contexts[k - 1], k, token);
            weight *= lambda(contexts[k - 1], k);
        }
        return p + weight / vocabularySize;
    }

    /** The probability {@link #probability} gives a token that only the unigram level has seen. */
    private double unigramOnlyProbability(Context root, int token, double lambdaAboveUnigram, double lambdaAll) {
        Integer count = root == null ? null : root.counts.get(token);
        return fromUnigramCount(root, count == null ? 0 : count, lambdaAboveUnigram, lambdaAll);
    }

    private double fromUnigramCount(Context root, long count, double lambdaAboveUnigram, double lambdaAll) {
        double discounted = root == null || root.total == 0 || count == 0 ? 0
                : Math.max(count - discounts[0], 0) / root.total;
        return 0 + lambdaAboveUnigram * discounted + lambdaAll / vocabularySize;
    }

    /** Index of the first sorted unigram count whose unigram-only probability exceeds {@code p}. */
    private int firstAbove(Context root, double lambdaAboveUnigram, double lambdaAll, double p) {
        int lo = 0;
        int hi = sortedUnigramCounts.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (fromUnigramCount(root, sortedUnigramCounts[mid], lambdaAboveUnigram, lambdaAll) > p) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    public void write(Writer out) throws IOException {
        KneserNeyFile.write(this, out);
    }

    public static KneserNey read(Reader in) throws IOException {
        return KneserNeyFile.read(in);
    }
}
