package dev.surprisal.cli;

import dev.surprisal.bench.FormatBenchmark;
import dev.surprisal.bench.MachinePeak;
import dev.surprisal.bench.PipelineBenchmark;
import dev.surprisal.stream.ScorerConfig;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  java -jar surprisal.jar bench", "  java -jar surprisal.jar bench templates --data ../shared/data"},
        description = "Benchmarks that print what they measure. Without a subcommand, in one run: for a byte, a word "
        + "and a key model, the pipeline end to end (full load; half load at each latency target) against the naive "
        + "loop, the model kernel and this machine's GEMM peak; and every input format.",
        subcommands = {BenchFormats.class, BenchPriming.class, BenchRawLogs.class, BenchRestore.class, BenchHeap.class,
            BenchTemplates.class})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--sessions", defaultValue = "1000", description = "Sessions the events are spread over.")
    int sessions;

    @Option(names = "--events", defaultValue = "10000", description = "Events per measurement.")
    int events;

    @Option(names = "--warmup-events", defaultValue = "10000",
            description = "Events on other sessions scored before each end-to-end measurement (not counted; at most "
                    + "the case's own events): enough for the JIT to have compiled Kafka's paths, which with 1,000 took "
                    + "about 0.6 of a core all through the measured full load.")
    int warmupEvents;

    @Option(names = "--tokens-per-event", defaultValue = "60", description = "Words (word model) or "
            + "characters (byte model) per event.")
    int tokensPerEvent;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden size of the model.")
    int hidden;

    @Option(names = "--naive-events", defaultValue = "300", description = "Events for the (slow) naive loop.")
    int naiveEvents;

    @Option(names = "--batch-max-events", defaultValue = ScorerConfig.DEFAULT_BATCH_MAX_EVENTS,
            description = "The scorer's " + ScorerConfig.BATCH_MAX_EVENTS + "; the kernel figure uses the same batches.")
    int batchMaxEvents;

    @Option(names = "--batch-max-wait-ms", defaultValue = ScorerConfig.DEFAULT_BATCH_MAX_WAIT_MS, description = "The scorer's " + ScorerConfig.BATCH_MAX_WAIT_MS + ".")
    long batchMaxWaitMs;

    @Option(names = "--stream-threads", defaultValue = ScorerConfig.DEFAULT_STREAM_THREADS, description = "The scorer's " + ScorerConfig.STREAM_THREADS + ".")
    int streamThreads;

    @Option(names = "--commit-interval-ms", defaultValue = ScorerConfig.DEFAULT_COMMIT_INTERVAL_MS, description = "The scorer's " + ScorerConfig.COMMIT_INTERVAL_MS + ".")
    long commitIntervalMs;

    @Option(names = "--vocabulary", defaultValue = "0",
            description = "0: a byte model (256 symbols); N: a word model of N words, events of --tokens-per-event words.")
    int vocabulary;

    @Option(names = "--baseline-weight", defaultValue = "0",
            description = "Mix a Kneser-Ney 3-gram (counted on the events) into the model at this weight: its cost.")
    double baselineWeight;

    @Option(names = "--latency-targets-ms", split = ",", defaultValue = ScorerConfig.DEFAULT_LATENCY_TARGET_MS + ",100",
            description = "The scorer's " + ScorerConfig.LATENCY_TARGET_MS + " at half load, one run each "
                    + "(comma-separated); full load runs at the default.")
    List<Long> latencyTargets;

    @Option(names = "--model-thread", defaultValue = "true", fallbackValue = "true", arity = "0..1",
            description = "The scorer's " + ScorerConfig.MODEL_THREAD + ": model calls beside the stream thread.")
    boolean modelThread;

    @Option(names = "--cases", split = ",", defaultValue = "byte,word,key,formats",
            description = "What to measure (comma-separated): byte (the options above), word (10,000 words, 3,000 events "
                    + "of 20 words over 300 sessions), key (a 50-key model, one key per event, as a log-template model "
                    + "scores), formats (every input format on the byte model, best of 2 rounds; `bench formats` for more).")
    List<String> cases;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ObjectNode result = JSON.createObjectNode();
        ObjectNode machine = result.putObject("machine");
        machine.put("date", java.time.LocalDate.now().toString()).put("cores", Runtime.getRuntime().availableProcessors())
                .put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        double peak = -1;
        for (String name : cases) {
            PipelineBenchmark.Settings settings = switch (name) {
                case "byte" -> settings(sessions, events, tokensPerEvent, vocabulary, naiveEvents);
                case "word" -> settings(300, 3000, 20, 10_000, 30);
                case "key" -> settings(1000, 10_000, 1, 50, naiveEvents);
                case "formats" -> null;
                default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--cases: no case '" + name + "' (byte, word, key, formats)");
            };
            if (settings == null) {
                result.set("formats", new FormatBenchmark(new FormatBenchmark.Settings(events, sessions, tokensPerEvent,
                        hidden, 50, 2, 7)).run());
                continue;
            }
            if (peak < 0) {
                peak = MachinePeak.gemmGflops();
                machine.put("gemmPeakGflops", peak);
            }
            ObjectNode one = new PipelineBenchmark(settings).run();
            one.put("kernelShareOfPeak", one.get("kernelGflops").asDouble() / peak);
            result.set(name, one);
        }
        if (json) {
            System.out.println(result);
            return 0;
        }
        System.out.println(machine);
        for (String name : cases) {
            ObjectNode one = (ObjectNode) result.get(name);
            System.out.println(name + ":");
            one.properties().forEach(e -> {
                if (e.getValue().isNumber()) {
                    System.out.printf(Locale.ROOT, "  %-32s %,14.3f%n", e.getKey(), e.getValue().asDouble());
                } else {
                    System.out.println("  " + e.getKey() + " " + e.getValue());
                }
            });
        }
        return 0;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private PipelineBenchmark.Settings settings(int sessions, int events, int tokensPerEvent, int vocabulary,
                                                int naiveEvents) {
        return new PipelineBenchmark.Settings(sessions, events, Math.min(warmupEvents, events), tokensPerEvent, hidden,
                naiveEvents,
                batchMaxEvents, batchMaxWaitMs, streamThreads, commitIntervalMs, 7, vocabulary, baselineWeight,
                latencyTargets, modelThread);
    }
}
