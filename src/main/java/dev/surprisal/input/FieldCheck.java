package dev.surprisal.input;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says once, with numbers, when an optional field a setting names ({@code input.time.field},
 * {@code input.event.id.field}, {@code input.labels.field}) was in none of the first records read: a
 * missing optional field refuses nothing (the record's time, a generated id, no labels stand in), so a
 * misspelt path would otherwise do nothing without a word.
 */
final class FieldCheck {

    static final int RECORDS = 50;
    private static final Logger LOG = LoggerFactory.getLogger(FieldCheck.class);
    /** Settings already warned about in this process: every task reads with its own reader. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    /** Per setting: its field, and whether a record had it. */
    private final Map<String, String> fields = new LinkedHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private int records;

    /** @param fields setting name → the field it names; blank fields are not checked */
    FieldCheck(Map<String, String> fields) {
        fields.forEach((setting, field) -> {
            if (!field.isBlank()) {
                this.fields.put(setting, field);
            }
        });
    }

    /**
     * A record was read; {@code present} are the settings whose field it had.
     *
     * @return the warnings said now (once, at the {@value #RECORDS}th record), else empty
     */
    Map<String, String> record(Set<String> present) {
        if (records >= RECORDS || fields.isEmpty()) {
            return Map.of();
        }
        seen.addAll(present);
        if (++records < RECORDS) {
            return Map.of();
        }
        Map<String, String> said = new LinkedHashMap<>();
        fields.forEach((setting, field) -> {
            if (!seen.contains(setting) && WARNED.add(setting + "=" + field)) {
                String warning = setting + " " + field + " was in none of the first " + RECORDS + " records: "
                        + "check the field's path (a.b or /a/b)";
                LOG.warn(warning);
                said.put(setting, warning);
            }
        });
        return said;
    }
}
