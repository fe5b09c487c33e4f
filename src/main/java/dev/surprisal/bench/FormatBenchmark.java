package dev.surprisal.bench;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.input.InputSettings;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.Directories;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The scorer end to end (exactly-once, Avro output) on the same events written in each input format:
 * the product's Avro, plain text and shipper JSON keyed by session, JSON whose session is a field
 * (re-keyed through the repartition topic), and OTLP protobuf batches (re-keyed too). Each format runs
 * on a scorer of its own after a warm-up; the figure is events scored per second of the whole run.
 */
public final class FormatBenchmark {

    public record Settings(int events, int sessions, int tokensPerEvent, int hidden, int otlpBatch, int rounds,
                           long seed) {
    }

    /** A format: the scorer's input settings and how an event list is written as records. */
    private record Case(String name, Map<String, Object> input, Function<List<TextEvent>, List<ProducerRecord<byte[],
            byte[]>>> writer) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Settings settings;

    public FormatBenchmark(Settings settings) {
        this.settings = settings;
    }

    public ObjectNode run() throws Exception {
        ObjectNode out = JSON.createObjectNode();
        List<TextEvent> events = generate(settings.events(), "", settings.seed());
        List<TextEvent> warmup = generate(Math.max(200, settings.events() / 5), "warmup-", settings.seed() + 1);
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        Serializer<TextEvent> avro = AvroSerdes.value(TextEvent.class, registry).serializer();
        List<Case> cases = List.of(
                new Case("avro", Map.of(), es -> keyed(es, e -> avro.serialize("t", e))),
                new Case("text", Map.of(InputSettings.FORMAT, "text"),
                        es -> keyed(es, e -> e.getText().getBytes(StandardCharsets.UTF_8))),
                new Case("json", Map.of(InputSettings.FORMAT, "json"), es -> keyed(es, e -> json(e, false))),
                new Case("json-session-field", Map.of(InputSettings.FORMAT, "json", InputSettings.SESSION_FIELD, "host"),
                        es -> unkeyed(es, e -> json(e, true))),
                new Case("otlp-proto", Map.of(InputSettings.FORMAT, "otlp-proto", InputSettings.SESSION_FIELD, "host"),
                        this::otlp));
        Path state = Files.createTempDirectory("surprisal-bench-formats-");
        try (LanguageModel model = BenchModels.random(settings.hidden(), 0);
             EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(0)) {
            // JIT and the broker warm up through the run: each format runs once per round, the rounds in
            // opposite orders, and keeps its best
            Map<String, Double> best = new java.util.LinkedHashMap<>();
            cases.forEach(c -> best.put(c.name(), 0.0));
            for (int round = 0; round < settings.rounds(); round++) {
                List<Case> order = new ArrayList<>(cases);
                if (round % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (Case c : order) {
                    double rate = measure(broker, registry, model, state, c, round, warmup, events);
                    best.merge(c.name(), rate, Math::max);
                }
            }
            double avroRate = best.get("avro");
            best.forEach((name, rate) -> {
                ObjectNode row = out.putObject(name);
                row.put("eventsPerSecond", rate);
                row.put("tokensPerSecond", rate * settings.tokensPerEvent());
                row.put("ofAvro", rate / avroRate);
            });
        } finally {
            Directories.deleteRecursively(state);
        }
        out.putPOJO("settings", settings);
        return out;
    }

    /** One format on a scorer of its own: warm-up, then the events; events scored per second. */
    private static double measure(EmbeddedKafkaBroker broker, InMemorySchemaRegistry registry, LanguageModel model,
                                  Path state, Case c, int round, List<TextEvent> warmup, List<TextEvent> events)
            throws Exception {
        String name = "bench-formats-" + c.name() + "-" + round;
        Map<String, Object> s = new HashMap<>(ScorerConfig.prefixedTopics(name));
        s.put(ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        s.put(ScorerConfig.APPLICATION_ID, name);
        s.put(ScorerConfig.STATE_DIR, state.resolve(name).toString());
        s.put(ScorerConfig.HTTP_PORT, 0);
        s.putAll(c.input());
        ScorerConfig config = new ScorerConfig(s);
        broker.createTopics(ScorerTopics.all(config, 4, (short) 1));
        try (ScorerService scorer = ScorerService.start(config, ModelProvider.fixed(model), registry,
                Duration.ofMinutes(2));
             KafkaConsumer<byte[], byte[]> consumer = Clients.readCommittedAll(config.clientProperties(),
                     config.outputTopic(), true, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            time(broker, config, consumer, c.writer().apply(warmup), warmup.size());
            return events.size() / time(broker, config, consumer, c.writer().apply(events), events.size());
        }
    }

    /** Produces the records at once and waits until {@code expected} more scores are visible: seconds from first send to last score. */
    private static double time(EmbeddedKafkaBroker broker, ScorerConfig config, KafkaConsumer<byte[], byte[]> consumer,
                               List<ProducerRecord<byte[], byte[]>> records, int expected) throws Exception {
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                producer.send(new ProducerRecord<>(config.inputTopic(), r.key(), r.value()));
            }
            producer.flush();
        }
        int seen = 0;
        long last = start;
        long deadline = start + Duration.ofMinutes(20).toNanos();
        while (seen < expected && System.nanoTime() < deadline) {
            int n = consumer.poll(Duration.ofMillis(100)).count();
            if (n > 0) {
                seen += n;
                last = System.nanoTime();
            }
        }
        if (seen < expected) {
            throw new IllegalStateException("only " + seen + " of " + expected + " events were scored");
        }
        return (last - start) / 1e9;
    }

    private static List<ProducerRecord<byte[], byte[]>> keyed(List<TextEvent> events, Function<TextEvent, byte[]> value) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (TextEvent e : events) {
            out.add(new ProducerRecord<>("t", e.getSessionId().getBytes(StandardCharsets.UTF_8), value.apply(e)));
        }
        return out;
    }

