package dev.surprisal.input;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.session.AnomalyLabel;
import dev.surprisal.session.LineSessions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A UTF-8 line per record. The session is the record key, or, as for raw log files, a session
 * regex's capture or a time window per key read from the line's own time.
 */
final class TextInput implements InputReader {

    private final InputSettings settings;
    private final LineSessions lines;
    private final LayoutCheck layoutCheck = new LayoutCheck();
    /** The last line with a time: a line without one (a continuation) joins its windows. */
    private LineSessions.Line previous;

    TextInput(InputSettings settings) {
        this.settings = settings;
        this.lines = settings.lines();
    }

    @Override
    public List<Read> read(RawRecord record) {
        String text = InputReader.utf8(record.value());
        if (text == null) {
            return List.of(Read.refused(INVALID_UTF8, "the value is not UTF-8 text"));
        }
        text = stripNewline(text);
        if (lines != null && lines.format() != null) {
            layoutCheck.line(text, lines.format());
        }
        String key = record.key() == null || record.key().length == 0 ? null : InputReader.utf8(record.key());
        Instant recordTime = Instant.ofEpochMilli(record.timestamp());
        if (!settings.rekeys()) {
            if (key == null) {
                return List.of(Read.refused(MISSING_KEY, "missing session key: key records by session, or set "
                        + InputSettings.SESSION_REGEX + " or " + InputSettings.WINDOW_MS));
            }
            Map<String, String> labels = null;
            if (lines != null) {
                Boolean anomalous = lines.read(text, key, null).anomalous();
                labels = AnomalyLabel.of(anomalous);
            }
            return List.of(Read.of(new TextEvent(record.eventId(0), key, text, recordTime, false, labels)));
        }
        LineSessions.Line line = lines.read(text, key != null ? key : record.topic(), previous);
        if (line.time() != null) {
            previous = line;
        }
        if (line.sessions().isEmpty()) {
            return List.of(Read.refused("missing-session", lines.window() != null
                    ? "no time read from the line, and none before it: windows need the line's time ("
                    + InputSettings.LOG_FORMAT + " " + (lines.format() == null ? "not set" : lines.format().notation()) + ")"
                    : "no match of " + InputSettings.SESSION_REGEX + " " + lines.sessionRegex().pattern()));
        }
        Instant time = line.time() != null ? line.time() : recordTime;
        List<Read> out = new ArrayList<>();
        for (int i = 0; i < line.sessions().size(); i++) {
            out.add(Read.of(new TextEvent(record.eventId(i), line.sessions().get(i), text, time, false,
                    AnomalyLabel.of(line.anomalous()))));
        }
        return out;
    }

    /** The line without its end: \n, \r\n, or the lone \r that {@code kcat -l} leaves of a CRLF file's lines. */
    private static String stripNewline(String text) {
        int end = text.length();
        if (end > 0 && text.charAt(end - 1) == '\n') {
            end--;
        }
        if (end > 0 && text.charAt(end - 1) == '\r') {
            end--;
        }
        return text.substring(0, end);
    }
}
