package dev.surprisal.bench;

import dev.surprisal.avro.AnomalyRule;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.session.SessionState;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.tokenize.TemplateSettings;
import dev.surprisal.tokenize.TemplateTokenizer;
import dev.surprisal.training.Corpus;
import dev.surprisal.training.ModelTrainer;
import dev.surprisal.training.TrainingOptions;
import dev.surprisal.training.TrainingProgress;

import ai.djl.MalformedModelException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A new user's first hours on a system, replayed: a template model trained on the first half of a
 * labelled log (only its format given), then the second half scored line by line as one stream by
 * the scorer's own code, as {@code score} would. Counted against the hand-labelled templates: the
 * new-template alerts per template that is truly new in the second half, and the flags on lines
 * whose template training saw. Run with templates learned while scoring and without.
 */
public final class RawLogBenchmark {

    /** One system's figures for one setting of {@code templates.learn}. */
    public record Result(String system, boolean learn, int lines, int trulyNew, int newTemplateAlerts,
                         int seenLines, int flagsOnSeen, int newTemplateAlertsOnSeen, int otherFlagsOnSeen) {

        double alertsPerNewTemplate() {
            return trulyNew == 0 ? 0 : (double) newTemplateAlerts / trulyNew;
        }

        double flaggedSeenShare() {
            return seenLines == 0 ? 0 : (double) flagsOnSeen / seenLines;
        }
    }

    private RawLogBenchmark() {
    }

    /** Trains on the first half of {@code log} and scores its second half, learning templates and not. */
    public static List<Result> run(String system, Path log, Path structured, String format, long seed)
            throws IOException, MalformedModelException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<String> truth = TemplateBenchmark.eventIds(structured);
        int half = lines.size() / 2;
        TrainingOptions options = TrainingOptions.defaults().withTokenizer(TemplateTokenizer.TYPE)
                .withTemplates(new TemplateSettings(format, List.of(), 0)).withSchedule(30, 32, 3e-3f, seed);
        try (LanguageModel model = new ModelTrainer(options, TrainingProgress.Listener.NONE)
                .train(new Corpus(List.of(lines.subList(0, half))))) {
            Set<String> seen = new HashSet<>(truth.subList(0, half));
            return List.of(score(system, model, lines, truth, half, seen, true),
                    score(system, model, lines, truth, half, seen, false));
        }
    }

    private static Result score(String system, LanguageModel model, List<String> lines, List<String> truth, int half,
                                Set<String> seen, boolean learn) {
        SessionScorer scorer = new SessionScorer(new ScorerConfig(Map.of(ScorerConfig.LEARN_TEMPLATES, learn)).scoring());
        SessionState state = null;
        Set<String> trulyNew = new HashSet<>();
        int alerts = 0;
        int seenLines = 0;
        int flagsOnSeen = 0;
        int alertsOnSeen = 0;
        int otherOnSeen = 0;
        for (int i = half; i < lines.size(); i++) {
            TextEvent event = new TextEvent("e" + i, system, lines.get(i), Instant.ofEpochMilli(i), false, null);
            SessionScorer.Outcome outcome = scorer.score(model, state, system, event, i);
            if (outcome.rejected()) {
                continue;
            }
            state = outcome.next();
            ScoredEvent e = outcome.scored();
            boolean newAlert = e.getAnomalyRule() == AnomalyRule.NEW_TEMPLATE;
            alerts += newAlert ? 1 : 0;
            if (!seen.contains(truth.get(i))) {
                trulyNew.add(truth.get(i));
                continue;
            }
            seenLines++;
            flagsOnSeen += e.getAnomalous() ? 1 : 0;
            alertsOnSeen += newAlert ? 1 : 0;
            otherOnSeen += e.getAnomalous() && !newAlert ? 1 : 0;
        }
        return new Result(system, learn, lines.size() - half, trulyNew.size(), alerts, seenLines, flagsOnSeen,
                alertsOnSeen, otherOnSeen);
    }

    public static String table(List<Result> results) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-10s %-7s %5s %9s %9s %9s %11s %13s %12s%n",
                "system", "learn", "lines", "truly new", "NEW alerts", "per new", "seen lines", "flagged seen",
                "(NEW, other)"));
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, "%-10s %-7s %5d %9d %10d %9.2f %11d %12.2f%% %5d, %5d%n",
                    r.system(), r.learn() ? "on" : "off", r.lines(), r.trulyNew(), r.newTemplateAlerts(),
                    r.alertsPerNewTemplate(), r.seenLines(), 100 * r.flaggedSeenShare(), r.newTemplateAlertsOnSeen(),
                    r.otherFlagsOnSeen()));
        }
        for (boolean learn : new boolean[] {true, false}) {
            List<Result> of = results.stream().filter(r -> r.learn() == learn).toList();
            out.append(String.format(Locale.ROOT, "mean, learning %-3s: %.2f new-template alerts per truly new template, "
                            + "%.2f%% of lines of seen templates flagged%n", learn ? "on" : "off",
                    of.stream().mapToDouble(Result::alertsPerNewTemplate).average().orElse(Double.NaN),
                    100 * of.stream().mapToDouble(Result::flaggedSeenShare).average().orElse(Double.NaN)));
        }
        return out.toString();
    }
}
