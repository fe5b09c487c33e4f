package dev.surprisal.session;

import dev.surprisal.tokenize.LogFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every spelling of a label, and the same answer from the raw-line reader that train, evaluate and produce share. */
class AnomalyLabelTest {

    @ParameterizedTest(name = "''{0}'' is anomalous: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "-        | false",
        "\"\"     | false",
        "\"  \"   | false",
        "0        | false",
        "false    | false",
        "FALSE    | false",
        "no       | false",
        "normal   | false",
        "Normal   | false",
        "1        | true",
        "true     | true",
        "yes      | true",
        "anomaly  | true",
        "anomalous| true",
        "KERNDTLB | true",
        "APPREAD  | true",
    })
    void oneRuleForEverySpelling(String value, boolean anomalous) {
        assertEquals(anomalous, AnomalyLabel.parse(value));
        LineSessions lines = new LineSessions(LogFormat.parse("<Label> <Content>"), null, null, null, null, "Label",
                null);
        String label = value.isBlank() ? "" : value.strip();
        if (!label.isEmpty()) {
            assertEquals(anomalous, lines.read(label + " some message", "k", null).anomalous(),
                    "a raw line's label field reads the same");
        }
    }

    @ParameterizedTest
    @CsvSource({"true", "false"})
    void anEventLabelRoundTrips(boolean anomalous) {
        assertEquals(anomalous, AnomalyLabel.parse(AnomalyLabel.of(anomalous).get(AnomalyLabel.KEY)));
    }

    @Test
    void noLabelIsNoAnswer() {
        assertEquals(null, AnomalyLabel.parse(null));
        assertEquals(null, AnomalyLabel.of((Boolean) null));
    }
}
