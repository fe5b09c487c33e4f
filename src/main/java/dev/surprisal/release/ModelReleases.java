package dev.surprisal.release;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;

import ai.djl.MalformedModelException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Turning models into releases and releases back into models that are safe to score with. */
public final class ModelReleases {

    private ModelReleases() {
    }

    public static ModelRelease of(LanguageModel model, String modelName, String parentVersion, String commandId,
                                  ReleaseStatus status, double heldOutPerplexity, Double parentHeldOutPerplexity) {
        Instant now = Instant.now();
        return ModelRelease.newBuilder()
                .setModelName(modelName)
                .setVersion(model.version())
                .setParentVersion(parentVersion)
                .setCommandId(commandId)
                .setStatus(status)
                .setCreatedAt(Instant.parse(model.manifest().createdAt()))
                .setPromotedAt(status == ReleaseStatus.PROMOTED ? now : null)
                .setTokenizer(model.tokenizer().spec().type())
                .setAnomalyThreshold(model.manifest().anomalyThreshold())
                .setHeldOutPerplexity(heldOutPerplexity)
                .setParentHeldOutPerplexity(parentHeldOutPerplexity)
                .setMetrics(model.manifest().metrics().asMap())
                .setArtifact(ByteBuffer.wrap(ModelArtifact.toBytes(model)))
                .build();
    }

    /** The same release, promoted now. */
    public static ModelRelease promoted(ModelRelease release) {
        return ModelRelease.newBuilder(release).setStatus(ReleaseStatus.PROMOTED).setPromotedAt(Instant.now()).build();
    }

    /** Thrown for a release that must not be used; the message says why. */
    public static final class InvalidReleaseException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidReleaseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Loads a release's model and checks it before anyone scores with it: the artifact must load,
     * its weights fit the manifest's shapes, its version match the release, and a forward pass give
     * finite log-probabilities (NaN or infinite weights would not).
     */
    public static LanguageModel load(ModelRelease release) throws InvalidReleaseException {
        byte[] bytes = new byte[release.getArtifact().remaining()];
        release.getArtifact().duplicate().get(bytes);
        LanguageModel model;
        try {
            model = ModelArtifact.fromBytes(bytes);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw new InvalidReleaseException("release " + release.getVersion() + " has an unusable artifact: "
                    + e.getMessage(), e);
        }
        try {
            if (!model.version().equals(release.getVersion())) {
                throw new InvalidReleaseException("release " + release.getVersion() + " carries model "
                        + model.version(), null);
            }
            int[] probe = model.tokenizer().encode("probe 123 ?");
            if (!model.forward(model.initialState(), probe.length > 0 ? probe : new int[] {0}, 1).finite()) {
                throw new InvalidReleaseException("release " + release.getVersion()
                        + " gives non-finite probabilities (NaN or infinite weights)", null);
            }
            return model;
        } catch (InvalidReleaseException | RuntimeException e) {
            model.close();
            if (e instanceof InvalidReleaseException invalid) {
                throw invalid;
            }
            throw new InvalidReleaseException("release " + release.getVersion() + " fails a test forward pass: "
                    + e.getMessage(), e);
        }
    }
}
