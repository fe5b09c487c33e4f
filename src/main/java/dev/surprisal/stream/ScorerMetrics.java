package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TokenScore;
import dev.surprisal.drift.ModelTotals;
import dev.surprisal.session.LearnedTemplates;
import dev.surprisal.tokenize.TemplateTokenizer;
import dev.surprisal.tokenize.VocabularyTokenizer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The scorer's own metrics, beside Kafka Streams' (exported as Prometheus {@code surprisal_*}), and
 * the recent events that the live page shows. Every name here is one that
 * {@code deploy/grafana/surprisal.json} may query (checked by a test).
 */
public final class ScorerMetrics {

    private final MeterRegistry registry;
    private final Counter events;
    private final Counter tokens;
    private final DistributionSummary meanSurprisal;
    private final DistributionSummary perplexity;
    private final Timer latency;
    private final DistributionSummary batchSize;
    private final ConcurrentHashMap<String, Counter> anomalies = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Counter duplicates;
    private final DeadLetterWatch deadLetterWatch = new DeadLetterWatch();
    private final OutputStall outputStall = new OutputStall(System.currentTimeMillis());
    private Gauge servingInfo;
    private final Counter threadFailures;
    private volatile long lastProgress = System.nanoTime();
    private final Counter futureTimestamps;
    private final ConcurrentHashMap<String, ModelMeters> models = new ConcurrentHashMap<>();
    /** Templates learned while scoring, shared by the instance's threads; the live page lists them. */
    private final LearnedTemplates learned = new LearnedTemplates();
    private final RecentEvents recent = new RecentEvents(learned);
    private final RestoreProgress restore;
    private final DependencyFaults dependencies;

    /** Per model version: what drift and releases are judged by (mean bits/token = bits / tokens). */
    private record ModelMeters(Counter events, Counter tokens, Counter bits, Counter anomalies, Counter unknown) {
        ModelTotals totals() {
            return new ModelTotals((long) events.count(), (long) tokens.count(), bits.count(),
                    (long) anomalies.count(), (long) unknown.count());
        }
    }


