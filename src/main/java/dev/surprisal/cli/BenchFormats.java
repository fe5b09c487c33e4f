package dev.surprisal.cli;

import dev.surprisal.bench.FormatBenchmark;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "formats", mixinStandardHelpOptions = true,
        description = "The scorer end to end on the same events in each input format: avro, text, json (keyed), "
                + "json with the session in a field and otlp-proto batches (both re-keyed); events and tokens per "
                + "second, and each against avro.")
final class BenchFormats implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "10000", description = "Events per format.")
    int events;

    @Option(names = "--sessions", defaultValue = "1000", description = "Sessions the events are spread over.")
    int sessions;

    @Option(names = "--tokens-per-event", defaultValue = "60", description = "Characters per event (a byte model).")
    int tokensPerEvent;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden size of the model.")
    int hidden;

    @Option(names = "--otlp-batch", defaultValue = "50", description = "Log records per OTLP record.")
    int otlpBatch;

    @Option(names = "--rounds", defaultValue = "2", description = "Runs of every format, in alternating order; "
            + "each keeps its best.")
    int rounds;

    @Override
    public Integer call() throws Exception {
        var result = new FormatBenchmark(new FormatBenchmark.Settings(
                events, sessions, tokensPerEvent, hidden, otlpBatch, rounds, 7)).run();
        System.out.printf(Locale.ROOT, "%-20s %14s %14s %8s%n", "format", "events/s", "tokens/s", "of avro");
        result.properties().forEach(e -> {
            if (!e.getKey().equals("settings")) {
                System.out.printf(Locale.ROOT, "%-20s %,14.1f %,14.1f %7.1f%%%n", e.getKey(),
                        e.getValue().get("eventsPerSecond").asDouble(), e.getValue().get("tokensPerSecond").asDouble(),
                        100 * e.getValue().get("ofAvro").asDouble());
            }
        });
        System.out.println(result.get("settings"));
        return 0;
    }
}
