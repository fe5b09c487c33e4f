package dev.surprisal.stream;

import dev.surprisal.config.Environment;
import dev.surprisal.config.Precedence;
import dev.surprisal.drift.DriftSettings;
import dev.surprisal.input.InputFormat;
import dev.surprisal.input.InputSettings;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.session.ScoringSettings;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Every setting of the scorer in one place. Any key can also come from the environment as
 * {@code SURPRISAL_} + the key upper-cased with dots as underscores (e.g. SURPRISAL_INPUT_TOPIC);
 * keys starting with {@code kafka.} are passed to Kafka Streams and its clients without the prefix.
 */
public final class ScorerConfig extends AbstractConfig {

    public static final String APPLICATION_ID = "application.id";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String INPUT_TOPIC = "input.topic";
    public static final String OUTPUT_TOPIC = "output.topic";
    public static final String OUTPUT_FORMAT = "output.format";
    public static final String ANOMALIES_TOPIC = "anomalies.topic";
    public static final String SUMMARIES_TOPIC = "summaries.topic";
    public static final String DLQ_TOPIC = "dlq.topic";
    public static final String LEARNED_TEMPLATES_TOPIC = "learned.templates.topic";
    public static final String LEARN_TEMPLATES = "templates.learn";
    public static final String IDLE_TIMEOUT_MS = "session.idle.timeout.ms";
    public static final String IDLE_SCAN_INTERVAL_MS = "session.idle.scan.interval.ms";
    public static final String MAX_TEXT_BYTES = "text.max.bytes";
    public static final String MAX_RECORD_BYTES = "input.max.record.bytes";
    public static final String MAX_COLLECTION_ITEMS = "input.max.collection.items";
    public static final String MAX_SESSION_BYTES = "input.max.session.bytes";
    public static final String READINESS_STALL_MS = "readiness.stall.ms";
    public static final String DLQ_MAX_RECORD_BYTES = "dlq.max.record.bytes";
    public static final String OUTPUT_MAX_RECORD_BYTES = "output.max.record.bytes";
    public static final String MAX_FUTURE_MS = "event.time.max.future.ms";
    public static final String DEDUP_WINDOW_EVENTS = "dedup.window.events";
    public static final String BATCH_MAX_TOKENS = "scoring.batch.max.tokens";
    public static final String INSTANCE_ID = "instance.id";
    public static final String SESSION_TIMEOUT_MS = "group.session.timeout.ms";
    public static final String HTTP_BIND_ADDRESS = "http.bind.address";
    public static final String HTTP_AUTH_BASIC = "http.auth.basic.user.info";
    public static final String HTTP_AUTH_BEARER = "http.auth.bearer.token";
    public static final String HTTP_MAX_ID_CHARS = "http.max.session.id.chars";
    public static final String PRIME_WINDOW_CHARS = "session.prime.window.chars";
    public static final String TOP_K = "predictions.top.k";
    public static final String PER_TOKEN_TOP_K = "predictions.per.token.top.k";
    public static final String PERPLEXITY_THRESHOLD = "anomaly.perplexity.threshold";
    public static final String TOP_G = "anomaly.top.g";
    public static final String BATCH_MAX_EVENTS = "scoring.batch.max.events";
    public static final String BATCH_MAX_WAIT_MS = "scoring.batch.max.wait.ms";
    public static final String LATENCY_TARGET_MS = "scoring.latency.target.ms";
    public static final String MODEL_THREAD = "scoring.model.thread";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String STREAM_THREADS = "num.stream.threads";
    public static final String STATE_DIR = "state.dir";
    public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String HTTP_PORT = "http.port";
    public static final String ADVERTISED_HOST = "advertised.host";
    public static final String KAFKA_PREFIX = Environment.KAFKA_PREFIX;

    // Defaults that command-line options share (annotations need constants); the ConfigDef is built from them.
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    public static final String DEFAULT_SCHEMA_REGISTRY_URL = "http://localhost:8081";
    public static final String DEFAULT_INPUT_TOPIC = "text-events";
    public static final String DEFAULT_BATCH_MAX_EVENTS = "128";
    public static final String DEFAULT_BATCH_MAX_WAIT_MS = "20";
    public static final String DEFAULT_LATENCY_TARGET_MS = "250";
    public static final String DEFAULT_PERPLEXITY_THRESHOLD = "0";
    public static final String DEFAULT_TOP_G = "-1";
    public static final String DEFAULT_STREAM_THREADS = "1";
    public static final String DEFAULT_COMMIT_INTERVAL_MS = "50";
    public static final String ENV_PREFIX = Environment.PREFIX;

