package dev.surprisal.stream;

import dev.surprisal.kafka.RateLimitedLog;
import dev.surprisal.serde.InvalidRecordException;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The dead-letter record for an input record: its original key, value and headers, plus where it
 * came from and why it was refused. It always fits in {@code maxBytes}: a value or key too large to
 * forward (a record near the broker's limit becomes larger still with the reason headers) is cut
 * to a prefix, with its original size and SHA-256 in headers, so the refusal itself can never fail
 * the task.
 */
public final class DeadLetter {

    public static final String HEADER_REASON = "surprisal.dlq.reason";
    public static final String HEADER_CODE = "surprisal.dlq.code";
    public static final String HEADER_TOPIC = "surprisal.dlq.topic";
    public static final String HEADER_PARTITION = "surprisal.dlq.partition";
    public static final String HEADER_OFFSET = "surprisal.dlq.offset";
    public static final String HEADER_TRUNCATED = "surprisal.dlq.truncated";
    public static final String HEADER_VALUE_SIZE = "surprisal.dlq.original.value.size";
    public static final String HEADER_VALUE_SHA256 = "surprisal.dlq.original.value.sha256";
    public static final String HEADER_KEY_SIZE = "surprisal.dlq.original.key.size";
    public static final String HEADER_HEADERS_DROPPED = "surprisal.dlq.original.headers.dropped";
    /** A reason is for people: a few hundred characters say it, and an echoed input must not blow it up. */
    static final int MAX_REASON_CHARS = 500;
    private static final int MAX_KEY_BYTES = 1024;
    /** Room for the record's own framing and our headers. */
    private static final int OVERHEAD = 4096;

    /** One line while dead letters last: what share of the input, the commonest reason, the setting to fix it. */
    private static final RateLimitedLog LOG = new RateLimitedLog(LoggerFactory.getLogger(DeadLetter.class),
            Duration.ofSeconds(30));

    private DeadLetter() {
    }

    static Record<byte[], byte[]> of(PendingEvent source, String code, String reason, int maxBytes) {
        Headers headers = new RecordHeaders();
        byte[] key = source.key();
        byte[] value = source.value();
        int budget = Math.max(0, maxBytes - OVERHEAD);
        int originalHeaderBytes = 0;
        for (Header h : source.headers()) {
            originalHeaderBytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        if (originalHeaderBytes <= budget / 4) {
            source.headers().forEach(headers::add);
            budget -= originalHeaderBytes;
        } else {
            headers.add(HEADER_HEADERS_DROPPED, ascii(Integer.toString(source.headers().toArray().length)));
        }
        if (key != null && key.length > MAX_KEY_BYTES) {
            headers.add(HEADER_KEY_SIZE, ascii(Integer.toString(key.length)));
            key = Arrays.copyOf(key, MAX_KEY_BYTES);
        }
        budget -= key == null ? 0 : key.length;
        if (value != null && value.length > budget) {
            headers.add(HEADER_TRUNCATED, ascii("true"));
            headers.add(HEADER_VALUE_SIZE, ascii(Integer.toString(value.length)));
            headers.add(HEADER_VALUE_SHA256, ascii(sha256(value)));
            value = Arrays.copyOf(value, Math.max(0, budget));
        }
        headers.add(HEADER_CODE, ascii(code));
        headers.add(HEADER_REASON, reason(reason).getBytes(StandardCharsets.UTF_8));
        Header inputOffset = source.headers().lastHeader(InputReadingProcessor.HEADER_OFFSET);
        if (inputOffset != null) { // an event read from another format: where its input record is
            headers.add(HEADER_TOPIC, source.headers().lastHeader(InputReadingProcessor.HEADER_TOPIC).value());
            headers.add(HEADER_PARTITION, source.headers().lastHeader(InputReadingProcessor.HEADER_PARTITION).value());
            headers.add(HEADER_OFFSET, inputOffset.value());
        } else if (source.partition() >= 0) {
            headers.add(HEADER_TOPIC, source.topic().getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_PARTITION, ascii(Integer.toString(source.partition())));
            headers.add(HEADER_OFFSET, ascii(Long.toString(source.offset())));
        }
        return new Record<>(key, value, source.timestamp(), headers);
    }

    /** Sends {@code source} to the dead-letter sink {@code sink}, counted, and summed up in the log every 30 s. */
    static void send(ProcessorContext<byte[], byte[]> context, String sink, PendingEvent source, String code,
                     String reason, ScorerConfig config, ScorerMetrics metrics) {
        context.forward(of(source, code, reason, config.dlqMaxRecordBytes()), sink);
        String where = source.partition() < 0 ? "" : source.topic() + "-" + source.partition() + "@" + source.offset()
                + ": ";
        metrics.deadLetter(code, where + reason(reason));
        LOG.warn(() -> metrics.deadLetterWatch().recent().map(r -> r.describe(config.dlqTopic())).orElse(reason));
    }

    /** Sends a record with no value, or one over the record limit, unread to the dead-letter sink: true if it did. */
    static boolean unreadable(ProcessorContext<byte[], byte[]> context, String sink, PendingEvent source,
                              ScorerConfig config, ScorerMetrics metrics) {
        if (source.value() == null) {
            send(context, sink, source, "null-value", "null value", config, metrics);
            return true;
        }
        if (source.size() > config.maxRecordBytes()) {
            send(context, sink, source, InvalidRecordException.TOO_LARGE, "record too large: " + source.size()
                    + " bytes (key, value and headers), limit " + config.maxRecordBytes() + " ("
                    + ScorerConfig.MAX_RECORD_BYTES + ")", config, metrics);
            return true;
        }
        return false;
    }

    static String reason(String reason) {
        return reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS) + "…";
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
