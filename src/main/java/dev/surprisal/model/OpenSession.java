package dev.surprisal.model;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * A session's events whose end was not seen: a topic range cuts the sessions still going at its
 * end, and a long stream held out in parts is cut too. Training does not teach such a cut as an
 * end, and calibration does not score it as one: a made-up end is as surprising as a real anomaly,
 * and cutting thresholds on it raised them by orders of magnitude.
 */
public final class OpenSession extends AbstractList<String> implements RandomAccess {

    private final List<String> events;

    private OpenSession(List<String> events) {
        this.events = List.copyOf(events);
    }

    public static List<String> of(List<String> events) {
        return events instanceof OpenSession open ? open : new OpenSession(events);
    }

    /** Whether the session's last event is its real end (true for any list but an open session). */
    public static boolean ends(List<String> session) {
        return !(session instanceof OpenSession);
    }

    /** The same openness, for part of a session: its first part never ends it. */
    public static List<String> like(List<String> session, List<String> part) {
        return ends(session) ? part : of(part);
    }

    @Override
    public String get(int index) {
        return events.get(index);
    }

    @Override
    public int size() {
        return events.size();
    }
}
