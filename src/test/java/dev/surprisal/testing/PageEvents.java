package dev.surprisal.testing;

import dev.surprisal.avro.AnomalyRule;
import dev.surprisal.avro.Prediction;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TokenScore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Scored events as a byte model writes them (one token per character), with chosen surprisals. */
public final class PageEvents {

    private PageEvents() {
    }

    /**
     * A raw line as a template model scores it: one token, its template (or {@code <new template>})
     * with {@code bits}, and the values the template masks.
     */
    public static ScoredEvent line(String session, String eventId, String line, String template, List<String> values,
                                   double bits, boolean flagged) {
        ScoredEvent e = scored(session, eventId, line, "", flagged);
        e.setTokens(List.of(TokenScore.newBuilder().setToken(template).setSurprisalBits(bits).setRank(bits > 4 ? 30 : 1)
                .setEntropyBits(0.5).setTopK(null).build()));
        e.setTemplateValues(values);
        e.setAnomalyRule(template.startsWith("<") ? AnomalyRule.NEW_TEMPLATE : e.getAnomalyRule());
        return e;
    }

    /** {@code text} scored with {@code quiet} bits per character except the characters of {@code loud}: 12 bits. */
    public static ScoredEvent scored(String session, String eventId, String text, String loud, boolean flagged) {
        int from = loud.isEmpty() ? -1 : text.indexOf(loud);
        List<TokenScore> tokens = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < text.length(); i++) {
            double bits = from >= 0 && i >= from && i < from + loud.length() ? 12.0 : 0.2;
            sum += bits;
            tokens.add(TokenScore.newBuilder().setToken(String.valueOf(text.charAt(i))).setSurprisalBits(bits)
                    .setRank(bits > 1 ? 40 : 1).setEntropyBits(0.5).setTopK(null).build());
        }
        double mean = sum / text.length();
        return ScoredEvent.newBuilder()
                .setEventId(eventId).setSessionId(session).setModelVersion("v-test").setEventTime(Instant.now())
                .setText(text).setTokens(tokens)
                .setNextTokenPredictions(List.of(Prediction.newBuilder().setToken("I").setProbability(0.9).build()))
                .setNextTokenEntropyBits(0.5).setEventPerplexity(Math.pow(2, mean)).setMeanSurprisalBits(mean)
                .setMaxSurprisalBits(from >= 0 ? 12 : 0.2).setSessionPerplexity(Math.pow(2, mean))
                .setSessionTokenCount(text.length()).setAnomalous(flagged).setAnomalyScore(flagged ? 3 : 0)
                .setAnomalyRule(flagged ? AnomalyRule.PERPLEXITY : AnomalyRule.NONE).setPerplexityThreshold(2)
                .setTopG(0).build();
    }
}
