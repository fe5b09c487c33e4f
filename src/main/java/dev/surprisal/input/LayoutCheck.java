package dev.surprisal.input;

import dev.surprisal.tokenize.LogFormat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says once, with numbers, when {@code input.log.format} fits none of the first lines a scorer reads: a
 * wrong layout is not an error per line (each is read whole), but without it no line's time, fields or
 * label can be read, so windows, {@code input.window.key} and label fields silently do nothing.
 */
final class LayoutCheck {

    static final int LINES = 50;
    private static final Logger LOG = LoggerFactory.getLogger(LayoutCheck.class);
    /** Layouts already warned about in this process: every task reads with its own reader. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private int seen;
    private int fitting;
    private String first;

    /** @return the warning, once, when the {@value #LINES}th non-blank line is read and none fit; else null */
    String line(String text, LogFormat layout) {
        if (seen >= LINES || text.isBlank()) {
            return null;
        }
        seen++;
        fitting += layout.fits(text) ? 1 : 0;
        if (first == null) {
            first = text;
        }
        if (seen < LINES || fitting > 0 || !WARNED.add(layout.notation())) {
            return null;
        }
        String warning = InputSettings.LOG_FORMAT + " " + layout.notation() + " fits none of the first " + LINES
                + " lines (the first: " + (first.length() > 120 ? first.substring(0, 120) + "…" : first) + "): each "
                + "line is read whole, and no time, field or label can be read from it; fix the layout (the "
                + "templates command checks one against a file), or leave it out";
        LOG.warn(warning);
        return warning;
    }
}
