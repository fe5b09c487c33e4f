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
    void aFewHundredSessionsGiveOneOfTheLargestValues() {
        // 400 sessions, 1% budget: seeing at most 1 above the cut happens 9% of the time at a true 1% rate
        assertEquals(399, CorpusScore.withinBudget(oneTo(400), 99));
        // 0.5%: even the largest keeps the budget with less than 90% confidence; the largest it is
        assertEquals(400, CorpusScore.withinBudget(oneTo(400), 99.5));
        assertEquals(50, CorpusScore.withinBudget(oneTo(50), 99));
    }

    @Test
    void manySessionsApproachThePercentileFromTheSafeSide() {
        double cut = CorpusScore.withinBudget(oneTo(10_000), 99);
        // the plain 99th percentile is 9,900; about 1.3 standard deviations (13 sessions) above it
        assertTrue(cut > 9_900 && cut < 9_920, "cut at " + cut);
    }

    @Test
    void aBudgetOfNothingIsTheLargestValue() {
        assertEquals(7, CorpusScore.withinBudget(new double[] {3, 7, 1}, 100));
    }
}
