package dev.surprisal.it.platform;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;


/**
 * The same contract against the images docker-compose.yml runs: Apache Kafka (KRaft) and
 * Confluent's schema registry. Skipped where no Docker engine runs, or where the engine lacks the images
 * and no registry serves them (as on the build machine).
 */
@EnabledIf(value = "dev.surprisal.it.platform.LocalImages#allPresent",
        disabledReason = "no Docker engine here holds " + ContainerImages.KAFKA + " and " + ContainerImages.SCHEMA_REGISTRY)
class ContainersPlatformIT extends ScoringPlatformContract {

    private static Network network;
    private static KafkaContainer kafka;
    private static GenericContainer<?> registry;

    @BeforeAll
    static void start() {
        network = Network.newNetwork();
        kafka = new KafkaContainer(DockerImageName.parse(ContainerImages.KAFKA))
                .withNetwork(network).withNetworkAliases("kafka").withListener("kafka:19092");
        kafka.start();
        registry = new GenericContainer<>(DockerImageName.parse(ContainerImages.SCHEMA_REGISTRY))
                .withNetwork(network)
                .withExposedPorts(8081)
                .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
                .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
                .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
                .waitingFor(Wait.forHttp("/subjects").forStatusCode(200));
        registry.start();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.stop();
        }
        if (kafka != null) {
            kafka.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    @Override
    protected Platform platform() {
        return new Platform() {
            @Override
            public String bootstrapServers() {
                return kafka.getBootstrapServers();
            }

            @Override
            public String registryUrl() {
                return "http://" + registry.getHost() + ":" + registry.getMappedPort(8081);
            }
        };
    }
}
