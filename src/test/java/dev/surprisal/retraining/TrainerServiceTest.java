package dev.surprisal.retraining;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelManifest;
import dev.surprisal.testing.TestModels;
import dev.surprisal.tokenize.TemplateSettings;
import dev.surprisal.training.TrainingOptions;

import ai.djl.MalformedModelException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainerServiceTest {

    private static final TemplateSettings DATED = new TemplateSettings("<Date> <Time> <Level> <Content>",
            List.of("job-\\d+"), 0.6);
    private static final List<String> LINES = List.of("2026-01-01 10:00:00 INFO started job-1 on host a",
            "2026-01-01 10:00:01 INFO finished job-1 on host a");

    /** The model with another false-positive budget in its manifest. */
    private static LanguageModel withBudget(LanguageModel model, double percentile) throws MalformedModelException {
        ModelManifest m = model.manifest();
        return ModelArtifact.withManifest(model, new ModelManifest(m.formatVersion(), m.version(), m.createdAt(), m.spec(),
                m.tokenizer(), m.anomalyThreshold(), percentile, m.metrics(), m.scoresSessionEnd(), m.topG(),
                m.baselineWeight()));
    }

    @Test
    void aTemplateModelFromScratchReadsLinesAsThePromotedTemplateModelDoes() {
        TrainingOptions fromScratch = TrainingOptions.defaults().withTokenizer("template");
        try (LanguageModel parent = TestModels.tinyTemplateModel(LINES, DATED)) {
            assertEquals(DATED, TrainerService.fromParent(fromScratch, parent, false).templates());
        }
        assertEquals(TemplateSettings.DEFAULT, TrainerService.fromParent(fromScratch, null, false).templates(),
                "nothing promoted yet: lines are read with the defaults");
        try (LanguageModel byteParent = TestModels.tinyByteModel()) {
            assertEquals(TemplateSettings.DEFAULT, TrainerService.fromParent(fromScratch, byteParent, false).templates());
        }
    }

    @Test
    void aRetrainedModelKeepsTheDeploymentsFalsePositiveBudget() throws MalformedModelException {
        try (LanguageModel tiny = TestModels.tinyByteModel();
             LanguageModel strict = withBudget(tiny, 99.9)) {
            assertEquals(99.9, TrainerService.fromParent(TrainingOptions.defaults(), strict, true).thresholdPercentile());
            assertEquals(99.9, TrainerService.fromParent(TrainingOptions.defaults(), strict, false).thresholdPercentile());
        }
        assertEquals(99.0, TrainerService.fromParent(TrainingOptions.defaults(), null, false).thresholdPercentile());
    }

    @Test
    void aFineTuneKeepsItsParentsBaselineOrder() {
        try (LanguageModel noBaseline = TestModels.tinyByteModel()) {
            assertEquals(0, TrainerService.fromParent(TrainingOptions.defaults(), noBaseline, true).baselineOrder(),
                    "the parent mixes in no baseline, and neither does its fine-tune");
            assertEquals(3, TrainerService.fromParent(TrainingOptions.defaults(), noBaseline, false).baselineOrder(),
                    "a model from scratch has its own");
        }
    }
}
