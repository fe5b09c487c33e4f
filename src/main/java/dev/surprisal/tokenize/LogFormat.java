package dev.surprisal.tokenize;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A log line's layout in the notation logparser and Drain users write, e.g.
 * {@code <Date> <Time> <Pid> <Level> <Component>: <Content>}: each {@code <Field>} matches
 * lazily, the text between fields is a regular expression (so {@code \[} and optional groups such as
 * {@code (\[<PID>\])?} work) in which a run of spaces matches any run of whitespace. Only the
 * {@code Content} field is mined for templates; a line that does not fit the layout is mined whole.
 */
public final class LogFormat {

    private static final Pattern FIELD = Pattern.compile("<([A-Za-z_][A-Za-z0-9_]*)>");
    private static final String CONTENT = "Content";

    private final String notation;
    private final Pattern pattern;
    private final List<String> fields;

    private LogFormat(String notation, Pattern pattern, List<String> fields) {
        this.notation = notation;
        this.pattern = pattern;
        this.fields = fields;
    }

    public static LogFormat parse(String notation) {
        StringBuilder regex = new StringBuilder("^");
        List<String> fields = new ArrayList<>();
        Matcher m = FIELD.matcher(notation);
        int at = 0;
        while (m.find()) {
            regex.append(notation.substring(at, m.start()).replaceAll(" +", "\\\\s+"));
            String name = m.group(1);
            if (fields.contains(name)) {
                throw new IllegalArgumentException("log format names <" + name + "> twice: " + notation);
            }
            fields.add(name);
            regex.append("(?<").append(name).append(">.*?)");
            at = m.end();
        }
        regex.append(notation.substring(at).replaceAll(" +", "\\\\s+")).append("$");
        if (!fields.contains(CONTENT)) {
            throw new IllegalArgumentException("a log format needs a <Content> field: " + notation);
        }
        return new LogFormat(notation, Pattern.compile(regex.toString()), List.copyOf(fields));
    }

    /** The message part of a line; the whole line when it does not fit the layout. */
    public String content(String line) {
        Matcher m = pattern.matcher(line);
        return m.matches() ? m.group(CONTENT) : line;
    }

    /**
     * Refuses a layout that fits none of {@code lines} (a wrong layout would otherwise mine whole lines,
     * headers and all, without a word); {@code first} is the first non-blank line, for the message.
     */
    public void requireFits(long fitting, long lines, String first) {
        if (lines > 0 && fitting == 0) {
            throw new IllegalArgumentException("the log format " + notation + " fits none of the " + lines
                    + " lines (the first is: " + (first.length() > 120 ? first.substring(0, 120) + "…" : first)
                    + "); fix --log-format, or leave it out to let the header detector find the message");
        }
    }

    /** {@link #requireFits} over {@code lines}, stopping at the first that fits. */
    public void requireFitsAny(Iterable<String> lines) {
        long count = 0;
        String first = null;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            if (fits(line)) {
                return;
            }
            count++;
            first = first == null ? line : first;
        }
        requireFits(0, count, first);
    }

    public boolean fits(String line) {
        return pattern.matcher(line).matches();
    }

    /** The line's fields by name, in the layout's order (empty when absent); null when the line does not fit. */
    public Map<String, String> fieldsOf(String line) {
        Matcher m = pattern.matcher(line);
        if (!m.matches()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String field : fields) {
            String value = m.group(field);
            out.put(field, value == null ? "" : value); // a field in an optional part the line does not have
        }
        return out;
    }

    public List<String> fields() {
        return fields;
    }

    public String notation() {
        return notation;
    }
}
