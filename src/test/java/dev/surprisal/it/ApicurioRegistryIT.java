package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.cli.Main;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.registry.RestSchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.testing.ApicurioRegistry;
import dev.surprisal.testing.Await;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.FreePorts;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TinyModelExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product against a real third-party registry, Apicurio Registry through its Confluent-compatible
 * API with basic auth: score, produce and consume work; a scorer whose rights are taken away holds its
 * input (no dead letter, readiness says why) and scores it once they are back, by itself or after a
 * restart; a wrong login or base path stops a command with one line; the registry's BACKWARD rule
 * admits an evolved schema and refuses an incompatible one with a clear message. Skips where no Java
 * 21+ is found to run the registry.
 */
@Tag("integration")
@Timeout(300)
@ExtendWith({EmbeddedClusterExtension.class, TinyModelExtension.class})
class ApicurioRegistryIT {

    private static final String SCORER_PASSWORD = "scorer-secret";
    private static final String PRODUCER_PASSWORD = "producer-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ApicurioRegistry registry;

    @BeforeAll
    static void startRegistry(@TempDir Path dir) throws Exception {
        var java = ApicurioRegistry.java21();
        var launcher = ApicurioRegistry.distribution();
        Assumptions.assumeTrue(java.isPresent(), "no Java 21+ to run Apicurio Registry (set APICURIO_JAVA)");
        Assumptions.assumeTrue(launcher.isPresent(), "Apicurio Registry is not unpacked (apicurio.home)");
        registry = ApicurioRegistry.start(java.get(), launcher.get(),
                Map.of("scorer", SCORER_PASSWORD, "producer", PRODUCER_PASSWORD), dir.resolve("apicurio.log"));
        registry.grant("scorer", "DEVELOPER");
        registry.grant("producer", "DEVELOPER");
    }

