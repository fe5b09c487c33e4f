package dev.surprisal.stream;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyPlanTest {

    private static final long MS = 1_000_000;

    private static LatencyPlan plan(long targetMs) {
        return new LatencyPlan(new ScorerConfig(Map.of(ScorerConfig.LATENCY_TARGET_MS, targetMs)));
    }

    @Test
    void untilAModelCallIsMeasuredBatchesMayTakeTheConfiguredCap() {
        assertEquals(16_384, plan(100).tokenBudget(0));
    }

    @Test
    void aBatchTakesWhatTheModelScoresInItsShareOfTheTarget() {
        LatencyPlan fast = plan(100);
        fast.observe("m", 1000, 1000, 10 * MS); // 10 µs per token
        LatencyPlan slow = plan(100);
        slow.observe("m", 1000, 1000, 40 * MS);
        LatencyPlan relaxed = plan(250);
        relaxed.observe("m", 1000, 1000, 10 * MS);

        // (100 ms − a 10 ms window − 20 ms between commits) / 3 = 23.3 ms of model time
        assertEquals(2333, fast.tokenBudget(0));
        assertEquals(583, slow.tokenBudget(0));
        assertEquals(6000, relaxed.tokenBudget(0), "(250 − 20 − 50) / 3 = 60 ms");
        assertEquals(fast.tokenBudget(0), fast.planned());
        assertEquals(10e-6, fast.secondsPerToken(), 1e-12);
    }

    @Test
    void aBacklogOlderThanTheTargetIsScoredInBatchesAsLargeAsConfigured() {
        LatencyPlan plan = plan(100);
        plan.observe("m", 1000, 1000, 40 * MS);
        assertEquals(583, plan.tokenBudget(99 * MS));
        assertEquals(16_384, plan.tokenBudget(101 * MS));
    }

    @Test
    void theCostFollowsRecentBatchesAndStartsAfreshForANewModel() {
        LatencyPlan plan = plan(100);
        plan.observe("a", 1000, 1000, 10 * MS);
        plan.observe("a", 1000, 1000, 20 * MS);
        double moved = plan.secondsPerToken();
        assertTrue(moved > 10e-6 && moved < 20e-6, "a moving average: " + moved);
        plan.observe("b", 1000, 1000, 50 * MS);
        assertEquals(50e-6, plan.secondsPerToken(), 1e-12, "another model's cost is measured, not averaged in");
    }

    @Test
    void tokensAreExpectedFromTheCharactersAsRecentEventsHadThem() {
        LatencyPlan plan = plan(100);
        assertEquals(60, plan.expectedTokens(60), "one token per character until measured");
        plan.observe("words", 100, 500, MS);
        assertEquals(12, plan.expectedTokens(60));
    }
}
