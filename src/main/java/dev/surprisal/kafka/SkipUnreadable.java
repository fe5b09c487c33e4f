package dev.surprisal.kafka;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads what {@code inner} can read and turns a record it can never read (a {@link SerializationException})
 * into null, counted and reported in one WARN line a minute; a dependency that fails for now (an
 * unreachable schema registry) still throws: another application writing JSON into a topic of Avro scores (or a tool's test
 * record) must never end a reader of ours, let alone the process around it. Callers skip nulls, as they
 * skip tombstones.
 */
public final class SkipUnreadable<V> implements Deserializer<V> {

    private static final Logger LOG = LoggerFactory.getLogger(SkipUnreadable.class);

    private final Deserializer<V> inner;
    private final String expected;
    private final RateLimitedLog log;
    private final AtomicLong skipped = new AtomicLong();

    private SkipUnreadable(Deserializer<V> inner, String expected, Duration reportEvery) {
        this.inner = inner;
        this.expected = expected;
        this.log = new RateLimitedLog(LOG, reportEvery);
    }

    /** @param expected what the records should be, for the log line ("a ScoredEvent") */
    public static <V> SkipUnreadable<V> of(Deserializer<V> inner, String expected) {
        return new SkipUnreadable<>(inner, expected, Duration.ofMinutes(1));
    }

    @Override
    public V deserialize(String topic, byte[] data) {
        try {
            return inner.deserialize(topic, data);
        } catch (SerializationException e) {
            return skip(topic, e);
        }
    }

    @Override
    public V deserialize(String topic, Headers headers, byte[] data) {
        try {
            return inner.deserialize(topic, headers, data);
        } catch (SerializationException e) {
            return skip(topic, e);
        }
    }

    @Override
    public V deserialize(String topic, Headers headers, ByteBuffer data) {
        try {
            return inner.deserialize(topic, headers, data);
        } catch (SerializationException e) {
            return skip(topic, e);
        }
    }

    private V skip(String topic, SerializationException e) {
        long n = skipped.incrementAndGet();
        log.warn("skipped a record on " + topic + " that is not " + expected + " (" + n + " so far; is another "
                + "application writing to this topic?): " + e.getMessage());
        return null;
    }

    /** Records skipped so far. */
    public long skipped() {
        return skipped.get();
    }

    @Override
    public void close() {
        inner.close();
    }
}
