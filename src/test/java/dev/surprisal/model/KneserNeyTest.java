package dev.surprisal.model;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KneserNeyTest {

    private static final int VOCABULARY = 12;
    private static final int BOS = 0;

    /** Sessions from a grammar where the next token mostly follows from the two before, ids 1..VOCABULARY-1. */
    private static List<int[]> sessions(long seed, int count) {
        Random random = new Random(seed);
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            int length = 3 + random.nextInt(8);
            int[] ids = new int[length];
            int previous = 1;
            int before = 2;
            for (int i = 0; i < length; i++) {
                int next = random.nextInt(10) < 8 ? 1 + ((previous + 2 * before) % 7) : 1 + random.nextInt(VOCABULARY - 3);
                ids[i] = next;
                before = previous;
                previous = next;
            }
            out.add(ids);
        }
        return out;
    }

    /** The probability of every token after a history, by scoring each one from a fresh copy of it. */
    private static double[] distribution(KneserNey kn, int[] history) {
        double[] p = new double[VOCABULARY];
        for (int w = 0; w < VOCABULARY; w++) {
            KneserNey.Session session = kn.newSession();
            session.score(history);
            p[w] = session.score(new int[] {w})[0].probability();
        }
        return p;
    }

    @Test
    void everyPredictionIsADistributionAndItsRankIsCountedExactly() {
        for (int order = 1; order <= KneserNey.MAX_ORDER; order++) {
            KneserNey kn = KneserNey.train(order, VOCABULARY, BOS, sessions(1, 300));
            for (int[] history : List.of(new int[0], new int[] {1}, new int[] {2, 3}, new int[] {11, 11, 11},
                    new int[] {5, 1, 2, 3})) {
                double[] p = distribution(kn, history);
                double sum = 0;
                for (double x : p) {
                    assertTrue(x > 0, "no token has probability zero");
                    sum += x;
                }
                assertEquals(1.0, sum, 1e-9, "order " + order);
                for (int w = 0; w < VOCABULARY; w++) {
                    int better = 0;
                    for (double x : p) {
                        better += x > p[w] ? 1 : 0;
                    }
                    KneserNey.Session session = kn.newSession();
                    session.score(history);
                    assertEquals(1 + better, session.score(new int[] {w})[0].rank(), "order " + order + " token " + w);
                }
            }
        }
    }

    @Test
    void longerContextsFitTheTextBetterThanShorterOnes() {
        List<int[]> train = sessions(2, 400);
        List<int[]> test = sessions(3, 100);
        double previous = Double.POSITIVE_INFINITY;
        for (int order = 1; order <= 3; order++) {
            KneserNey kn = KneserNey.train(order, VOCABULARY, BOS, train);
            double bits = 0;
            for (int[] session : test) {
                for (KneserNey.Prediction p : kn.newSession().score(session)) {
                    bits += p.bits();
                }
            }
            assertTrue(bits < previous, "order " + order + ": " + bits + " bits, order below: " + previous);
            previous = bits;
        }
    }

    @Test
    void survivesBeingWrittenAndReadBack() throws Exception {
        KneserNey kn = KneserNey.train(3, VOCABULARY, BOS, sessions(4, 50)).calibrated(12.5, 4);
        StringWriter text = new StringWriter();
        kn.write(text);
        KneserNey copy = KneserNey.read(new StringReader(text.toString()));
        assertEquals(12.5, copy.anomalyThreshold());
        assertEquals(4, copy.topG());
        int[] probe = {1, 2, 3, 9, 1, BOS};
        KneserNey.Prediction[] a = kn.newSession().score(probe);
        KneserNey.Prediction[] b = copy.newSession().score(probe);
        for (int i = 0; i < probe.length; i++) {
            assertEquals(a[i], b[i]);
        }
    }
}
