package dev.surprisal.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C / SIGTERM into an orderly stop: the hook marks the stop, then waits (bounded) until
 * the command has closed its resources. Commands poll {@link #requested()} or block in {@link #await()};
 * interrupting the command's thread stops it too.
 */
final class ShutdownSignal implements AutoCloseable {

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    ShutdownSignal() {
        hook = new Thread(() -> {
            requested.countDown();
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean requested() {
        if (Thread.interrupted()) {
            requested.countDown(); // consumed as the stop request, see await()
        }
        return requested.getCount() == 0;
    }

    /**
     * Blocks until a stop is requested or this thread is interrupted. An interrupt is consumed as the
     * stop request it is: left set, it would make every Kafka client's close() throw on the way out.
     */
    void await() {
        try {
            requested.await();
        } catch (InterruptedException e) {
            requested.countDown();
        }
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running and waits for `finished`
        }
    }
}
