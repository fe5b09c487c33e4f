package dev.surprisal.input;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldCheckTest {

    @Test
    void anOptionalFieldInNoneOfTheFirstRecordsIsSaidOnceAndOneSeenOnceIsNot() {
        FieldCheck check = new FieldCheck(Map.of(InputSettings.TIME_FIELD, "ts-check-a",
                InputSettings.LABELS_FIELD, "labels-check-a", InputSettings.EVENT_ID_FIELD, ""));
        Map<String, String> said = Map.of();
        for (int i = 0; i < FieldCheck.RECORDS; i++) {
            said = check.record(i == 7 ? Set.of(InputSettings.LABELS_FIELD) : Set.of());
            if (i < FieldCheck.RECORDS - 1) {
                assertTrue(said.isEmpty());
            }
        }
        assertEquals(Set.of(InputSettings.TIME_FIELD), said.keySet(), "labels were seen once; the id field is unset");
        assertTrue(said.get(InputSettings.TIME_FIELD).startsWith(InputSettings.TIME_FIELD + " ts-check-a was in none "
                + "of the first " + FieldCheck.RECORDS + " records"), said.toString());
        assertTrue(check.record(Set.of()).isEmpty(), "once");
    }
}
