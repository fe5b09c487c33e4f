package dev.surprisal.kafka;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.function.Supplier;

/** A WARN line at most once per interval, saying how many were held back since the last one; shared by threads. */
public final class RateLimitedLog {

    private final Logger log;
    private final long intervalNanos;
    private long lastNanos;
    private boolean logged;
    private long suppressed;

    public RateLimitedLog(Logger log, Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
    }

    /** As {@link #warn(String)}, building the message only when it is logged. */
    public synchronized void warn(Supplier<String> message) {
        if (logged && System.nanoTime() - lastNanos < intervalNanos) {
            suppressed++;
            return;
        }
        warn(message.get());
    }

    public synchronized void warn(String message) {
        long now = System.nanoTime();
        if (logged && now - lastNanos < intervalNanos) {
            suppressed++;
            return;
        }
        if (suppressed > 0) {
            log.warn("{} ({} more like it since the last report)", message, suppressed);
        } else {
            log.warn(message);
        }
        logged = true;
        lastNanos = now;
        suppressed = 0;
    }
}
