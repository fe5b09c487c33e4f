package dev.surprisal.shadow;

import dev.surprisal.avro.AnomalyRule;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.ShadowState;
import dev.surprisal.avro.ShadowTrial;
import dev.surprisal.avro.TokenScore;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Events matched by id whichever side arrives first; each session's cold first event in the shadow left out. */
class ShadowComparisonTest {

    private static final ShadowTrial TRIAL = ShadowTrial.newBuilder().setCandidateVersion("v2").setPromotedVersion("v1")
            .setState(ShadowState.RUNNING).setRequestedAt(Instant.EPOCH).setEvents(3).setLiveTopic("scores")
            .setShadowTopic("scores.shadow").build();

    private static ScoredEvent scored(String id, String session, double bitsPerToken, boolean flagged) {
        List<TokenScore> tokens = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tokens.add(TokenScore.newBuilder().setToken("t").setSurprisalBits(bitsPerToken).setRank(1)
                    .setEntropyBits(1).setTopK(null).build());
        }
        return ScoredEvent.newBuilder().setEventId(id).setSessionId(session).setModelVersion("v").setEventTime(Instant.EPOCH)
                .setText("t").setTokens(tokens).setNextTokenPredictions(List.of()).setEventPerplexity(2)
                .setMeanSurprisalBits(bitsPerToken).setMaxSurprisalBits(bitsPerToken).setSessionPerplexity(2)
                .setSessionTokenCount(4).setAnomalous(flagged).setAnomalyScore(0)
                .setAnomalyRule(flagged ? AnomalyRule.PERPLEXITY : AnomalyRule.NONE).setPerplexityThreshold(2)
                .setTopG(0).build();
    }

    @Test
    void aCandidateWithFewerBitsAndNoMoreFlagsIsPromoted() {
        ShadowComparison c = new ShadowComparison();
        c.shadow(scored("e0", "s", 1, false)); // the shadow's cold start of session s: left out
        c.live(scored("e0", "s", 5, true));
        c.live(scored("e1", "s", 5, true));
        c.shadow(scored("e1", "s", 1, false));
        c.shadow(scored("e2", "s", 1, false)); // shadow first, live later
        c.live(scored("e2", "s", 5, false));
        c.live(scored("e3", "s", 5, false)); // never scored in shadow: not compared
        assertEquals(2, c.compared());
        ShadowTrial decided = c.decide(TRIAL, Instant.EPOCH);
        assertEquals(ShadowState.PROMOTED, decided.getState(), decided.getReason());
        assertEquals(4.0, decided.getCandidateBitsPerEvent(), 1e-9);
        assertEquals(20.0, decided.getPromotedBitsPerEvent(), 1e-9);
        assertEquals(0.5, decided.getAgreement(), 1e-9);
        assertEquals(1, decided.getFlaggedOnlyByPromoted());
    }

    @Test
    void aCandidateThatFlagsMoreIsRejectedEvenWithFewerBits() {
        ShadowComparison c = new ShadowComparison();
        c.shadow(scored("cold", "s", 1, false));
        for (int i = 0; i < 10; i++) {
            c.live(scored("e" + i, "s", 5, false));
            c.shadow(scored("e" + i, "s", 1, i < 3));
        }
        ShadowTrial decided = c.decide(TRIAL, Instant.EPOCH);
        assertEquals(ShadowState.REJECTED, decided.getState());
        assertTrue(decided.getReason().contains("flagged 30.0% vs 0.0%"), decided.getReason());
    }
}
