package dev.surprisal.cli;

import dev.surprisal.session.LineSessions;
import dev.surprisal.tokenize.LogFormat;

import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.regex.Pattern;

/** Sessions for raw logs without session ids, and labels for raw lines: shared by produce, train and evaluate. */
final class WindowOptions {

    @Option(names = "--window", description = "Logs without session ids: sessions are time windows of this length per "
            + "key (ISO-8601 duration, e.g. PT5M), from each line's own time (needs --log-format with its date and time "
            + "fields).")
    Duration window;

    @Option(names = "--window-slide", description = "Sliding windows: a window starts every this long (at most --window), "
            + "so a line belongs to several. Default: fixed windows.")
    Duration slide;

    @Option(names = "--window-key", description = "A field of --log-format whose value keys the windows (e.g. Node); "
            + "default: the --session-regex capture, else one key for the log.")
    String key;

    @Option(names = "--label-field", description = "A field of --log-format holding each line's label: '-' (or 0, "
            + "normal, false, no, empty) is normal, anything else an alert (loghub's first column, e.g. Label).")
    String labelField;

    @Option(names = "--label-regex", description = "A line that matches this is labelled anomalous, every other normal.")
    Pattern labelRegex;

    /** How lines become sessions and labels, given the commands' own log format and session regex. */
    LineSessions sessions(String logFormat, Pattern sessionRegex) {
        return new LineSessions(logFormat == null ? null : LogFormat.parse(logFormat), sessionRegex, key, window, slide,
                labelField, labelRegex);
    }
}
