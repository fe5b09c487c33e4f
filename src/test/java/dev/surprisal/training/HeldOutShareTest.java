package dev.surprisal.training;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How much of a corpus calibrates the thresholds: enough events for the budget's tail in a stream. */
class HeldOutShareTest {

    private static Corpus stream(int events) {
        return new Corpus(List.of(new ArrayList<>(Collections.nCopies(events, "line"))));
    }

    @Test
    void aStreamHoldsOutEnoughEventsForAboutThreeBeyondTheBudget() {
        TrainingOptions onePercent = TrainingOptions.defaults();
        assertEquals(0.3, onePercent.heldOutFraction(stream(1_000)), 1e-9, "300 of 1,000 events for a 1% budget");
        assertEquals(0.1, onePercent.heldOutFraction(stream(10_000)), 1e-9, "the configured share when it is enough");
        assertEquals(0.5, onePercent.withThresholdPercentile(99.9).heldOutFraction(stream(1_000)), 1e-9,
                "never more than half");
    }

    @Test
    void sessionsAreHeldOutAtTheConfiguredShare() {
        List<List<String>> sessions = new ArrayList<>();
        for (int i = 0; i < Corpus.SHUFFLED; i++) {
            sessions.add(List.of("a", "b"));
        }
        assertEquals(0.1, TrainingOptions.defaults().heldOutFraction(new Corpus(sessions)), 1e-9);
    }
}
