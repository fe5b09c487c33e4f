package dev.surprisal.cli;

import dev.surprisal.input.InputFormat;
import dev.surprisal.input.InputSettings;

import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;

/** How a topic's records are written, as the scorer's {@code input.*} settings say: for commands that read or write the input topic. */
final class InputOptions {

    @Option(names = "--input-format", defaultValue = InputSettings.DEFAULT_FORMAT, description = "How the topic's records are written, as the "
            + "scorer's input.format: avro (TextEvents through the registry), text, json, otlp-proto or otlp-json.")
    String format;

    @Option(names = "--input-set", description = "Any other input.* setting, key=value, as the scorer has it "
            + "(input.session.field=host.name, input.text.field=log ...).")
    Map<String, String> settings = new HashMap<>();

    InputSettings settings() {
        Map<String, Object> all = new HashMap<>(settings);
        all.put(InputSettings.FORMAT, format);
        return InputSettings.of(all);
    }

    boolean avro() {
        return InputFormat.parse(format) == InputFormat.AVRO;
    }
}
