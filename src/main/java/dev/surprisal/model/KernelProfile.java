package dev.surprisal.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a batched model call's time goes, phase by phase, for {@code bench}: off unless turned on,
 * and then a clock read between phases (native ops on the CPU are synchronous, so the time of a
 * phase is its ops' time).
 */
public final class KernelProfile {

    /** The phases of one segment of a batched call. */
    public enum Phase {
        /** Token ids and states packed into arrays and handed to the engine. */
        PACK,
        /** The embedding and the recurrent layers. */
        RECURRENT,
        /** The projection to the vocabulary and the log-softmax. */
        PROJECT,
        /** The actual token's log-probability, its rank, the entropy and the top k, copied out. */
        REDUCE,
        /** The states after the segment copied out and unpacked. */
        UNPACK
    }

    private static volatile boolean on;
    private static final LongAdder[] NANOS = new LongAdder[Phase.values().length];

    static {
        for (int i = 0; i < NANOS.length; i++) {
            NANOS[i] = new LongAdder();
        }
    }

    private KernelProfile() {
    }

    /** Starts counting from zero. */
    public static void start() {
        for (LongAdder a : NANOS) {
            a.reset();
        }
        on = true;
    }

    /** Stops counting; seconds per phase since {@link #start()}. */
    public static Map<Phase, Double> stop() {
        on = false;
        Map<Phase, Double> out = new LinkedHashMap<>();
        for (Phase p : Phase.values()) {
            out.put(p, NANOS[p.ordinal()].sum() / 1e9);
        }
        return out;
    }

    /** The clock now, when profiling; 0 otherwise. */
    static long now() {
        return on ? System.nanoTime() : 0;
    }

    /** Adds the time since {@code since} to a phase and returns the clock now, when profiling. */
    static long lap(Phase phase, long since) {
        if (!on) {
            return 0;
        }
        long now = System.nanoTime();
        NANOS[phase.ordinal()].add(now - since);
        return now;
    }
}
