package dev.surprisal.bench;

import dev.surprisal.model.ModelSpec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * What this machine's cores can do for the model's arithmetic: the rate of a large float32 matrix
 * product in the same engine on all cores, the best a recurrent step's GEMMs could reach. A figure
 * measured, not read from a data sheet, so that two machines compare.
 */
public final class MachinePeak {

    private MachinePeak() {
    }

    /** GFLOP/s of a float32 n×n by n×n product on every core, best of a few runs. */
    public static double gemmGflops() {
        int n = 1024;
        try (NDManager m = NDManager.newBaseManager()) { // loads the engine, before its thread setting is read
            int single = JniUtils.getNumThreads();
            JniUtils.setNumThreads(Runtime.getRuntime().availableProcessors());
            try {
                return best(m, n);
            } finally {
                JniUtils.setNumThreads(single);
            }
        }
    }

    private static double best(NDManager m, int n) {
        NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
        NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
        double best = 0;
        for (int round = 0; round < 6; round++) {
            long start = System.nanoTime();
            int products = 8;
            for (int i = 0; i < products; i++) {
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0); // the product is computed by now
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            best = Math.max(best, products * 2.0 * n * n * n / seconds / 1e9);
        }
        return best;
    }

    /**
     * Floating-point operations the model's forward pass does per token: the gate GEMMs of each
     * recurrent layer (4 gates for an LSTM, 3 for a GRU, over input and hidden) and the projection
     * to the vocabulary, a multiply and an add each.
     */
    static double flopsPerToken(ModelSpec spec) {
        int gates = spec.cell() == ModelSpec.Cell.LSTM ? 4 : 3;
        double recurrent = 0;
        for (int l = 0; l < spec.layers(); l++) {
            int input = l == 0 ? spec.embeddingSize() : spec.hiddenSize();
            recurrent += 2.0 * gates * spec.hiddenSize() * (input + spec.hiddenSize());
        }
        return recurrent + 2.0 * spec.hiddenSize() * spec.vocabularySize();
    }
}
