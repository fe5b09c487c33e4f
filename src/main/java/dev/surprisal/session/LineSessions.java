package dev.surprisal.session;

import dev.surprisal.tokenize.LogFormat;
import dev.surprisal.tokenize.LogTime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The sessions of a raw log line and its label, the same for {@code produce}, {@code train} and
 * {@code evaluate}. Sessions come from a session regex (an HDFS block id), or, for logs without
 * session ids (BGL, syslog), from time windows per key, read from the line's own time: fixed windows
 * ({@code window}), or sliding ones that start every {@code slide} and so hold a line several times.
 * The key is a field of the log format (a node), the session regex's capture, or one key for the log.
 * A label field (loghub's first column, read by {@link AnomalyLabel}: {@code -} is normal, anything else an alert) or a label regex
 * marks anomalous lines.
 *
 * @param format       the log's layout; needed for windows (the time) and for key and label fields
 * @param sessionRegex sessions by their ids, or (with a window) the key; may be null
 * @param keyField     a field of the layout holding the key (with a window); may be null
 * @param window       window length; null: no windows
 * @param slide        start of one window to the next; null or equal to {@code window}: fixed windows
 * @param labelField   a field of the layout holding the line's label; may be null
 * @param labelRegex   a line that matches is anomalous; may be null
 */
public record LineSessions(LogFormat format, Pattern sessionRegex, String keyField, Duration window, Duration slide,
                           String labelField, Pattern labelRegex) {

    /** A line read: its sessions (in order), its label (null: unlabelled) and its time (null: none read). */
    public record Line(String text, List<String> sessions, Boolean anomalous, Instant time) {
    }

    public LineSessions {
        if (window != null) {
            if (window.isZero() || window.isNegative()) {
                throw new IllegalArgumentException("--window must be positive, was " + window);
            }
            if (format == null || !LogTime.hasTime(format)) {
                throw new IllegalArgumentException("windows need the line's time: give --log-format with its date and "
                        + "time fields (<Date>, <Time>, <Timestamp> ...)");
            }
            if (slide != null && (slide.isZero() || slide.isNegative() || slide.compareTo(window) > 0)) {
                throw new IllegalArgumentException("--window-slide must be positive and at most --window, was " + slide);
            }
        }
        for (String field : new String[] {keyField, labelField}) {
            if (field != null && (format == null || !format.fields().contains(field))) {
                throw new IllegalArgumentException("no field <" + field + "> in the log format"
                        + (format == null ? " (give --log-format)" : " " + format.notation()));
            }
        }
    }

    /** Sessions by regex only, as before windows: one session for the file when there is no regex. */
    public static LineSessions byRegex(Pattern sessionRegex) {
        return new LineSessions(null, sessionRegex, null, null, null, null, null);
    }

    /**
     * The line's sessions and label. {@code whole} names the one session of a file read without a
     * regex or windows. With windows, a line whose time cannot be read (a continuation line) joins
     * the sessions of the last line that had one ({@code previous}, null at the start).
     */
    public Line read(String line, String whole, Line previous) {
        Map<String, String> fields = format == null ? null : format.fieldsOf(line);
        Boolean label = label(line, fields);
        if (window == null) {
            return new Line(line, sessionRegex == null ? List.of(whole) : SessionIds.of(sessionRegex, line), label, null);
        }
        Instant time = fields == null ? null : LogTime.of(fields);
        if (time == null) {
            return previous == null || previous.time() == null ? new Line(line, List.of(), label, null)
                    : new Line(line, previous.sessions(), label, previous.time());
        }
        List<String> keys = keyField != null && fields != null ? List.of(fields.get(keyField).strip())
                : sessionRegex != null ? SessionIds.of(sessionRegex, line) : List.of(whole);
        List<String> sessions = new ArrayList<>();
        for (String key : keys) {
            for (Instant start : windowsOf(time)) {
                sessions.add(key + "@" + start);
            }
        }
        return new Line(line, sessions, label, time);
    }

    /** Starts of the windows holding {@code t}: one for fixed windows, window / slide for sliding ones. */
    List<Instant> windowsOf(Instant t) {
        long w = window.toMillis();
        long s = slide == null ? w : slide.toMillis();
        long ms = t.toEpochMilli();
        List<Instant> starts = new ArrayList<>();
        for (long start = Math.floorDiv(ms, s) * s; start > ms - w; start -= s) {
            starts.add(0, Instant.ofEpochMilli(start));
        }
        return starts;
    }

    private Boolean label(String line, Map<String, String> fields) {
        if (labelRegex != null) {
            return labelRegex.matcher(line).find();
        }
        if (labelField == null) {
            return null;
        }
        if (fields == null) {
            return null;
        }
        return AnomalyLabel.parse(fields.get(labelField));
    }
}
