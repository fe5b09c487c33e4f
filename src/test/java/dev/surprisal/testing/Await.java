package dev.surprisal.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** The one bounded wait of the test suite: a condition polled until it holds or the time is up. */
public final class Await {

    private static final Duration POLL = Duration.ofMillis(50);

    private Await() {
    }

    /**
     * Polls {@code condition} until it is true; an exception from it counts as not yet (a server
     * not listening yet). Fails with {@code what} after {@code timeout}.
     */
    public static void until(String what, Duration timeout, Callable<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(POLL.toMillis());
        }
        AssertionError failure = new AssertionError(what + " within " + timeout);
        if (last != null) {
            failure.initCause(last);
        }
        throw failure;
    }
}
