package dev.surprisal.cli;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.evaluate.BaselineReplayer;
import dev.surprisal.evaluate.CsvRows;
import dev.surprisal.evaluate.Evaluation;
import dev.surprisal.evaluate.EvaluationReport;
import dev.surprisal.evaluate.HtmlReport;
import dev.surprisal.evaluate.ReplayInputs;
import dev.surprisal.evaluate.ReplaySession;
import dev.surprisal.evaluate.Replayer;
import dev.surprisal.evaluate.SessionVerdicts;
import dev.surprisal.evaluate.ShadowReplay;
import dev.surprisal.feedback.FeedbackLabels;
import dev.surprisal.feedback.FeedbackLog;
import dev.surprisal.input.InputReader;
import dev.surprisal.kafka.TopicRange;
import dev.surprisal.model.KneserNey;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.scoring.AnomalyPolicy;
import dev.surprisal.session.AnomalyLabel;
import dev.surprisal.session.FileFormat;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.training.BaselineTrainer;
import dev.surprisal.training.Corpus;
import dev.surprisal.training.CorpusReader;
import dev.surprisal.training.TrainingOptions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  java -jar surprisal.jar evaluate --model models/app --input held-out.log \\", "      --session-regex 'user=(\\w+)' --report work/report", "  java -jar surprisal.jar evaluate --model v20261126190404-a1043286 \\", "      --input topic:text-events --from 2026-11-26T10:00:00Z --report \\", "      work/r"},

        description = "Replays a file or a topic range through a model, exactly as the scorer would score it, and "
                + "writes report.json and a self-contained report.html.")
final class EvaluateCommand implements Callable<Integer> {

    private static final String TOPIC_PREFIX = "topic:";

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--model", required = true, description = "Model directory or zip, or a release version on model-releases.")
    String model;

    @Option(names = "--input", required = true, description = "A file, or topic:NAME for a topic range (see --from, --to).")
    String input;

    @Option(names = "--report", required = true, description = "Directory for report.json, report.html and "
            + "sessions.tsv (every session's verdict; baseline-sessions.tsv: the baseline's).")
    Path report;

    @Option(names = "--format", defaultValue = "lines", description = "File format: lines, sessions or sessions-tsv.")
    String format;

    @Option(names = "--session-regex", description = "lines: the first group (or match) is the session id, e.g. '(blk_-?\\d+)'.")
    Pattern sessionRegex;

    @Option(names = "--log-format", description = "lines: the log's layout in logparser's notation, for --window and "
            + "the --window-key and --label-field fields.")
    String logFormat;

    @Mixin
    WindowOptions windows;

    @Option(names = "--label", description = "lines / sessions: the label of every session (0 normal, 1 anomalous).")
    String label;

    @Option(names = "--labels", defaultValue = "events", description = "Topic range: where labels come from: "
            + "events (each event's 'anomalous' label) or feedback (the feedback topic's verdicts on events and "
            + "sessions, the events' own labels where there is none).")
    Labels labels;

    enum Labels { events, feedback }

    @Option(names = "--from", description = "Topic range: first event time included (ISO-8601).")
    Instant from;

    @Option(names = "--to", description = "Topic range: last event time included (ISO-8601).")
    Instant to;

    @Option(names = "--threshold", defaultValue = ScorerConfig.DEFAULT_PERPLEXITY_THRESHOLD, description = "Event perplexity threshold (0: the model's calibrated one).")
    double threshold;

    @Option(names = "--top-g", defaultValue = ScorerConfig.DEFAULT_TOP_G, description = "g of the top-g rule as the scorer would apply it "
            + "(-1: as calibrated for keys models, else off; 0: off; the rule's table then uses g = 9).")
    int topG;

    @Option(names = "--compare", description = "A second model (directory, zip or version) scored on the same input.")
    String compare;

    @Option(names = "--baseline-corpus", description = "Train the Kneser-Ney baseline on this file (read like train's "
            + "--corpus, in --baseline-format) instead of using the one kept with the model.")
    Path baselineCorpus;

