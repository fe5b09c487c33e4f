package dev.surprisal.stream;

import dev.surprisal.config.DefaultTopics;
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
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
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

    public static final ConfigDef DEFINITION = InputSettings.define(DriftSettings.define(ReleaseTopics.define(
            new ConfigDef())))
            .define(APPLICATION_ID, Type.STRING, "surprisal-scorer", Importance.HIGH,
                    "Kafka Streams application id: consumer group, and prefix of the internal topics.")
            .define(BOOTSTRAP_SERVERS, Type.STRING, DEFAULT_BOOTSTRAP_SERVERS, Importance.HIGH, "Kafka bootstrap servers.")
            .define(INPUT_TOPIC, Type.STRING, DEFAULT_INPUT_TOPIC, Importance.HIGH,
                    "Topic of the text to score: TextEvents keyed by session id, or as " + InputSettings.FORMAT + " says.")
            .define(OUTPUT_TOPIC, Type.STRING, DefaultTopics.SCORES, Importance.HIGH, "Topic every ScoredEvent is written to.")
            .define(OUTPUT_FORMAT, Type.STRING, "avro", ConfigDef.ValidString.in("avro", "json"), Importance.HIGH,
                    "How scored events, anomalies and session summaries are written: avro (Confluent wire format "
                    + "through the schema registry) or json (plain JSON with the same fields, for kcat, "
                    + "kafka-console-consumer and sinks without a registry).")
            .define(ANOMALIES_TOPIC, Type.STRING, DefaultTopics.ANOMALIES, Importance.MEDIUM,
                    "Topic the ScoredEvents flagged anomalous are also written to.")
            .define(SUMMARIES_TOPIC, Type.STRING, "session-summaries", Importance.MEDIUM,
                    "Topic of SessionSummary records, one per ended session.")
            .define(DLQ_TOPIC, Type.STRING, "text-events-dlq", Importance.HIGH,
                    "Dead-letter topic: input that cannot be scored, original bytes, reason in headers.")
            .define(LEARNED_TEMPLATES_TOPIC, Type.STRING, "", Importance.LOW,
                    "Compacted topic of the log templates that template models' scorers learn while scoring, "
                    + "shared by every instance of the application and kept across restarts (default: "
                    + "<application.id>-learned-templates, so that another application's alerts stay its own).")
            .define(LEARN_TEMPLATES, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Template models: learn a line that fits no known template, so that a new template is alerted "
                    + "once (NEW_TEMPLATE) and its later lines are not; false alerts every such line.")
            .define(IDLE_TIMEOUT_MS, Type.LONG, Duration.ofMinutes(30).toMillis(), Range.atLeast(1), Importance.MEDIUM,
                    "A session with no event for this long (in stream time) is summarised and forgotten.")
            .define(IDLE_SCAN_INTERVAL_MS, Type.LONG, Duration.ofMinutes(1).toMillis(), Range.atLeast(1),
                    Importance.LOW, "How often (in stream time) the store is scanned for idle sessions.")
            .define(MAX_TEXT_BYTES, Type.INT, 64 * 1024, Range.atLeast(1), Importance.MEDIUM,
                    "Events whose text is longer than this many UTF-8 bytes go to the dead-letter topic.")
            .define(MAX_RECORD_BYTES, Type.INT, 256 * 1024, Range.atLeast(1024), Importance.MEDIUM,
                    "Input records larger than this (key, value and headers) go to the dead-letter topic unread. "
                    + "Must exceed " + MAX_TEXT_BYTES + " with room for the rest of the event.")
            .define(READINESS_STALL_MS, Type.LONG, 30_000L, Range.atLeast(1000), Importance.LOW,
                    "Input that has waited this long with no score written is listed among readiness's problems "
                    + "(surprisal_output_stall_seconds has the length), without turning it 503: a stall is most often the "
                    + "cluster's (a controller or transaction coordinator moving), and a restart would not help.")
            .define(MAX_SESSION_BYTES, Type.INT, 1024, Range.atLeast(1), Importance.LOW,
                    "Longest session id, in UTF-8 bytes, that an event may carry (a record key, or a field, capture or "
                    + "attribute that names the session): each session is a state-store key and a changelog record's "
                    + "key, so a longer one goes to the dead-letter topic as session-too-long.")
            .define(MAX_COLLECTION_ITEMS, Type.INT, 1000, Range.atLeast(0), Importance.LOW,
                    "Input events declaring more map or array items (labels) than this go to the dead-letter topic "
                    + "before anything is allocated for them.")
            .define(DLQ_MAX_RECORD_BYTES, Type.INT, 1_000_000, Range.atLeast(8 * 1024), Importance.LOW,
                    "Largest dead letter written: beyond it the original value is cut to a prefix, with its size and "
                    + "SHA-256 in headers. Keep it under the producer's max.request.size and the topic's "
                    + "max.message.bytes (both about 1 MB by default).")
            .define(OUTPUT_MAX_RECORD_BYTES, Type.INT, 4 * 1024 * 1024, Range.atLeast(64 * 1024), Importance.LOW,
                    "Largest ScoredEvent written. Topics the scorer creates allow it, and the producer may send it. "
                    + "An event whose scores would be larger loses its per-token predictions (noted on it), and "
                    + "failing that goes to the dead-letter topic.")
            .define(MAX_FUTURE_MS, Type.LONG, Duration.ofMinutes(10).toMillis(), Range.atLeast(0), Importance.LOW,
                    "A record timestamped further ahead of the scorer's wall clock than this is scored with the note "
                    + "'future-timestamp', under the scorer's clock: one wrong producer clock must not end every "
                    + "session of a partition by idle eviction.")
            .define(DEDUP_WINDOW_EVENTS, Type.INT, 16, Range.between(0, 1024), Importance.LOW,
                    "An event whose eventId is among the latest this many of its session is a resend: it is counted "
                    + "(surprisal_duplicates_total) and not scored again. 0 turns the check off. Costs 8 bytes per id "
                    + "in each session's state.")
            .define(BATCH_MAX_TOKENS, Type.INT, 16_384, Range.atLeast(1), Importance.MEDIUM,
                    "Tokens scored in one batch: the queue is scored once it holds " + "scoring.batch.max.events events or "
                    + "this many characters of text, and a model call takes at most this many tokens (a longer event "
                    + "is scored alone). The heap held by results waiting to be emitted grows with it.")
            .define(INSTANCE_ID, Type.STRING, "", Importance.MEDIUM,
                    "Static group membership (group.instance.id): a restarted instance with the same id takes its "
                    + "partitions back at once instead of after a rebalance. Unique per instance, stable across "
                    + "restarts (the pod name of a StatefulSet). Empty: dynamic membership.")
            .define(SESSION_TIMEOUT_MS, Type.INT, 15_000, Range.atLeast(1000), Importance.LOW,
                    "Consumer session timeout: how long a vanished instance keeps its partitions. With static "
                    + "membership this bounds how long a crashed instance's partitions wait if it does not return.")
            .define(HTTP_BIND_ADDRESS, Type.STRING, "0.0.0.0", Importance.MEDIUM,
                    "Address the HTTP endpoints bind to; 127.0.0.1 keeps them to this host (behind a proxy).")
            .define(HTTP_AUTH_BASIC, Type.PASSWORD, "", Importance.MEDIUM,
                    "user:password required (HTTP basic) for /sessions and /metrics; empty: no basic auth.")
            .define(HTTP_AUTH_BEARER, Type.PASSWORD, "", Importance.MEDIUM,
                    "Bearer token accepted for /sessions and /metrics; empty: none. Either credential is enough.")
            .define(HTTP_MAX_ID_CHARS, Type.INT, 512, Range.atLeast(1), Importance.LOW,
                    "Longest session id /sessions/{id} accepts.")
            .define(PRIME_WINDOW_CHARS, Type.INT, 256, Range.atLeast(0), Importance.LOW,
                    "Characters of each session's recent text kept in its state: after a model switch the new "
                    + "model is primed with them instead of starting the session cold. 0 keeps none.")
            .define(TOP_K, Type.INT, 5, Range.between(0, 100), Importance.LOW,
                    "Next-token predictions reported after each event.")
            .define(PER_TOKEN_TOP_K, Type.INT, 0, Range.between(0, 100), Importance.LOW,
                    "Predictions reported at every token position; 0 leaves them out (they multiply the output size).")
            .define(PERPLEXITY_THRESHOLD, Type.DOUBLE, DEFAULT_PERPLEXITY_THRESHOLD, Range.atLeast(0), Importance.MEDIUM,
                    "Event perplexity above which an event is anomalous; 0 uses the threshold calibrated at training.")
            .define(TOP_G, Type.INT, DEFAULT_TOP_G, Range.atLeast(-1), Importance.MEDIUM,
                    "DeepLog rule: an actual token ranked worse than g flags the event. -1: the g calibrated at "
                    + "training for keys models (log templates), off for byte and word models; 0: off.")
            .define(BATCH_MAX_EVENTS, Type.INT, DEFAULT_BATCH_MAX_EVENTS, Range.between(1, 4096), Importance.MEDIUM,
                    "Events of different sessions scored together in one model call. Events wait in a "
                    + "changelogged store until the batch is full or the oldest has waited "
                    + BATCH_MAX_WAIT_MS + "; 1 scores each event as it arrives.")
            .define(BATCH_MAX_WAIT_MS, Type.LONG, DEFAULT_BATCH_MAX_WAIT_MS, Range.atLeast(1), Importance.MEDIUM,
                    "How long a batch waits to fill (wall-clock, checked four times per window, so an event waits "
                    + "up to 1.5 times this). Scores become visible at the commit after scoring: latency is about "
                    + "this plus " + COMMIT_INTERVAL_MS + ".")
            .define(LATENCY_TARGET_MS, Type.LONG, DEFAULT_LATENCY_TARGET_MS, Range.atLeast(10), Importance.MEDIUM,
                    "Time from an event's arrival to its score being visible that the scorer aims for. Each batch "
                    + "takes as many tokens as the model, at its measured cost per token, scores in a third of what "
                    + "this leaves after the wait (at most a tenth of the target) and the commit interval, so that "
                    + "the batch ahead, its own and the commit fit; a backlog (an event's age counts from its record's "
                    + "timestamp) "
                    + "older than the target lifts that limit up to " + BATCH_MAX_EVENTS + " and " + BATCH_MAX_TOKENS
                    + ", so a lower target costs throughput only below full load. The commit interval is kept "
                    + "within a fifth of it.")
            .define(MODEL_THREAD, Type.BOOLEAN, true, Importance.LOW,
                    "Model calls run on a thread beside each stream thread, so that polling, queueing and commits go "
                    + "on while the model computes. false runs them on the stream thread: each punctuation's scores "
                    + "are out when it returns (what tests that drive a topology by hand need), at a cost in "
                    + "throughput under load.")
            .define(PROCESSING_GUARANTEE, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2, Importance.MEDIUM,
                    "Kafka Streams processing guarantee.")
            .define(STREAM_THREADS, Type.INT, DEFAULT_STREAM_THREADS, Range.atLeast(1), Importance.MEDIUM, "Stream threads.")
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/surprisal-state",
                    Importance.MEDIUM, "Directory of the RocksDB session-state stores.")
            .define(SCHEMA_REGISTRY_URL, Type.STRING, DEFAULT_SCHEMA_REGISTRY_URL, Importance.HIGH,
                    "Confluent-compatible schema registry. Its client settings (basic.auth.user.info, "
                    + "schema.registry.ssl.*) are read from the kafka.* / --config properties.")
            .define(HTTP_PORT, Type.INT, 8080, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the HTTP endpoints: /metrics, /health/live, /health/ready, /sessions/{id}.")
            .define(ADVERTISED_HOST, Type.STRING, "localhost", Importance.MEDIUM,
                    "Host name other instances use to reach this one's HTTP port (interactive-query forwarding).")
            .define(COMMIT_INTERVAL_MS, Type.LONG, DEFAULT_COMMIT_INTERVAL_MS, Range.atLeast(1), Importance.LOW,
                    "Commit interval: with exactly-once, how often transactions commit and scores become visible; at "
                    + "most a fifth of " + LATENCY_TARGET_MS + ". "
                    + "At 50 ms (Kafka Streams' EOS default is 100) the bench kept its throughput and its half-load "
                    + "p99 fell from 289 to 180 ms.");

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
