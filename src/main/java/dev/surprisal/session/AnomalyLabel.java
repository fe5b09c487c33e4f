package dev.surprisal.session;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a label says about a line, an event or a session: the one rule that training, evaluation, produce
 * and the scorer all read. Normal is {@code -} (loghub's mark for no alert), blank, {@code 0},
 * {@code false}, {@code no} or {@code normal}; any other value is anomalous: {@code 1}, {@code true},
 * {@code anomalous}, or an alert's category such as BGL's {@code KERNDTLB}.
 */
public final class AnomalyLabel {

    /** The event label that carries it ({@code labels} of a {@code TextEvent}). */
    public static final String KEY = "anomalous";

    private static final Set<String> NORMAL = Set.of("-", "", "0", "false", "no", "normal");

    private AnomalyLabel() {
    }

    /** @return whether {@code value} marks an anomaly; null when there is no label at all */
    public static Boolean parse(String value) {
        return value == null ? null : !NORMAL.contains(value.strip().toLowerCase(Locale.ROOT));
    }

    /** The labels of an event marked so, or null when it is not labelled. */
    public static Map<String, String> of(Boolean anomalous) {
        return anomalous == null ? null : new HashMap<>(Map.of(KEY, anomalous ? "1" : "0"));
    }

    /** The labels of an event carrying {@code value} as it came (the rule reads it later), or null. */
    public static Map<String, String> of(String value) {
        return value == null ? null : new HashMap<>(Map.of(KEY, value));
    }
}
