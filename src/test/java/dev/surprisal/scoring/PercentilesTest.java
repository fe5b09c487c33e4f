package dev.surprisal.scoring;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nearest-rank rule, case by case, on the values 1..100 (and the edges). */
class PercentilesTest {

    private static final double[] HUNDRED = IntStream.rangeClosed(1, 100).asDoubleStream().toArray();

    @ParameterizedTest(name = "p{0} of 1..100 is {1}")
    @CsvSource({"0, 1", "0.5, 1", "1, 1", "1.5, 2", "50, 50", "90, 90", "99, 99", "99.5, 100", "100, 100", "150, 100"})
    void nearestRank(double p, double expected) {
        assertEquals(expected, Percentiles.ofSorted(HUNDRED, p));
    }

    @ParameterizedTest(name = "p{0} of [5, 1, 3] is {1}")
    @CsvSource({"1, 1", "34, 3", "50, 3", "67, 5", "100, 5"})
    void unsortedValuesAreSortedFirst(double p, double expected) {
        double[] values = {5, 1, 3};
        assertEquals(expected, Percentiles.of(values, p));
        assertEquals(5, values[0], "the caller's array is left as it was");
    }

    @ParameterizedTest
    @CsvSource({"50", "99"})
    void noValuesHaveNoPercentile(double p) {
        assertTrue(Double.isNaN(Percentiles.of(new double[0], p)));
    }
}
