package dev.surprisal.session;

import java.util.Locale;

/** How a file of text is laid out, for {@code train} and {@code evaluate} alike. */
public enum FileFormat {
    /** Raw lines: one event each, in sessions by a regex or time windows. */
    LINES,
    /** One session per line: its whitespace-separated tokens, one event each. */
    SESSIONS,
    /** {@code id<TAB>label<TAB>tokens}: a labelled session per line. */
    SESSIONS_TSV;

    /** {@code lines}, {@code sessions} or {@code sessions-tsv}. */
    public static FileFormat parse(String name) {
        for (FileFormat f : values()) {
            if (f.id().equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "' (expected lines, sessions or sessions-tsv)");
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
