package dev.surprisal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raw HDFS-like lines through templates, train and evaluate, as the README walks through them. */
class RawLogsTest {

    private static final String FORMAT = "<Date> <Time> <Pid> <Level> <Component>: <Content>";

    /** Blocks written, served and deleted; a few deletions name two blocks at once. */
    private static List<String> lines(long seed, int blocks) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        List<Long> previous = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            long block = Math.abs(r.nextLong());
            String ip = "10.251." + r.nextInt(200) + "." + r.nextInt(200);
            out.add(line(r, "BLOCK* NameSystem.allocateBlock: /user/root/part-" + b + ". blk_" + block));
            out.add(line(r, "Receiving block blk_" + block + " src: /" + ip + ":" + (40000 + r.nextInt(9999))
                    + " dest: /" + ip + ":50010"));
            out.add(line(r, "Received block blk_" + block + " of size " + r.nextInt(1 << 26) + " from /" + ip));
            out.add(line(r, "PacketResponder " + r.nextInt(3) + " for block blk_" + block + " terminating"));
            if (!previous.isEmpty() && r.nextBoolean()) {
                out.add(line(r, "BLOCK* ask " + ip + ":50010 to delete blk_" + block + " blk_" + previous.get(0)));
            }
            previous.add(0, block);
        }
        return out;
    }

    private static String line(Random r, String content) {
        return "081109 2" + (10000 + r.nextInt(89999)) + " " + r.nextInt(9999) + " INFO dfs.FSNamesystem: " + content;
    }

    private static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Test
    void rawLinesBecomeTemplatesSessionsAndAReport(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("hdfs.log");
        List<String> lines = lines(1, 150);
        Files.write(log, lines);
        String regex = "(blk_\\d+)";
        Path model = dir.resolve("model");
        assertEquals(0, run("train", "--corpus", log.toString(), "--session-regex", regex, "--tokenizer", "template",
                "--log-format", FORMAT, "--max-epochs", "3", "--out", model.toString()));
        JsonNode manifest = new ObjectMapper().readTree(model.resolve("manifest.json").toFile());
        List<String> templates = new ArrayList<>();
        manifest.path("tokenizer").path("vocabulary").forEach(v -> templates.add(v.asText()));
        assertEquals(List.of("<bos>", "<unk>", "BLOCK* NameSystem.allocateBlock: <*>. blk_<*>",
                "Receiving block blk_<*> src: <*> dest: <*>", "Received block blk_<*> of size <*> from <*>",
                "PacketResponder <*> for block blk_<*> terminating", "BLOCK* ask <*> to delete blk_<*>"), templates);

        Path report = dir.resolve("report");
        assertEquals(0, run("evaluate", "--model", model.toString(), "--input", log.toString(), "--session-regex", regex,
                "--report", report.toString()));
        JsonNode json = new ObjectMapper().readTree(report.resolve("report.json").toFile());
        // every block is a session, and a deletion naming two blocks is an event of both
        Set<String> blocks = new HashSet<>();
        long events = 0;
        for (String l : lines) {
            var m = java.util.regex.Pattern.compile(regex).matcher(l);
            while (m.find()) {
                blocks.add(m.group(1));
                events++;
            }
        }
        assertEquals(blocks.size(), json.path("sessions").asInt());
        assertEquals(events, json.path("events").asLong());
        assertEquals(events + blocks.size(), json.path("tokens").asLong(), "one token per line, and each session's end");
        List<String> verdicts = Files.readAllLines(report.resolve("sessions.tsv"));
        assertEquals(blocks.size() + 1, verdicts.size(), "a header and a line per block");
        assertEquals(blocks, verdicts.stream().skip(1).map(v -> v.split("\t")[0]).collect(java.util.stream.Collectors.toSet()));
        assertEquals(json.path("sessions").asInt() + 1, Files.readAllLines(report.resolve("baseline-sessions.tsv")).size());
        JsonNode top = json.path("topFlagged").get(0).path("events").get(0);
        String shown = top.path("topTokens").get(0).path("token").asText();
        assertTrue(templates.contains(shown) || shown.equals("<end>"), "reports show templates: " + shown);
        // and explain the event: its template, the values it masks, the template before it
        assertTrue(templates.contains(top.path("template").asText()), top.toString());
        assertTrue(top.path("values").size() > 0 && top.path("text").asText().contains(top.path("values").get(0).asText()),
                top.toString());
        String html = Files.readString(report.resolve("report.html"));
        assertTrue(html.contains("template <b>"), "the HTML names the templates of the flagged events");
    }

    /**
     * Templates a person corrects: {@code templates --write} writes them, a person deletes one, makes a word
     * of another a variable and splits a third by a word, and {@code train --templates} takes the file as
     * given: the model's vocabulary is the file, in its order. (Matching after such edits:
     * TemplateGeneralisationTest.)
     */
    @Test
    void templatesWrittenToAFileCanBeCorrectedAndTrainedOnAsGiven(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("hdfs.log");
        Files.write(log, lines(2, 120));
        Path file = dir.resolve("templates.txt");
        assertEquals(0, run("templates", "--input", log.toString(), "--log-format", FORMAT, "--write", file.toString()));
        List<String> written = Files.readAllLines(file);
        assertTrue(written.stream().anyMatch(l -> l.startsWith("# settings: {")), written.toString());
        List<String> edited = new ArrayList<>();
        for (String line : written) {
            if (line.equals("Received block blk_<*> of size <*> from <*>")) {
                continue; // its lines become a new template
            }
            if (line.equals("Receiving block blk_<*> src: <*> dest: <*>")) {
                edited.add("Receiving block blk_<*> <*> <*> dest: <*>");
                continue;
            }
            if (line.equals("PacketResponder <*> for block blk_<*> terminating")) {
                edited.add("PacketResponder 0 for block blk_<*> terminating"); // split by a word: responder 0 apart
                edited.add(line);
                continue;
            }
            edited.add(line);
        }
        Files.write(file, edited);
        Path model = dir.resolve("model");
        assertEquals(0, run("train", "--corpus", log.toString(), "--session-regex", "(blk_\\d+)", "--templates",
                file.toString(), "--max-epochs", "2", "--out", model.toString()));
        JsonNode manifest = new ObjectMapper().readTree(model.resolve("manifest.json").toFile());
        List<String> vocabulary = new ArrayList<>();
        manifest.path("tokenizer").path("vocabulary").forEach(v -> vocabulary.add(v.asText()));
        List<String> given = edited.stream().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        assertEquals(given, vocabulary.subList(2, vocabulary.size()), "the file, as given, in its order");
        assertEquals(manifest.path("tokenizer").path("template").path("logFormat").asText(), FORMAT,
                "the file's settings, with no --log-format given");
        assertTrue(run("train", "--corpus", log.toString(), "--templates", file.toString(), "--log-format",
                "<Content>", "--out", dir.resolve("refused").toString()) != 0, "a layout the file was not mined with");
    }

    /**
     * A log without session ids, with loghub's label column: windows per node from each line's own
     * time, training on the windows without an alert, and an evaluation per window and per line.
     */
    @Test
    void logsWithoutSessionIdsAreWindowedByTimeAndLabelledByTheirLabelColumn(@TempDir Path dir) throws Exception {
        String format = "<Label> <Timestamp> <Node> <Level> <Content>";
        Random r = new Random(9);
        List<String> lines = new ArrayList<>();
        long t = 1_117_838_570L;
        for (int i = 0; i < 600; i++) {
            t += 1 + r.nextInt(40);
            String node = "R0" + r.nextInt(3);
            boolean alert = i > 300 && r.nextInt(40) == 0;
            String content = alert ? "data TLB error interrupt at 0x" + Integer.toHexString(r.nextInt())
                    : r.nextBoolean() ? "instruction cache parity error corrected" : "generating core." + r.nextInt(999);
            lines.add((alert ? "KERNDTLB" : "-") + " " + t + " " + node + " " + (alert ? "FATAL" : "INFO") + " " + content);
        }
        Path log = dir.resolve("bgl-like.log");
        Files.write(log, lines);
        Path model = dir.resolve("model");
        String[] windows = {"--log-format", format, "--window", "PT10M", "--window-key", "Node", "--label-field", "Label"};
        List<String> train = new ArrayList<>(List.of("train", "--corpus", log.toString(), "--tokenizer", "template",
                "--max-epochs", "2", "--normal-only", "--out", model.toString()));
        train.addAll(List.of(windows));
        assertEquals(0, run(train.toArray(String[]::new)));

        Path report = dir.resolve("report");
        List<String> evaluate = new ArrayList<>(List.of("evaluate", "--model", model.toString(), "--input", log.toString(),
                "--report", report.toString()));
        evaluate.addAll(List.of(windows));
        assertEquals(0, run(evaluate.toArray(String[]::new)));
        JsonNode json = new ObjectMapper().readTree(report.resolve("report.json").toFile());
        List<String> verdicts = Files.readAllLines(report.resolve("sessions.tsv"));
        assertTrue(verdicts.stream().skip(1).allMatch(v -> v.split("\t")[0].matches("R0[0-2]@2005-06-0\\dT\\d\\d:\\d0:00Z")),
                "a session per node and 10-minute window: " + verdicts.subList(0, 3));
        long alertWindows = lines.stream().filter(l -> l.startsWith("KERNDTLB")).count();
        assertTrue(json.path("anomalousSessions").asInt() > 0 && json.path("anomalousSessions").asInt() <= alertWindows,
                json.path("anomalousSessions").toString());
        assertEquals(json.path("sessions").asInt(), json.path("labelledSessions").asInt(), "every window has a label");
        assertTrue(json.has("eventLevel"), "per line too: " + json.fieldNames().next());
    }
}
