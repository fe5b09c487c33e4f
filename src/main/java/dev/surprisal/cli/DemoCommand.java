package dev.surprisal.cli;

import dev.surprisal.demo.DemoRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Starts a broker, trains or loads a model, scores generated log traffic and prints the scores.")
final class DemoCommand implements Callable<Integer> {

    enum Output { table, jsonl }

    enum Colour { auto, always, never }

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

    @Option(names = "--model", description = "Score with this model directory instead of the demo model.")
    Path model;

    @Option(names = "--model-cache", description = "Where the demo model is cached (default ~/.cache/surprisal).")
    Path modelCache = Path.of(System.getProperty("user.home"), ".cache", "surprisal");

    @Option(names = "--retrain", description = "Train the demo model again even if a cached one exists.")
    boolean retrain;

    @Option(names = "--color", defaultValue = "auto", description = "auto, always or never.")
    Colour colour;

    @Override
    public Integer call() throws Exception {
        boolean ansi = colour == Colour.always || (colour == Colour.auto && System.console() != null
                && System.getenv("NO_COLOR") == null);
        DemoRunner.Options options = new DemoRunner.Options(events, output == Output.jsonl, seed, rate, sessions,
                anomalyRate, port, model, modelCache, retrain, ansi && output == Output.table);
        CountDownLatch finished = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            main.interrupt();
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            new DemoRunner(options, System.out, System.err).run(() -> hook.isAlive() || Thread.interrupted());
            return 0;
        } finally {
            finished.countDown();
        }
    }
}
