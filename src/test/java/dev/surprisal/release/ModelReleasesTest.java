package dev.surprisal.release;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.model.TestWeights;
import dev.surprisal.testing.TestModels;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelReleasesTest {

    private static ModelRelease release(LanguageModel model) {
        return ModelReleases.of(model, "default", null, "c1", ReleaseStatus.PROMOTED, 3.0, null);
    }

    @Test
    void aGoodReleaseLoadsAsTheSameModel() throws Exception {
        try (LanguageModel model = TestModels.tinyByteModel();
             LanguageModel loaded = ModelReleases.load(release(model))) {
            assertEquals(model.version(), loaded.version());
            int[] tokens = model.tokenizer().encode("same");
            assertEquals(model.forward(model.initialState(), tokens, 1).logProb(1),
                    loaded.forward(loaded.initialState(), tokens, 1).logProb(1), 0f);
        }
    }

    @Test
    void aCorruptArtifactIsRefused() {
        try (LanguageModel model = TestModels.tinyByteModel()) {
            ModelRelease release = release(model);
            release.setArtifact(ByteBuffer.wrap("not a zip".getBytes(StandardCharsets.UTF_8)));
            ModelReleases.InvalidReleaseException e = assertThrows(ModelReleases.InvalidReleaseException.class,
                    () -> ModelReleases.load(release));
            assertTrue(e.getMessage().contains("unusable artifact"), e.getMessage());
        }
    }

    @Test
    void weightsOfTheWrongShapeAreRefused() throws Exception {
        try (LanguageModel small = TestModels.tinyByteModel(ModelSpec.Cell.LSTM, 1, 10);
             LanguageModel deep = TestModels.tinyByteModel(ModelSpec.Cell.LSTM, 2, 10)) {
            // the two-layer manifest with the one-layer weights
            ModelRelease release = release(deep);
            release.setArtifact(ByteBuffer.wrap(swapWeights(ModelArtifact.toBytes(deep), ModelArtifact.toBytes(small))));
            assertThrows(ModelReleases.InvalidReleaseException.class, () -> ModelReleases.load(release));
        }
    }

    @Test
    void nanWeightsAreRefused() {
        try (LanguageModel model = TestModels.tinyByteModel()) {
            TestWeights.poison(model);
            ModelReleases.InvalidReleaseException e = assertThrows(ModelReleases.InvalidReleaseException.class,
                    () -> ModelReleases.load(release(model)));
            assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        }
    }

    /** The manifest of {@code manifestFrom} with the weights of {@code weightsFrom}. */
    private static byte[] swapWeights(byte[] manifestFrom, byte[] weightsFrom) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(ModelArtifact.MANIFEST));
            zip.write(entry(manifestFrom, ModelArtifact.MANIFEST));
            zip.putNextEntry(new ZipEntry(ModelArtifact.WEIGHTS));
            zip.write(entry(weightsFrom, ModelArtifact.WEIGHTS));
        }
        return out.toByteArray();
    }

    private static byte[] entry(byte[] zipBytes, String name) throws Exception {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals(name)) {
                    return zip.readAllBytes();
                }
            }
        }
        throw new IllegalArgumentException(name);
    }
}
