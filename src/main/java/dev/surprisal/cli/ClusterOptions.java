package dev.surprisal.cli;

import dev.surprisal.config.Environment;
import dev.surprisal.config.Precedence;
import dev.surprisal.kafka.Reachability;
import dev.surprisal.registry.RestSchemaRegistry;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.retraining.TrainerConfig;
import dev.surprisal.stream.ScorerConfig;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Where the cluster, the registry and the lifecycle topics are, shared by the commands that talk to
 * them. One order for every setting of every command: a flag (or --set), then the --config file, then
 * the SURPRISAL_* environment variables, then the default.
 */
final class ClusterOptions {

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (env SURPRISAL_BOOTSTRAP_SERVERS; default "
            + ScorerConfig.DEFAULT_BOOTSTRAP_SERVERS + ").")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema registry URL (env SURPRISAL_SCHEMA_REGISTRY_URL; default "
            + ScorerConfig.DEFAULT_SCHEMA_REGISTRY_URL + ").")
    String registryUrl;

    @Option(names = "--config", description = "Kafka client properties (security.protocol, sasl.*, ssl.*), registry "
            + "client settings (basic.auth.user.info, schema.registry.ssl.*) and the lifecycle topics' names "
            + "(releases.topic, trainer.commands.topic, trainer.status.topic, feedback.topic, shadow.topic).")
    Path configFile;

    /** Client properties: the config file's, with bootstrap servers and registry URL resolved. */
    Map<String, Object> clientProperties() {
        Map<String, Object> props = configFile();
        props.put(ScorerConfig.BOOTSTRAP_SERVERS, Precedence.resolve(ScorerConfig.BOOTSTRAP_SERVERS, bootstrapServers,
                props, System.getenv(), ScorerConfig.DEFAULT_BOOTSTRAP_SERVERS));
        props.put(ScorerConfig.SCHEMA_REGISTRY_URL, Precedence.resolve(ScorerConfig.SCHEMA_REGISTRY_URL, registryUrl,
                props, System.getenv(), ScorerConfig.DEFAULT_SCHEMA_REGISTRY_URL));
        return props;
    }

    /** {@link #clientProperties()}, once the cluster has answered at them (else one line, within {@link Reachability#WAIT}). */
    Map<String, Object> reachableClientProperties() {
        Map<String, Object> props = clientProperties();
        Reachability.require(props, Reachability.WAIT);
        return props;
    }

    private Map<String, Object> configFile() {
        Map<String, Object> props = new HashMap<>();
        if (configFile != null) {
            Properties file = new Properties();
            try (InputStream in = Files.newInputStream(configFile)) {
                file.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + configFile + ": " + e.getMessage(), e);
            }
            file.forEach((k, v) -> props.put(k.toString(), v));
        }
        return props;
    }

    /** Whether a registry URL was given (flag, environment or --config) rather than left at its default. */
    boolean registryConfigured() {
        return registryUrl != null || Environment.variable(ScorerConfig.SCHEMA_REGISTRY_URL) != null
                || configFile().containsKey(ScorerConfig.SCHEMA_REGISTRY_URL);
    }

    /**
     * The trainer's settings (the lifecycle topics among them): the environment's
     * ({@code SURPRISAL_RELEASES_TOPIC} ...), then the config file's ({@code releases.topic} ...), then
     * {@code overrides}; the file wins over the environment as it does for {@code score}'s settings.
     */
    TrainerConfig trainerConfig(Map<String, Object> overrides) {
        Set<String> names = TrainerConfig.DEFINITION.names();
        Map<String, Object> file = new HashMap<>(configFile());
        file.keySet().retainAll(names);
        return new TrainerConfig(Precedence.merged(names, Map.of(), System.getenv(), file, overrides));
    }

    /** The model-lifecycle topics, named as the scorer's and the trainer's are. */
    ReleaseTopics releaseTopics() {
        return trainerConfig(Map.of()).releaseTopics();
    }

    /** The registry client, checked to answer and take the credentials before a command relies on it. */
    SchemaRegistry registry(Map<String, Object> clientProperties) {
        return checkedRegistry(clientProperties);
    }

    /**
     * A client of the registry at {@code schema.registry.url}, checked against an endpoint every
     * registry has: a refused login or a URL without the API's base path stops the command at once,
     * with the setting to fix, instead of surfacing later as unreadable records.
     */
    static SchemaRegistry checkedRegistry(Map<String, Object> clientProperties) {
        SchemaRegistry registry = RestSchemaRegistry.fromProperties(clientProperties);
        registry.check();
        return registry;
    }


}
