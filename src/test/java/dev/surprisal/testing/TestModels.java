package dev.surprisal.testing;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelManifest;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.model.TrainingMetrics;
import dev.surprisal.tokenize.ByteTokenizer;
import dev.surprisal.tokenize.TemplateSettings;
import dev.surprisal.tokenize.Tokenizer;
import dev.surprisal.tokenize.Tokenizers;

import java.util.List;


/** Small untrained models: fast to build, enough to check the arithmetic and the plumbing. */
public final class TestModels {

    private TestModels() {
    }

    public static LanguageModel tinyByteModel(ModelSpec.Cell cell, int layers, double threshold) {
        return tinyByteModel(cell, layers, threshold, false);
    }

    /** @param scoresSessionEnd as if trained with session ends marked (the end-flag event then scores the end) */
    public static LanguageModel tinyByteModel(ModelSpec.Cell cell, int layers, double threshold,
                                              boolean scoresSessionEnd) {
        ByteTokenizer tokenizer = new ByteTokenizer(false);
        ModelSpec spec = new ModelSpec(cell, tokenizer.vocabularySize(), 8, 16, layers);
        ModelManifest manifest = new ModelManifest(ModelManifest.FORMAT_VERSION,
                "test-" + cell + "-" + layers + (scoresSessionEnd ? "-end" : ""), "2026-01-01T00:00:00Z", spec,
                tokenizer.spec(), threshold, 99, TrainingMetrics.NONE, scoresSessionEnd, 0);
        return ModelArtifact.initialise(manifest);
    }

    /** An untrained model over the templates mined from these lines (no header format). */
    public static LanguageModel tinyTemplateModel(List<String> lines) {
        return tinyTemplateModel(lines, TemplateSettings.DEFAULT);
    }

    public static LanguageModel tinyTemplateModel(List<String> lines, TemplateSettings settings) {
        Tokenizer tokenizer = Tokenizers.trainTemplates(lines, settings);
        ModelSpec spec = new ModelSpec(ModelSpec.Cell.LSTM, tokenizer.vocabularySize(), 8, 16, 1);
        return ModelArtifact.initialise(new ModelManifest(ModelManifest.FORMAT_VERSION, "test-template",
                "2026-01-01T00:00:00Z", spec, tokenizer.spec(), 1e9, 99, TrainingMetrics.NONE, true, 0));
    }

    public static LanguageModel tinyByteModel() {
        return tinyByteModel(ModelSpec.Cell.LSTM, 1, 1000);
    }
}