    @Option(names = "--baseline-format", defaultValue = "lines", description = "lines, sessions or sessions-tsv "
            + "(sessions-tsv: normal sessions only).")
    String baselineFormat;

    @Option(names = "--baseline-order", defaultValue = "3", description = "Order of a baseline trained from --baseline-corpus.")
    int baselineOrder;

    @Mixin
    InputOptions inputOptions;

    @Option(names = "--key-names", description = "What the keys of a keys model stand for, one per line: id and text "
            + "separated by a comma or a tab (loghub's EventId,EventTemplate CSV, e.g. HDFS_templates.csv); the report "
            + "shows them beside the ids.")
    Path keyNames;

    @Option(names = "--shadow", description = "Topic input: also replay the range through a second instance of the real "
            + "topology (own application id and output topic) and check it against the offline replay.")
    boolean shadow;

    @Spec
    CommandSpec spec;

    static String shellQuoted(String arg) {
        return arg.matches("[A-Za-z0-9_./:=@,+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    @Override
    public Integer call() throws Exception {
        for (String ref : new String[] {model, compare}) {
            // a release version has no path separator: a mistyped directory is not sent to the cluster as one
            if (ref != null && (ref.contains("/") || ref.contains(java.io.File.separator) || ref.endsWith(".zip"))
                    && !Files.exists(Path.of(ref))) {
                throw new IllegalArgumentException("no such model directory or zip: " + ref);
            }
        }
        boolean topic = input.startsWith(TOPIC_PREFIX);
        Map<String, Object> props = topic ? cluster.reachableClientProperties() : cluster.clientProperties();
        if (shadow && !inputOptions.avro()) {
            throw new IllegalArgumentException("--shadow replays Avro input topics only; leave it out for "
                    + inputOptions.format + " input");
        }
        SchemaRegistry registry = topic && (inputOptions.avro() || labels == Labels.feedback) || !Files.exists(Path.of(model))
                || (compare != null && !Files.exists(Path.of(compare))) ? cluster.registry(props) : null;
        // a topic range is read once: the offline replay and a shadow replay see exactly the same records
        List<ConsumerRecord<String, byte[]>> records = input.startsWith(TOPIC_PREFIX)
                ? TopicRange.of(input.substring(TOPIC_PREFIX.length()), from, to).read(props) : List.of();
        List<ReplaySession> sessions = input.startsWith(TOPIC_PREFIX)
                ? ReplayInputs.records(records, InputReader.of(inputOptions.settings(), registry, 1_000_000),
                        labels == Labels.feedback
                        ? FeedbackLog.read(props, registry, cluster.releaseTopics().feedback())
                        : FeedbackLabels.NONE)
                : ReplayInputs.file(Path.of(input), FileFormat.parse(format), windows.sessions(logFormat, sessionRegex),
                        AnomalyLabel.parse(label));
        ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.PERPLEXITY_THRESHOLD, threshold,
                ScorerConfig.TOP_G, topG));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("input", input);
        settings.put("format", input.startsWith(TOPIC_PREFIX) ? "topic" : format);
        settings.put("sessionRegex", sessionRegex == null ? "" : sessionRegex.pattern());
        settings.put("label", label == null ? "" : label);
        settings.put("window", windows.window == null ? "" : windows.window + (windows.slide == null ? ""
                : " sliding every " + windows.slide) + (windows.key == null ? "" : " per " + windows.key));
        settings.put("labels", input.startsWith(TOPIC_PREFIX) ? labels.name() : "");
        settings.put("from", from == null ? "" : from.toString());
        settings.put("to", to == null ? "" : to.toString());
        // as typed (from the subcommand's name on), quoted for a shell: the report can be made again with it
        settings.put("command", spec.commandLine().getParseResult().originalArgs().stream()
                .map(EvaluateCommand::shellQuoted).collect(java.util.stream.Collectors.joining(" ")));
        try (LanguageModel primary = load(model, props, registry);
             LanguageModel second = compare == null ? null : load(compare, props, registry)) {
            Replayer replayer = new Replayer(config.scoring());
            List<Replayer.SessionResult> results = replayer.replay(primary, sessions);
            AnomalyPolicy policy = new SessionScorer(config.scoring()).policyFor(primary);
            ObjectNode json = Evaluation.of(primary, policy, results, settings);
            KneserNey baseline = baseline(primary);
            List<Replayer.SessionResult> baselineResults = List.of();
            if (baseline != null) {
                AnomalyPolicy rules = BaselineReplayer.policy(baseline, policy);
                baselineResults = BaselineReplayer.replay(baseline, primary.tokenizer(), rules, sessions);
                json.set("baseline", Evaluation.of(new Evaluation.Subject("kneser-ney-" + baseline.order() + " (baseline)",
                                primary.tokenizer().spec().type(), baseline.topG(), primary.manifest().thresholdPercentile()),
                        rules, baselineResults, settings));
            }
            ObjectNode other = null;
            if (second != null) {
                other = Evaluation.of(second, new SessionScorer(config.scoring()).policyFor(second),
                        replayer.replay(second, sessions), settings);
                json.set("compare", other);
            }
            if (shadow) {
                if (!input.startsWith(TOPIC_PREFIX)) {
                    throw new IllegalArgumentException("--shadow replays a topic range: use --input topic:NAME");
                }
                json.set("shadow", ShadowReplay.run(config, props, registry, primary, records, results));
            }
            write(json, other, results);
            SessionVerdicts.write(report.resolve("sessions.tsv"), results);
            if (!baselineResults.isEmpty()) {
                SessionVerdicts.write(report.resolve("baseline-sessions.tsv"), baselineResults);
            }
            summary(json);
        }
        return 0;
    }

