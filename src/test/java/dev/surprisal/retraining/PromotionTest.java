package dev.surprisal.retraining;

import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.TrainCommand;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PromotionTest {

    private static TrainCommand command(PromotionPolicy policy) {
        return TrainCommand.newBuilder().setCommandId("c").setFile("corpus.txt").setPromotion(policy)
                .setPromotionMargin(0.02).build();
    }

    @Test
    void aModelIsPromotedOnlyWhenItBeatsTheParentByTheMargin() {
        TrainCommand auto = command(PromotionPolicy.AUTO_IF_BETTER);
        assertEquals(ReleaseStatus.PROMOTED, Promotion.verdict(auto, 10.0, null), "no parent to beat");
        assertEquals(ReleaseStatus.PROMOTED, Promotion.verdict(auto, 9.7, 10.0));
        assertEquals(ReleaseStatus.REJECTED, Promotion.verdict(auto, 9.9, 10.0), "better, but within the margin");
        assertEquals(ReleaseStatus.REJECTED, Promotion.verdict(auto, 11.0, 10.0));
    }

    @Test
    void aCandidateIsNeverPromotedByTheTrainer() {
        assertEquals(ReleaseStatus.CANDIDATE, Promotion.verdict(command(PromotionPolicy.CANDIDATE), 1.0, 10.0));
    }

    @Test
    void aFineTuneThatForgetsTheParentsTextIsRejectedEvenWhenBetterOnRecentText() {
        TrainCommand auto = command(PromotionPolicy.AUTO_IF_BETTER);
        auto.setForgettingMargin(0.1);
        assertEquals(ReleaseStatus.PROMOTED, Promotion.verdict(auto, new Promotion.Figures(5, 10.0, 2.1, 2.0, 100)),
                "5% worse on the old text is within the 10% margin");
        assertEquals(ReleaseStatus.REJECTED, Promotion.verdict(auto, new Promotion.Figures(5, 10.0, 2.5, 2.0, 100)),
                "25% worse on the old text: it forgot");
        assertEquals(ReleaseStatus.REJECTED, Promotion.verdict(auto, new Promotion.Figures(9.9, 10.0, 1.9, 2.0, 100)),
                "remembering is not enough: it must beat the parent on recent text");
    }

    @Test
    void underTheShadowPolicyAWinnerWaitsForItsLiveTrial() {
        TrainCommand shadow = command(PromotionPolicy.SHADOW);
        assertEquals(ReleaseStatus.CANDIDATE, Promotion.verdict(shadow, 9.0, 10.0), "better: a live trial decides");
        assertEquals(ReleaseStatus.CANDIDATE, Promotion.verdict(shadow, 11.0, 10.0), "the live trial judges recent text");
        shadow.setForgettingMargin(0.1);
        assertEquals(ReleaseStatus.REJECTED, Promotion.verdict(shadow, new Promotion.Figures(9, 10.0, 2.5, 2.0, 10)),
                "one that forgets gets no trial");
        assertEquals(ReleaseStatus.PROMOTED, Promotion.verdict(shadow, 9.0, null), "nothing to compare with live");
    }
}
