package dev.surprisal.stream;

import dev.surprisal.session.SessionState;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** A task's session states ({@code session-state}): read leniently, saved or forgotten, scanned for idle ones. */
final class SessionStore {

    private static final Logger LOG = LoggerFactory.getLogger(SessionStore.class);

    private final KeyValueStore<String, SessionState> store;

    SessionStore(KeyValueStore<String, SessionState> store) {
        this.store = store;
    }

    /** The session's state, or null; one that cannot be read must not stop scoring (it would fail every retry). */
    SessionState get(String session) {
        try {
            return store.get(session);
        } catch (SerializationException e) {
            LOG.warn("unreadable state of session {} ({}); starting the session afresh", session, e.getMessage());
            return null;
        }
    }

    /** Keeps the state after an event; null forgets the session (it ended). */
    void save(String session, SessionState state) {
        if (state == null) {
            store.delete(session);
        } else {
            store.put(session, state);
        }
    }

    /** The sessions whose last event is at or before {@code cutoff}. */
    List<KeyValue<String, SessionState>> idleSince(long cutoff) {
        List<KeyValue<String, SessionState>> idle = new ArrayList<>();
        try (KeyValueIterator<String, SessionState> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, SessionState> kv = it.next();
                if (kv.value.lastEventTime() <= cutoff) {
                    idle.add(kv);
                }
            }
        }
        return idle;
    }
}
