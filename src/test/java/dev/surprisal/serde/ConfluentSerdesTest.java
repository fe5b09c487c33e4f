package dev.surprisal.serde;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.registry.RestSchemaRegistry;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.registry.SchemaRegistryServer;
import dev.surprisal.testing.PageEvents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The wire format as Confluent's own serdes write and read it: events serialized by Confluent's
 * JavaScript {@code AvroSerializer} are read by the scorer's reader, and its scored events are read
 * by Confluent's {@code AvroDeserializer}, through the product's REST registry. The serdes are
 * installed by {@code .ci/run} ({@code npm install} of {@code src/test/node} into
 * {@code target/confluent-serdes}); without node or them the test skips.
 */
class ConfluentSerdesTest {

    private static final Path SERDES = Path.of(System.getProperty("confluent.serdes.dir", "target/confluent-serdes"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SchemaRegistryServer server;
    private static SchemaRegistry registry;

    @BeforeAll
    static void start() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(SERDES.resolve("node_modules/@confluentinc/schemaregistry")),
                "Confluent's JavaScript serdes are not installed in " + SERDES + " (.ci/run installs them)");
        server = SchemaRegistryServer.start(new InMemorySchemaRegistry(), "127.0.0.1", 0);
        registry = new RestSchemaRegistry(server.url(), Map.of());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aTextEventWrittenByConfluentsSerializerIsReadByTheScorer() throws Exception {
        String topic = "js-text-events";
        registry.register(AvroSerdes.valueSubject(topic), TextEvent.getClassSchema());
        String event = JSON.createObjectNode().put("eventId", "js-1").put("sessionId", "host-7")
                .put("text", "GET /cart 200 é").put("eventTime", 1_700_000_000_123L).put("endOfSession", true)
                .putNull("labels").toString();
        byte[] bytes = Base64.getDecoder().decode(node("serialize", topic, event));

        TextEvent read = AvroSerdes.untrustedReader(TextEvent.class, registry, 1000).deserialize(topic, bytes);
        assertEquals(new TextEvent("js-1", "host-7", "GET /cart 200 é", Instant.ofEpochMilli(1_700_000_000_123L), true,
                null), read);
    }

    @Test
    void aScoredEventWrittenByTheScorerIsReadByConfluentsDeserializer() throws Exception {
        String topic = "js-token-scores";
        ScoredEvent scored = PageEvents.scored("host-7", "e-1", "GET /cart", "cart", true);
        byte[] bytes = AvroSerdes.value(ScoredEvent.class, registry).serializer().serialize(topic, scored);

        JsonNode read = JSON.readTree(node("deserialize", topic, Base64.getEncoder().encodeToString(bytes)));
        assertEquals("e-1", read.get("eventId").asText());
        assertEquals("host-7", read.get("sessionId").asText());
        assertEquals(scored.getTokens().size(), read.get("tokens").size());
        for (int i = 0; i < scored.getTokens().size(); i++) {
            assertEquals(scored.getTokens().get(i).getToken(), read.get("tokens").get(i).get("token").asText());
            assertEquals(scored.getTokens().get(i).getSurprisalBits(),
                    read.get("tokens").get(i).get("surprisalBits").asDouble(), 0.0);
        }
        assertEquals(scored.getEventPerplexity(), read.get("eventPerplexity").asDouble(), 1e-12);
        assertEquals(true, read.get("anomalous").asBoolean());
    }

    private static String node(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("node", "confluent-serdes.mjs", args[0], server.url()));
        command.addAll(List.of(args).subList(1, args.length));
        Process p = new ProcessBuilder(command).directory(SERDES.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("node did not finish in 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "node " + String.join(" ", args) + ": " + err);
        return out;
    }
}
