package dev.surprisal.session;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sessions a raw line belongs to: every distinct match of a session regex (its first group, or
 * the whole match), in order. A line that names several sessions (an HDFS line can name several
 * blocks) belongs to each, as DeepLog's preprocessing has it.
 */
public final class SessionIds {

    private SessionIds() {
    }

    public static List<String> of(Pattern regex, String line) {
        Set<String> ids = new LinkedHashSet<>();
        Matcher m = regex.matcher(line);
        while (m.find()) {
            String id = m.groupCount() > 0 ? m.group(1) : m.group();
            if (id != null && !id.isEmpty()) {
                ids.add(id);
            }
        }
        return new ArrayList<>(ids);
    }
}
