package dev.surprisal.model;

import dev.surprisal.tokenize.Tokenizer;
import dev.surprisal.tokenize.Tokenizers;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A model on disk or on the wire: {@code manifest.json} (architecture, tokenizer, threshold,
 * metrics, version), {@code weights.params} (DJL parameter stream) and, when trained with one,
 * {@code baseline.ngram} (the Kneser-Ney baseline's counts, see {@link KneserNey}) and
 * {@code replay.jsonl} (a sample of the training text, see {@link ReplaySample}). As a directory
 * for people and {@code train --out}; as one zip for shipping.
 */
public final class ModelArtifact {

    public static final String MANIFEST = "manifest.json";
    public static final String WEIGHTS = "weights.params";
    public static final String BASELINE = "baseline.ngram";
    public static final String REPLAY = "replay.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ModelArtifact() {
    }

    /** A fresh, randomly initialised model (before training). */
    public static LanguageModel initialise(ModelManifest manifest) {
        Tokenizer tokenizer = Tokenizers.fromSpec(manifest.tokenizer());
        checkVocabulary(manifest, tokenizer);
        RnnLanguageModelBlock block = new RnnLanguageModelBlock(manifest.spec());
        Model model = Model.newInstance("surprisal");
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, block.inputShapes(1, 1));
        return new LanguageModel(model, block, manifest, tokenizer, null, null);
    }

    /**
     * The parent's weights under {@code manifest}, whose vocabulary may add tokens at its end (a
     * template model's fine-tune that learned new templates): every vocabulary-sized parameter keeps
     * the parent's rows and gets fresh ones for the new tokens, initialised as a new model's are.
     */
    public static LanguageModel grownFrom(LanguageModel parent, ModelManifest manifest) throws MalformedModelException {
        if (manifest.spec().vocabularySize() == parent.spec().vocabularySize()) {
            return withManifest(parent, manifest);
        }
        if (manifest.spec().vocabularySize() < parent.spec().vocabularySize()
                || !manifest.spec().withVocabularySize(parent.spec().vocabularySize()).equals(parent.spec())) {
            throw new IllegalArgumentException("a model can only grow its vocabulary, not change its architecture");
        }
        // the weights are set on a fresh block and loaded anew: a model prepares its kernels from them when built
        try (LanguageModel fresh = initialise(manifest)) {
            PairList<String, Parameter> from = parent.block().getParameters();
            for (Pair<String, Parameter> p : fresh.block().getParameters()) {
                NDArray target = p.getValue().getArray();
                // row-major: a (vocab, ...) parameter's first rows, or a (vocab) one's first entries, lead its values
                float[] values = target.toFloatArray();
                float[] kept = from.get(p.getKey()).getArray().toFloatArray();
                System.arraycopy(kept, 0, values, 0, kept.length);
                target.set(values);
            }
            return fromParts(manifest, weights(fresh), null, null);
        }
    }

    /** Same weights and baseline, new manifest (after training, once metrics and threshold are known). */
    public static LanguageModel withManifest(LanguageModel trained, ModelManifest manifest) throws MalformedModelException {
        return fromParts(manifest, weights(trained), trained.baseline().orElse(null), trained.replay().orElse(null));
    }

    /** Same weights and manifest, with a baseline kept beside them. */
    public static LanguageModel withBaseline(LanguageModel trained, KneserNey baseline) throws MalformedModelException {
        return fromParts(trained.manifest(), weights(trained), baseline, trained.replay().orElse(null));
    }

    /** Same weights, manifest and baseline, with a sample of the training text kept beside them. */
    public static LanguageModel withReplay(LanguageModel trained, ReplaySample replay) throws MalformedModelException {
        return fromParts(trained.manifest(), weights(trained), trained.baseline().orElse(null), replay);
    }

    /** The weights alone, as {@link #fromWeights} takes them back: to keep the best epoch's. */
    public static byte[] snapshot(LanguageModel model) {
        return weights(model);
    }

    public static LanguageModel fromWeights(ModelManifest manifest, byte[] weights) throws MalformedModelException {
        return fromParts(manifest, weights, null, null);
    }

    /** A content-derived version id: the same weights always get the same id. */
    public static String versionFor(LanguageModel model, String createdAt) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(weights(model));
            String stamp = createdAt.replaceAll("[^0-9]", "");
            return "v" + stamp.substring(0, Math.min(14, stamp.length())) + "-" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void save(LanguageModel model, Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(MANIFEST).toFile(), model.manifest());
        Files.write(dir.resolve(WEIGHTS), weights(model));
        Files.deleteIfExists(dir.resolve(BASELINE));
        if (model.baseline().isPresent()) {
            try (Writer out = Files.newBufferedWriter(dir.resolve(BASELINE), StandardCharsets.UTF_8)) {
                model.baseline().get().write(out);
            }
        }
        Files.deleteIfExists(dir.resolve(REPLAY));
        if (model.replay().isPresent()) {
            try (Writer out = Files.newBufferedWriter(dir.resolve(REPLAY), StandardCharsets.UTF_8)) {
                model.replay().get().write(out);
            }
        }
    }

    /** Loads a directory written by {@link #save} or a zip written by {@link #toBytes}. */
    public static LanguageModel load(Path path) throws IOException, MalformedModelException {
        if (Files.isDirectory(path)) {
            ModelManifest manifest = JSON.readValue(path.resolve(MANIFEST).toFile(), ModelManifest.class);
            KneserNey baseline = null;
            if (Files.exists(path.resolve(BASELINE))) {
                try (Reader in = Files.newBufferedReader(path.resolve(BASELINE), StandardCharsets.UTF_8)) {
                    baseline = KneserNey.read(in);
                }
            }
            ReplaySample replay = null;
            if (Files.exists(path.resolve(REPLAY))) {
                try (Reader in = Files.newBufferedReader(path.resolve(REPLAY), StandardCharsets.UTF_8)) {
                    replay = ReplaySample.read(in);
                }
            }
            return fromParts(manifest, Files.readAllBytes(path.resolve(WEIGHTS)), baseline, replay);
        }
        return fromBytes(Files.readAllBytes(path));
    }

    public static ModelManifest readManifest(Path dir) throws IOException {
        return JSON.readValue(dir.resolve(MANIFEST).toFile(), ModelManifest.class);
    }

    public static byte[] toBytes(LanguageModel model) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(JSON.writeValueAsBytes(model.manifest()));
            zip.putNextEntry(new ZipEntry(WEIGHTS));
            zip.write(weights(model));
            if (model.baseline().isPresent()) {
                zip.putNextEntry(new ZipEntry(BASELINE));
                Writer text = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
                model.baseline().get().write(text);
                text.flush();
            }
            if (model.replay().isPresent()) {
                zip.putNextEntry(new ZipEntry(REPLAY));
                Writer text = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
                model.replay().get().write(text);
                text.flush();
            }
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static LanguageModel fromBytes(byte[] artifact) throws IOException, MalformedModelException {
        ModelManifest manifest = null;
        byte[] weights = null;
        KneserNey baseline = null;
        ReplaySample replay = null;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(artifact))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (MANIFEST.equals(e.getName())) {
                    manifest = JSON.readValue(zip.readAllBytes(), ModelManifest.class);
                } else if (WEIGHTS.equals(e.getName())) {
                    weights = zip.readAllBytes();
                } else if (BASELINE.equals(e.getName())) {
                    baseline = KneserNey.read(new StringReader(new String(zip.readAllBytes(), StandardCharsets.UTF_8)));
                } else if (REPLAY.equals(e.getName())) {
                    replay = ReplaySample.read(new StringReader(new String(zip.readAllBytes(), StandardCharsets.UTF_8)));
                }
            }
        }
        if (manifest == null || weights == null) {
            throw new MalformedModelException("artifact lacks " + (manifest == null ? MANIFEST : WEIGHTS));
        }
        return fromParts(manifest, weights, baseline, replay);
    }

    private static LanguageModel fromParts(ModelManifest manifest, byte[] weights, KneserNey baseline,
                                           ReplaySample replay)
            throws MalformedModelException {
        if (manifest.formatVersion() != ModelManifest.FORMAT_VERSION) {
            throw new MalformedModelException("unsupported artifact format " + manifest.formatVersion());
        }
        Tokenizer tokenizer = Tokenizers.fromSpec(manifest.tokenizer());
        checkVocabulary(manifest, tokenizer);
        RnnLanguageModelBlock block = new RnnLanguageModelBlock(manifest.spec());
        Model model = Model.newInstance("surprisal");
        try {
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, block.inputShapes(1, 1));
            block.loadParameters(model.getNDManager(), new DataInputStream(new ByteArrayInputStream(weights)));
            return new LanguageModel(model, block, manifest, tokenizer, baseline, replay);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw new MalformedModelException("weights do not fit the manifest's architecture: " + e.getMessage(), e);
        } catch (MalformedModelException e) {
            model.close();
            throw e;
        }
    }

    private static byte[] weights(LanguageModel model) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            model.block().saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void checkVocabulary(ModelManifest manifest, Tokenizer tokenizer) {
        if (tokenizer.vocabularySize() != manifest.spec().vocabularySize()) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabularySize()
                    + " tokens but the model's vocabulary is " + manifest.spec().vocabularySize());
        }
    }
}
