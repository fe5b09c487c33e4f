package dev.surprisal.cli;

import dev.surprisal.config.Environment;
import dev.surprisal.demo.DemoRunner;
import dev.surprisal.kafka.Directories;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  java -jar surprisal.jar demo", "  java -jar surprisal.jar demo --scenario retrain",
                "  java -jar surprisal.jar demo --scenario drift --events 3000 --output \\", "      jsonl --rate 0 > scores.jsonl"},

        description = "Starts a broker, trains or loads a model, scores generated log traffic and prints the scores.")
final class DemoCommand implements Callable<Integer> {

    enum Output { table, jsonl }

    enum Colour { auto, always, never }

    @Option(names = "--scenario", defaultValue = "basic",
            description = "basic; retrain: the traffic shifts, the demo sends a train command, model 2 takes over; "
                    + "drift: the same shift, but the scorer's health watch notices it and sends the command itself, a live "
                    + "shadow trial decides, and then an operator's feedback teaches model 3 a new feature's line.")
    String scenario;

    @Option(names = "--events", defaultValue = "0", description = "Exit after this many scored events (0: run until Ctrl-C).")
    long events;

    @Option(names = "--output", defaultValue = "table", description = "table or jsonl (one ScoredEvent as JSON per line).")
    Output output;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the generated traffic and of the demo model.")
    long seed;

    @Option(names = "--rate", defaultValue = "10", description = "Events published per second (0: as fast as possible).")
    double rate;

    @Option(names = "--sessions", defaultValue = "8", description = "Concurrent sessions in the generated traffic.")
    int sessions;

    @Option(names = "--anomaly-rate", defaultValue = "0.05", description = "Share of events replaced by anomalous lines.")
    double anomalyRate;

    @Option(names = "--port", defaultValue = "9092", description = "Broker port on 127.0.0.1 (0: any free port).")
    int port;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry port on 127.0.0.1 (0: any free port).")
    int registryPort;

    @Option(names = "--http-port", defaultValue = "8080", description = "Metrics, health and interactive-query port (0: any free port).")
    int httpPort;

    @Option(names = "--data-dir", description = "Broker data directory, kept between runs (default $XDG_CACHE_HOME/surprisal/demo-kafka, else ~/.cache/surprisal/demo-kafka).")
    Path dataDir = Environment.cacheDir().resolve("demo-kafka");

    @Option(names = "--fresh", description = "Start with an empty broker: delete the data directory first.")
    boolean fresh;

    @Option(names = "--model", description = "Score with this model directory instead of the demo model.")
    Path model;

    @Option(names = "--model-cache", description = "Where the demo model is cached (default $XDG_CACHE_HOME/surprisal, else ~/.cache/surprisal).")
    Path modelCache = Environment.cacheDir();

    @Option(names = "--retrain", description = "Train the demo model again even if a cached one exists.")
    boolean retrain;

    @Option(names = "--color", defaultValue = "auto", description = "auto, always or never.")
    Colour colour;

    @Override
    public Integer call() throws Exception {
        boolean ansi = colour == Colour.always || (colour == Colour.auto && Environment.colourTerminal());
        DemoRunner.Options options = new DemoRunner.Options(
                DemoRunner.Scenario.valueOf(scenario.toUpperCase(java.util.Locale.ROOT)), events, output == Output.jsonl, seed, rate, sessions,
                anomalyRate, port, registryPort, httpPort, fresh ? deleted(dataDir) : dataDir, model, modelCache,
                retrain, ansi && output == Output.table);
        try (ShutdownSignal shutdown = new ShutdownSignal()) {
            new DemoRunner(options, System.out, System.err).run(shutdown::requested);
            return 0;
        }
    }

    private static Path deleted(Path dir) {
        Directories.deleteRecursively(dir);
        return dir;
    }
}
