package dev.surprisal.scoring;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CalibrationTest {

    private static double[] oneTo(int n) {
        return IntStream.rangeClosed(1, n).mapToDouble(i -> i).toArray();
    }

    @Test
    void theCutLeavesAboveItAsManyHeldOutScoresAsTheBudgetAllowsWithConfidence() {
        // 400 sessions, 1% budget: P(Binomial(400, 1%) <= 1) = 0.09, <= 2 is 0.24; so one of 400 may lie above
        assertEquals(399, CorpusScore.withinBudget(oneTo(400), 99));
        assertEquals(400, CorpusScore.withinBudget(oneTo(400), 99.5));
        // 10,000 sessions: 86 above the cut where the plain conformal cut would leave 99
        assertEquals(9_914, CorpusScore.withinBudget(oneTo(10_000), 99));
    }

    @Test
    void newNormalSessionsStayWithinTheBudgetInNineDrawsOfTen() {
        // held-out scores uniform on [0, 1]: a cut at c flags a share 1 - c of new normal sessions
        Random random = new Random(7);
        int draws = 4000;
        int over = 0;
        double plainOver = 0;
        for (int d = 0; d < draws; d++) {
            double[] held = random.doubles(400).toArray();
            over += 1 - CorpusScore.withinBudget(held, 99) > 0.01 ? 1 : 0;
            double[] sorted = held.clone();
            java.util.Arrays.sort(sorted);
            plainOver += 1 - sorted[396] > 0.01 ? 1 : 0; // the plain conformal cut, ceil(401 * 0.99) = 397th
        }
        assertTrue(over <= 0.1 * draws, over + " of " + draws + " draws flag more than the budget");
        assertTrue(plainOver > 0.3 * draws, "the plain cut exceeds the budget often: " + plainOver);
    }

    @Test
    void tooFewSessionsForTheBudgetGiveTheLargest() {
        // 50 sessions cannot tell a 1% tail: even the largest is exceeded by more than 1% in 60% of draws
        assertEquals(50, CorpusScore.withinBudget(oneTo(50), 99));
        assertEquals(98, CorpusScore.withinBudget(oneTo(98), 99));
    }

    @Test
    void aBudgetOfNothingIsTheLargestValueAndAWholeBudgetTheSmallest() {
        assertEquals(7, CorpusScore.withinBudget(new double[] {3, 7, 1}, 100));
        assertEquals(1, CorpusScore.withinBudget(new double[] {3, 7, 1}, 0));
    }
}
