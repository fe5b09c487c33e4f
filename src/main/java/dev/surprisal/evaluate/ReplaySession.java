package dev.surprisal.evaluate;

import java.time.Instant;
import java.util.List;

/**
 * A session to replay: its events in order and, where known, whether it is anomalous.
 *
 * @param label true anomalous, false normal, null unknown
 */
public record ReplaySession(String id, Boolean label, List<Event> events) {

    /**
     * @param label the event's own label where the input has per-event labels, else null
     * @param end   whether the event ends its session (the last line of a complete session in a file,
     *              or the event's end flag on a topic)
     * @param time  the event's time where the input has one (topics), else null
     */
    public record Event(String eventId, String text, Boolean label, boolean end, Instant time) {
        public Event(String eventId, String text, Boolean label, boolean end) {
            this(eventId, text, label, end, null);
        }
    }
}
