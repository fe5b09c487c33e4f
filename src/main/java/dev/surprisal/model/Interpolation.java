package dev.surprisal.model;

import java.util.Arrays;

/**
 * The network's next-token probabilities mixed with its Kneser-Ney baseline's,
 * p = (1 - w) p_network + w p_baseline, w fitted on held-out text at training. Counts are sure of
 * what was seen often and know nothing else; the network generalises but is overconfident on rare
 * contexts; the mixture beats either alone on held-out text (PTB here: 3% fewer bits than the
 * network alone), as it did for the first recurrent language models.
 *
 * <p>The baseline's history (its last order - 1 tokens) rides at the end of the session's state
 * vector, as token ids in floats (exact below 2^24), so the scorer, its state store and priming
 * carry it without knowing. Surprisal and the top predictions' probabilities are the mixture's;
 * ranks (the top-g rule) and entropy stay the network's, which needs no pass over the vocabulary.
 */
final class Interpolation {

    private final KneserNey baseline;
    private final double weight;
    private final int networkStateSize;

    Interpolation(KneserNey baseline, double weight, int networkStateSize) {
        if (!(weight > 0 && weight < 1)) {
            throw new IllegalArgumentException("the baseline's weight must be in (0, 1), was " + weight);
        }
        this.baseline = baseline;
        this.weight = weight;
        this.networkStateSize = networkStateSize;
    }

    int stateSize() {
        return networkStateSize + historySize();
    }

    private int historySize() {
        return Math.max(0, baseline.order() - 1);
    }

    /** The network's part of a session state. */
    float[] network(float[] state) {
        return Arrays.copyOf(state, networkStateSize);
    }

    int[] history(float[] state) {
        int[] history = new int[historySize()];
        for (int i = 0; i < history.length; i++) {
            history[i] = (int) state[networkStateSize + i];
        }
        return history;
    }

    /** A network state joined with the baseline's history after {@code tokens} (from {@code history}). */
    float[] join(float[] network, int[] history, int[] tokens) {
        float[] out = Arrays.copyOf(network, stateSize());
        int[] after = history.clone();
        for (int token : tokens) {
            KneserNey.push(after, token);
        }
        for (int i = 0; i < after.length; i++) {
            out[networkStateSize + i] = after[i];
        }
        return out;
    }

    float[] start(float[] network) {
        return join(network, baseline.startHistory(), new int[0]);
    }

    /** The network's forward pass over {@code tokens}, its probabilities mixed (its top k where it has them). */
    LanguageModel.Forward mix(LanguageModel.Forward network, int[] history, int[] tokens, boolean topEverywhere) {
        int k = network.k();
        float[] logProb = network.logProb().clone();
        float[] topLogProbs = network.topLogProbs().clone();
        int[] topIds = network.topIds().clone();
        int[] h = history.clone();
        for (int t = 0; t < network.positions(); t++) {
            KneserNey.Next next = baseline.after(h);
            if (t < tokens.length) {
                logProb[t] = mixed(logProb[t], next.probability(tokens[t]));
            }
            if (topEverywhere || t == network.positions() - 1) {
                mixTop(topIds, topLogProbs, t * k, k, next);
            }
            if (t < tokens.length) {
                KneserNey.push(h, tokens[t]);
            }
        }
        return new LanguageModel.Forward(network.positions(), k, logProb, network.rank(), network.entropy(), topIds,
                topLogProbs, join(network.state(), history, tokens));
    }

    /** The prediction after a state ({@link LanguageModel#predict}), mixed; the state passes through. */
    LanguageModel.Forward mixPrediction(LanguageModel.Forward network, float[] state) {
        int k = network.k();
        float[] topLogProbs = network.topLogProbs().clone();
        int[] topIds = network.topIds().clone();
        mixTop(topIds, topLogProbs, 0, k, baseline.after(history(state)));
        return new LanguageModel.Forward(network.positions(), k, network.logProb(), network.rank(), network.entropy(),
                topIds, topLogProbs, state);
    }

    private float mixed(float networkLogProb, double baselineProbability) {
        return (float) Math.log((1 - weight) * Math.exp(networkLogProb) + weight * baselineProbability);
    }

    /** Mixes the k top predictions at one position and orders them again, most likely first. */
    private void mixTop(int[] ids, float[] logProbs, int from, int k, KneserNey.Next next) {
        for (int i = from; i < from + k; i++) {
            logProbs[i] = mixed(logProbs[i], next.probability(ids[i]));
        }
        for (int i = from + 1; i < from + k; i++) {
            float p = logProbs[i];
            int id = ids[i];
            int j = i - 1;
            while (j >= from && logProbs[j] < p) {
                logProbs[j + 1] = logProbs[j];
                ids[j + 1] = ids[j];
                j--;
            }
            logProbs[j + 1] = p;
            ids[j + 1] = id;
        }
    }
}
