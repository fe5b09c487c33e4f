package dev.surprisal.bench;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.Directories;
import dev.surprisal.model.DjlRuntime;
import dev.surprisal.model.KernelProfile;
import dev.surprisal.model.KneserNey;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.EventScorer;
import dev.surprisal.scoring.Percentiles;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerMetrics;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;

import ai.djl.MalformedModelException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Measures, in one process and one run so the figures compare: the whole pipeline (generated
 * events produced to the embedded broker, scored by the real topology with exactly-once, read back
 * read-committed), the naive loop (one model call per token), and the model alone as the pipeline
 * calls it.
 */
public final class PipelineBenchmark {

    /** What to run. */
    public record Settings(int sessions, int events, int warmupEvents, int tokensPerEvent, int hidden, int naiveEvents,
                           int batchMaxEvents, long batchMaxWaitMs, int streamThreads, long commitIntervalMs,
                           long seed, int vocabulary, double baselineWeight, List<Long> halfLoadTargetsMs,
                           boolean modelThread) {
        /** A byte model (vocabulary 0), or a word model of this many words. */
        boolean words() {
            return vocabulary > 0;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Settings settings;

    public PipelineBenchmark(Settings settings) {
        this.settings = settings;
    }

    public ObjectNode run() throws Exception {
        List<TextEvent> events = events();
        ObjectNode out = JSON.createObjectNode();
        try (LanguageModel model = model(events)) {
            long tokens = events.stream().mapToLong(e -> model.tokenizer().encode(e.getText()).length).sum();
            out.put("tokens", tokens);
            KernelProfile.start();
            CpuTime.Snapshot kernelStart = CpuTime.now();
            out.put("kernelTokensPerSecond", kernel(model, events, tokens, settings.batchMaxEvents()));
            out.put("kernelCpuSecondsPerMillionTokens", CpuTime.between(kernelStart, CpuTime.now(), "").process() * 1e6 / tokens);
            Map<KernelProfile.Phase, Double> phases = KernelProfile.stop();
            double kernelSeconds = tokens / out.get("kernelTokensPerSecond").asDouble();
            ObjectNode shares = out.putObject("kernelTimeShares");
            double inPhases = 0;
            for (Map.Entry<KernelProfile.Phase, Double> e : phases.entrySet()) {
                shares.put(e.getKey().name().toLowerCase(java.util.Locale.ROOT), e.getValue() / kernelSeconds);
                inPhases += e.getValue();
            }
            shares.put("scoring", 1 - inPhases / kernelSeconds); // ranks and top-k into results, in Java
            double flops = MachinePeak.flopsPerToken(model.spec());
            out.put("flopsPerToken", flops);
            out.put("kernelGflops", out.get("kernelTokensPerSecond").asDouble() * flops / 1e9);
            out.put("unbatchedKernelTokensPerSecond", kernel(model, events, tokens, 1));
            naive(model, events.subList(0, Math.min(settings.naiveEvents(), events.size())), out);
            endToEnd(model, events, tokens, out);
        }
        out.put("speedupOverNaive", out.get("tokensPerSecond").asDouble() / out.get("naiveTokensPerSecond").asDouble());
        out.put("pipelineOverKernel", out.get("tokensPerSecond").asDouble() / out.get("kernelTokensPerSecond").asDouble());
        ObjectNode s = out.putObject("settings");
        s.put("model", (settings.words() ? "word (" + settings.vocabulary() + " words)" : "byte") + " LSTM, 1 layer, hidden "
                + settings.hidden() + ", embedding 64 (random weights)" + (settings.baselineWeight() > 0
                ? ", mixed with a Kneser-Ney 3-gram counted on the events at weight " + settings.baselineWeight() : ""));
        s.put("sessions", settings.sessions()).put("events", settings.events()).put("warmupEvents", settings.warmupEvents()).put("tokensPerEvent", settings.tokensPerEvent())
                .put("tokens", out.get("tokens").asLong()).put("naiveEvents", settings.naiveEvents()).put("guarantee", "exactly_once_v2")
                .put("streamThreads", settings.streamThreads()).put("partitions", 4)
                .put("commitIntervalMs", settings.commitIntervalMs()).put("modelThread", settings.modelThread())
                .put("halfLoadTargetsMs", settings.halfLoadTargetsMs().toString())
                .put("batchMaxEvents", settings.batchMaxEvents()).put("batchMaxWaitMs", settings.batchMaxWaitMs())
                .put("djlThreads", System.getProperty("ai.djl.pytorch.num_threads", "default"))
                .put("djlBatchThreads", DjlRuntime.batchThreads())
                .put("djlBatchThreadsFromSessions", DjlRuntime.batchThreadsFromSessions())
                .put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version())
                .put("cores", Runtime.getRuntime().availableProcessors());
        return out;
    }

    /**
     * The model alone as the pipeline calls it, through the same {@link EventScorer} (log-softmax rows
     * turned into surprisal, ranks and top-k): rounds of up to {@code batch} events of distinct
     * sessions per call, in arrival order, as a full batch of pending events is scored.
     */
    private static double kernel(LanguageModel model, List<TextEvent> events, long tokens, int batch) {
        EventScorer scorer = new EventScorer(5, 0);
        Map<String, float[]> states = new HashMap<>();
        long start = System.nanoTime();
        List<TextEvent> round = new ArrayList<>(batch);
        Set<String> inRound = new HashSet<>();
        for (int i = 0; i <= events.size(); i++) {
            boolean full = round.size() == batch || i == events.size()
                    || inRound.contains(events.get(i).getSessionId());
            if (full && !round.isEmpty()) {
                List<float[]> in = new ArrayList<>(round.size());
                List<int[]> ids = new ArrayList<>(round.size());
                for (TextEvent e : round) {
                    in.add(states.computeIfAbsent(e.getSessionId(), s -> model.initialState()));
                    ids.add(model.tokenizer().encode(e.getText()));
                }
                List<EventScore> scores = scorer.scoreAll(model, in, ids);
                for (int r = 0; r < round.size(); r++) {
                    states.put(round.get(r).getSessionId(), scores.get(r).state());
                }
                round.clear();
                inRound.clear();
            }
            if (i < events.size()) {
                round.add(events.get(i));
                inRound.add(events.get(i).getSessionId());
            }
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    /** What a hand-written consumer loop does: one model call per token, batch 1. */
    private void naive(LanguageModel model, List<TextEvent> events, ObjectNode out) {
        long tokens = 0;
        long start = System.nanoTime();
        double checksum = 0;
        for (TextEvent e : events) {
            float[] state = model.initialState();
            for (int token : model.tokenizer().encode(e.getText())) {
                LanguageModel.Forward f = model.forward(state, new int[] {token}, 5);
                checksum += f.logProb(0);
                state = f.state();
                tokens++;
            }
        }
        out.put("naiveTokensPerSecond", tokens / ((System.nanoTime() - start) / 1e9));
        out.put("naiveChecksum", checksum);
    }

    private void endToEnd(LanguageModel model, List<TextEvent> events, long tokens, ObjectNode out) throws Exception {
        Path stateDir = Files.createTempDirectory("surprisal-bench-");
        long defaultTarget = Long.parseLong(ScorerConfig.DEFAULT_LATENCY_TARGET_MS);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(0)) {
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            Run full = run(broker, registry, model, stateDir.resolve("full"), "full", events, 0, defaultTarget);
            out.put("tokensPerSecond", tokens / full.seconds());
            out.put("eventsPerSecond", events.size() / full.seconds());
            out.put("p50LatencyMs", full.latency(50));
            out.put("p99LatencyMs", full.latency(99));
            out.put("meanBatchEvents", full.meanBatch());
            out.put("modelShareOfRun", full.scoringSeconds() / full.seconds());
            // the scorer's own CPU (its threads, PyTorch's, the JIT's and GC's) per token, against the kernel's
            out.put("scorerCpuSecondsPerMillionTokens", full.cpu().scorer() * 1e6 / tokens);
            out.put("brokerAndClientsCpuSecondsPerMillionTokens", full.cpu().others() * 1e6 / tokens);
            out.put("scorerCpuPerTokenOverKernel", out.get("scorerCpuSecondsPerMillionTokens").asDouble()
                    / out.get("kernelCpuSecondsPerMillionTokens").asDouble());
            double halfRate = events.size() / full.seconds() / 2;
            out.put("halfLoadEventsPerSecond", halfRate);
            ObjectNode targets = out.putObject("halfLoadByTargetMs");
            for (long target : settings.halfLoadTargetsMs()) {
                Run half = run(broker, registry, model, stateDir.resolve("half-" + target), "half-" + target, events,
                        halfRate, target);
                targets.putObject(Long.toString(target)).put("p50LatencyMs", half.latency(50))
                        .put("p99LatencyMs", half.latency(99)).put("meanBatchEvents", half.meanBatch())
                        .put("warmupP99LatencyMs", Percentiles.of(half.warmupLatenciesMs(), 99));
                if (target == defaultTarget) {
                    out.put("halfLoadP50LatencyMs", half.latency(50));
                    out.put("halfLoadP99LatencyMs", half.latency(99));
                    out.put("halfLoadMeanBatchEvents", half.meanBatch());
                }
            }
        } finally {
            Directories.deleteRecursively(stateDir);
        }
    }

    /**
     * First input produced → last score visible, each event's produce → visible latency, and the
     * time in model calls (with ranks, top-k and the output records built), all after the warm-up.
     */
    private record Run(double seconds, double[] latenciesMs, double meanBatch, double scoringSeconds,
                       double[] warmupLatenciesMs, CpuTime.Split cpu) {
        double latency(double percentile) {
            return Percentiles.of(latenciesMs, percentile);
        }
    }

    private Run run(EmbeddedKafkaBroker broker, InMemorySchemaRegistry registry, LanguageModel model, Path stateDir,
                    String name, List<TextEvent> events, double rate, long latencyTargetMs) throws Exception {
        Map<String, Object> scorerSettings = new HashMap<>(ScorerConfig.prefixedTopics("bench-" + name));
        scorerSettings.putAll(Map.of(ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
                ScorerConfig.APPLICATION_ID, "bench-" + name,
                ScorerConfig.STATE_DIR, stateDir.toString(),
                ScorerConfig.BATCH_MAX_EVENTS, settings.batchMaxEvents(),
                ScorerConfig.BATCH_MAX_WAIT_MS, settings.batchMaxWaitMs(),
                ScorerConfig.STREAM_THREADS, settings.streamThreads(),
                ScorerConfig.COMMIT_INTERVAL_MS, settings.commitIntervalMs(),
                ScorerConfig.LATENCY_TARGET_MS, latencyTargetMs,
                ScorerConfig.MODEL_THREAD, settings.modelThread()));
        ScorerConfig config = new ScorerConfig(scorerSettings);
        broker.createTopics(ScorerTopics.all(config, 4, (short) 1));
        ScorerMetrics metrics = new ScorerMetrics(new SimpleMeterRegistry());
        try (ScorerService scorer = ScorerService.start(config, ModelProvider.fixed(model), registry, metrics,
                Duration.ofMinutes(2));
             KafkaConsumer<String, ScoredEvent> consumer = Clients.readCommittedAll(config.clientProperties(),
                     config.outputTopic(), true, new StringDeserializer(),
                     AvroSerdes.value(ScoredEvent.class, registry).deserializer())) {
            // the scorer's first transactions on fresh partitions are slow (retried CONCURRENT_TRANSACTIONS,
            // up to ~0.9 s for the first events): warm up on other sessions before measuring
            ScoredPhase warmup = ScoredPhase.run(broker, registry, config, consumer, warmupEvents(), rate);
            DistributionSummary batches = metrics.registry().get("surprisal.batch.events").summary();
            Timer scoring = metrics.registry().get("surprisal.scoring.latency").timer();
            long batchesBefore = batches.count();
            double batchedBefore = batches.totalAmount();
            double scoringBefore = scoring.totalTime(TimeUnit.SECONDS);
            CpuTime.Snapshot cpu = CpuTime.now();
            ScoredPhase measured = ScoredPhase.run(broker, registry, config, consumer, events, rate);
            return new Run(measured.seconds(), measured.latenciesMs(),
                    (batches.totalAmount() - batchedBefore) / (batches.count() - batchesBefore),
                    scoring.totalTime(TimeUnit.SECONDS) - scoringBefore, warmup.latenciesMs(),
                    CpuTime.between(cpu, CpuTime.now(), "bench-" + name));
        }
    }

    /** Events round-robin over the sessions, ~tokensPerEvent printable bytes each; the id is the index. */
    private List<TextEvent> events() {
        return BenchModels.traffic(settings.events(), settings.sessions(), "", settings.seed(), settings.tokensPerEvent(),
                settings.words() ? settings.vocabulary() : 0);
    }

    /** Warm-up traffic: its own sessions and ids, so the measured sessions still start fresh. */
    private List<TextEvent> warmupEvents() {
        return BenchModels.traffic(settings.warmupEvents(), Math.max(1, settings.sessions() / 10), "warmup-",
                settings.seed() + 1, settings.tokensPerEvent(), settings.words() ? settings.vocabulary() : 0);
    }

    /** The network, mixed with a trigram counted on the events themselves when a baseline weight is set. */
    private LanguageModel model(List<TextEvent> events) throws MalformedModelException {
        LanguageModel network = BenchModels.random(settings.hidden(), settings.vocabulary());
        if (settings.baselineWeight() <= 0) {
            return network;
        }
        try (network) {
            List<int[]> ids = events.stream().map(e -> network.tokenizer().encode(e.getText())).toList();
            KneserNey counts = KneserNey.train(3, network.spec().vocabularySize(), network.tokenizer().bosId(), ids);
            try (LanguageModel kept = ModelArtifact.withBaseline(network, counts)) {
                return ModelArtifact.withManifest(kept, kept.manifest().withBaselineWeight(settings.baselineWeight()));
            }
        }
    }
}