    public ScorerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.events = Counter.builder("surprisal.events.scored").description("Events scored").register(registry);
        this.tokens = Counter.builder("surprisal.tokens.scored").description("Tokens scored").register(registry);
        this.meanSurprisal = DistributionSummary.builder("surprisal.event.mean.surprisal")
                .baseUnit("bits").description("Mean surprisal of an event's tokens")
                .serviceLevelObjectives(0.5, 1, 2, 3, 4, 6, 8, 12).register(registry);
        this.perplexity = DistributionSummary.builder("surprisal.event.perplexity")
                .description("Event perplexity").serviceLevelObjectives(1.5, 2, 3, 5, 10, 20, 50, 100, 1000)
                .register(registry);
        this.latency = Timer.builder("surprisal.scoring.latency")
                .description("Time to score one event: tokenizing, the model call, ranks and top-k (a batch's time shared by its events)")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.batchSize = DistributionSummary.builder("surprisal.batch.events")
                .description("Events scored together in one model call")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
        this.threadFailures = Counter.builder("surprisal.stream.thread.failures")
                .description("Stream threads that died and were replaced").register(registry);
        this.duplicates = Counter.builder("surprisal.duplicates")
                .description("Events not scored because their eventId was among their session's latest")
                .register(registry);
        this.futureTimestamps = Counter.builder("surprisal.future.timestamps")
                .description("Events whose record timestamp was too far ahead of the scorer's clock (scored, noted)")
                .register(registry);
        this.restore = new RestoreProgress(registry);
        this.dependencies = new DependencyFaults(registry);
        Gauge.builder("surprisal.dead.letter.share", () -> deadLetterWatch.recent()
                        .map(r -> (double) r.dead() / Math.max(r.records(), r.dead())).orElse(0.0))
                .description("Share of the last minute's input records sent to the dead-letter topic")
                .register(registry);
        Gauge.builder("surprisal.output.stall.seconds", () -> outputStall.stalledMs(System.currentTimeMillis()) / 1000.0)
                .description("How long input has waited with no score written (0 when nothing waits or scores flow)")
                .register(registry);
    }

    /** How long input has waited with nothing written (readiness samples the lag into it). */
    public OutputStall outputStall() {
        return outputStall;
    }

    /** The last minute's input and dead letters, for readiness, the live page and the log. */
    public DeadLetterWatch deadLetterWatch() {
        return deadLetterWatch;
    }

    /** An input record arrived, before any refusal: the denominator of the dead-letter share. */
    void inputRecord() {
        deadLetterWatch.record();
    }

    /** Whether the registry serves the scoring path now, and the records held until it does. */
    public DependencyFaults dependencies() {
        return dependencies;
    }

    /** A stream thread processed or punctuated: it is not stuck. */
    void progress() {
        lastProgress = System.nanoTime();
    }

    Duration sinceProgress() {
        return Duration.ofNanos(System.nanoTime() - lastProgress);
    }

    void threadFailure() {
        threadFailures.increment();
    }

    void duplicate() {
        duplicates.increment();
    }

    void futureTimestamp() {
        futureTimestamps.increment();
    }

    /** Metrics that go nowhere, for tests and tools that do not export them. */
    public static ScorerMetrics none() {
        return new ScorerMetrics(new CompositeMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    void scored(int tokenCount, double meanBits, double eventPerplexity, long nanos) {
        events.increment();
        tokens.increment(tokenCount);
        meanSurprisal.record(meanBits);
        perplexity.record(eventPerplexity);
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** An event's scores were emitted: counted for its model version and remembered for the live page. */
    void emitted(ScoredEvent e) {
        outputStall.output(System.currentTimeMillis());
        ModelMeters m = models.computeIfAbsent(e.getModelVersion(), this::modelMeters);
        m.events().increment();
        m.tokens().increment(e.getTokens().size());
        m.bits().increment(e.getMeanSurprisalBits() * e.getTokens().size());
        if (e.getAnomalous()) {
            m.anomalies().increment();
        }
        int unknown = 0;
        for (TokenScore t : e.getTokens()) {
            String token = t.getToken();
            if (token.length() > 4 && token.charAt(0) == '<'
                    && (VocabularyTokenizer.UNK.equals(token) || TemplateTokenizer.NEW_TEMPLATE.equals(token))) {
                unknown++;
            }
        }
        if (unknown > 0) {
            m.unknown().increment(unknown);
        }
        recent.add(e);
    }

    private ModelMeters modelMeters(String version) {
        return new ModelMeters(
                Counter.builder("surprisal.model.events").description("Events scored, by model version")
                        .tag("version", version).register(registry),
                Counter.builder("surprisal.model.tokens").description("Tokens scored, by model version")
                        .tag("version", version).register(registry),
                Counter.builder("surprisal.model.bits")
                        .description("Surprisal summed over tokens (bits), by model version; / tokens = mean bits/token")
                        .tag("version", version).register(registry),
                Counter.builder("surprisal.model.anomalies").description("Events flagged, by model version")
                        .tag("version", version).register(registry),
                Counter.builder("surprisal.model.unknown.tokens")
                        .description("Tokens unknown to the model (<unk> words, lines of no known template), by model version")
                        .tag("version", version).register(registry));
    }

    /** Per model version, what it scored since start (the health watch takes differences over its window). */
    public Map<String, ModelTotals> modelTotals() {
        Map<String, ModelTotals> out = new java.util.TreeMap<>();
        models.forEach((version, m) -> out.put(version, m.totals()));
        return out;
    }

    public RecentEvents recent() {
        return recent;
    }

    LearnedTemplates learned() {
        return learned;
    }

    RestoreProgress restore() {
        return restore;
    }

    void batch(int events) {
        batchSize.record(events);
    }

    /** Events waiting for their batch on one stream thread. */
    void queueDepth(String thread, IntSupplier depth) {
        Gauge.builder("surprisal.batch.queued", depth::getAsInt)
                .description("Events queued for the next batch, per stream thread").tag("thread", thread)
                .strongReference(true).register(registry);
    }

    /** What one stream thread's batches aim for: the target, the tokens a batch may take now, the measured cost. */
    void latencyPlan(String thread, LatencyPlan plan) {
        Gauge.builder("surprisal.latency.target", plan::targetSeconds).baseUnit("seconds")
                .description("The latency target (" + ScorerConfig.LATENCY_TARGET_MS + ")").register(registry);
        Gauge.builder("surprisal.batch.planned.tokens", plan::planned)
                .description("Tokens the next batch may take to keep the latency target, per stream thread")
                .tag("thread", thread).strongReference(true).register(registry);
        Gauge.builder("surprisal.model.cost.per.token", plan::secondsPerToken).baseUnit("seconds")
                .description("Model time per token measured over recent batches, per stream thread")
                .tag("thread", thread).strongReference(true).register(registry);
    }

    void anomaly(String rule) {
        anomalies.computeIfAbsent(rule, r -> Counter.builder("surprisal.anomalies")
                .description("Events flagged anomalous, by the rule that fired").tag("rule", r).register(registry))
                .increment();
    }

    void deadLetter(String reason, String example) {
        outputStall.output(System.currentTimeMillis()); // a refusal written is progress too
        deadLetterWatch.deadLetter(reason, example);
        deadLetters.computeIfAbsent(reason, r -> Counter.builder("surprisal.dead.letters")
                .description("Input records sent to the dead-letter topic, by reason").tag("reason", r)
                .register(registry)).increment();
    }

    /** Shows {@code version} as the one serving: the info metric names only that version. */
    synchronized void modelInUse(String version) {
        if (servingInfo != null && version.equals(servingInfo.getId().getTag("version"))) {
            return;
        }
        if (servingInfo != null) {
            registry.remove(servingInfo);
        }
        servingInfo = Gauge.builder("surprisal.model.info", () -> 1)
                .description("The model version scoring now (one series, value 1)").tag("version", version)
                .strongReference(true).register(registry);
    }
}
