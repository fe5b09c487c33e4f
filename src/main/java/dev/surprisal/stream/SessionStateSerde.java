package dev.surprisal.stream;

import dev.surprisal.session.SessionState;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Compact binary form of {@link SessionState} for the store and its changelog: a format byte,
 * the model version, the recent text, six counters, the raw float state (2 KB for a 1-layer
 * LSTM of 256), then hashes of the session's latest event ids (8 bytes each).
 */
public final class SessionStateSerde implements Serde<SessionState> {

    /** 2 added the recent text, 3 the latest event ids; older records still read, with those empty. */
    private static final byte FORMAT = 3;
    private static final byte FORMAT_WITHOUT_IDS = 2;
    private static final byte FORMAT_WITHOUT_TEXT = 1;

    @Override
    public Serializer<SessionState> serializer() {
        return (topic, state) -> state == null ? null : write(state);
    }

    @Override
    public Deserializer<SessionState> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(SessionState s) {
        byte[] version = s.modelVersion().getBytes(StandardCharsets.UTF_8);
        byte[] recent = s.recentText().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(1 + 2 + version.length + 4 + recent.length + 5 * 8 + 8 + 4
                + 4 * s.recurrent().length + 4 + 8 * s.recentEventIds().length);
        buf.put(FORMAT).putShort((short) version.length).put(version).putInt(recent.length).put(recent);
        buf.putLong(s.events()).putLong(s.tokens()).putDouble(s.totalBits()).putLong(s.anomalousEvents())
                .putLong(s.firstEventTime()).putLong(s.lastEventTime());
        buf.putInt(s.recurrent().length);
        for (float x : s.recurrent()) {
            buf.putFloat(x);
        }
        buf.putInt(s.recentEventIds().length);
        for (long id : s.recentEventIds()) {
            buf.putLong(id);
        }
        return buf.array();
    }

    static SessionState read(byte[] bytes) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            byte format = buf.get();
            if (format != FORMAT && format != FORMAT_WITHOUT_IDS && format != FORMAT_WITHOUT_TEXT) {
                throw new SerializationException("unknown session state format " + format);
            }
            byte[] version = new byte[buf.getShort()];
            buf.get(version);
            byte[] recent = new byte[format == FORMAT_WITHOUT_TEXT ? 0 : buf.getInt()];
            buf.get(recent);
            long events = buf.getLong();
            long tokens = buf.getLong();
            double bits = buf.getDouble();
            long anomalous = buf.getLong();
            long first = buf.getLong();
            long last = buf.getLong();
            float[] recurrent = new float[buf.getInt()];
            for (int i = 0; i < recurrent.length; i++) {
                recurrent[i] = buf.getFloat();
            }
            long[] ids = new long[format == FORMAT ? buf.getInt() : 0];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = buf.getLong();
            }
            return new SessionState(new String(version, StandardCharsets.UTF_8), recurrent,
                    new String(recent, StandardCharsets.UTF_8), events, tokens, bits, anomalous, first, last, ids);
        } catch (RuntimeException e) {
            throw e instanceof SerializationException se ? se : new SerializationException("corrupt session state", e);
        }
    }
}
