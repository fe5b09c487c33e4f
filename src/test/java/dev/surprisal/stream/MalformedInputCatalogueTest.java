package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionEndReason;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.session.ScoredEvents;
import dev.surprisal.session.SessionState;
import dev.surprisal.testing.TinyModelExtension;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input a producer can send, each with the outcome it must have: a dead letter
 * with its reason code, or a score. After the whole catalogue, a plain event still scores, so no
 * input stops the scorer.
 */
@ExtendWith(TinyModelExtension.class)
class MalformedInputCatalogueTest {

    private static final byte[] KEY = "s".getBytes(StandardCharsets.UTF_8);
    private static final String SCORED = "scored";
    private static final String NOTHING = "nothing";

    private final LanguageModel model;
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private TopologyTestDriver driver;
    private ScorerConfig config;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, ScoredEvent> scores;
    private TestOutputTopic<String, SessionSummary> summaries;
    private TestOutputTopic<byte[], byte[]> dlq;
    private int textEventId;

    @TempDir
    Path stateDir;

    MalformedInputCatalogueTest(LanguageModel shared) {
        this.model = shared;
    }

    @BeforeEach
    void start() {
        config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.STATE_DIR, stateDir.toString(),
                ScorerConfig.MAX_TEXT_BYTES, 1000, ScorerConfig.MAX_RECORD_BYTES, 20_000,
                ScorerConfig.DLQ_MAX_RECORD_BYTES, 10_000, ScorerConfig.BATCH_MAX_EVENTS, 16));
        driver = new TopologyTestDriver(ScoringTopology.build(config, ModelProvider.fixed(model), registry),
                config.streamsProperties());
        input = driver.createInputTopic(config.inputTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        scores = driver.createOutputTopic(config.outputTopic(), new StringDeserializer(),
                AvroSerdes.value(ScoredEvent.class, registry).deserializer());
        summaries = driver.createOutputTopic(config.summariesTopic(), new StringDeserializer(),
                AvroSerdes.value(SessionSummary.class, registry).deserializer());
        dlq = driver.createOutputTopic(config.dlqTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        textEventId = registry.register(AvroSerdes.valueSubject(config.inputTopic()), TextEvent.getClassSchema());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** One input and the outcome it must have: a dead-letter code, {@link #SCORED} or {@link #NOTHING}. */
    private record Case(String name, byte[] key, byte[] value, RecordHeaders headers, String expected) {
        Case(String name, byte[] key, byte[] value, String expected) {
            this(name, key, value, new RecordHeaders(), expected);
        }
    }

    @Test
    void everyCatalogueInputHasItsExpectedOutcomeAndScoringGoesOn() {
        List<Case> cases = catalogue();
        assertTrue(cases.size() >= 25, "at least 25 inputs");
        List<String> table = new ArrayList<>();
        for (Case c : cases) {
            input.pipeInput(new TestRecord<>(c.key(), c.value(), c.headers(), Instant.now()));
            endBatchWindow();
            String outcome = outcome();
            table.add(String.format("%-58s %s", c.name(), outcome));
            assertEquals(c.expected(), outcome, c.name());
        }
        System.out.println("malformed-input catalogue:\n  " + String.join("\n  ", table));
        input.pipeInput(KEY, textEvent("after", "s", "still scoring", null));
        endBatchWindow();
        assertEquals("after", scores.readValue().getEventId());
    }

    private void endBatchWindow() {
        driver.advanceWallClockTime(config.batchMaxWait());
        driver.advanceWallClockTime(config.batchMaxWait());
    }

    /** What the last input led to: exactly one score, one dead letter (its code), or nothing. */
    private String outcome() {
        List<ScoredEvent> scored = scores.readValuesToList();
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertTrue(scored.size() + dead.size() <= 1, scored.size() + " scores and " + dead.size() + " dead letters");
        if (!dead.isEmpty()) {
            assertNotNull(header(dead.get(0), DeadLetter.HEADER_REASON));
            return header(dead.get(0), DeadLetter.HEADER_CODE);
        }
        return scored.isEmpty() ? NOTHING : SCORED;
    }

    private List<Case> catalogue() {
        List<Case> c = new ArrayList<>();
        byte[] good = textEvent("e1", "s", "hello", null);
        c.add(new Case("a plain event", KEY, good, SCORED));
        c.add(new Case("the same eventId again (a resend)", KEY, good, NOTHING));
        c.add(new Case("random bytes", KEY, new byte[] {1, 2, 3, 4, 5, 6, 7}, "not-wire-format"));
        c.add(new Case("an empty value", KEY, new byte[0], "not-wire-format"));
        c.add(new Case("a wire header cut short", KEY, new byte[] {0, 0, 0}, "not-wire-format"));
        c.add(new Case("magic byte 1", KEY, withHeader(1, textEventId, body("e2", "s", "x")), "not-wire-format"));
        c.add(new Case("a schema id the registry does not have", KEY, withHeader(0, 999_999, body("e3", "s", "x")),
                "unknown-schema"));
        int scoredId = registry.register("token-scores-value", ScoredEvent.getClassSchema());
        c.add(new Case("a ScoredEvent under its own schema id", KEY, withHeader(0, scoredId, body("e4", "s", "x")),
                "wrong-schema"));
        Schema lookalike = SchemaBuilder.record("TextEvent").namespace("com.example").fields()
                .requiredString("eventId").requiredString("sessionId").requiredString("text").requiredLong("eventTime")
                .endRecord();
        int lookalikeId = registry.register("other-value", lookalike);
        c.add(new Case("same field names, another record name", KEY, withHeader(0, lookalikeId,
                concat(str("e5"), str("s"), str("x"), varLong(1))), "wrong-schema"));
        Schema noText = SchemaBuilder.record("TextEvent").namespace("dev.surprisal.avro").fields()
                .requiredString("eventId").requiredString("sessionId").requiredLong("eventTime").endRecord();
        int noTextId = registry.register("old-value", noText);
        c.add(new Case("a TextEvent without its required text", KEY, withHeader(0, noTextId,
                concat(str("e6"), str("s"), varLong(1))), "wrong-schema"));
        c.add(new Case("a string declaring 2,000,000,000 bytes (30-byte record)", KEY,
                withHeader(0, textEventId, concat(varLong(2_000_000_000L), pad(20))), "malformed"));
        c.add(new Case("a string declaring 400,000,000 bytes", KEY,
                withHeader(0, textEventId, concat(str("e7"), varLong(400_000_000L), pad(8))), "malformed"));
        c.add(new Case("a negative string length", KEY, withHeader(0, textEventId, concat(varLong(-5), pad(8))),
                "malformed"));
        c.add(new Case("a record cut 3 bytes short", KEY, Arrays.copyOf(good, good.length - 3), "malformed"));
        c.add(new Case("trailing bytes after the record", KEY, concat(textEvent("e8", "s", "x", null), pad(4)),
                "malformed"));
        c.add(new Case("a number longer than 10 bytes", KEY, withHeader(0, textEventId,
                concat(str("e9"), str("s"), str("x"), repeat((byte) 0xff, 11))), "malformed"));
        c.add(new Case("a union branch that does not exist", KEY, withHeader(0, textEventId,
                concat(str("e10"), str("s"), str("x"), varLong(1), new byte[] {0}, varLong(7))), "malformed"));
        c.add(new Case("labels declaring 1,000,000,000 entries", KEY, withHeader(0, textEventId,
                concat(str("e11"), str("s"), str("x"), varLong(1), new byte[] {0}, varLong(1),
                        varLong(1_000_000_000L), pad(4))), "too-many-items"));
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 1001; i++) {
            many.put("k" + i, "v");
        }
        c.add(new Case("1,001 labels (limit 1,000)", KEY, textEvent("e12", "s", "x", many), "too-many-items"));
        c.add(new Case("text that is not valid UTF-8", KEY, withHeader(0, textEventId,
                concat(str("e13"), str("s"), rawStr(new byte[] {'a', (byte) 0xc3, '(', 'b'}), varLong(1),
                        new byte[] {0}, varLong(0))), "invalid-utf8"));
        c.add(new Case("an eventId that is not valid UTF-8", KEY, withHeader(0, textEventId,
                concat(rawStr(new byte[] {(byte) 0xff}), str("s"), str("x"), varLong(1), new byte[] {0}, varLong(0))),
                "invalid-utf8"));
        c.add(new Case("no key", null, textEvent("e14", "s", "x", null), "missing-key"));
        c.add(new Case("an empty key", new byte[0], textEvent("e15", "s", "x", null), "missing-key"));
        c.add(new Case("a null value (tombstone)", KEY, null, "null-value"));
        c.add(new Case("a record over input.max.record.bytes", KEY, concat(textEvent("e16", "s", "x", null),
                pad(30_000)), "too-large"));
        RecordHeaders heavy = new RecordHeaders();
        heavy.add("h", new byte[25_000]);
        c.add(new Case("headers over input.max.record.bytes", KEY, textEvent("e17", "s", "x", null), heavy,
                "too-large"));
        c.add(new Case("text over text.max.bytes", KEY, textEvent("e18", "s", "x".repeat(1001), null), "too-large"));
        c.add(new Case("blank text", KEY, textEvent("e19", "s", " \t\n ", null), "empty-text"));
        c.add(new Case("emoji and other 4-byte characters", KEY, textEvent("e20", "s", "ok \uD83D\uDE00 \uD834\uDD1E", null),
                SCORED));
        c.add(new Case("NUL and control characters", KEY, textEvent("e21", "s", "a\u0000b\u0001\u007f", null), SCORED));
        c.add(new Case("a 1 KB session key, the limit", "k".repeat(1024).getBytes(StandardCharsets.UTF_8),
                textEvent("e22", "k", "x", null), SCORED));
        c.add(new Case("a 2 KB session key", "k".repeat(2048).getBytes(StandardCharsets.UTF_8),
                textEvent("e22b", "k", "x", null), "session-too-long"));
        Schema newer = SchemaBuilder.record("TextEvent").namespace("dev.surprisal.avro").fields()
                .requiredString("eventId").requiredString("sessionId").requiredString("text").requiredLong("eventTime")
                .name("endOfSession").type().booleanType().booleanDefault(false)
                .name("labels").type().optional().map().values().stringType()
                .name("source").type().stringType().stringDefault("web").endRecord();
        int newerId = registry.register("newer-value", newer);
        c.add(new Case("a newer TextEvent with an extra field", KEY, withHeader(0, newerId,
                concat(body("e23", "s", "x"), str("app"))), SCORED));
        return c;
    }

    @Test
    void aDeadLetterTooLargeToSendKeepsAPrefixWithTheOriginalSizeAndHash() {
        byte[] big = new byte[15_000];
        Arrays.fill(big, (byte) 7);
        input.pipeInput(KEY, big);
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertEquals("not-wire-format", header(dead, DeadLetter.HEADER_CODE));
        assertEquals("true", header(dead, DeadLetter.HEADER_TRUNCATED));
        assertEquals("15000", header(dead, DeadLetter.HEADER_VALUE_SIZE));
        assertEquals(64, header(dead, DeadLetter.HEADER_VALUE_SHA256).length());
        assertTrue(dead.value().length < config.dlqMaxRecordBytes() && dead.value().length > 0);
        assertEquals(7, dead.value()[0]);
    }

    @Test
    void aTimestampFarInTheFutureIsScoredWithANoteAndEndsNoOtherSession() {
        long now = System.currentTimeMillis();
        input.pipeInput(new TestRecord<>("a".getBytes(StandardCharsets.UTF_8), textEvent("a1", "a", "first", null),
                new RecordHeaders(), now));
        endBatchWindow();
        input.pipeInput(new TestRecord<>("b".getBytes(StandardCharsets.UTF_8), textEvent("b1", "b", "from the future",
                null), new RecordHeaders(), now + Duration.ofMinutes(50).toMillis()));
        endBatchWindow();
        driver.advanceWallClockTime(Duration.ofMinutes(1)); // an idle scan on wall-clock time
        List<ScoredEvent> out = scores.readValuesToList();
        assertEquals(List.of(), out.get(0).getNotes().stream().map(Object::toString).toList());
        assertEquals(List.of(ScoredEvents.NOTE_FUTURE_TIMESTAMP), out.get(1).getNotes().stream().map(Object::toString).toList());
        assertTrue(summaries.readValuesToList().stream().noneMatch(s -> s.getReason() == SessionEndReason.IDLE),
                "one record's clock ends no session");
        assertNotNull(driver.<String, SessionState>getKeyValueStore(ScoringTopology.STATE_STORE).get("a"));
    }

    private byte[] textEvent(String id, String session, String text, Map<String, String> labels) {
        return AvroSerdes.value(TextEvent.class, registry).serializer().serialize(config.inputTopic(),
                new TextEvent(id, session, text, Instant.ofEpochMilli(1), false, labels == null ? null : Map.copyOf(labels)));
    }

    /** A TextEvent's Avro body without labels. */
    private static byte[] body(String id, String session, String text) {
        return concat(str(id), str(session), str(text), varLong(1), new byte[] {0}, varLong(0));
    }

    private static byte[] withHeader(int magic, int schemaId, byte[] body) {
        return concat(new byte[] {(byte) magic}, ByteBuffer.allocate(4).putInt(schemaId).array(), body);
    }

    private static byte[] str(String s) {
        return rawStr(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] rawStr(byte[] bytes) {
        return concat(varLong(bytes.length), bytes);
    }

    private static byte[] varLong(long value) {
        long z = (value << 1) ^ (value >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((z & ~0x7fL) != 0) {
            out.write((int) ((z & 0x7f) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
        return out.toByteArray();
    }

    private static byte[] pad(int n) {
        return repeat((byte) 'x', n);
    }

    private static byte[] repeat(byte b, int n) {
        byte[] out = new byte[n];
        Arrays.fill(out, b);
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
