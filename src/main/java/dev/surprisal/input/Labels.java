package dev.surprisal.input;

import java.util.HashMap;
import java.util.Map;

/** Labels as evaluation reads them: the {@code anomalous} label. */
final class Labels {

    static final String ANOMALOUS = "anomalous";

    private Labels() {
    }

    static Map<String, String> of(Boolean anomalous) {
        return anomalous == null ? null : new HashMap<>(Map.of(ANOMALOUS, anomalous ? "1" : "0"));
    }

    static Map<String, String> of(String anomalous) {
        return anomalous == null ? null : new HashMap<>(Map.of(ANOMALOUS, anomalous));
    }
}
