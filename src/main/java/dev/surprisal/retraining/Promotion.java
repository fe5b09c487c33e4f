package dev.surprisal.retraining;

import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ReplaySample;
import dev.surprisal.scoring.CorpusScore;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Whether a trained model replaces the promoted one: the command's policy, on the same held-out text. */
final class Promotion {

    private Promotion() {
    }

    /** The parent's perplexity on the same held-out text, on the new model's scale when tokenizers differ. */
    static double comparable(LanguageModel parent, LanguageModel model, List<List<String>> heldOut) {
        CorpusScore parentScore = CorpusScore.of(parent, heldOut);
        if (parent.tokenizer().spec().type().equals(model.tokenizer().spec().type())) {
            return parentScore.perplexity();
        }
        // Different tokens: compare the bits each spends on the same text, per token of the new model.
        long tokens = CorpusScore.of(model, heldOut).tokens();
        return Math.pow(2, parentScore.totalBits() / tokens);
    }

    /**
     * What a trained model is judged by: its perplexity on the command's held-out recent text and the
     * parent's on the same text; for fine-tunes whose parent kept a sample of its training text,
     * both perplexities on the parent's held-out text (does the new model still know the old?).
     * The parent's figures are on the new model's token scale; null where there is nothing to compare.
     */
    record Figures(double recent, Double parentRecent, Double oldText, Double parentOldText, int replayed) {

        Map<String, Double> asMetrics() {
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("recentHeldOutPerplexity", recent);
            if (parentRecent != null) {
                out.put("parentRecentHeldOutPerplexity", parentRecent);
            }
            if (oldText != null) {
                out.put("oldTextPerplexity", oldText);
                out.put("parentOldTextPerplexity", parentOldText);
            }
            out.put("replayedSessions", (double) replayed);
            return out;
        }

        String describe(String parentVersion) {
            String text = String.format(Locale.ROOT, "held-out perplexity %.3f", recent);
            if (parentRecent != null) {
                text += String.format(Locale.ROOT, " vs %.3f for %s", parentRecent, parentVersion);
            }
            if (oldText != null) {
                text += String.format(Locale.ROOT, "; on the parent's held-out text %.3f vs %.3f", oldText,
                        parentOldText);
            }
            return text;
        }
    }

    static Figures figures(LanguageModel parent, LanguageModel model, List<List<String>> recentHeldOut,
                           ReplaySample old, int replayed) {
        double recent = CorpusScore.of(model, recentHeldOut).perplexity();
        Double parentRecent = parent == null ? null : comparable(parent, model, recentHeldOut);
        if (parent == null || old == null || old.heldOut().isEmpty()) {
            return new Figures(recent, parentRecent, null, null, 0);
        }
        return new Figures(recent, parentRecent, CorpusScore.of(model, old.heldOut()).perplexity(),
                comparable(parent, model, old.heldOut()), replayed);
    }

    /**
     * CANDIDATE when the command asks for one; else PROMOTED when there is no parent, or the new
     * model beats it on recent text by the command's margin and is not worse on the parent's
     * held-out text by more than the forgetting margin; REJECTED otherwise. With SHADOW a model that
     * does not forget is a CANDIDATE whose live trial decides (it judges recent traffic better than a
     * held-out split of it).
     */
    static ReleaseStatus verdict(TrainCommand command, Figures f) {
        if (command.getPromotion() == PromotionPolicy.CANDIDATE) {
            return ReleaseStatus.CANDIDATE;
        }
        boolean better = f.parentRecent() == null || f.recent() < f.parentRecent() * (1 - command.getPromotionMargin());
        boolean remembers = f.oldText() == null
                || f.oldText() <= f.parentOldText() * (1 + command.getForgettingMargin());
        boolean shadow = command.getPromotion() == PromotionPolicy.SHADOW && f.parentRecent() != null;
        // under SHADOW the live trial judges the recent text; offline only forgetting is checked
        if (!remembers || (!better && !shadow)) {
            return ReleaseStatus.REJECTED;
        }
        return shadow ? ReleaseStatus.CANDIDATE : ReleaseStatus.PROMOTED;
    }

    static ReleaseStatus verdict(TrainCommand command, double perplexity, Double parentPerplexity) {
        return verdict(command, new Figures(perplexity, parentPerplexity, null, null, 0));
    }
}
