package dev.surprisal.input;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Event times as shippers write them: ISO-8601 text, or epoch seconds, millis, micros or nanos told apart by size. */
final class EventTimes {

    private EventTimes() {
    }

    /** The time, or null when the value is not one. */
    static Instant of(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (value.isNumber()) {
            return epoch(value.asDouble());
        }
        if (!value.isTextual()) {
            return null;
        }
        String text = value.asText().strip();
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notInstant) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException notOffset) {
                try {
                    return epoch(Double.parseDouble(text));
                } catch (NumberFormatException notNumber) {
                    return null;
                }
            }
        }
    }

    /** Epoch seconds (to 1e11, year 5138), millis (to 1e14), micros (to 1e17), else nanos. */
    static Instant epoch(double v) {
        if (!Double.isFinite(v) || v < 0) {
            return null;
        }
        double millis = v < 1e11 ? v * 1e3 : v < 1e14 ? v : v < 1e17 ? v / 1e3 : v / 1e6;
        return Instant.ofEpochMilli((long) millis);
    }
}
