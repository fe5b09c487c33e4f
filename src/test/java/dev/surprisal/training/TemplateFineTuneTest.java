package dev.surprisal.training;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelManifest;
import dev.surprisal.model.TrainingMetrics;
import dev.surprisal.tokenize.TemplateSettings;
import dev.surprisal.tokenize.TemplateTokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** A template model's fine-tune learns the templates that were new to its parent, and keeps the parent's ids. */
class TemplateFineTuneTest {

    private static final String FORMAT = "<Level> <Content>";

    private static List<List<String>> sessions(long seed, int count, boolean deployment) {
        Random r = new Random(seed);
        List<List<String>> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            List<String> session = new ArrayList<>();
            session.add("INFO request " + r.nextInt(999) + " started");
            session.add("INFO request " + r.nextInt(999) + " served in " + r.nextInt(90) + "ms");
            if (deployment) {
                session.add("INFO cache warmed with " + r.nextInt(9999) + " entries");
            }
            out.add(session);
        }
        return out;
    }

    @Test
    void aFineTuneGrowsItsVocabularyByTheNewTemplatesAndKeepsItsParentsIds() throws Exception {
        TrainingOptions options = TrainingOptions.defaults().withTokenizer(TemplateTokenizer.TYPE)
                .withTemplates(new TemplateSettings(FORMAT, List.of(), 0)).withSchedule(2, 16, 3e-3f, 7)
                .withBaselineOrder(0);
        try (LanguageModel parent = new ModelTrainer(options, TrainingProgress.Listener.NONE)
                .train(new Corpus(sessions(1, 60, false)))) {
            List<String> before = parent.tokenizer().spec().vocabulary();
            String fresh = "INFO cache warmed with 12 entries";
            assertEquals(TemplateTokenizer.UNKNOWN_TEMPLATE, parent.tokenizer().encode(fresh)[0]);

            // the parent's weights in a larger vocabulary: the recurrent part sees the old templates as before
            TemplateTokenizer grownTokenizer = ((TemplateTokenizer) parent.tokenizer()).extendedWith(List.of(fresh));
            ModelManifest grownManifest = new ModelManifest(ModelManifest.FORMAT_VERSION, "grown", "2026-01-01T00:00:00Z",
                    parent.spec().withVocabularySize(grownTokenizer.vocabularySize()), grownTokenizer.spec(), 0, 99,
                    TrainingMetrics.NONE, true, 0);
            try (LanguageModel grown = ModelArtifact.grownFrom(parent, grownManifest)) {
                String old = "INFO request 5 started\nINFO request 7 served in 3ms";
                assertArrayEquals(parent.stateAfter(old), grown.stateAfter(old), 1e-6f);
            }

            try (LanguageModel child = new ModelTrainer(options, TrainingProgress.Listener.NONE)
                    .train(new Corpus(sessions(2, 60, true)), parent)) {
                List<String> after = child.tokenizer().spec().vocabulary();
                assertEquals(before, after.subList(0, before.size()), "the parent's ids keep their templates");
                assertEquals(List.of("cache warmed with <*> entries"), after.subList(before.size(), after.size()));
                assertNotEquals(TemplateTokenizer.UNKNOWN_TEMPLATE, child.tokenizer().encode(fresh)[0]);
                assertEquals(after.size(), child.spec().vocabularySize());
            }
        }
    }
}