    /** Every setting of the scorer, with its default and meaning ({@link ScorerDefinition}). */
    public static final ConfigDef DEFINITION = ScorerDefinition.build();

    /** The keys naming the topics the scorer reads and writes. */
    public static final List<String> TOPIC_KEYS = List.of(INPUT_TOPIC, OUTPUT_TOPIC, ANOMALIES_TOPIC, SUMMARIES_TOPIC,
            DLQ_TOPIC, LEARNED_TEMPLATES_TOPIC);

    /**
     * Topic settings for an instance with topics of its own (a shadow, a benchmark, a test), each
     * named {@code prefix.} + its default name, e.g. {@code shadow-1.token-scores}.
     */
    public static Map<String, Object> prefixedTopics(String prefix) {
        Map<String, Object> out = new HashMap<>();
        for (String key : TOPIC_KEYS) {
            Object name = DEFINITION.defaultValues().get(key);
            if (!"".equals(name)) { // else named after the application, which is the instance's own
                out.put(key, prefix + "." + name);
            }
        }
        return out;
    }

    public ScorerConfig(Map<?, ?> originals) {
        super(DEFINITION, originals, false);
        if (maxRecordBytes() <= maxTextBytes()) {
            throw new org.apache.kafka.common.config.ConfigException(MAX_RECORD_BYTES + " (" + maxRecordBytes()
                    + ") must be larger than " + MAX_TEXT_BYTES + " (" + maxTextBytes() + ")");
        }
        input(); // a wrong format, regex or log layout is refused at start, not at the first record
    }

    /** Defaults, then {@code SURPRISAL_*} environment variables, then {@code overrides}. */
    public static ScorerConfig fromEnvironment(Map<String, String> env, Map<String, ?> overrides) {
        return new ScorerConfig(Precedence.merged(DEFINITION.names(), Map.of(), env, Map.of(), overrides));
    }

    public static String envName(String key) {
        return Environment.name(key);
    }

