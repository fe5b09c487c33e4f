package dev.surprisal.session;

import dev.surprisal.avro.AnomalyRule;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.testing.TestModels;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NewTemplateTest {

    @Test
    void aLineThatFitsNoTemplateIsFlaggedAsANewTemplateAndShownAsTemplates() {
        List<String> training = List.of("connected to host 10.0.0.1 port 22", "connected to host 10.0.0.7 port 22",
                "session closed for user alice", "session closed for user bob");
        try (LanguageModel model = TestModels.tinyTemplateModel(training)) {
            SessionScorer scorer = new SessionScorer(new ScorerConfig(Map.of()).scoring());
            SessionScorer.Outcome known = scorer.score(model, null, "s", event("e1", "connected to host 10.9.9.9 port 22"), 1);
            ScoredEvent k = known.scored();
            assertFalse(k.getAnomalous(), "the threshold is out of reach and the template is known");
            assertEquals("connected to host <*> port <*>", k.getTokens().get(0).getToken());

            SessionScorer.Outcome unseen = scorer.score(model, known.next(), "s",
                    event("e2", "kernel panic: not syncing"), 2);
            ScoredEvent u = unseen.scored();
            assertTrue(u.getAnomalous());
            assertEquals(AnomalyRule.NEW_TEMPLATE, u.getAnomalyRule());
            assertTrue(u.getAnomalyScore() >= 2);
            assertEquals("<new template>", u.getTokens().get(0).getToken());
        }
    }

    private static TextEvent event(String id, String text) {
        return new TextEvent(id, "s", text, Instant.ofEpochMilli(1), false, null);
    }
}
