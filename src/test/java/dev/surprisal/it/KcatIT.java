package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.input.InputSettings;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.serde.JsonRecords;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.TinyModelExtension;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command-line client people try a topic with: kcat publishes plain lines (keyed by session)
 * and shipper JSON (session in a field), and reads the scores back as JSON, with no registry
 * anywhere. Skips where kcat is not installed ({@code .ci/run} installs it).
 */
@Tag("integration")
@Timeout(180)
@ExtendWith({EmbeddedClusterExtension.class, TinyModelExtension.class})
class KcatIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void plainLinesInJsonScoresOut(EmbeddedKafkaBroker broker, LanguageModel model, @TempDir Path dir)
            throws Exception {
        String kcat = kcat();
        ScorerConfig config = config(broker, "kcat-text", dir, Map.of(InputSettings.FORMAT, "text"));
        Path lines = Files.writeString(dir.resolve("lines.txt"),
                "web-1:GET /index.html\nweb-2:GET /cart\nweb-1:GET /about.html\n");
        List<ScoredEvent> scores;
        try (ScorerService scorer = ScorerService.start(config, ModelProvider.fixed(model), null, WAIT)) {
            run(kcat, "-b", broker.bootstrapServers(), "-t", config.inputTopic(), "-P", "-K", ":", "-l",
                    lines.toString());
            scores = read(kcat, broker, config.outputTopic(), 3);
        }
        assertEquals(List.of("GET /about.html", "GET /cart", "GET /index.html"),
                scores.stream().map(ScoredEvent::getText).sorted().toList());
        ScoredEvent about = scores.stream().filter(e -> e.getText().equals("GET /about.html")).findFirst().orElseThrow();
        assertEquals("web-1", about.getSessionId());
        assertTrue(about.getSessionTokenCount() > about.getTokens().size(), "web-1's second line continues its session");
    }

    @Test
    void shipperJsonInJsonScoresOut(EmbeddedKafkaBroker broker, LanguageModel model, @TempDir Path dir)
            throws Exception {
        String kcat = kcat();
        ScorerConfig config = config(broker, "kcat-json", dir, Map.of(InputSettings.FORMAT, "json",
                InputSettings.SESSION_FIELD, "host.name", InputSettings.TIME_FIELD, "@timestamp"));
        Path lines = Files.writeString(dir.resolve("filebeat.json"), String.join("\n",
                "{\"@timestamp\":\"2026-12-01T10:00:00.000Z\",\"message\":\"sshd accepted key\",\"host\":{\"name\":\"h1\"}}",
                "{\"@timestamp\":\"2026-12-01T10:00:01.000Z\",\"message\":\"sshd session opened\",\"host\":{\"name\":\"h1\"}}",
                "{\"@timestamp\":\"2026-12-01T10:00:02.000Z\",\"message\":\"cron ran\",\"host\":{\"name\":\"h2\"}}",
                "{\"message\": 7}") + "\n");
        List<ScoredEvent> scores;
        try (ScorerService scorer = ScorerService.start(config, ModelProvider.fixed(model), null, WAIT)) {
            run(kcat, "-b", broker.bootstrapServers(), "-t", config.inputTopic(), "-P", "-l", lines.toString());
            scores = read(kcat, broker, config.outputTopic(), 3);
        }
        assertEquals(List.of("h1", "h1", "h2"), scores.stream().map(ScoredEvent::getSessionId).sorted().toList());
        String dead = run(kcat, "-b", broker.bootstrapServers(), "-t", config.dlqTopic(), "-C", "-q", "-o", "beginning",
                "-c", "1", "-f", "%h\n");
        assertTrue(dead.contains("surprisal.dlq.code=text-not-string"), dead);
    }

    private static ScorerConfig config(EmbeddedKafkaBroker broker, String name, Path dir, Map<String, Object> input) {
        Map<String, Object> settings = IsolatedScorer.settings(broker.bootstrapServers(), IsolatedScorer.unique(name));
        settings.put(ScorerConfig.STATE_DIR, dir.resolve("state").toString());
        settings.put(ScorerConfig.HTTP_PORT, 0);
        settings.put(ScorerConfig.OUTPUT_FORMAT, "json");
        settings.putAll(input);
        ScorerConfig config = new ScorerConfig(settings);
        broker.createTopics(ScorerTopics.all(config, 2, (short) 1));
        return config;
    }

    /** Committed scores as kcat prints them, one JSON value per line. */
    private static List<ScoredEvent> read(String kcat, EmbeddedKafkaBroker broker, String topic, int count)
            throws Exception {
        String out = run(kcat, "-b", broker.bootstrapServers(), "-t", topic, "-C", "-q", "-o", "beginning", "-c",
                Integer.toString(count), "-X", "isolation.level=read_committed", "-f", "%s\n");
        List<ScoredEvent> scores = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                scores.add(JsonRecords.read(line.getBytes(StandardCharsets.UTF_8), ScoredEvent.class));
            }
        }
        return scores;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        boolean done = p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(done, String.join(" ", command) + " did not finish within " + WAIT + ": " + out);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    private static String kcat() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("kcat", "kafkacat")) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        assumeTrue(false, "kcat is not installed");
        return null;
    }
}
