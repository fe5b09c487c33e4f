package dev.surprisal.stream;

/**
 * How long input has waited with nothing written: a scorer whose transactions cannot commit (a controller
 * or coordinator moving, a broker out of disk) is running and live, yet makes no progress, and readiness
 * should say so. Sampled from the consumers' lag; cleared by the next score written or by empty input.
 * Times are milliseconds from any one clock.
 */
public final class OutputStall {

    private long lastOutputMs;
    private long waitingSinceMs = -1;

    public OutputStall(long nowMs) {
        this.lastOutputMs = nowMs;
    }

    /** A score or a dead letter was written. */
    public synchronized void output(long nowMs) {
        lastOutputMs = nowMs;
    }

    /** The input's lag now: records that wait to be read and scored. */
    public synchronized void lag(long records, long nowMs) {
        if (records <= 0) {
            waitingSinceMs = -1;
        } else if (waitingSinceMs < 0) {
            waitingSinceMs = nowMs;
        }
    }

    /** How long input has waited with no score written; 0 when nothing waits or output flows. */
    public synchronized long stalledMs(long nowMs) {
        return waitingSinceMs < 0 ? 0 : Math.max(0, nowMs - Math.max(lastOutputMs, waitingSinceMs));
    }
}