    private static List<ProducerRecord<byte[], byte[]>> unkeyed(List<TextEvent> events, Function<TextEvent, byte[]> value) {
        return events.stream().map(e -> new ProducerRecord<byte[], byte[]>("t", null, value.apply(e))).toList();
    }

    private static byte[] json(TextEvent e, boolean withSession) {
        ObjectNode o = JSON.createObjectNode().put("@timestamp", e.getEventTime().toString()).put("message", e.getText());
        if (withSession) {
            o.put("host", e.getSessionId());
        }
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Batches of {@code otlpBatch} log records, as a collector's exporter sends them; the session an attribute. */
    private List<ProducerRecord<byte[], byte[]>> otlp(List<TextEvent> events) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int from = 0; from < events.size(); from += settings.otlpBatch()) {
            ScopeLogs.Builder logs = ScopeLogs.newBuilder();
            for (TextEvent e : events.subList(from, Math.min(events.size(), from + settings.otlpBatch()))) {
                Instant t = e.getEventTime();
                logs.addLogRecords(LogRecord.newBuilder()
                        .setTimeUnixNano(t.getEpochSecond() * 1_000_000_000L + t.getNano())
                        .setBody(AnyValue.newBuilder().setStringValue(e.getText()))
                        .addAttributes(KeyValue.newBuilder().setKey("host")
                                .setValue(AnyValue.newBuilder().setStringValue(e.getSessionId()))));
            }
            byte[] value = LogsData.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(logs)).build()
                    .toByteArray();
            out.add(new ProducerRecord<>("t", null, value));
        }
        return out;
    }

    private List<TextEvent> generate(int count, String prefix, long seed) {
        Random random = new Random(seed);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 /=:.-_ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        List<TextEvent> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder();
            for (int t = 0; t < settings.tokensPerEvent(); t++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            out.add(new TextEvent(prefix + i, prefix + "s" + (i % settings.sessions()), text.toString(), Instant.now(),
                    false, null));
        }
        return out;
    }
}