    @AfterAll
    static void stopRegistry() throws InterruptedException {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void aScorerRefusedByTheRegistryHoldsItsInputAndScoresItOnceLetBackIn(EmbeddedKafkaBroker broker,
                                                                           LanguageModel model, @TempDir Path dir)
            throws Exception {
        String app = IsolatedScorer.unique("apicurio-it");
        String in = app + ".in";
        Path modelDir = dir.resolve("model");
        ModelArtifact.save(model, modelDir);
        Path scorerConfig = config(dir, "scorer", SCORER_PASSWORD);
        Path producerConfig = config(dir, "producer", PRODUCER_PASSWORD);
        Path lines = dir.resolve("lines.txt");
        Files.write(lines, List.of("user=ann GET /cart 200", "user=bob GET /item/7 200", "user=ann POST /pay 201",
                "user=bob GET /cart 200"));

        Cli produce = Cli.run("produce", "--config", producerConfig.toString(), "--bootstrap-servers",
                broker.bootstrapServers(), "--schema-registry-url", registry.url(), "--topic", in, "--file",
                lines.toString(), "--session-regex", "user=(\\w+)");
        assertEquals(0, produce.exit(), produce.err());
        registry.compatibility(in + "-value", "BACKWARD");

        int httpPort = FreePorts.any();
        Scorer scorer = Scorer.start(broker, app, modelDir, scorerConfig, dir.resolve("state"), httpPort);
        try {
            awaitReady(httpPort, true);
            Cli consume = Cli.run("consume", "--config", producerConfig.toString(), "--bootstrap-servers",
                    broker.bootstrapServers(), "--schema-registry-url", registry.url(), "--topic", app + ".out",
                    "--output", "jsonl", "--from-beginning", "--max", "4", "--idle-timeout-ms", "60000");
            assertEquals(0, consume.exit(), consume.err());
            assertEquals(4, consume.out().strip().split("\n").length, consume.out());

            // the scorer's API key stops working; the producers move on to a compatible v2 of TextEvent
            registry.revoke("scorer");
            int v2 = registry.register(in + "-value", evolved("host").toString());
            publish(broker, in, v2, evolved("host"), List.of("e5", "e6"));
            JsonNode refused = awaitReady(httpPort, false);
            assertTrue(refused.get("reasons").toString().contains("schema-registry-credentials-refused"),
                    refused.toString());
            assertTrue(refused.get("problems").toString().contains("basic.auth.user.info"), refused.toString());
            assertEquals(0, endOffset(broker, app + ".dlq"), "nothing is dead-lettered for the registry's refusal");
            assertTrue(get(httpPort, "/metrics").body().contains(
                    "surprisal_dependency_faults_total{dependency=\"schema-registry\",reason=\"credentials-refused\"}"));

            registry.grant("scorer", "DEVELOPER");
            awaitReady(httpPort, true);
            assertEquals(List.of("e5", "e6"), idsAfter(broker, app, 4, 6), "scored by itself once let back in");

            // refused again, this time over a v3; the scorer is restarted while it holds records
            registry.revoke("scorer");
            int v3 = registry.register(in + "-value", evolved("host", "zone").toString());
            publish(broker, in, v3, evolved("host", "zone"), List.of("e7", "e8"));
            awaitReady(httpPort, false);
        } finally {
            scorer.stop();
        }
        assertEquals(0, endOffset(broker, app + ".dlq"));

        Cli refusedStart = Cli.run(scoreArguments(broker, app, modelDir, scorerConfig, dir.resolve("state"), httpPort));
        assertEquals(1, refusedStart.exit(), "a scorer that the registry refuses does not start");
        assertOneLine(refusedStart.err(), "basic.auth.user.info");

        registry.grant("scorer", "DEVELOPER");
        Scorer restarted = Scorer.start(broker, app, modelDir, scorerConfig, dir.resolve("state"), httpPort);
        try {
            awaitReady(httpPort, true);
            assertEquals(List.of("e7", "e8"), idsAfter(broker, app, 6, 8), "the held records scored after the restart");
        } finally {
            restarted.stop();
        }
        List<String> all = idsAfter(broker, app, 0, 8);
        assertEquals(8, all.stream().distinct().count(), "every event scored exactly once: " + all);
        assertEquals(0, endOffset(broker, app + ".dlq"));
    }

    @Test
    void aWrongLoginOrBasePathOrAnIncompatibleSchemaStopsACommandWithOneLine(EmbeddedKafkaBroker broker,
                                                                            @TempDir Path dir) throws Exception {
        String topic = IsolatedScorer.unique("apicurio-strict");
        Path wrong = config(dir, "producer", "not-the-password");
        Path right = config(dir, "producer", PRODUCER_PASSWORD);
        Path lines = dir.resolve("lines.txt");
        Files.write(lines, List.of("a line"));
        String[] cluster = {"--bootstrap-servers", broker.bootstrapServers()};

        Cli refused = Cli.run(concat(new String[] {"produce", "--config", wrong.toString(), "--schema-registry-url",
                registry.url(), "--topic", topic, "--file", lines.toString()}, cluster));
        assertEquals(1, refused.exit());
        assertOneLine(refused.err(), "refused the credentials (HTTP 401)");

        Cli basePath = Cli.run(concat(new String[] {"consume", "--config", right.toString(), "--schema-registry-url",
                registry.serverUrl(), "--topic", topic, "--max", "1"}, cluster));
        assertEquals(1, basePath.exit());
        assertOneLine(basePath.err(), "schema.registry.url must be the registry API's base path");

        // a subject whose latest schema the product's TextEvent cannot read: BACKWARD refuses it
        Schema intText = SchemaBuilder.record("TextEvent").namespace("dev.surprisal.avro").fields()
                .requiredString("eventId").requiredInt("text").endRecord();
        registry.register(topic + "-value", intText.toString());
        registry.compatibility(topic + "-value", "BACKWARD");
        Cli incompatible = Cli.run(concat(new String[] {"produce", "--config", right.toString(), "--schema-registry-url",
                registry.url(), "--topic", topic, "--file", lines.toString()}, cluster));
        assertEquals(1, incompatible.exit());
        assertOneLine(incompatible.err(), "under subject '" + topic + "-value'");
        assertTrue(incompatible.err().contains("Incompatible"), incompatible.err());

        RestSchemaRegistry client = new RestSchemaRegistry(registry.url(),
                Map.of(RestSchemaRegistry.USER_INFO, "producer:" + PRODUCER_PASSWORD));
        assertFalse(client.isCompatible(topic + "-value", TextEvent.getClassSchema()),
                "the product's own check agrees with the registry's refusal");
        registry.compatibility(topic + "-value", "NONE");
        assertTrue(client.isCompatible(topic + "-value", TextEvent.getClassSchema()),
                "under NONE the check agrees that registration would be accepted");
        Cli accepted = Cli.run(concat(new String[] {"produce", "--config", right.toString(), "--schema-registry-url",
                registry.url(), "--topic", topic, "--file", lines.toString()}, cluster));
        assertEquals(0, accepted.exit(), accepted.err());
    }

    /** What a command printed and how it ended. */
    private record Cli(int exit, String out, String err) {
        static Cli run(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                    .execute(args);
            return new Cli(exit, out.toString(), err.toString());
        }
    }

    /** {@code score} in-process, as CliRoundTripIT runs it; stopped as Ctrl-C would. */
    private record Scorer(Thread thread, AtomicInteger exit) {
        static Scorer start(EmbeddedKafkaBroker broker, String app, Path model, Path config, Path state, int port) {
            AtomicInteger exit = new AtomicInteger(-1);
            Thread t = new Thread(() -> exit.set(Main.commandLine()
                    .execute(scoreArguments(broker, app, model, config, state, port))), "score-" + app);
            t.start();
            return new Scorer(t, exit);
        }

        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(Duration.ofSeconds(60).toMillis());
            assertEquals(0, exit.get(), "score stops cleanly");
        }
    }

