package dev.surprisal.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.surprisal.tokenize.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trained model ready to score: one native call per event, starting from and returning a
 * session's recurrent state as a flat float array.
 *
 * <p>The state kept for a session is the one after its last token. The prediction for the next
 * token is the output layer applied to that state's top-layer h, so an event of T tokens needs one
 * recurrent pass over its T tokens and T + 1 projections: the first scores the event's first token,
 * the last predicts what comes after the event. Two events therefore score exactly like their
 * concatenation.
 */
public final class LanguageModel implements AutoCloseable {

    private final Model model;
    private final RnnLanguageModelBlock block;
    private final ModelManifest manifest;
    private final Tokenizer tokenizer;
    /*
     * Stream threads (and HTTP threads answering queries) share a model. Concurrent DJL calls on one
     * model intermittently failed with "Native resource has been released already", so native calls
     * on a model are serialised by `lock`; each call is one whole event, so the lock is taken once per event.
     */
    private final Object lock = new Object();
    private final ParameterStore parameters;
    private final float[] initialState;

    LanguageModel(Model model, RnnLanguageModelBlock block, ModelManifest manifest, Tokenizer tokenizer) {
        this.model = model;
        this.block = block;
        this.manifest = manifest;
        this.tokenizer = tokenizer;
        this.parameters = new ParameterStore(model.getNDManager(), false);
        this.initialState = advance(new float[spec().stateSize()], new int[] {tokenizer.bosId()});
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public String version() {
        return manifest.version();
    }

    public ModelSpec spec() {
        return block.spec();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The DJL block and model, for training; scoring goes through {@link #forward}. */
    public RnnLanguageModelBlock block() {
        return block;
    }

    public Model djlModel() {
        return model;
    }

    /** State of a new session: the session-start token fed to a zero state. */
    public float[] initialState() {
        return initialState.clone();
    }

    /**
     * The state a fresh session would have after {@code text}: how a session met by this model after
     * another model's events is primed with its recent text.
     */
    public float[] stateAfter(String text) {
        int[] tokens = text.isEmpty() ? new int[0] : tokenizer.encode(text);
        return tokens.length == 0 ? initialState() : advance(initialState(), tokens);
    }

    /** Log-probabilities for every position of one event and the state after it. */
    public record Forward(float[] logProbs, int positions, int vocabularySize, float[] state) {

        public float logProb(int position, int token) {
            return logProbs[position * vocabularySize + token];
        }
    }

    /**
     * Runs the model over {@code tokens} from {@code state}. Row t of the result (t &lt; T) is the
     * distribution the t-th token was drawn from; row T is the prediction after the last token.
     */
    public Forward forward(float[] state, int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("an event needs at least one token");
        }
        ModelSpec spec = spec();
        synchronized (lock) {
            return forwardLocked(spec, state, tokens);
        }
    }

    private Forward forwardLocked(ModelSpec spec, float[] state, int[] tokens) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDList in = inputs(m, state, tokens);
            NDList rnnOut = block.recurrent(parameters, in, false); // outputs (1, T, hidden), then state
            NDArray previousTop = in.get(1).get(spec.layers() - 1).reshape(1, 1, spec.hiddenSize());
            NDArray hidden = previousTop.concat(rnnOut.head(), 1); // (1, T + 1, hidden)
            NDArray logProbs = block.project(parameters, hidden, false).logSoftmax(2); // (1, T + 1, vocab)
            return new Forward(logProbs.toFloatArray(), tokens.length + 1, spec.vocabularySize(),
                    flatten(rnnOut.subNDList(1)));
        }
    }

    /**
     * One event from each of several sessions in one batch: the same results as {@link #forward} per
     * session, with the per-call native overhead paid once per time step instead of once per event.
     * Sessions step together; a session whose event is shorter keeps its state once its tokens are
     * used up (masked), and every valid hidden vector goes through one projection call.
     */
    public List<Forward> forwardBatch(List<float[]> states, List<int[]> tokens) {
        int batch = states.size();
        if (batch != tokens.size() || batch == 0) {
            throw new IllegalArgumentException("one token list per state, and at least one");
        }
        synchronized (lock) {
            return forwardBatchLocked(states, tokens);
        }
    }

