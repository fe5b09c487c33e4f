package dev.surprisal.it;

import dev.surprisal.demo.DemoRunner;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.testing.TestModels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
@Timeout(180)
class DemoIT {

    @Test
    void jsonlDemoPrintsExactlyTheRequestedNumberOfScoredEvents(@TempDir Path modelDir) throws Exception {
        try (LanguageModel model = TestModels.tinyByteModel()) {
            ModelArtifact.save(model, modelDir);
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        DemoRunner.Options options = new DemoRunner.Options(DemoRunner.Scenario.BASIC, 60, true, 3, 0, 6, 0.1, 0, 0, 0, null, modelDir, null, false, false);
        DemoRunner.Result result = new DemoRunner(options, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8)).run(() -> false);

        assertEquals(60, result.events());
        String[] lines = stdout.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(60, lines.length);
        ObjectMapper json = new ObjectMapper();
        Set<String> ids = new HashSet<>();
        for (String line : lines) {
            JsonNode e = json.readTree(line);
            ids.add(e.get("eventId").asText());
            assertTrue(e.get("sessionId").asText().startsWith("user-"));
            assertEquals("test-LSTM-1", e.get("modelVersion").asText());
            assertTrue(e.get("tokens").size() > 0);
            assertTrue(e.get("tokens").get(0).get("surprisalBits").isNumber());
            assertTrue(e.get("eventPerplexity").asDouble() >= 1);
            assertTrue(e.get("anomalous").isBoolean());
        }
        assertEquals(60, ids.size(), "no event printed twice");
        assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("Kafka broker listening on 127.0.0.1:"));
    }
}
