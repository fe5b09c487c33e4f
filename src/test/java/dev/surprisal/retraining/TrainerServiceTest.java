package dev.surprisal.retraining;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.testing.TestModels;
import dev.surprisal.tokenize.TemplateSettings;
import dev.surprisal.training.TrainingOptions;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainerServiceTest {

    private static final TemplateSettings DATED = new TemplateSettings("<Date> <Time> <Level> <Content>",
            List.of("job-\\d+"), 0.6);
    private static final List<String> LINES = List.of("2026-01-01 10:00:00 INFO started job-1 on host a",
            "2026-01-01 10:00:01 INFO finished job-1 on host a");

    @Test
    void aTemplateModelFromScratchReadsLinesAsThePromotedTemplateModelDoes() {
        TrainingOptions fromScratch = TrainingOptions.defaults().withTokenizer("template");
        try (LanguageModel parent = TestModels.tinyTemplateModel(LINES, DATED)) {
            assertEquals(DATED, TrainerService.withParentTemplates(fromScratch, parent).templates());
        }
        assertEquals(TemplateSettings.DEFAULT, TrainerService.withParentTemplates(fromScratch, null).templates(),
                "nothing promoted yet: lines are read with the defaults");
    }

    @Test
    void otherTokenizersAndOtherParentsLeaveTheOptionsAlone() {
        TrainingOptions bytes = TrainingOptions.defaults();
        try (LanguageModel parent = TestModels.tinyTemplateModel(LINES, DATED);
             LanguageModel byteParent = TestModels.tinyByteModel()) {
            assertEquals(bytes, TrainerService.withParentTemplates(bytes, parent));
            TrainingOptions templates = bytes.withTokenizer("template");
            assertEquals(templates, TrainerService.withParentTemplates(templates, byteParent));
        }
    }
}