    private List<Forward> forwardBatchLocked(List<float[]> states, List<int[]> tokens) {
        ModelSpec spec = spec();
        int batch = states.size();
        int hidden = spec.hiddenSize();
        int layers = spec.layers();
        int steps = tokens.stream().mapToInt(t -> t.length).max().orElse(0);
        int slice = layers * hidden;
        boolean lstm = spec.cell() == ModelSpec.Cell.LSTM;
        try (NDManager m = model.getNDManager().newSubManager()) {
            int[] padded = new int[batch * steps];
            float[] mask = new float[steps * batch];
            float[] h0 = new float[layers * batch * hidden];
            float[] c0 = new float[layers * batch * hidden];
            for (int b = 0; b < batch; b++) {
                int[] t = tokens.get(b);
                System.arraycopy(t, 0, padded, b * steps, t.length);
                for (int s = 0; s < t.length; s++) {
                    mask[s * batch + b] = 1f;
                }
                float[] st = states.get(b);
                for (int l = 0; l < layers; l++) {
                    System.arraycopy(st, l * hidden, h0, (l * batch + b) * hidden, hidden);
                    if (lstm) {
                        System.arraycopy(st, slice + l * hidden, c0, (l * batch + b) * hidden, hidden);
                    }
                }
            }
            Shape stateShape = new Shape(layers, batch, hidden);       // (layers, batch, hidden)
            NDArray h = m.create(h0, stateShape);
            NDArray c = lstm ? m.create(c0, stateShape) : null;
            NDArray previousTop = h.get(layers - 1);                   // (batch, hidden)
            NDArray masks = m.create(mask, new Shape(steps, 1, batch, 1)); // (steps, 1, batch, 1)
            NDArray ids = m.create(padded, new Shape(batch, steps));   // (batch, time)
            NDList outputs = new NDList();
            for (int s = 0; s < steps; s++) {
                NDList in = new NDList(ids.get(":, " + s + ":" + (s + 1)), h); // tokens (batch, 1)
                if (lstm) {
                    in.add(c);
                }
                NDList out = block.recurrent(parameters, in, false);   // (batch, 1, hidden), h', c'
                NDArray keep = masks.get(s);                           // (1, batch, 1)
                h = out.get(1).mul(keep).add(h.mul(keep.neg().add(1)));
                if (lstm) {
                    c = out.get(2).mul(keep).add(c.mul(keep.neg().add(1)));
                }
                outputs.add(out.head());                               // (batch, 1, hidden)
            }
            // rows: [previous top of each session] then step-major outputs
            NDArray all = previousTop.concat(NDArrays.concat(outputs, 1).reshape(batch * steps, hidden), 0);
            float[] logProbs = block.project(parameters, all, false).logSoftmax(1).toFloatArray(); // (batch + batch*steps, vocab)
            float[] hs = h.toFloatArray();
            float[] cs = lstm ? c.toFloatArray() : null;
            return split(tokens, logProbs, hs, cs, batch, steps);
        }
    }

    private List<Forward> split(List<int[]> tokens, float[] logProbs, float[] hs, float[] cs, int batch, int steps) {
        ModelSpec spec = spec();
        int vocab = spec.vocabularySize();
        int hidden = spec.hiddenSize();
        int layers = spec.layers();
        List<Forward> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int length = tokens.get(b).length;
            float[] rows = new float[(length + 1) * vocab];
            System.arraycopy(logProbs, b * vocab, rows, 0, vocab);
            for (int s = 0; s < length; s++) {
                // outputs were concatenated along time for each session: row of (b, s) is b * steps + s
                System.arraycopy(logProbs, (batch + b * steps + s) * vocab, rows, (s + 1) * vocab, vocab);
            }
            float[] state = new float[spec.stateSize()];
            for (int l = 0; l < layers; l++) {
                System.arraycopy(hs, (l * batch + b) * hidden, state, l * hidden, hidden);
                if (cs != null) {
                    System.arraycopy(cs, (l * batch + b) * hidden, state, (layers + l) * hidden, hidden);
                }
            }
            // row 0 scores the first token from the stored state, row s + 1 the token after token s
            out.add(new Forward(rows, length + 1, vocab, state));
        }
        return out;
    }


    /** The distribution of the token after {@code state}, as one row of log-probabilities. */
    public Forward predict(float[] state) {
        ModelSpec spec = spec();
        int slice = spec.layers() * spec.hiddenSize();
        synchronized (lock) {
            try (NDManager m = model.getNDManager().newSubManager()) {
                float[] top = Arrays.copyOfRange(state, slice - spec.hiddenSize(), slice);
                NDArray hidden = m.create(top, new Shape(1, 1, spec.hiddenSize())); // (1, 1, hidden)
                NDArray logProbs = block.project(parameters, hidden, false).logSoftmax(2); // (1, 1, vocab)
                return new Forward(logProbs.toFloatArray(), 1, spec.vocabularySize(), state);
            }
        }
    }

    /** The state after {@code tokens}, without the projection (used to prime and to start sessions). */
    public float[] advance(float[] state, int[] tokens) {
        synchronized (lock) {
            try (NDManager m = model.getNDManager().newSubManager()) {
                return flatten(block.recurrent(parameters, inputs(m, state, tokens), false).subNDList(1));
            }
        }
    }

    private NDList inputs(NDManager m, float[] state, int[] tokens) {
        ModelSpec spec = spec();
        if (state.length != spec.stateSize()) {
            throw new IllegalArgumentException("state has " + state.length + " floats, model needs " + spec.stateSize());
        }
        int slice = spec.layers() * spec.hiddenSize();
        Shape stateShape = new Shape(spec.layers(), 1, spec.hiddenSize()); // (layers, batch, hidden)
        NDList in = new NDList(m.create(tokens, new Shape(1, tokens.length))); // (batch, time)
        in.add(m.create(Arrays.copyOfRange(state, 0, slice), stateShape));
        if (spec.cell() == ModelSpec.Cell.LSTM) {
            in.add(m.create(Arrays.copyOfRange(state, slice, 2 * slice), stateShape));
        }
        return in;
    }

    private static float[] flatten(NDList stateArrays) {
        float[][] parts = new float[stateArrays.size()][];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = stateArrays.get(i).toFloatArray();
            total += parts[i].length;
        }
        float[] out = new float[total];
        int offset = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
