package dev.surprisal.stream;

import dev.surprisal.avro.AnomalyRule;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.demo.ConsoleRenderer;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.testing.TestModels;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raw log lines scored by the topology with a template model: templates shown, new ones flagged. */
class TemplateTopologyTest {

    private static final String HEADER = "081109 203615 148 INFO dfs.DataNode$PacketResponder: ";

    @Test
    void rawLinesAreScoredAsTheirTemplatesAndANewTemplateIsFlagged(@TempDir Path stateDir) {
        ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.STATE_DIR, stateDir.toString()));
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        List<String> training = List.of(HEADER + "PacketResponder 1 for block blk_1 terminating",
                HEADER + "PacketResponder 2 for block blk_-7 terminating",
                HEADER + "Received block blk_1 of size 67108864 from /10.0.0.1");
        try (LanguageModel model = TestModels.tinyTemplateModel(training);
             TopologyTestDriver driver = new TopologyTestDriver(
                     ScoringTopology.build(config, ModelProvider.fixed(model), registry), config.streamsProperties())) {
            TestInputTopic<String, TextEvent> in = driver.createInputTopic(config.inputTopic(), new StringSerializer(),
                    AvroSerdes.value(TextEvent.class, registry).serializer());
            TestOutputTopic<String, ScoredEvent> out = driver.createOutputTopic(config.outputTopic(),
                    new StringDeserializer(), AvroSerdes.value(ScoredEvent.class, registry).deserializer());
            in.pipeInput("blk_9", new TextEvent("e1", "blk_9", HEADER + "Received block blk_9 of size 12 from /10.0.0.2",
                    Instant.ofEpochMilli(1), false, null), 1);
            in.pipeInput("blk_9", new TextEvent("e2", "blk_9", HEADER + "Exception in receiveBlock for block blk_9",
                    Instant.ofEpochMilli(2), false, null), 2);
            driver.advanceWallClockTime(config.batchMaxWait());
            driver.advanceWallClockTime(config.batchMaxWait());
            Map<String, ScoredEvent> scored = new HashMap<>();
            out.readValuesToList().forEach(e -> scored.put(e.getEventId(), e));

            ScoredEvent known = scored.get("e1");
            assertEquals(1, known.getTokens().size(), "one line, one token");
            assertEquals("Received block blk_<*> of size <*> from <*>", known.getTokens().get(0).getToken());
            assertFalse(known.getAnomalous());
            assertEquals(List.of("blk_9", "12", "/10.0.0.2"), known.getTemplateValues(), "the values the template masks");
            assertEquals("T" + model.tokenizer().encode(known.getText())[0], known.getTemplateId());
            ScoredEvent unseen = scored.get("e2");
            assertTrue(unseen.getAnomalous());
            assertEquals(AnomalyRule.NEW_TEMPLATE, unseen.getAnomalyRule());
            assertEquals("<new template>", unseen.getTokens().get(0).getToken());

            // what a person reads: the line, not a placeholder, with the template's values marked
            ConsoleRenderer plain = new ConsoleRenderer(false, false);
            String shownUnseen = plain.render(unseen);
            assertTrue(shownUnseen.contains(HEADER + "Exception in receiveBlock for block blk_9"), shownUnseen);
            assertTrue(shownUnseen.contains("a new template, alerted once: learned as t"), shownUnseen);
            assertFalse(shownUnseen.contains("<new template>"), shownUnseen);
            String shownKnown = plain.render(known);
            assertTrue(shownKnown.contains("Received block «blk_9» of size «12» from «/10.0.0.2»"), shownKnown);
            assertTrue(shownKnown.contains("template: Received block blk_<*> of size <*> from <*> ("),
                    shownKnown);
        }
    }

    /**
     * A new template is alerted once: its first line is NEW_TEMPLATE, its later lines are recognised
     * as the template learned from it, and another scorer (or this one after a restart) that reads the
     * learned-templates topic recognises it too.
     */
    @Test
    void aNewTemplateIsAlertedOnceAndEveryScorerLearnsIt(@TempDir Path stateDir) {
        List<String> training = List.of(HEADER + "PacketResponder 1 for block blk_1 terminating",
                HEADER + "Received block blk_1 of size 67108864 from /10.0.0.1");
        List<String> fresh = List.of(HEADER + "Exception in receiveBlock for block blk_9 java.io.IOException: reset",
                HEADER + "Exception in receiveBlock for block blk_-4 java.io.IOException: reset",
                HEADER + "Exception in receiveBlock for block blk_12 java.io.IOException: reset");
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        List<org.apache.kafka.streams.test.TestRecord<byte[], byte[]>> learned;
        try (LanguageModel model = TestModels.tinyTemplateModel(training)) {
            ScorerConfig first = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.STATE_DIR, stateDir.resolve("a").toString()));
            try (TopologyTestDriver driver = new TopologyTestDriver(
                    ScoringTopology.build(first, ModelProvider.fixed(model), registry), first.streamsProperties())) {
                List<ScoredEvent> scored = score(driver, first, registry, fresh, "a");
                assertEquals(List.of(true, false, false), scored.stream().map(ScoredEvent::getAnomalous).toList());
                assertEquals(AnomalyRule.NEW_TEMPLATE, scored.get(0).getAnomalyRule());
                String note = scored.get(0).getNotes().get(0);
                assertTrue(note.startsWith("new-template:t"), note);
                String id = note.substring("new-template:".length());
                assertEquals(List.of("learned-template:" + id), scored.get(2).getNotes());
                assertEquals(id, scored.get(2).getTemplateId(), "the learned template's id beside the line");
                assertEquals("<new template>", scored.get(2).getTokens().get(0).getToken(),
                        "still the model's unknown token, until a fine-tune learns it");
                learned = driver.createOutputTopic(first.learnedTemplatesTopic(), new ByteArrayDeserializer(),
                        new ByteArrayDeserializer()).readRecordsToList();
                assertTrue(learned.size() >= 1, "the template is shared");
                String record = new String(learned.get(learned.size() - 1).value(), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(record.contains(id) && record.contains("Exception in receiveBlock for block blk_<*>"), record);
                assertTrue(record.contains("\"lines\":2"), "counts are shared at 1, 2, 4 ... lines: " + record);
            }
            ScorerConfig second = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.STATE_DIR, stateDir.resolve("b").toString()));
            try (TopologyTestDriver driver = new TopologyTestDriver(
                    ScoringTopology.build(second, ModelProvider.fixed(model), registry), second.streamsProperties())) {
                TestInputTopic<byte[], byte[]> topic = driver.createInputTopic(second.learnedTemplatesTopic(),
                        new ByteArraySerializer(), new ByteArraySerializer());
                learned.forEach(r -> topic.pipeInput(r.key(), r.value()));
                List<ScoredEvent> scored = score(driver, second, registry,
                        List.of(HEADER + "Exception in receiveBlock for block blk_77 java.io.IOException: reset"), "b");
                assertFalse(scored.get(0).getAnomalous(), "another scorer knows the template from the topic");
                assertTrue(scored.get(0).getNotes().get(0).startsWith("learned-template:t"));
            }
            ScorerConfig alerting = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.STATE_DIR, stateDir.resolve("c").toString(),
                    ScorerConfig.LEARN_TEMPLATES, false));
            try (TopologyTestDriver driver = new TopologyTestDriver(
                    ScoringTopology.build(alerting, ModelProvider.fixed(model), registry), alerting.streamsProperties())) {
                assertEquals(List.of(true, true, true), score(driver, alerting, registry, fresh, "c").stream()
                        .map(ScoredEvent::getAnomalous).toList(), "templates.learn=false alerts every such line");
            }
        }
    }

    /**
     * Two instances meet a new template at once, each first to its own miner: their claims reach one judge
     * (keyed by the template's id), which alerts the first and emits the other as a line of the template.
     * Here instance a's claim reaches the judge before instance b's own.
     */
    @Test
    void twoInstancesThatMeetANewTemplateAtOnceAlertItOnce(@TempDir Path stateDir) {
        List<String> training = List.of(HEADER + "PacketResponder 1 for block blk_1 terminating",
                HEADER + "Received block blk_1 of size 67108864 from /10.0.0.1");
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        try (LanguageModel model = TestModels.tinyTemplateModel(training)) {
            ScorerConfig a = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.STATE_DIR, stateDir.resolve("a").toString()));
            List<org.apache.kafka.streams.test.TestRecord<byte[], byte[]>> claims;
            try (TopologyTestDriver driver = new TopologyTestDriver(
                    ScoringTopology.build(a, ModelProvider.fixed(model), registry), a.streamsProperties())) {
                List<ScoredEvent> scored = score(driver, a, registry,
                        List.of(HEADER + "Exception in receiveBlock for block blk_9 java.io.IOException: reset"), "a");
                assertEquals(List.of(true), scored.stream().map(ScoredEvent::getAnomalous).toList(), "alone, a alerts it");
                claims = driver.createOutputTopic(a.newTemplateClaimsTopic(), new ByteArrayDeserializer(),
                        new ByteArrayDeserializer()).readRecordsToList();
                assertEquals(1, claims.size(), "the first line went to the judge, keyed by the template");
            }
            ScorerConfig b = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.STATE_DIR, stateDir.resolve("b").toString()));
            try (TopologyTestDriver driver = new TopologyTestDriver(
                    ScoringTopology.build(b, ModelProvider.fixed(model), registry), b.streamsProperties())) {
                TestInputTopic<byte[], byte[]> judge = driver.createInputTopic(b.newTemplateClaimsTopic(),
                        new ByteArraySerializer(), new ByteArraySerializer());
                judge.pipeInput("t-foreign".getBytes(), "not a claim".getBytes()); // skipped, not a failed task
                claims.forEach(r -> judge.pipeInput(r.key(), r.value()));
                claims.forEach(r -> judge.pipeInput(r.key(), r.value())); // a's claim again, as after a crash
                List<ScoredEvent> scored = score(driver, b, registry,
                        List.of(HEADER + "Exception in receiveBlock for block blk_-4 java.io.IOException: reset"), "b");
                Map<String, ScoredEvent> byId = new HashMap<>();
                scored.forEach(e -> byId.put(e.getEventId(), e));
                assertTrue(byId.get("a0").getAnomalous(), "a's line is the alert");
                assertEquals(AnomalyRule.NEW_TEMPLATE, byId.get("a0").getAnomalyRule());
                assertFalse(byId.get("b0").getAnomalous(), "b met it first too, but the judge had a's claim");
                assertTrue(byId.get("b0").getNotes().get(0).startsWith("learned-template:t"), byId.get("b0").getNotes().toString());
                assertEquals(byId.get("a0").getTemplateId(), byId.get("b0").getTemplateId(), "one template, one id");
                assertEquals(2, driver.createOutputTopic(b.anomaliesTopic(), new StringDeserializer(),
                        AvroSerdes.value(ScoredEvent.class, registry).deserializer()).readValuesToList().size(),
                        "the alert, and its claim replayed: the same line, never another one");
            }
        }
    }

    /**
     * What the closed-set rule is for: normal lines carry {@code started} / {@code stopped} among ids, hosts
     * and numbers that vary. A {@code paused} is a new template, alerted once; new ids, hosts and numbers
     * in the known templates are not.
     */
    @Test
    void anUnseenStateAmongVaryingValuesIsFlaggedOnceAndNewValuesAreNot(@TempDir Path stateDir) {
        java.util.Random r = new java.util.Random(11);
        java.util.function.Function<String, String> line = state -> "2026-12-05 03:" + (10 + r.nextInt(50)) + ":00 INFO "
                + "worker node-" + r.nextInt(900) + ".example.net job " + r.nextInt(1 << 20) + " " + state + " after "
                + r.nextInt(5000) + " ms on queue q" + r.nextInt(9) + " priority " + r.nextInt(5);
        List<String> training = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            training.add(line.apply(r.nextInt(3) == 0 ? "stopped" : "started"));
        }
        try (LanguageModel model = TestModels.tinyTemplateModel(training)) {
            ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.STATE_DIR, stateDir.toString()));
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            try (TopologyTestDriver driver = new TopologyTestDriver(
                    ScoringTopology.build(config, ModelProvider.fixed(model), registry), config.streamsProperties())) {
                List<String> lines = List.of(line.apply("started"), line.apply("stopped"), line.apply("paused"),
                        line.apply("started"), line.apply("paused"), line.apply("stopped"));
                List<ScoredEvent> scored = score(driver, config, registry, lines, "d");
                assertEquals(List.of(false, false, true, false, false, false),
                        scored.stream().map(ScoredEvent::getAnomalous).toList(), scored.toString());
                assertEquals(AnomalyRule.NEW_TEMPLATE, scored.get(2).getAnomalyRule());
                assertTrue(scored.get(4).getNotes().get(0).startsWith("learned-template:t"), "the second is recognised");
                assertTrue(scored.get(0).getTokens().get(0).getToken().contains(" started "), scored.get(0).getTokens().toString());
                assertTrue(scored.get(1).getTokens().get(0).getToken().contains(" stopped "));
            }
        }
    }

    private static List<ScoredEvent> score(TopologyTestDriver driver, ScorerConfig config, InMemorySchemaRegistry registry,
                                           List<String> lines, String prefix) {
        TestInputTopic<String, TextEvent> in = driver.createInputTopic(config.inputTopic(), new StringSerializer(),
                AvroSerdes.value(TextEvent.class, registry).serializer());
        for (int i = 0; i < lines.size(); i++) {
            in.pipeInput("s-" + prefix, new TextEvent(prefix + i, "s-" + prefix, lines.get(i), Instant.ofEpochMilli(i + 1),
                    false, null), i + 1);
            driver.advanceWallClockTime(config.batchMaxWait());
            driver.advanceWallClockTime(config.batchMaxWait());
        }
        return driver.createOutputTopic(config.outputTopic(), new StringDeserializer(),
                AvroSerdes.value(ScoredEvent.class, registry).deserializer()).readValuesToList();
    }
}
