package dev.surprisal.session;

import dev.surprisal.tokenize.TemplateTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A raw log line cut into its constant and variable parts, for showing a template model's event as
 * the line itself with its values marked, rather than as its template. The values are the ones the
 * template masks, in order; they are found from the end of the line backwards, because the message
 * (where they are) follows the header (where the same digits may stand too).
 */
public final class LineParts {

    /** A stretch of the line: a template's constant text, or one of its values. */
    public record Part(String text, boolean variable) {
    }

    private LineParts() {
    }

    /**
     * What a template model's line is, under the line: its template, or, for a line of no template
     * the model knows, the template learned from it while scoring (from the event's notes).
     */
    public static String caption(String token, List<String> notes) {
        if (!TemplateTokenizer.NEW_TEMPLATE.equals(token)) {
            return "template: " + token;
        }
        for (String note : notes) {
            if (note.startsWith(SessionScorer.NOTE_NEW_TEMPLATE)) {
                return "a new template, alerted once: learned as " + note.substring(SessionScorer.NOTE_NEW_TEMPLATE.length());
            }
            if (note.startsWith(SessionScorer.NOTE_LEARNED_TEMPLATE)) {
                return "a template learned while scoring: "
                        + note.substring(SessionScorer.NOTE_LEARNED_TEMPLATE.length()) + " (new to the model)";
            }
        }
        return "a line of no known template";
    }

    /** The line as parts; a value not found in it is left unmarked. With no values, the whole line is one part. */
    public static List<Part> of(String line, List<String> values) {
        int[] starts = new int[values == null ? 0 : values.size()];
        int before = line.length();
        for (int i = starts.length - 1; i >= 0; i--) {
            String value = values.get(i);
            int at = value.isEmpty() ? -1 : line.lastIndexOf(value, before - value.length());
            starts[i] = at;
            if (at >= 0) {
                before = at;
            }
        }
        List<Part> parts = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < starts.length; i++) {
            if (starts[i] < at) {
                continue;
            }
            if (starts[i] > at) {
                parts.add(new Part(line.substring(at, starts[i]), false));
            }
            at = starts[i] + values.get(i).length();
            parts.add(new Part(line.substring(starts[i], at), true));
        }
        if (at < line.length() || parts.isEmpty()) {
            parts.add(new Part(line.substring(at), false));
        }
        return parts;
    }
}
