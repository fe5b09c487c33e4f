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

    static final PoisonGuard READING = new PoisonGuard();
    static final PoisonGuard SCORING = new PoisonGuard();

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
