package dev.surprisal.session;

/**
 * What per-event scoring needs to know of the scorer's configuration, apart from Kafka: the
 * stream processor and the evaluation replay build one from {@code ScorerConfig}.
 *
 * @param topK                predictions reported after each event
 * @param perTokenTopK        predictions reported at every token; 0 leaves them out
 * @param maxTextBytes        longer texts are refused
 * @param primeWindowChars    recent text kept per session to prime another model
 * @param perplexityThreshold 0: the model's calibrated threshold
 * @param topG                -1: the calibrated g for keys models, off otherwise; 0: off
 * @param dedupWindowEvents   latest event ids remembered per session; 0: no resend check
 * @param learnTemplates      template models: learn a line of no known template, so that only its first
 *                            line is alerted ({@link LearnedTemplates}); false alerts every such line
 */
public record ScoringSettings(int topK, int perTokenTopK, int maxTextBytes, int primeWindowChars,
                              double perplexityThreshold, int topG, int dedupWindowEvents, boolean learnTemplates) {
}
