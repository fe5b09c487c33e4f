package dev.surprisal.bench;

import dev.surprisal.evaluate.CsvRows;
import dev.surprisal.tokenize.LogFormat;
import dev.surprisal.tokenize.TemplateMiner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Template mining against hand-labelled logs: the loghub 2k samples, each a raw {@code .log} and a
 * {@code _structured.csv} whose {@code EventId} column is the true template of every line. Grouping
 * accuracy as Zhu et al. (ICSE-SEIP 2019) define it: a line is right when the lines sharing its mined
 * template are exactly the lines sharing its true one. Only the log format is given per system.
 */
public final class TemplateBenchmark {

    /** The formats of the shipped samples, in logparser's notation (from the data's README). */
    public static final Map<String, String> FORMATS = formats();

    private static Map<String, String> formats() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("HDFS", "<Date> <Time> <Pid> <Level> <Component>: <Content>");
        f.put("BGL", "<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>");
        f.put("Spark", "<Date> <Time> <Level> <Component>: <Content>");
        f.put("Zookeeper", "<Date> <Time> - <Level>  \\[<Node>:<Component>@<Id>\\] - <Content>");
        f.put("OpenSSH", "<Date> <Day> <Time> <Component> sshd\\[<Pid>\\]: <Content>");
        f.put("Apache", "\\[<Time>\\] \\[<Level>\\] <Content>");
        f.put("HealthApp", "<Time>\\|<Component>\\|<Pid>\\|<Content>");
        f.put("Linux", "<Month> <Date> <Time> <Level> <Component>(\\[<PID>\\])?: <Content>");
        return Map.copyOf(f);
    }

    /** The order the systems are reported in. */
    private static final List<String> SYSTEMS = List.of("HDFS", "BGL", "Spark", "Zookeeper", "OpenSSH", "Apache",
            "HealthApp", "Linux");

    /** A labelled sample: the raw lines, the loghub CSV of their true templates, and the log's format. */
    public record Sample(String system, Path log, Path structured, String format) {
    }

    /** The samples under {@code data} (the shared data folder: {@code hdfs/} and {@code loghub/}). */
    public static List<Sample> samples(Path data) {
        return SYSTEMS.stream().map(system -> {
            Path dir = data.resolve(system.equals("HDFS") ? "hdfs" : "loghub");
            return new Sample(system, dir.resolve(system + "_2k.log"), dir.resolve(system + "_2k.log_structured.csv"),
                    FORMATS.get(system));
        }).toList();
    }

    /** One system's figures. */
    /**
     * One system's figures, as Loghub-2.0 reports them: grouping accuracy (GA, by lines), its F1 over
     * templates (FGA: a mined template is right when its lines are exactly one true template's), and
     * parsing accuracy (PA: lines whose mined template text is their true template, spaces aside; NaN
     * without an EventTemplate column).
     */
    public record Result(String system, int lines, int trueTemplates, int minedTemplates, double groupingAccuracy,
                         double groupingF1, double parsingAccuracy, double linesPerSecond) {
    }

    private TemplateBenchmark() {
    }

    /** @param log the raw lines; {@code structured} the loghub CSV with an EventId column */
    public static Result run(String system, Path log, Path structured, String format, double similarity,
                             int timingRounds) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<String> truth = eventIds(structured);
        if (truth.size() != lines.size()) {
            throw new IllegalArgumentException(structured + " labels " + truth.size() + " lines, " + log + " has "
                    + lines.size());
        }
        LogFormat logFormat = format == null ? null : LogFormat.parse(format);
        TemplateMiner miner = new TemplateMiner(logFormat, List.of(), similarity);
        int[] mined = new int[lines.size()];
        for (int i = 0; i < mined.length; i++) {
            mined[i] = miner.mine(lines.get(i)).id();
        }
        miner.settle();
        for (int i = 0; i < mined.length; i++) {
            TemplateMiner.Template t = miner.match(lines.get(i));
            mined[i] = t == null ? -1 - i : t.id(); // none: a group of its own, as a scorer's new template would be
        }
        double accuracy = groupingAccuracy(mined, truth);
        double f1 = groupingF1(mined, truth);
        List<String> trueTexts = column(structured, "EventTemplate");
        double pa = Double.NaN;
        if (trueTexts != null) {
            Map<Integer, String> minedTexts = new HashMap<>();
            miner.templates().forEach(t -> minedTexts.put(t.id(), t.text()));
            for (int i = 0; i < mined.length; i++) {
                minedTexts.putIfAbsent(mined[i], "");
            }
            long right = 0;
            for (int i = 0; i < mined.length; i++) {
                right += spaced(minedTexts.get(mined[i])).equals(spaced(trueTexts.get(i))) ? 1 : 0;
            }
            pa = mined.length == 0 ? Double.NaN : (double) right / mined.length;
        }
        mineRounds(lines, logFormat, similarity, timingRounds); // a warm-up: the figure is the steady state
        long start = System.nanoTime();
        long mined2 = mineRounds(lines, logFormat, similarity, timingRounds);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (mined2 < 0) {
            throw new IllegalStateException();
        }
        return new Result(system, lines.size(), (int) truth.stream().distinct().count(), miner.templates().size(),
                accuracy, f1, pa, timingRounds * (double) lines.size() / seconds);
    }

    /** Mines the lines afresh {@code rounds} times, as training does (mined, then settled). */
    private static long mineRounds(List<String> lines, LogFormat logFormat, double similarity, int rounds) {
        long ids = 0;
        for (int r = 0; r < rounds; r++) {
            TemplateMiner fresh = new TemplateMiner(logFormat, List.of(), similarity);
            for (String line : lines) {
                ids += fresh.mine(line).id();
            }
            fresh.settle();
        }
        return ids;
    }

    /** Share of lines whose mined group is exactly their true group. */
    public static double groupingAccuracy(int[] mined, List<String> truth) {
        Grouping g = Grouping.of(mined, truth);
        long correct = g.byMined().values().stream().filter(group -> g.right(group, truth)).mapToLong(List::size).sum();
        return mined.length == 0 ? 0 : (double) correct / mined.length;
    }

    /** F1 over templates: precision over the mined ones, recall over the true ones, a template right when pure and whole. */
    public static double groupingF1(int[] mined, List<String> truth) {
        Grouping g = Grouping.of(mined, truth);
        long right = g.byMined().values().stream().filter(group -> g.right(group, truth)).count();
        double precision = g.byMined().isEmpty() ? 0 : (double) right / g.byMined().size();
        double recall = g.trueSizes().isEmpty() ? 0 : (double) right / g.trueSizes().size();
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    /** The lines of each mined template, and how many lines each true template has. */
    private record Grouping(Map<Integer, List<Integer>> byMined, Map<String, Integer> trueSizes) {

        static Grouping of(int[] mined, List<String> truth) {
            Map<Integer, List<Integer>> byMined = new HashMap<>();
            Map<String, Integer> trueSizes = new HashMap<>();
            for (int i = 0; i < mined.length; i++) {
                byMined.computeIfAbsent(mined[i], k -> new ArrayList<>()).add(i);
                trueSizes.merge(truth.get(i), 1, Integer::sum);
            }
            return new Grouping(byMined, trueSizes);
        }

        /** A mined template is right when its lines are all of one true template, and all of its lines. */
        boolean right(List<Integer> group, List<String> truth) {
            String label = truth.get(group.get(0));
            return group.stream().allMatch(i -> truth.get(i).equals(label)) && trueSizes.get(label) == group.size();
        }
    }

    private static String spaced(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s+", " ");
    }

    /** A named column of a loghub structured CSV, or null when it has none. */
    static List<String> column(Path csv, String name) throws IOException {
        List<Map<String, String>> rows = CsvRows.withHeader(csv);
        if (rows.isEmpty() || !rows.get(0).containsKey(name)) {
            return null;
        }
        return rows.stream().map(r -> r.get(name)).toList();
    }

    /** The EventId (else EventTemplate) column of a loghub structured CSV (fields may be quoted, with doubled quotes). */
    static List<String> eventIds(Path csv) throws IOException {
        List<String> ids = column(csv, "EventId");
        ids = ids != null ? ids : column(csv, "EventTemplate");
        if (ids == null) {
            throw new IllegalArgumentException(csv + " has no EventId or EventTemplate column");
        }
        return ids;
    }

    public static String table(List<Result> results) {
        int width = Math.max(10, results.stream().mapToInt(r -> r.system().length()).max().orElse(0));
        String name = "%-" + width + "s";
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, name + " %6s %6s %6s %7s %7s %7s %12s%n",
                "system", "lines", "true", "mined", "GA", "FGA", "PA", "lines/s"));
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, name + " %6d %6d %6d %7.4f %7.4f %7.4f %,12.0f%n", r.system(),
                    r.lines(), r.trueTemplates(), r.minedTemplates(), r.groupingAccuracy(), r.groupingF1(),
                    r.parsingAccuracy(), r.linesPerSecond()));
        }
        out.append(String.format(Locale.ROOT, name + " %6s %6s %6s %7.4f %7.4f %7.4f %,12.0f%n", "mean", "", "", "",
                results.stream().mapToDouble(Result::groupingAccuracy).average().orElse(Double.NaN),
                results.stream().mapToDouble(Result::groupingF1).average().orElse(Double.NaN),
                results.stream().mapToDouble(Result::parsingAccuracy).average().orElse(Double.NaN),
                results.stream().mapToDouble(Result::linesPerSecond).average().orElse(Double.NaN)));
        return out.toString();
    }
}