    private KneserNey baseline(LanguageModel primary) throws java.io.IOException {
        if (baselineCorpus == null) {
            return primary.baseline().orElse(null);
        }
        FileFormat f = FileFormat.parse(baselineFormat);
        Corpus text = CorpusReader.read(baselineCorpus, f, sessionRegex, f == FileFormat.SESSIONS_TSV);
        TrainingOptions options = TrainingOptions.defaults().withThresholdPercentile(primary.manifest().thresholdPercentile());
        return BaselineTrainer.train(baselineOrder, primary.tokenizer(), text, options);
    }

    private void write(ObjectNode json, ObjectNode other, List<Replayer.SessionResult> results) throws Exception {
        Files.createDirectories(report);
        if (keyNames != null) {
            ObjectNode names = json.putObject("keyNames");
            String first;
            try (var lines = Files.lines(keyNames, StandardCharsets.UTF_8)) {
                first = lines.findFirst().orElse("");
            }
            for (String[] idAndText : CsvRows.rows(keyNames, first.contains("\t") ? '\t' : ',')) {
                if (idAndText.length >= 2 && !idAndText[0].isBlank()) {
                    names.put(idAndText[0].strip(), idAndText[1].strip());
                }
            }
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(report.resolve("report.json").toFile(), json);
        Files.writeString(report.resolve("report.html"), HtmlReport.render(EvaluationReport.of(json),
                other == null ? null : EvaluationReport.of(other), Evaluation.meanBitsByLabel(results),
                Evaluation.meanBits(results)), StandardCharsets.UTF_8);
    }

    private void summary(ObjectNode json) {
        summary(json, "");
        if (json.has("baseline")) {
            summary((ObjectNode) json.get("baseline"), "  ");
        }
        System.out.println("report: " + report.resolve("report.html"));
    }

    private void summary(ObjectNode j, String indent) {
        System.out.printf(Locale.ROOT, "%smodel %s: %d sessions, %d events, %d tokens; perplexity %.3f (%.3f bits/token)%n",
                indent, j.path("modelVersion").asText(), j.path("sessions").asLong(), j.path("events").asLong(),
                j.path("tokens").asLong(), j.path("perplexity").asDouble(), j.path("bitsPerToken").asDouble());
        if (j.path("baselineWeight").asDouble() > 0) {
            System.out.printf(Locale.ROOT, "%s  the network mixed with its Kneser-Ney baseline (weight %.2f)%n", indent,
                    j.path("baselineWeight").asDouble());
        }
        System.out.printf(Locale.ROOT, "%s  %.0f bits in all: %.4f bits per byte, %.4f bits per word (perplexity per word %.2f)%n",
                indent, j.path("totalBits").asDouble(), j.path("bitsPerByte").asDouble(), j.path("bitsPerWord").asDouble(),
                j.path("perplexityPerWord").asDouble());
        long positives = j.path("truePositives").asLong() + j.path("falseNegatives").asLong();
        if (j.has("precision") && positives == 0) {
            long negatives = j.path("falsePositives").asLong() + j.path("trueNegatives").asLong();
            System.out.printf(Locale.ROOT, "%s  no session is labelled anomalous, so precision, recall, F1 and the curves "
                            + "are not defined; flagged %d of %d normal sessions (%.2f%%, calibrated for %.2f%%)%n", indent,
                    j.path("falsePositives").asLong(), negatives,
                    negatives == 0 ? 0 : 100.0 * j.path("falsePositives").asLong() / negatives,
                    100 * j.path("targetFalsePositiveRate").asDouble());
        } else if (j.has("precision")) {
            System.out.printf(Locale.ROOT, "%s  sessions as configured: precision %.4f recall %.4f F1 %.4f "
                            + "(TP %d FP %d FN %d TN %d); ROC-AUC %.4f PR-AUC %.4f; content-only best F1 %.4f%n",
                    indent, j.path("precision").asDouble(), j.path("recall").asDouble(), j.path("f1").asDouble(),
                    j.path("truePositives").asLong(), j.path("falsePositives").asLong(), j.path("falseNegatives").asLong(),
                    j.path("trueNegatives").asLong(), j.path("rocAuc").asDouble(), j.path("prAuc").asDouble(),
                    j.path("oracleF1").asDouble());
            long negatives = j.path("falsePositives").asLong() + j.path("trueNegatives").asLong();
            System.out.printf(Locale.ROOT, "%s  false-positive rate on normal sessions %.2f%% (calibrated for %.2f%%)%n",
                    indent, negatives == 0 ? 0 : 100.0 * j.path("falsePositives").asLong() / negatives,
                    100 * j.path("targetFalsePositiveRate").asDouble());
            var at99 = j.path("atRecall99");
            System.out.printf(Locale.ROOT, "%s  at 99%% recall (anomaly score > %.4g): false-positive rate %.2f%% "
                            + "(FP %d, recall %.4f)%n", indent, at99.path("threshold").asDouble(),
                    100 * at99.path("falsePositiveRate").asDouble(), at99.path("falsePositives").asLong(),
                    at99.path("recall").asDouble());
            for (String rule : List.of("perplexity", "topG")) {
                var r = j.path("rules").path(rule);
                var best = r.path("bestF1");
                System.out.printf(Locale.ROOT, "%s    %-10s configured: P %.4f R %.4f F1 %.4f (FP %d FN %d); best F1 %.4f "
                                + "at %s (FP %d FN %d); ROC-AUC %.4f%n", indent, rule,
                        r.path("configured").path("precision").asDouble(), r.path("configured").path("recall").asDouble(),
                        r.path("configured").path("f1").asDouble(), r.path("configured").path("falsePositives").asLong(),
                        r.path("configured").path("falseNegatives").asLong(), best.path("f1").asDouble(),
                        rule.equals("topG") ? "g=" + Math.round(best.path("g").asDouble())
                                : String.format(Locale.ROOT, "threshold %.4g", best.path("threshold").asDouble()),
                        best.path("falsePositives").asLong(), best.path("falseNegatives").asLong(), r.path("rocAuc").asDouble());
            }
        }
        if (j.has("shadow")) {
            System.out.println("shadow replay: " + j.path("shadow"));
        }
    }

    private LanguageModel load(String ref, Map<String, Object> props, SchemaRegistry registry) throws Exception {
        Path path = Path.of(ref);
        if (Files.exists(path)) {
            return ModelArtifact.load(path);
        }
        ModelRelease release = ReleaseLog.read(props, registry, cluster.releaseTopics()).get(ref);
        if (release == null) {
            throw new IllegalArgumentException("no model directory and no release named " + ref);
        }
        return ModelReleases.load(release);
    }
}