    /** Kafka Streams properties: the scorer's own plus every {@code kafka.*} passthrough. */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, getString(BOOTSTRAP_SERVERS));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, getString(PROCESSING_GUARANTEE));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(STREAM_THREADS));
        p.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR));
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval().toMillis());
        // Each state update is a 1–4 KB changelog record; the 16 KB default batch throttles EOS throughput.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 512 * 1024);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        p.put("processing.exception.handler.global.enabled", true);
        // an idle stream thread blocks in poll for poll.ms before it punctuates: keep that within the batch wait
        p.put(StreamsConfig.POLL_MS_CONFIG, Math.min(100L, Math.max(1, batchWait().toMillis() / 2)));
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, getString(ADVERTISED_HOST) + ":" + getInt(HTTP_PORT));
        // a scored event may be larger than the 1 MB default (a 64 KB text is ~1.7 MB of token scores)
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), outputMaxRecordBytes() + 64 * 1024);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), getInt(SESSION_TIMEOUT_MS));
        if (!getString(INSTANCE_ID).isBlank()) {
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), getString(INSTANCE_ID));
        }
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, OversizedOutputHandler.class);
        p.putAll(originalsWithPrefix(KAFKA_PREFIX));
        return p;
    }

    /** Client properties for plain producers, consumers, admin and the registry client ({@code kafka.*} unprefixed). */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new HashMap<>(originalsWithPrefix(KAFKA_PREFIX));
        p.put(BOOTSTRAP_SERVERS, getString(BOOTSTRAP_SERVERS));
        p.put(SCHEMA_REGISTRY_URL, getString(SCHEMA_REGISTRY_URL));
        return p;
    }

    /** How the input topic is written and where each event's session is. */
    public InputSettings input() {
        return InputSettings.of(this);
    }

    public boolean jsonOutput() {
        return "json".equals(getString(OUTPUT_FORMAT));
    }

    /** Whether scoring reads or writes through the schema registry (Avro input or output). */
    public boolean needsRegistry() {
        return input().format() == InputFormat.AVRO || !jsonOutput();
    }

    /** The settings per-event scoring uses. */
    public ScoringSettings scoring() {
        return new ScoringSettings(topK(), perTokenTopK(), maxTextBytes(), primeWindowChars(), perplexityThreshold(),
                topG(), dedupWindowEvents(), getBoolean(LEARN_TEMPLATES));
    }

    /** How the scorer watches its model on live traffic. */
    public DriftSettings drift() {
        return DriftSettings.of(this);
    }

    /** The model-lifecycle topics the scorer follows (releases) and reports to (status). */
    public ReleaseTopics releaseTopics() {
        return ReleaseTopics.of(this);
    }

    public int httpPort() {
        return getInt(HTTP_PORT);
    }

    public String inputTopic() {
        return getString(INPUT_TOPIC);
    }

    public String outputTopic() {
        return getString(OUTPUT_TOPIC);
    }

    public String anomaliesTopic() {
        return getString(ANOMALIES_TOPIC);
    }

    public String summariesTopic() {
        return getString(SUMMARIES_TOPIC);
    }

    public String dlqTopic() {
        return getString(DLQ_TOPIC);
    }

    /** Kafka Streams' application id: the consumer group and the prefix of the internal topics and producers. */
    public String applicationId() {
        return getString(APPLICATION_ID);
    }

    /** Where a scorer sends the first line of a template it learned, for one instance to decide the alert. */
    public String newTemplateClaimsTopic() {
        return getString(APPLICATION_ID) + "-new-template-claims";
    }

    public String learnedTemplatesTopic() {
        String topic = getString(LEARNED_TEMPLATES_TOPIC);
        return topic.isEmpty() ? getString(APPLICATION_ID) + "-learned-templates" : topic;
    }

    public Duration idleTimeout() {
        return Duration.ofMillis(getLong(IDLE_TIMEOUT_MS));
    }

    public Duration idleScanInterval() {
        return Duration.ofMillis(getLong(IDLE_SCAN_INTERVAL_MS));
    }

    public int maxTextBytes() {
        return getInt(MAX_TEXT_BYTES);
    }

    public int maxRecordBytes() {
        return getInt(MAX_RECORD_BYTES);
    }

    public Duration readinessStall() {
        return Duration.ofMillis(getLong(READINESS_STALL_MS));
    }

    public int maxSessionBytes() {
        return getInt(MAX_SESSION_BYTES);
    }

    public int maxCollectionItems() {
        return getInt(MAX_COLLECTION_ITEMS);
    }

    public int dlqMaxRecordBytes() {
        return getInt(DLQ_MAX_RECORD_BYTES);
    }

    public int outputMaxRecordBytes() {
        return getInt(OUTPUT_MAX_RECORD_BYTES);
    }

    public Duration maxFuture() {
        return Duration.ofMillis(getLong(MAX_FUTURE_MS));
    }

    public int dedupWindowEvents() {
        return getInt(DEDUP_WINDOW_EVENTS);
    }

    public int batchMaxTokens() {
        return getInt(BATCH_MAX_TOKENS);
    }

    public String httpBindAddress() {
        return getString(HTTP_BIND_ADDRESS);
    }

    public String httpBasicAuth() {
        return getPassword(HTTP_AUTH_BASIC).value();
    }

    public String httpBearerToken() {
        return getPassword(HTTP_AUTH_BEARER).value();
    }

    public int httpMaxIdChars() {
        return getInt(HTTP_MAX_ID_CHARS);
    }

    public int primeWindowChars() {
        return getInt(PRIME_WINDOW_CHARS);
    }

    public int batchMaxEvents() {
        return getInt(BATCH_MAX_EVENTS);
    }

    public Duration batchMaxWait() {
        return Duration.ofMillis(getLong(BATCH_MAX_WAIT_MS));
    }

    public boolean modelThread() {
        return getBoolean(MODEL_THREAD);
    }

    /** The commit interval: the configured one, at most a fifth of the latency target (scores are visible at a commit). */
    public Duration commitInterval() {
        return Duration.ofMillis(Math.max(1, Math.min(getLong(COMMIT_INTERVAL_MS), getLong(LATENCY_TARGET_MS) / 5)));
    }

    public Duration latencyTarget() {
        return Duration.ofMillis(getLong(LATENCY_TARGET_MS));
    }

    /** How long a batch waits to fill: the configured window, at most a tenth of the latency target. */
    public Duration batchWait() {
        return Duration.ofMillis(Math.max(1, Math.min(getLong(BATCH_MAX_WAIT_MS), getLong(LATENCY_TARGET_MS) / 10)));
    }

    public int topK() {
        return getInt(TOP_K);
    }

    public int perTokenTopK() {
        return getInt(PER_TOKEN_TOP_K);
    }

    public double perplexityThreshold() {
        return getDouble(PERPLEXITY_THRESHOLD);
    }

    public int topG() {
        return getInt(TOP_G);
    }
}
