package dev.surprisal.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.surprisal.tokenize.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trained model ready to score: one native call per event ({@link #forward}) or per batch of
 * events of different sessions ({@link #forwardBatch}), starting from and returning each session's
 * recurrent state as a flat float array.
 *
 * <p>The state kept for a session is the one after its last token. The prediction for the next
 * token is the output layer applied to that state's top-layer h, so an event of T tokens needs one
 * recurrent pass over its T tokens and T + 1 projections: the first scores the event's first token,
 * the last predicts what comes after the event. Two events therefore score exactly like their
 * concatenation.
 */
public final class LanguageModel implements AutoCloseable {

    private static final int BATCH_THREADS_FROM = DjlRuntime.batchThreadsFromSessions();
    private static final int BATCH_THREADS = DjlRuntime.batchThreads();

    private final Model model;
    private final RnnLanguageModelBlock block;
    private final ModelManifest manifest;
    private final Tokenizer tokenizer;
    /*
     * Stream threads (and HTTP threads answering queries) share a model. Concurrent DJL calls on one
     * model intermittently failed with "Native resource has been released already", so native calls
     * on a model are serialised by `lock`; each call is a whole event or batch, so the lock is taken once per call.
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
     * session, with the per-call native overhead paid once per segment instead of once per event.
     *
     * <p>Sessions are ordered longest event first and run together through time segments that end
     * where some event ends: a segment is one recurrent call over the sessions still running (a
     * prefix of that order), and one projection call over its outputs. Events of equal length thus
     * share a single call, and no session ever steps over padding, so every state is exact.
     */
    public List<Forward> forwardBatch(List<float[]> states, List<int[]> tokens) {
        int batch = states.size();
        if (batch != tokens.size() || batch == 0) {
            throw new IllegalArgumentException("one token list per state, and at least one");
        }
        for (int b = 0; b < batch; b++) {
            if (tokens.get(b).length == 0) {
                throw new IllegalArgumentException("an event needs at least one token");
            }
            if (states.get(b).length != spec().stateSize()) {
                throw new IllegalArgumentException("state has " + states.get(b).length + " floats, model needs "
                        + spec().stateSize());
            }
        }
        synchronized (lock) {
            // the engine's thread count is process-wide: raised for this call only, under the lock
            int single = JniUtils.getNumThreads();
            boolean widen = states.size() >= BATCH_THREADS_FROM && BATCH_THREADS > single;
            if (widen) {
                JniUtils.setNumThreads(BATCH_THREADS);
            }
            try {
                return forwardBatchLocked(states, tokens);
            } finally {
                if (widen) {
                    JniUtils.setNumThreads(single);
                }
            }
        }
    }

    private List<Forward> forwardBatchLocked(List<float[]> states, List<int[]> tokens) {
        ModelSpec spec = spec();
        int batch = states.size();
        int hidden = spec.hiddenSize();
        int layers = spec.layers();
        int vocab = spec.vocabularySize();
        int slice = layers * hidden;
        boolean lstm = spec.cell() == ModelSpec.Cell.LSTM;
        Integer[] order = new Integer[batch];
        for (int b = 0; b < batch; b++) {
            order[b] = b;
        }
        Arrays.sort(order, (x, y) -> Integer.compare(tokens.get(y).length, tokens.get(x).length));
        // working state per session in sorted order: h of every layer, then c of every layer
        float[][] working = new float[batch][];
        float[][] rows = new float[batch][];
        for (int i = 0; i < batch; i++) {
            working[i] = states.get(order[i]).clone();
            rows[i] = new float[(tokens.get(order[i]).length + 1) * vocab];
        }
        int running = batch;
        int time = 0;
        while (running > 0) {
            int end = tokens.get(order[running - 1]).length;
            segment(order, tokens, working, rows, running, time, end, slice, lstm);
            time = end;
            while (running > 0 && tokens.get(order[running - 1]).length == end) {
                running--;
            }
        }
        Forward[] out = new Forward[batch];
        for (int i = 0; i < batch; i++) {
            out[order[i]] = new Forward(rows[i], tokens.get(order[i]).length + 1, vocab, working[i]);
        }
        return Arrays.asList(out);
    }

    /** Tokens [from, to) of the first {@code running} sessions in one recurrent and one projection call. */
    private void segment(Integer[] order, List<int[]> tokens, float[][] working, float[][] rows, int running,
                         int from, int to, int slice, boolean lstm) {
        ModelSpec spec = spec();
        int hidden = spec.hiddenSize();
        int layers = spec.layers();
        int vocab = spec.vocabularySize();
        int steps = to - from;
        try (NDManager m = model.getNDManager().newSubManager()) {
            int[] ids = new int[running * steps];
            float[] h0 = new float[layers * running * hidden];
            float[] c0 = new float[lstm ? layers * running * hidden : 0];
            for (int b = 0; b < running; b++) {
                System.arraycopy(tokens.get(order[b]), from, ids, b * steps, steps);
                for (int l = 0; l < layers; l++) {
                    System.arraycopy(working[b], l * hidden, h0, (l * running + b) * hidden, hidden);
                    if (lstm) {
                        System.arraycopy(working[b], slice + l * hidden, c0, (l * running + b) * hidden, hidden);
                    }
                }
            }
            Shape stateShape = new Shape(layers, running, hidden);              // (layers, batch, hidden)
            NDList in = new NDList(m.create(ids, new Shape(running, steps)), m.create(h0, stateShape)); // (batch, time)
            if (lstm) {
                in.add(m.create(c0, stateShape));
            }
            NDList rnnOut = block.recurrent(parameters, in, false);            // (batch, time, hidden), h', c'
            NDArray hiddens = rnnOut.head();
            int first = from == 0 ? 0 : 1;
            if (from == 0) {
                // the first segment also projects the stored state: it scores each event's first token
                NDArray previousTop = in.get(1).get(layers - 1).reshape(running, 1, hidden);
                hiddens = previousTop.concat(hiddens, 1);                       // (batch, time + 1, hidden)
            }
            int positions = steps + 1 - first;
            float[] logProbs = block.project(parameters, hiddens, false).logSoftmax(2).toFloatArray(); // (batch, positions, vocab)
            float[] h = rnnOut.get(1).toFloatArray();
            float[] c = lstm ? rnnOut.get(2).toFloatArray() : null;
            for (int b = 0; b < running; b++) {
                // position p of this segment is row from + first + p of the event
                System.arraycopy(logProbs, b * positions * vocab, rows[b], (from + first) * vocab, positions * vocab);
                for (int l = 0; l < layers; l++) {
                    System.arraycopy(h, (l * running + b) * hidden, working[b], l * hidden, hidden);
                    if (lstm) {
                        System.arraycopy(c, (l * running + b) * hidden, working[b], slice + l * hidden, hidden);
                    }
                }
            }
        }
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
