package dev.surprisal.cli;

import dev.surprisal.retraining.TrainerConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ClusterOptionsTest {

    @Test
    void theConfigFileNamesTheLifecycleTopicsAndTheTrainersSettings(@TempDir Path dir) throws Exception {
        ClusterOptions cluster = new ClusterOptions();
        cluster.configFile = dir.resolve("client.properties");
        Files.write(cluster.configFile, List.of("security.protocol=PLAINTEXT", "releases.topic=staging.model-releases",
                "trainer.status.topic=staging.trainer-status", "trainer.max.events=5000"));

        assertEquals("staging.model-releases", cluster.releaseTopics().releases());
        assertEquals("staging.trainer-status", cluster.releaseTopics().status());
        assertEquals("trainer-commands", cluster.releaseTopics().commands(), "what the file leaves out keeps its default");
        TrainerConfig trainer = cluster.trainerConfig(Map.of(TrainerConfig.ANOMALIES_TOPIC, "staging.anomalies"));
        assertEquals(5000, trainer.maxEvents());
        assertEquals("staging.anomalies", trainer.anomaliesTopic(), "a flag wins over the file");
        assertFalse(cluster.clientProperties().isEmpty());
    }
}
