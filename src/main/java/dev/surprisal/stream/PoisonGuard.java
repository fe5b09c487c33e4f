package dev.surprisal.stream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the input records a stream thread was working on, so that one that kills its thread
 * (an error no handler caught) is recognised when the replacement thread meets it again and is
 * dead-lettered instead of killing that thread too, forever. Records are known by where they came
 * from; the memory lasts as long as the process, which is where threads are replaced.
 */
final class PoisonGuard {

    /** Attempts begun and not finished, by record position. */
    private static final Map<String, Integer> IN_FLIGHT = new ConcurrentHashMap<>();

    private PoisonGuard() {
    }

    static String key(PendingEvent e) {
        return e.topic() + '-' + e.partition() + '@' + e.offset();
    }

    /** Starts an attempt; returns how many earlier attempts never finished. */
    static int begin(PendingEvent e) {
        if (e.partition() < 0) {
            return 0;
        }
        return IN_FLIGHT.merge(key(e), 1, Integer::sum) - 1;
    }

    /** Whether earlier attempts at this record never finished. */
    static int unfinished(PendingEvent e) {
        return e.partition() < 0 ? 0 : IN_FLIGHT.getOrDefault(key(e), 0);
    }

    static void end(PendingEvent e) {
        if (e.partition() >= 0) {
            IN_FLIGHT.remove(key(e));
        }
    }
}
