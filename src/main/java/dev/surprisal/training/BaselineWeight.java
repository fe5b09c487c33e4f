package dev.surprisal.training;

import dev.surprisal.model.KneserNey;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.OpenSession;
import dev.surprisal.scoring.EventScorer;

import java.util.Arrays;
import java.util.List;

/**
 * The share of the Kneser-Ney baseline mixed into a network's probabilities: the one that
 * minimises the bits of held-out sessions, scored as the scorer scores them (state carried across
 * events, a session's end where it ends).
 */
final class BaselineWeight {

    private static final int STEPS = 20;

    private BaselineWeight() {
    }

    /** @param network a model that mixes in nothing yet, kept with its baseline */
    static double fit(LanguageModel network, KneserNey baseline, List<List<String>> heldOut) {
        double[] networkLogProbs = new double[1024];
        double[] baselineProbs = new double[1024];
        int n = 0;
        for (List<String> session : heldOut) {
            float[] state = network.initialState();
            KneserNey.Session counts = baseline.newSession();
            boolean ends = OpenSession.ends(session);
            for (int e = 0; e < session.size(); e++) {
                int[] ids = network.tokenizer().encode(session.get(e));
                if (ids.length == 0) {
                    continue;
                }
                int[] tokens = EventScorer.withEnd(network, ids, ends && e == session.size() - 1);
                LanguageModel.Forward forward = network.forward(state, tokens, 1);
                KneserNey.Prediction[] predicted = counts.score(tokens);
                for (int t = 0; t < tokens.length; t++) {
                    if (n == networkLogProbs.length) {
                        networkLogProbs = Arrays.copyOf(networkLogProbs, 2 * n);
                        baselineProbs = Arrays.copyOf(baselineProbs, 2 * n);
                    }
                    networkLogProbs[n] = forward.logProb(t);
                    baselineProbs[n++] = predicted[t].probability();
                }
                state = forward.state();
            }
        }
        double best = 0;
        double bestLoss = loss(networkLogProbs, baselineProbs, n, 0);
        for (int step = 1; step < STEPS; step++) {
            double w = (double) step / STEPS;
            double l = loss(networkLogProbs, baselineProbs, n, w);
            if (l < bestLoss) {
                best = w;
                bestLoss = l;
            }
        }
        return best;
    }

    /** Negative log-likelihood (nats) of the mixture with weight w on the baseline. */
    static double loss(double[] networkLogProbs, double[] baselineProbs, int n, double w) {
        double nll = 0;
        for (int i = 0; i < n; i++) {
            nll -= Math.log((1 - w) * Math.exp(networkLogProbs[i]) + w * baselineProbs[i]);
        }
        return nll;
    }
}
