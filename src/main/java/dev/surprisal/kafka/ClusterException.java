package dev.surprisal.kafka;

/** The Kafka cluster cannot do what a command needs (topics missing, not listable or not creatable); the message says what to check. */
public final class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
