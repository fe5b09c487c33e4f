package dev.surprisal.cli;

import dev.surprisal.bench.FormatBenchmark;
import dev.surprisal.bench.HeapBenchmark;
import dev.surprisal.bench.PipelineBenchmark;
import dev.surprisal.bench.RawLogBenchmark;
import dev.surprisal.bench.RestoreBenchmark;
import dev.surprisal.bench.TemplateBenchmark;
import dev.surprisal.config.Environment;
import dev.surprisal.demo.DemoModel;
import dev.surprisal.demo.TrafficGenerator;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.EventScorer;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.tokenize.TemplateMiner;
import dev.surprisal.training.Corpus;
import dev.surprisal.training.ModelTrainer;
import dev.surprisal.training.TrainingOptions;
import dev.surprisal.training.TrainingProgress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  java -jar surprisal.jar bench", "  java -jar surprisal.jar bench templates --data ../shared/data"},
        description = "Benchmarks that print what they measure. Without a subcommand, in one run: for a byte, a word "
        + "and a key model, the pipeline end to end (full load; half load at each latency target) against the naive "
        + "loop, the model kernel and this machine's GEMM peak; and every input format.",
        subcommands = {BenchCommand.Formats.class, BenchCommand.Priming.class, BenchCommand.RawLogs.class, BenchCommand.Restore.class, BenchCommand.Heap.class,
            BenchCommand.Templates.class})
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
                peak = PipelineBenchmark.gemmPeakGflops();
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

    @Command(name = "formats", mixinStandardHelpOptions = true,
            description = "The scorer end to end on the same events in each input format: avro, text, json (keyed), "
                    + "json with the session in a field and otlp-proto batches (both re-keyed); events and tokens per "
                    + "second, and each against avro.")
    static final class Formats implements Callable<Integer> {

        @Option(names = "--events", defaultValue = "10000", description = "Events per format.")
        int events;

        @Option(names = "--sessions", defaultValue = "1000", description = "Sessions the events are spread over.")
        int sessions;

        @Option(names = "--tokens-per-event", defaultValue = "60", description = "Characters per event (a byte model).")
        int tokensPerEvent;

        @Option(names = "--hidden", defaultValue = "256", description = "Hidden size of the model.")
        int hidden;

        @Option(names = "--otlp-batch", defaultValue = "50", description = "Log records per OTLP record.")
        int otlpBatch;

        @Option(names = "--rounds", defaultValue = "2", description = "Runs of every format, in alternating order; "
                + "each keeps its best.")
        int rounds;

        @Override
        public Integer call() throws Exception {
            var result = new FormatBenchmark(new FormatBenchmark.Settings(
                    events, sessions, tokensPerEvent, hidden, otlpBatch, rounds, 7)).run();
            System.out.printf(Locale.ROOT, "%-20s %14s %14s %8s%n", "format", "events/s", "tokens/s", "of avro");
            result.properties().forEach(e -> {
                if (!e.getKey().equals("settings")) {
                    System.out.printf(Locale.ROOT, "%-20s %,14.1f %,14.1f %7.1f%%%n", e.getKey(),
                            e.getValue().get("eventsPerSecond").asDouble(), e.getValue().get("tokensPerSecond").asDouble(),
                            100 * e.getValue().get("ofAvro").asDouble());
                }
            });
            System.out.println(result.get("settings"));
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restart to resumed scoring against the number of sessions in the store: on local state, "
                    + "and on an empty state directory (rebuilt from the changelog, as after a kill -9).")
    static final class Restore implements Callable<Integer> {

        @Option(names = "--sessions", split = ",", defaultValue = "1000,100000",
                description = "Sessions in the store, one measurement each (comma-separated).")
        List<Integer> sessions;

        @Option(names = "--hidden", defaultValue = "256", description = "Hidden size of the model.")
        int hidden;

        @Override
        public Integer call() throws Exception {
            try (LanguageModel model = PipelineBenchmark.model(hidden, 0)) {
                System.out.println(new RestoreBenchmark(model).run(sessions).toPrettyString());
            }
            return 0;
        }
    }

    @Command(name = "templates", mixinStandardHelpOptions = true,
            description = "Template mining on the loghub 2k samples (or any labelled log: --input, --truth): grouping "
                    + "accuracy against the true templates, and lines mined per second on one core.")
    static final class Templates implements Callable<Integer> {

        @Option(names = "--data", defaultValue = "../shared/data", description = "Holds hdfs/ and loghub/.")
        Path data;

        @Option(names = "--similarity", defaultValue = "" + TemplateMiner.DEFAULT_SIMILARITY,
                description = "Share of a template's constant tokens a line must repeat to be that template.")
        double similarity;

        @Option(names = "--rounds", defaultValue = "20", description = "Times each file is mined for the speed figure.")
        int rounds;

        @Option(names = "--without-formats", description = "Mine whole lines, headers included.")
        boolean withoutFormats;

        @Option(names = "--input", description = "Any labelled log instead of the samples under --data: its raw lines "
                + "(with --truth).")
        Path input;

        @Option(names = "--truth", description = "The true template of each line of --input: a loghub-style CSV with an "
                + "EventId (or EventTemplate) column, a row per line.")
        Path truth;

        @Option(names = "--log-format", description = "The layout of --input's lines (default: the header detector).")
        String logFormat;

        @Override
        public Integer call() throws Exception {
            List<TemplateBenchmark.Result> results = new java.util.ArrayList<>();
            if (input != null || truth != null) {
                if (input == null || truth == null) {
                    throw new IllegalArgumentException("--input and --truth go together");
                }
                results.add(TemplateBenchmark.run(input.getFileName().toString(), input, truth,
                        withoutFormats ? null : logFormat, similarity, rounds));
                System.out.print(TemplateBenchmark.table(results));
                return 0;
            }
            for (TemplateBenchmark.Sample s : TemplateBenchmark.samples(data)) {
                results.add(TemplateBenchmark.run(s.system(), s.log(), s.structured(), withoutFormats ? null : s.format(),
                        similarity, rounds));
            }
            System.out.print(TemplateBenchmark.table(results));
            return 0;
        }
    }

    @Command(name = "raw-logs", mixinStandardHelpOptions = true,
            description = "A new user's first hours on each loghub 2k sample: a template model trained on its first "
                    + "half (only the log format given), its second half scored as one stream; new-template alerts per "
                    + "truly new template and flags on lines of templates seen in training, with templates learned "
                    + "while scoring and without.")
    static final class RawLogs implements Callable<Integer> {

        @Option(names = "--data", defaultValue = "../shared/data", description = "Holds hdfs/ and loghub/.")
        Path data;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of each model's training.")
        long seed;

        @Override
        public Integer call() throws Exception {
            List<RawLogBenchmark.Result> results = new java.util.ArrayList<>();
            for (TemplateBenchmark.Sample s : TemplateBenchmark.samples(data)) {
                results.addAll(RawLogBenchmark.run(s.system(), s.log(), s.structured(), s.format(), seed));
            }
            System.out.print(RawLogBenchmark.table(results));
            return 0;
        }
    }

    @Command(name = "heap", mixinStandardHelpOptions = true,
            description = "Scores batches of events at the text size limit with the scorer's defaults; run under "
                    + "-Xmx to show the defaults fit. Prints the peak heap seen.")
    static final class Heap implements Callable<Integer> {

        @Option(names = "--vocabulary", defaultValue = "0", description = "0: a byte model; N: a word model of N words.")
        int vocabulary;

        @Option(names = "--hidden", defaultValue = "256", description = "Hidden size of the model.")
        int hidden;

        @Option(names = "--events", defaultValue = "300", description = "Events scored.")
        int events;

        @Option(names = "--set", description = "Scorer settings, key=value (text.max.bytes, scoring.batch.max.*).")
        Map<String, String> settings = new HashMap<>();

        @Override
        public Integer call() {
            try (LanguageModel model = PipelineBenchmark.model(hidden, vocabulary)) {
                System.out.println(new HeapBenchmark(model, new ScorerConfig(settings)).run(events));
            }
            return 0;
        }
    }

    @Command(name = "priming", mixinStandardHelpOptions = true,
            description = "After a model switch, how surprising are a session's next events when the new model is "
                    + "primed with the session's recent text, and when it starts the session cold?")
    static final class Priming implements Callable<Integer> {

        @Option(names = "--sessions", defaultValue = "300", description = "Sessions of shifted traffic to evaluate on.")
        int sessions;

        @Option(names = "--before", defaultValue = "3", description = "Events each session has before the switch.")
        int before;

        @Option(names = "--window", defaultValue = "256", description = "Characters of recent text used to prime.")
        int window;

        @Option(names = "--seed", defaultValue = "7", description = "Seed of the traffic and the fine-tune.")
        long seed;

        @Option(names = "--model-cache", description = "Where the demo model is kept between runs.")
        Path cache = Environment.cacheDir();

        @Override
        public Integer call() throws Exception {
            // model 1 knows the old traffic; model 2 is fine-tuned on the shifted traffic, as in `demo --scenario retrain`
            List<List<String>> shifted = new TrafficGenerator(seed + 2, 0, true).normalSessions(600 + sessions);
            try (LanguageModel first = DemoModel.loadOrTrain(cache, seed, false, System.err);
                 LanguageModel second = new ModelTrainer(TrainingOptions.defaults().withSchedule(3, 32, 3e-3f, seed),
                         TrainingProgress.Listener.NONE).train(new Corpus(shifted.subList(0, 600)), first)) {
                measure(first, second, shifted.subList(600, shifted.size()));
            }
            return 0;
        }

        private void measure(LanguageModel first, LanguageModel second, List<List<String>> sessions) {
            EventScorer scorer = new EventScorer(0, 0);
            int after = 3;
            double[][] bits = new double[3][after]; // cold, primed, model 2 all along
            long[] tokens = new long[after];
            long primeNanos = 0;
            int used = 0;
            for (List<String> session : sessions) {
                if (session.size() < before + after) {
                    continue;
                }
                used++;
                StringBuilder recent = new StringBuilder();
                float[] all = second.initialState();
                for (int e = 0; e < before; e++) {
                    recent.append(session.get(e));
                    all = scorer.score(second, all, second.tokenizer().encode(session.get(e))).state();
                }
                String text = recent.length() <= window ? recent.toString() : recent.substring(recent.length() - window);
                long t0 = System.nanoTime();
                float[] primed = second.stateAfter(text);
                primeNanos += System.nanoTime() - t0;
                float[][] states = {second.initialState(), primed, all};
                for (int e = 0; e < after; e++) {
                    int[] ids = second.tokenizer().encode(session.get(before + e));
                    tokens[e] += ids.length;
                    for (int k = 0; k < 3; k++) {
                        EventScore score = scorer.score(second, states[k], ids);
                        bits[k][e] += score.totalBits();
                        states[k] = score.state();
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%d sessions of shifted traffic, switch after %d events; model %s -> %s%n",
                    used, before, first.version(), second.version());
            System.out.printf(Locale.ROOT, "%-28s %12s %12s %12s%n", "mean surprisal (bits/token)", "cold", "primed",
                    "no switch");
            for (int e = 0; e < after; e++) {
                System.out.printf(Locale.ROOT, "%-28s %12.3f %12.3f %12.3f%n", "event " + (e + 1) + " after the switch",
                        bits[0][e] / tokens[e], bits[1][e] / tokens[e], bits[2][e] / tokens[e]);
            }
            System.out.printf(Locale.ROOT, "priming cost: %.2f ms per session (one model call over <= %d chars); "
                    + "state grows by <= %d bytes of text%n", primeNanos / 1e6 / used, window, window * 4);
        }
    }
}
