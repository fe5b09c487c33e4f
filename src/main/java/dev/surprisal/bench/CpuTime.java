package dev.surprisal.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of this process and of its Java threads, so that a benchmark that runs the broker and its own clients in
 * the scorer's JVM can charge each its own. The scorer's share is the process's time less the broker's and the
 * clients' threads: it keeps PyTorch's native threads, and the JIT's and the collector's (shared, so an upper bound).
 */
final class CpuTime {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU nanoseconds of the process and of each live Java thread (by id), with the threads' names. */
    record Snapshot(long process, Map<Long, Long> threads, Map<Long, String> names) {
    }

    /** Seconds of CPU between two snapshots: the process's, and the Java threads' whose names {@code scorer} marks. */
    record Split(double process, double scorerThreads, double others) {

        /** The process less the threads that are not the scorer's: the broker's and the clients'. */
        double scorer() {
            return process - others;
        }
    }

    private CpuTime() {
    }

    static Snapshot now() {
        if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            var info = THREADS.getThreadInfo(id);
            if (t >= 0 && info != null) {
                cpu.put(id, t);
                names.put(id, info.getThreadName());
            }
        }
        return new Snapshot(processNanos(), cpu, names);
    }

    /** What ran between {@code before} and {@code after}; a thread is the scorer's when its name holds {@code scorer}. */
    static Split between(Snapshot before, Snapshot after, String scorer) {
        long scorerThreads = 0;
        long others = 0;
        for (Map.Entry<Long, Long> e : after.threads().entrySet()) {
            long used = e.getValue() - before.threads().getOrDefault(e.getKey(), 0L);
            if (after.names().get(e.getKey()).contains(scorer)) {
                scorerThreads += used;
            } else {
                others += used;
            }
        }
        return new Split((after.process() - before.process()) / 1e9, scorerThreads / 1e9, others / 1e9);
    }

    private static long processNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }
}
