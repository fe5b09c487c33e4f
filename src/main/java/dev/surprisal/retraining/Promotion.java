package dev.surprisal.retraining;

import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.scoring.CorpusScore;

import java.util.List;

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
     * CANDIDATE when the command asks for one; else PROMOTED when there is no parent or the new
     * model beats it by the command's margin, REJECTED otherwise.
     */
    static ReleaseStatus verdict(TrainCommand command, double perplexity, Double parentPerplexity) {
        if (command.getPromotion() == PromotionPolicy.CANDIDATE) {
            return ReleaseStatus.CANDIDATE;
        }
        boolean better = parentPerplexity == null || perplexity < parentPerplexity * (1 - command.getPromotionMargin());
        return better ? ReleaseStatus.PROMOTED : ReleaseStatus.REJECTED;
    }
}
