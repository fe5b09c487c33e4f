package dev.surprisal.stream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the input records a stream thread was working on, so that one that kills its thread
 * (an error no handler caught) is recognised when the replacement thread meets it again, instead
 * of killing that thread too, forever. Records are known by where they came from; the memory lasts
 * as long as the process, which is where threads are replaced. Reading and scoring are guarded
 * apart: a thread that dies scoring a batch is not the fault of every event in it, so those are
 * read again normally and scored one at a time.
 */
final class PoisonGuard {

    /*
     * Per application: two scorers in one process (the scorer and a shadow candidate) read the same
     * input records, and one's attempt in flight must not look like the other's crash.
     */
    private static final Map<String, PoisonGuard> READING = new ConcurrentHashMap<>();
    private static final Map<String, PoisonGuard> SCORING = new ConcurrentHashMap<>();

    /** Attempts at reading (deserialising) records, of one application. */
    static PoisonGuard reading(String applicationId) {
        return READING.computeIfAbsent(applicationId, a -> new PoisonGuard());
    }

    /** Attempts at scoring events, of one application. */
    static PoisonGuard scoring(String applicationId) {
        return SCORING.computeIfAbsent(applicationId, a -> new PoisonGuard());
    }

    /** Attempts begun and not finished, by record position. */
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();

    private PoisonGuard() {
    }

    private static String key(PendingEvent e) {
        return e.topic() + '-' + e.partition() + '@' + e.offset();
    }

    /** Starts an attempt; returns how many earlier attempts never finished. */
    int begin(PendingEvent e) {
        if (e.partition() < 0) {
            return 0;
        }
        return inFlight.merge(key(e), 1, Integer::sum) - 1;
    }

    /** How many attempts at this record began and never finished. */
    int unfinished(PendingEvent e) {
        return e.partition() < 0 ? 0 : inFlight.getOrDefault(key(e), 0);
    }

    void end(PendingEvent e) {
        if (e.partition() >= 0) {
            inFlight.remove(key(e));
        }
    }
}
