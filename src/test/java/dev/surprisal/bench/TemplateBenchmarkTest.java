package dev.surprisal.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Grouping accuracy by lines and its F1 over templates, on small cases worked by hand. */
class TemplateBenchmarkTest {

    private static final List<String> TRUTH = List.of("A", "A", "A", "B", "B", "C");

    @Test
    void exactGroupsAreRightEitherWay() {
        int[] mined = {7, 7, 7, 8, 8, 9};
        assertEquals(1.0, TemplateBenchmark.groupingAccuracy(mined, TRUTH));
        assertEquals(1.0, TemplateBenchmark.groupingF1(mined, TRUTH));
    }

    @Test
    void anOverMergedTemplateCostsItsLinesAndBothOfItsTemplates() {
        int[] mined = {1, 1, 1, 1, 1, 2}; // A and B mined as one
        assertEquals(1.0 / 6, TemplateBenchmark.groupingAccuracy(mined, TRUTH), 1e-12, "only C's line is right");
        double precision = 1.0 / 2; // of 2 mined templates, C's is right
        double recall = 1.0 / 3;    // of 3 true ones, C is found
        assertEquals(2 * precision * recall / (precision + recall), TemplateBenchmark.groupingF1(mined, TRUTH), 1e-12);
    }

    @Test
    void aSplitTemplateIsWrongInEveryPart() {
        int[] mined = {1, 1, 2, 3, 3, 4}; // A split in two
        assertEquals(3.0 / 6, TemplateBenchmark.groupingAccuracy(mined, TRUTH), 1e-12);
        double precision = 2.0 / 4;
        double recall = 2.0 / 3;
        assertEquals(2 * precision * recall / (precision + recall), TemplateBenchmark.groupingF1(mined, TRUTH), 1e-12);
    }
}
