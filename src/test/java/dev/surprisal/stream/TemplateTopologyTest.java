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
        ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.STATE_DIR, stateDir.toString()));
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
            ScoredEvent unseen = scored.get("e2");
            assertTrue(unseen.getAnomalous());
            assertEquals(AnomalyRule.NEW_TEMPLATE, unseen.getAnomalyRule());
            assertEquals("<new template>", unseen.getTokens().get(0).getToken());

            // what a person reads: the line, not a placeholder, with the template's values marked
            ConsoleRenderer plain = new ConsoleRenderer(false, false);
            String shownUnseen = plain.render(unseen);
            assertTrue(shownUnseen.contains(HEADER + "Exception in receiveBlock for block blk_9"), shownUnseen);
            assertTrue(shownUnseen.contains("a line of no known template"), shownUnseen);
            assertFalse(shownUnseen.contains("<new template>"), shownUnseen);
            String shownKnown = plain.render(known);
            assertTrue(shownKnown.contains("Received block «blk_9» of size «12» from «/10.0.0.2»"), shownKnown);
            assertTrue(shownKnown.contains("template (") && shownKnown.contains("Received block blk_<*> of size <*> from <*>"),
                    shownKnown);
        }
    }
}