    private static String[] scoreArguments(EmbeddedKafkaBroker broker, String app, Path model, Path config, Path state,
                                           int port) {
        return new String[] {"score", "--config", config.toString(), "--bootstrap-servers", broker.bootstrapServers(),
            "--schema-registry-url", registry.url(), "--model", model.toString(), "--no-follow-releases",
            "--set", ScorerConfig.APPLICATION_ID + "=" + app, "--set", ScorerConfig.INPUT_TOPIC + "=" + app + ".in",
            "--set", ScorerConfig.OUTPUT_TOPIC + "=" + app + ".out", "--set", ScorerConfig.DLQ_TOPIC + "=" + app + ".dlq",
            "--set", ScorerConfig.ANOMALIES_TOPIC + "=" + app + ".anomalies",
            "--set", ScorerConfig.SUMMARIES_TOPIC + "=" + app + ".summaries",
            "--set", ScorerConfig.STATE_DIR + "=" + state, "--set", ScorerConfig.HTTP_PORT + "=" + port,
            "--partitions", "1"};
    }

    private static Path config(Path dir, String user, String password) throws Exception {
        Path file = dir.resolve(user + "-" + password + ".properties");
        Files.writeString(file, RestSchemaRegistry.USER_INFO + "=" + user + ":" + password + "\n");
        return file;
    }

    /** TextEvent with optional string fields added: what a producer team's next version looks like. */
    private static Schema evolved(String... fields) {
        String extra = String.join("", java.util.Arrays.stream(fields)
                .map(f -> ",{\"name\":\"" + f + "\",\"type\":[\"null\",\"string\"],\"default\":null}").toList());
        String json = TextEvent.getClassSchema().toString();
        return new Schema.Parser().parse(json.substring(0, json.lastIndexOf(']')) + extra + "]}");
    }

    /** Events in the wire format under schema id {@code id}, as another team's producer writes them. */
    private static void publish(EmbeddedKafkaBroker broker, String topic, int id, Schema schema, List<String> ids)
            throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (String eventId : ids) {
                GenericRecord r = new GenericData.Record(schema);
                r.put("eventId", eventId);
                r.put("sessionId", "ann");
                r.put("text", "user=ann GET /cart 200");
                r.put("eventTime", System.currentTimeMillis());
                r.put("endOfSession", false);
                r.put("host", "web-1");
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                bytes.write(0);
                bytes.write(ByteBuffer.allocate(4).putInt(id).array());
                BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
                new GenericDatumWriter<GenericRecord>(schema).write(r, encoder);
                encoder.flush();
                producer.send(new ProducerRecord<>(topic, "ann", bytes.toByteArray())).get();
            }
        }
    }

    /** The event ids scored at positions [from, to) of the output topic. */
    private static List<String> idsAfter(EmbeddedKafkaBroker broker, String app, int from, int to) {
        RestSchemaRegistry reader = new RestSchemaRegistry(registry.url(),
                Map.of(RestSchemaRegistry.USER_INFO, "producer:" + PRODUCER_PASSWORD));
        List<ConsumerRecord<String, ScoredEvent>> scored = TestClients.consume(broker.bootstrapServers(), app + ".out",
                new StringDeserializer(), AvroSerdes.value(ScoredEvent.class, reader).deserializer(), to,
                Duration.ofSeconds(60));
        List<String> ids = new ArrayList<>();
        scored.forEach(r -> ids.add(r.value().getEventId()));
        return ids.subList(Math.min(from, ids.size()), Math.min(to, ids.size()));
    }

    private static long endOffset(EmbeddedKafkaBroker broker, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            TopicPartition p = new TopicPartition(topic, 0);
            return admin.listOffsets(Map.of(p, OffsetSpec.latest())).partitionResult(p).get().offset();
        }
    }

    private static JsonNode awaitReady(int port, boolean ready) throws Exception {
        JsonNode[] body = new JsonNode[1];
        Await.until("the scorer reports " + (ready ? "ready" : "not ready"), Duration.ofSeconds(90), () -> {
            HttpResponse<String> r = get(port, "/health/ready");
            body[0] = JSON.readTree(r.body());
            return (r.statusCode() == 200) == ready;
        });
        return body[0];
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertOneLine(String err, String says) {
        String text = err.strip();
        assertTrue(text.contains(says), text);
        assertFalse(text.contains("\tat ") || text.contains("Exception in"), "no stack trace: " + text);
        assertEquals(1, text.lines().filter(l -> l.startsWith("surprisal ")).count(), text);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
