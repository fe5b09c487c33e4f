package dev.surprisal.evaluate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;
import java.util.Map;

/**
 * An evaluation as the HTML page reads it: {@code report.json} ({@link Evaluation#of}) as typed
 * records. Detection figures are null for input without labels; {@code baseline} is the
 * Kneser-Ney baseline's evaluation on the same input, when there was one.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EvaluationReport(String modelVersion, String tokenizer, double perplexityThreshold, int topG,
                               Map<String, String> settings, long sessions, long events, long refusedEvents,
                               long tokens, double bitsPerToken, double perplexity,
                               Map<String, Double> eventPerplexity, int labelledSessions, int unlabelledSessions,
                               int anomalousSessions, Double precision, double recall, double f1, long truePositives,
                               long falsePositives, long falseNegatives, long trueNegatives, double rocAuc,
                               double prAuc, double oracleF1, Rules rules, EventLevel eventLevel, Curves curves,
                               List<Flagged> topFlagged, double totalBits, long bytes, long words,
                               double bitsPerByte, double bitsPerWord, double perplexityPerWord,
                               Double targetFalsePositiveRate, EvaluationReport baseline, StreamingFigures streaming,
                               Confusion atRecall99, double baselineWeight, Map<String, String> keyNames) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Counts and rates of a detector at one setting ({@code threshold} or {@code g}). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Confusion(double threshold, double g, double precision, double recall, double f1,
                            long truePositives, long falsePositives, long falseNegatives, long trueNegatives) {
    }

    /** One rule: as configured, at its best F1, and its curve's areas. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Rule(double threshold, double g, Confusion configured, Confusion bestF1, double rocAuc,
                       double prAuc) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Rules(Rule perplexity, Rule topG) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EventLevel(int events, double precision, double recall, double f1, double rocAuc) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Point(double threshold, double fpr, double tpr, double precision, double f1) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Curves(List<Point> perplexity, List<Point> topG) {
    }

    /** The share of events flagged over time, and detection latency (see {@link Streaming}). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StreamingFigures(FlagRate flagRateOverTime, Latency detectionLatency) {
    }

    /** {@code axis}: eventTime (bucket offsets in seconds) or inputOrder (offsets in events). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FlagRate(String axis, List<Bucket> buckets) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Bucket(String start, double offset, long events, long flagged, double rate) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Latency(int anomalousSessions, int detected, Summary events, Summary seconds) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Summary(int count, Double mean, Double median, Double p90, Double max) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TopToken(String token, double surprisalBits, int position) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FlaggedEvent(String eventId, String text, double perplexity, int worstRank, boolean flagged,
                               List<TopToken> topTokens, String template, List<String> values,
                               String previousTemplate) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Flagged(String sessionId, Integer label, double anomalyScore, boolean flagged,
                          List<FlaggedEvent> events) {
    }

    /** The typed view of a {@code report.json} tree. */
    public static EvaluationReport of(JsonNode report) {
        try {
            return JSON.treeToValue(report, EvaluationReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an evaluation report: " + e.getOriginalMessage(), e);
        }
    }

    /** Whether the input had labels, so detection was measured. */
    public boolean hasDetection() {
        return precision != null;
    }

    /** The session-level figures of both rules together, as configured. */
    public Confusion asConfigured() {
        return new Confusion(1, 0, precision == null ? 0 : precision, recall, f1, truePositives, falsePositives,
                falseNegatives, trueNegatives);
    }

    /** The false-positive rate of a confusion: flagged normal sessions over all normal ones. */
    public static double falsePositiveRate(Confusion c) {
        long negatives = c.falsePositives() + c.trueNegatives();
        return negatives == 0 ? 0 : (double) c.falsePositives() / negatives;
    }

    /** False-positive rate on the normal sessions, as configured. */
    public double falsePositiveRate() {
        return falsePositiveRate(asConfigured());
    }

    /** A percentile of the event perplexities (p50, p90, p99, max); 0 when absent. */
    public double eventPerplexity(String which) {
        Double v = eventPerplexity == null ? null : eventPerplexity.get(which);
        return v == null ? 0 : v;
    }
}
