package dev.surprisal.it.platform;

import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.registry.KafkaSchemaJournal;
import dev.surprisal.registry.SchemaRegistryServer;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.testing.EmbeddedClusterExtension;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.util.Map;

/** The contract on this machine: the embedded KRaft broker and the embedded, Kafka-backed registry. */
@ExtendWith(EmbeddedClusterExtension.class)
class EmbeddedPlatformIT extends ScoringPlatformContract {

    private static KafkaSchemaJournal journal;
    private static SchemaRegistryServer registry;
    private static Platform platform;

    @BeforeAll
    static void startRegistry(EmbeddedKafkaBroker broker) throws IOException {
        journal = KafkaSchemaJournal.open(Map.of(ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers()),
                "_schemas_embedded_platform_it");
        registry = SchemaRegistryServer.start(journal.registry(), "127.0.0.1", 0);
        platform = new Platform() {
            @Override
            public String bootstrapServers() {
                return broker.bootstrapServers();
            }

            @Override
            public String registryUrl() {
                return registry.url();
            }
        };
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
        journal.close();
    }

    @Override
    protected Platform platform() {
        return platform;
    }
}
