package dev.surprisal.it;

import dev.surprisal.cli.Main;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.registry.KafkaSchemaJournal;
import dev.surprisal.registry.SchemaRegistryServer;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.testing.Await;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.FreePorts;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.TinyModelExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
@Timeout(240)
@ExtendWith({EmbeddedClusterExtension.class, TinyModelExtension.class})
class CliRoundTripIT {

    @Test
    void producedLinesAreScoredAndConsumedAsJsonLines(EmbeddedKafkaBroker broker, LanguageModel model,
                                                     @TempDir Path dir) throws Exception {
        Path modelDir = dir.resolve("model");
        ModelArtifact.save(model, modelDir);
        Path lines = dir.resolve("lines.txt");
        Files.write(lines, List.of(
                "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating",
                "081109 203807 222 INFO dfs.DataNode$PacketResponder: PacketResponder 0 for block blk_-6952295868487656571 terminating",
                "081109 204005 35 INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blk_38865049064139660 added",
                "a line without any block id"));
        int httpPort = FreePorts.any();
        try (KafkaSchemaJournal journal = KafkaSchemaJournal.open(
                     Map.of(ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers()), "_schemas_cli_it");
             SchemaRegistryServer registry = SchemaRegistryServer.start(journal.registry(), "127.0.0.1", 0)) {
            String[] cluster = {"--bootstrap-servers", broker.bootstrapServers(), "--schema-registry-url", registry.url()};
            String app = IsolatedScorer.unique("cli-it");
            java.util.concurrent.atomic.AtomicInteger scoreExit = new java.util.concurrent.atomic.AtomicInteger(-1);
            Thread scorer = new Thread(() -> scoreExit.set(new CommandLine(new Main()).execute(concat(new String[] {"score",
                    "--model", modelDir.toString(),
                    "--set", ScorerConfig.APPLICATION_ID + "=" + app,
                    "--set", ScorerConfig.INPUT_TOPIC + "=" + app + ".in",
                    "--set", ScorerConfig.OUTPUT_TOPIC + "=" + app + ".out",
                    "--set", ScorerConfig.STATE_DIR + "=" + dir.resolve("state"),
                    "--set", ScorerConfig.HTTP_PORT + "=" + httpPort,
                    "--partitions", "2"}, cluster))), "score-command");
            scorer.start();
            try {
                awaitReady(httpPort);
                StringWriter producerErr = new StringWriter();
                int produced = new CommandLine(new Main()).setErr(new PrintWriter(producerErr, true))
                        .execute(concat(new String[] {"produce", "--topic", app + ".in", "--file", lines.toString(),
                                "--session-regex", "(blk_-?\\d+)"}, cluster));
                assertEquals(0, produced, producerErr.toString());
                assertTrue(producerErr.toString().contains("published 3 events"), producerErr.toString());

                StringWriter out = new StringWriter();
                int consumed = new CommandLine(new Main()).setOut(new PrintWriter(out, true))
                        .execute(concat(new String[] {"consume", "--topic", app + ".out", "--output", "jsonl",
                                "--from-beginning", "--max", "3", "--idle-timeout-ms", "60000"}, cluster));
                assertEquals(0, consumed);
                List<JsonNode> scored = new ArrayList<>();
                for (String line : out.toString().strip().split("\n")) {
                    scored.add(new ObjectMapper().readTree(line));
                }
                assertEquals(3, scored.size(), out.toString());
                assertEquals(2, scored.stream().filter(e -> e.get("sessionId").asText()
                        .equals("blk_38865049064139660")).count());
                assertEquals(2, scored.stream().filter(e -> e.get("sessionId").asText().equals("blk_38865049064139660"))
                        .mapToLong(e -> e.get("sessionTokenCount").asLong()).distinct().count(),
                        "the second event of a block continues its session");

                HttpResponse<String> session = get(httpPort, "/sessions/blk_38865049064139660");
                assertEquals(200, session.statusCode(), session.body());
                assertEquals(2, new ObjectMapper().readTree(session.body()).get("events").asInt());
                assertTrue(get(httpPort, "/metrics").body().contains("surprisal_events_scored_total 3.0"));
            } finally {
                scorer.interrupt();
                scorer.join(Duration.ofSeconds(60).toMillis());
            }
            assertEquals(0, scoreExit.get(), "score stops cleanly");
        }
    }

    private static void awaitReady(int port) throws Exception {
        Await.until("the score command becomes ready", Duration.ofSeconds(90),
                () -> get(port, "/health/ready").statusCode() == 200);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
