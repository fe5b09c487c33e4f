package dev.surprisal.stream;

import dev.surprisal.config.DefaultTopics;
import dev.surprisal.drift.DriftSettings;
import dev.surprisal.input.InputSettings;
import dev.surprisal.release.ReleaseTopics;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;

import static dev.surprisal.stream.ScorerConfig.*;

/** The scorer's settings as one definition: its own, and those of the parts it composes (input, drift, releases). */
final class ScorerDefinition {

    private ScorerDefinition() {
    }

    static ConfigDef build() {
        return InputSettings.define(DriftSettings.define(ReleaseTopics.define(
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
    }
}
