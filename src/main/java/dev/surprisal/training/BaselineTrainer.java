package dev.surprisal.training;

import dev.surprisal.model.KneserNey;
import dev.surprisal.model.OpenSession;
import dev.surprisal.scoring.CorpusScore;
import dev.surprisal.tokenize.Tokenizer;
import dev.surprisal.tokenize.Tokenizers;

import java.util.ArrayList;
import java.util.List;

/**
 * Trains the Kneser-Ney baseline over a model's tokens, and calibrates its anomaly rules on held-out
 * normal sessions at the same percentile as the model's, so both detectors promise the same
 * false-positive rate.
 */
public final class BaselineTrainer {

    private BaselineTrainer() {
    }

    /** On sessions already split: trained on {@code train}, calibrated on {@code validation}. */
    public static KneserNey train(int order, Tokenizer tokenizer, Corpus train, Corpus validation, double percentile) {
        KneserNey kn = KneserNey.train(order, tokenizer.vocabularySize(), tokenizer.bosId(), encode(train, tokenizer),
                ends(train));
        CorpusScore.Calibration rules = CorpusScore.of(kn, tokenizer, validation.sessions())
                .calibrate(percentile, Tokenizers.oneTokenPerEvent(tokenizer.spec().type()));
        return kn.calibrated(rules.threshold(), rules.topG());
    }

    /** On a whole corpus, split as {@link ModelTrainer} splits it. */
    public static KneserNey train(int order, Tokenizer tokenizer, Corpus corpus, TrainingOptions options) {
        Corpus.Split split = corpus.split(options.heldOutFraction(corpus), options.seed());
        return train(order, tokenizer, split.train(), split.validation(), options.thresholdPercentile());
    }

    /** Whether each session ends where its text does (an {@link OpenSession} does not). */
    static boolean[] ends(Corpus corpus) {
        boolean[] ends = new boolean[corpus.sessions().size()];
        for (int i = 0; i < ends.length; i++) {
            ends[i] = OpenSession.ends(corpus.sessions().get(i));
        }
        return ends;
    }

    /** Each session's events' ids, concatenated. */
    static List<int[]> encode(Corpus corpus, Tokenizer tokenizer) {
        List<int[]> out = new ArrayList<>();
        for (List<String> session : corpus.sessions()) {
            List<int[]> parts = new ArrayList<>();
            int total = 0;
            for (String text : session) {
                int[] ids = tokenizer.encode(text);
                parts.add(ids);
                total += ids.length;
            }
            int[] seq = new int[total];
            int at = 0;
            for (int[] ids : parts) {
                System.arraycopy(ids, 0, seq, at, ids.length);
                at += ids.length;
            }
            out.add(seq);
        }
        return out;
    }
}
