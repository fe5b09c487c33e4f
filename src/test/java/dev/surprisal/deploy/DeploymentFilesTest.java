package dev.surprisal.deploy;

import dev.surprisal.it.platform.ContainerImages;
import dev.surprisal.stream.ScorerConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * No Docker engine or cluster runs here, so the deployment files are checked as data: they must
 * agree with the application's configuration, its HTTP endpoints and the tested image tags.
 */
class DeploymentFilesTest {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Pattern PINNED = Pattern.compile("[\\w./-]+:[\\w.-]+");
    private static final Map<String, Object> DEFAULTS = ScorerConfig.DEFINITION.defaultValues();

    private static JsonNode compose() throws IOException {
        return YAML.readTree(Path.of("docker-compose.yml").toFile());
    }

    @Test
    void composeImagesArePinnedAndMatchTheTestcontainersSuite() throws IOException {
        JsonNode services = compose().get("services");
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            String image = service.getValue().get("image").asText();
            assertTrue(PINNED.matcher(image).matches() && !image.endsWith(":latest"), service.getKey() + ": " + image);
        }
        assertEquals(ContainerImages.KAFKA, services.get("kafka").get("image").asText());
        assertEquals(ContainerImages.SCHEMA_REGISTRY, services.get("schema-registry").get("image").asText());
    }

    @Test
    void composeScorerSettingsAreRealConfigKeysAndAgreeWithTheOtherServices() throws IOException {
        JsonNode services = compose().get("services");
        JsonNode env = services.get("scorer").get("environment");
        for (Iterator<String> it = env.fieldNames(); it.hasNext(); ) {
            assertKnownSetting(it.next());
        }
        for (String topic : List.of(ScorerConfig.INPUT_TOPIC, ScorerConfig.OUTPUT_TOPIC, ScorerConfig.ANOMALIES_TOPIC,
                ScorerConfig.SUMMARIES_TOPIC, ScorerConfig.DLQ_TOPIC)) {
            assertEquals(DEFAULTS.get(topic), env.get(ScorerConfig.envName(topic)).asText(), topic);
        }
        String httpPort = env.get(ScorerConfig.envName(ScorerConfig.HTTP_PORT)).asText();
        assertEquals(DEFAULTS.get(ScorerConfig.HTTP_PORT).toString(), httpPort);
        assertTrue(services.get("scorer").get("ports").get(0).asText().endsWith(":" + httpPort));
        assertTrue(services.get("scorer").get("healthcheck").get("test").toString()
                .contains("localhost:" + httpPort + "/health/ready"));

        JsonNode kafkaEnv = services.get("kafka").get("environment");
        String bootstrap = env.get(ScorerConfig.envName(ScorerConfig.BOOTSTRAP_SERVERS)).asText();
        assertTrue(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS").asText().contains("PLAINTEXT://" + bootstrap),
                "the scorer's bootstrap servers are a listener the broker advertises");
        String registryUrl = env.get(ScorerConfig.envName(ScorerConfig.SCHEMA_REGISTRY_URL)).asText();
        String registryPort = registryUrl.substring(registryUrl.lastIndexOf(':') + 1);
        assertTrue(services.get("schema-registry").get("environment").get("SCHEMA_REGISTRY_LISTENERS").asText()
                .endsWith(":" + registryPort));
        assertTrue(services.get("schema-registry").get("environment").get("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS")
                .asText().endsWith(bootstrap));
        for (String name : List.of("kafka", "schema-registry", "scorer")) {
            assertNotNull(services.get(name).get("healthcheck"), name + " has a healthcheck");
        }
        JsonNode trainerEnv = services.get("trainer").get("environment");
        assertEquals(bootstrap, trainerEnv.get(ScorerConfig.envName(ScorerConfig.BOOTSTRAP_SERVERS)).asText(),
                "the trainer talks to the same cluster");
        assertEquals(registryUrl, trainerEnv.get(ScorerConfig.envName(ScorerConfig.SCHEMA_REGISTRY_URL)).asText());
    }

    @Test
    void dockerfileBaseImagesArePinned() throws IOException {
        for (String line : Files.readAllLines(Path.of("Dockerfile"))) {
            if (line.startsWith("FROM ")) {
                String image = line.split("\\s+")[1];
                assertTrue(PINNED.matcher(image).matches() && !image.endsWith(":latest"), image);
            }
        }
    }

    private static List<JsonNode> manifests(String file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(Path.of("deploy", file).toFile())) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
        }
        return docs;
    }

    @Test
    void kubernetesScorerIsAStatefulSetWithStateVolumeProbesAndValidConfig() throws IOException {
        List<JsonNode> docs = manifests("scorer.yaml");
        JsonNode statefulSet = kind(docs, "StatefulSet");
        JsonNode configMap = kind(docs, "ConfigMap");
        JsonNode secret = kind(docs, "Secret");
        kind(docs, "Service");

        configMap.get("data").fieldNames().forEachRemaining(DeploymentFilesTest::assertKnownSetting);
        secret.get("stringData").fieldNames().forEachRemaining(DeploymentFilesTest::assertKnownSetting);
        assertFalse(statefulSet.get("spec").get("volumeClaimTemplates").isEmpty(), "state on a persistent volume");
        JsonNode container = statefulSet.get("spec").get("template").get("spec").get("containers").get(0);
        assertEquals("/health/live", container.get("livenessProbe").get("httpGet").get("path").asText());
        assertEquals("/health/ready", container.get("readinessProbe").get("httpGet").get("path").asText());
        assertEquals(configMap.get("data").get(ScorerConfig.envName(ScorerConfig.HTTP_PORT)).asText(),
                container.get("ports").get(0).get("containerPort").asText());
        String envFrom = container.get("envFrom").toString();
        assertTrue(envFrom.contains(configMap.get("metadata").get("name").asText()));
        assertTrue(envFrom.contains(secret.get("metadata").get("name").asText()));
        assertTrue(container.get("volumeMounts").toString().contains("/var/lib/surprisal"),
                "the state volume is where the image keeps state.dir");
        assertTrue(container.get("env").toString().contains(ScorerConfig.envName(ScorerConfig.INSTANCE_ID)),
                "static membership from the pod name");
        JsonNode budget = kind(docs, "PodDisruptionBudget");
        assertEquals(statefulSet.get("spec").get("selector"), budget.get("spec").get("selector"),
                "the disruption budget covers the scorer pods");
    }

    @Test
    void kubernetesTrainerIsOneInstanceSharingTheScorersSettings() throws IOException {
        JsonNode deployment = kind(manifests("trainer.yaml"), "Deployment");
        assertEquals(1, deployment.get("spec").get("replicas").asInt());
        assertEquals("Recreate", deployment.get("spec").get("strategy").get("type").asText(),
                "never two trainers at once");
        JsonNode container = deployment.get("spec").get("template").get("spec").get("containers").get(0);
        assertEquals("trainer", container.get("args").get(0).asText());
        JsonNode scorerConfig = kind(manifests("scorer.yaml"), "ConfigMap");
        assertTrue(container.get("envFrom").toString().contains(scorerConfig.get("metadata").get("name").asText()));
    }

    private static JsonNode kind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).findFirst()
                .orElseGet(() -> fail("no " + kind + " in the manifests"));
    }

    /** SURPRISAL_X_Y must be a scorer setting x.y, or a SURPRISAL_KAFKA_* client passthrough. */
    private static void assertKnownSetting(String envName) {
        if (envName.startsWith(ScorerConfig.ENV_PREFIX + "KAFKA_")) {
            return;
        }
        boolean known = ScorerConfig.DEFINITION.names().stream().anyMatch(k -> ScorerConfig.envName(k).equals(envName));
        assertTrue(known, envName + " is not a scorer setting");
    }


    @Test
    void theMonitoringProfileMountsTheScrapeConfigAndTheDashboard() throws IOException {
        JsonNode services = compose().get("services");
        for (String name : List.of("prometheus", "grafana")) {
            assertEquals("monitoring", services.get(name).get("profiles").get(0).asText(), name + " is opt-in");
            for (JsonNode volume : services.get(name).get("volumes")) {
                String source = volume.asText().split(":")[0];
                assertTrue(!source.startsWith("./") || Files.isDirectory(Path.of(source)), name + " mounts " + source);
            }
        }
        JsonNode prometheus = YAML.readTree(Path.of("deploy/prometheus/prometheus.yml").toFile());
        JsonNode job = prometheus.get("scrape_configs").get(0);
        String scorerPort = DEFAULTS.get(ScorerConfig.HTTP_PORT).toString();
        assertEquals("/metrics", job.get("metrics_path").asText());
        assertEquals("scorer:" + scorerPort, job.get("static_configs").get(0).get("targets").get(0).asText());
        for (JsonNode file : prometheus.get("rule_files")) {
            assertTrue(Files.exists(Path.of("deploy/prometheus", file.asText())), "rule file " + file);
        }
        JsonNode datasource = YAML.readTree(Path.of("deploy/grafana/provisioning/datasources/prometheus.yml").toFile());
        assertEquals("http://prometheus:9090", datasource.get("datasources").get(0).get("url").asText());
    }

    @Test
    void dashboardPanelsAreLaidOutWithoutOverlapAndQueryThroughTheDatasourceVariable() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("deploy/grafana/dashboards/surprisal.json").toFile());
        List<int[]> boxes = new ArrayList<>();
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            String title = panel.get("title").asText();
            assertTrue(ids.add(panel.get("id").asInt()), "panel ids are unique: " + title);
            assertFalse(panel.get("description").asText().isBlank(), "every panel says what it means: " + title);
            JsonNode g = panel.get("gridPos");
            int[] box = {g.get("x").asInt(), g.get("y").asInt(), g.get("w").asInt(), g.get("h").asInt()};
            assertTrue(box[0] >= 0 && box[0] + box[2] <= 24, title + " fits the 24 columns");
            for (int[] other : boxes) {
                boolean apart = box[0] >= other[0] + other[2] || other[0] >= box[0] + box[2]
                        || box[1] >= other[1] + other[3] || other[1] >= box[1] + box[3];
                assertTrue(apart, title + " overlaps another panel");
            }
            boxes.add(box);
            assertFalse(panel.get("targets").isEmpty(), title);
            for (JsonNode target : panel.get("targets")) {
                assertEquals("${datasource}", target.get("datasource").get("uid").asText(), title);
                assertFalse(target.get("expr").asText().isBlank(), title);
            }
        }
        for (String wanted : List.of("surprisal_events_scored_total", "surprisal_tokens_scored_total",
                "surprisal_anomalies_total", "surprisal_dead_letters_total", "surprisal_batch_events_sum",
                "surprisal_batch_queued", "surprisal_scoring_latency_seconds", "surprisal_model_bits_total",
                "surprisal_model_info", "kafka_consumer_fetch_manager_records_lag_max",
                "surprisal_restore_remaining_records", "surprisal_latency_target_seconds", "surprisal_batch_planned_tokens",
                "surprisal_model_cost_per_token_seconds")) {
            assertTrue(dashboard.get("panels").toString().contains(wanted), "a panel shows " + wanted);
        }
    }
}
