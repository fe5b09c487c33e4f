package dev.surprisal.scoring;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CalibrationTest {

    private static double[] oneTo(int n) {
        return IntStream.rangeClosed(1, n).mapToDouble(i -> i).toArray();
    }

    @Test
    void theCutIsTheConformalOrderStatistic() {
        // 400 sessions, 1% budget: the ceil(401 * 0.99) = 397th smallest, so 4 of 400 lie above it
        assertEquals(397, CorpusScore.withinBudget(oneTo(400), 99));
        assertEquals(399, CorpusScore.withinBudget(oneTo(400), 99.5));
        assertEquals(9_901, CorpusScore.withinBudget(oneTo(10_000), 99));
    }

    @Test
    void tooFewSessionsForTheBudgetGiveTheLargest() {
        // 50 sessions cannot tell a 1% tail: ceil(51 * 0.99) = 51 > 50
        assertEquals(50, CorpusScore.withinBudget(oneTo(50), 99));
        assertTrue(CorpusScore.withinBudget(oneTo(98), 99) == 98);
    }

    @Test
    void aBudgetOfNothingIsTheLargestValue() {
        assertEquals(7, CorpusScore.withinBudget(new double[] {3, 7, 1}, 100));
    }
}
