package dev.surprisal.evaluate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Figures worked out by hand for a five-item fixture with a tie across the labels. */
class DetectionTest {

    // scores 0.9 (anomalous), 0.8 (anomalous), 0.8 (normal: ties with the one before), 0.3 (normal), 0.1 (anomalous)
    private final Detection d = new Detection(new double[] {0.9, 0.8, 0.8, 0.3, 0.1},
            new boolean[] {true, true, false, false, true});

    @Test
    void confusionAtAThresholdFlagsScoresAboveIt() {
        Detection.Confusion c = d.at(0.5);
        assertEquals(2, c.truePositives());
        assertEquals(1, c.falsePositives());
        assertEquals(1, c.falseNegatives());
        assertEquals(1, c.trueNegatives());
        assertEquals(2.0 / 3, c.precision(), 1e-12);
        assertEquals(2.0 / 3, c.recall(), 1e-12);
        assertEquals(2.0 / 3, c.f1(), 1e-12);
        // a tied pair is flagged together: a threshold between them does not exist
        assertEquals(1, d.at(0.8).truePositives());
        assertEquals(0, d.at(0.8).falsePositives());
    }

    @Test
    void atRecallIsTheHighestCutThatFindsThatShare() {
        // two of three anomalous items: above 0.3 (0.9, 0.8 and the tied normal 0.8 flagged)
        Detection.Confusion two = d.atRecall(0.6);
        assertEquals(0.3, two.threshold(), 1e-12);
        assertEquals(1, two.falsePositives());
        // all three: only flagging everything finds the 0.1, so both normal items are flagged
        Detection.Confusion all = d.atRecall(0.99);
        assertEquals(3, all.truePositives());
        assertEquals(1.0, all.falsePositiveRate(), 1e-12);
    }

    @Test
    void rocAucGivesTiesHalfCredit() {
        // positive-negative pairs: (.9,.8)=1 (.9,.3)=1 (.8,.8)=.5 (.8,.3)=1 (.1,.8)=0 (.1,.3)=0 -> 3.5 / 6
        assertEquals(3.5 / 6, d.rocAuc(), 1e-12);
    }

    @Test
    void prAucIsAveragePrecisionOverDistinctThresholds() {
        // recall steps: 1/3 at precision 1, 1/3 at precision 2/3, 1/3 at precision 3/5
        assertEquals(1.0 / 3 + (1.0 / 3) * (2.0 / 3) + (1.0 / 3) * 0.6, d.prAuc(), 1e-12);
    }

    @Test
    void bestF1PicksTheBestCut() {
        Detection.Confusion best = d.bestF1();
        assertEquals(0.75, best.f1(), 1e-12); // flag everything: precision 3/5, recall 1
        assertEquals(5, best.truePositives() + best.falsePositives());
    }

    @Test
    void oracleF1FlagsIdenticalContentTogether() {
        // groups: a 1/1, d 1/1, b 1 of 2, c 0/1 -> best is a, d and b: precision 3/4, recall 1
        assertEquals(2 * 0.75 / 1.75, Detection.oracleF1(List.of("a", "b", "b", "c", "d"),
                new boolean[] {true, true, false, false, true}), 1e-12);
    }

    @Test
    void withoutBothClassesTheAreasAreUndefined() {
        Detection allNormal = new Detection(new double[] {1, 2}, new boolean[] {false, false});
        assertTrue(Double.isNaN(allNormal.rocAuc()));
        assertTrue(Double.isNaN(allNormal.prAuc()));
        assertEquals(1, allNormal.at(1.5).falsePositives());
    }
}
