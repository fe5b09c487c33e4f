package dev.surprisal.ops;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.message.Message;

import java.util.function.Supplier;

/**
 * Drops an ERROR about a producer a newer instance fenced: the Kafka producer's {@code Aborting producer batches due
 * to fatal error} and Kafka Streams' {@code Error encountered sending record}, with a {@link ProducerFencedException}
 * or an {@link InvalidProducerEpochException}. That is exactly-once
 * working: an instance that was paused or cut off past the session timeout lost its tasks, its writes are refused,
 * and Kafka Streams rejoins on its own with one WARN of its own ({@code Detected that the thread is being fenced}).
 * An ERROR there would page someone for the cluster doing its job. Other errors pass as they are.
 */
public final class FencedProducerLog extends AbstractFilter {

    private FencedProducerLog() {
        super(Result.DENY, Result.NEUTRAL);
    }

    /** Adds the filter to the running log configuration, ahead of every logger. */
    public static void install() {
        if (LogManager.getContext(false) instanceof LoggerContext context) {
            context.getConfiguration().addFilter(new FencedProducerLog());
            context.updateLoggers();
        }
    }

    static boolean fenced(Level level, Throwable thrown) {
        if (level == null || !level.isMoreSpecificThan(Level.ERROR)) {
            return false;
        }
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    /** Kafka Streams writes the exception into its message and passes none: {@code … since the producer is fenced …}. */
    static boolean fenced(Level level, String message) {
        return level != null && level.isMoreSpecificThan(Level.ERROR) && message != null
                && message.contains(FENCED_TEXT);
    }

    private static final String FENCED_TEXT = "since the producer is fenced";

    /** Every log call passes here: below ERROR nothing is formatted or walked. */
    private Result decide(Level level, Supplier<String> message, Throwable thrown) {
        if (level == null || !level.isMoreSpecificThan(Level.ERROR)) {
            return onMismatch;
        }
        return fenced(level, thrown) || fenced(level, message.get()) ? onMatch : onMismatch;
    }

    @Override
    public Result filter(LogEvent event) {
        return decide(event.getLevel(), () -> event.getMessage().getFormattedMessage(), event.getThrown());
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, Message msg, Throwable t) {
        return decide(level, () -> msg == null ? null : msg.getFormattedMessage(), t);
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, Object msg, Throwable t) {
        return decide(level, () -> msg == null ? null : msg.toString(), t);
    }

    /** Through slf4j a message's exception is its last parameter. */
    @Override
    public Result filter(Logger logger, Level level, Marker marker, String msg, Object... params) {
        Throwable thrown = params != null && params.length > 0 && params[params.length - 1] instanceof Throwable t ? t : null;
        return decide(level, () -> msg, thrown);
    }
}
