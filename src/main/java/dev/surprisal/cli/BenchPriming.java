package dev.surprisal.cli;

import dev.surprisal.config.Environment;
import dev.surprisal.demo.DemoModel;
import dev.surprisal.demo.TrafficGenerator;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.EventScorer;
import dev.surprisal.training.Corpus;
import dev.surprisal.training.ModelTrainer;
import dev.surprisal.training.TrainingOptions;
import dev.surprisal.training.TrainingProgress;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "priming", mixinStandardHelpOptions = true,
        description = "After a model switch, how surprising are a session's next events when the new model is "
                + "primed with the session's recent text, and when it starts the session cold?")
final class BenchPriming implements Callable<Integer> {

    @Option(names = "--sessions", defaultValue = "300", description = "Sessions of shifted traffic to evaluate on.")
    int sessions;

    @Option(names = "--before", defaultValue = "3", description = "Events each session has before the switch.")
    int before;

    @Option(names = "--window", defaultValue = "256", description = "Characters of recent text used to prime.")
    int window;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the traffic and the fine-tune.")
    long seed;

    @Option(names = "--model-cache", description = "Where the demo model is kept between runs.")
    Path cache = Environment.cacheDir();

    @Override
    public Integer call() throws Exception {
        // model 1 knows the old traffic; model 2 is fine-tuned on the shifted traffic, as in `demo --scenario retrain`
        List<List<String>> shifted = new TrafficGenerator(seed + 2, 0, true).normalSessions(600 + sessions);
        try (LanguageModel first = DemoModel.loadOrTrain(cache, seed, false, System.err);
             LanguageModel second = new ModelTrainer(TrainingOptions.defaults().withSchedule(3, 32, 3e-3f, seed),
                     TrainingProgress.Listener.NONE).train(new Corpus(shifted.subList(0, 600)), first)) {
            measure(first, second, shifted.subList(600, shifted.size()));
        }
        return 0;
    }

    private void measure(LanguageModel first, LanguageModel second, List<List<String>> sessions) {
        EventScorer scorer = new EventScorer(0, 0);
        int after = 3;
        double[][] bits = new double[3][after]; // cold, primed, model 2 all along
        long[] tokens = new long[after];
        long primeNanos = 0;
        int used = 0;
        for (List<String> session : sessions) {
            if (session.size() < before + after) {
                continue;
            }
            used++;
            StringBuilder recent = new StringBuilder();
            float[] all = second.initialState();
            for (int e = 0; e < before; e++) {
                recent.append(session.get(e));
                all = scorer.score(second, all, second.tokenizer().encode(session.get(e))).state();
            }
            String text = recent.length() <= window ? recent.toString() : recent.substring(recent.length() - window);
            long t0 = System.nanoTime();
            float[] primed = second.stateAfter(text);
            primeNanos += System.nanoTime() - t0;
            float[][] states = {second.initialState(), primed, all};
            for (int e = 0; e < after; e++) {
                int[] ids = second.tokenizer().encode(session.get(before + e));
                tokens[e] += ids.length;
                for (int k = 0; k < 3; k++) {
                    EventScore score = scorer.score(second, states[k], ids);
                    bits[k][e] += score.totalBits();
                    states[k] = score.state();
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d sessions of shifted traffic, switch after %d events; model %s -> %s%n",
                used, before, first.version(), second.version());
        System.out.printf(Locale.ROOT, "%-28s %12s %12s %12s%n", "mean surprisal (bits/token)", "cold", "primed",
                "no switch");
        for (int e = 0; e < after; e++) {
            System.out.printf(Locale.ROOT, "%-28s %12.3f %12.3f %12.3f%n", "event " + (e + 1) + " after the switch",
                    bits[0][e] / tokens[e], bits[1][e] / tokens[e], bits[2][e] / tokens[e]);
        }
        System.out.printf(Locale.ROOT, "priming cost: %.2f ms per session (one model call over <= %d chars); "
                + "state grows by <= %d bytes of text%n", primeNanos / 1e6 / used, window, window * 4);
    }
}
