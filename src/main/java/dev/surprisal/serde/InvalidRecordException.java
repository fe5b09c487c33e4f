package dev.surprisal.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record value that can never be read, whatever is retried: its {@link #code()} is the
 * dead-letter reason. (A registry that cannot be reached is not this: that is worth retrying.)
 */
public final class InvalidRecordException extends SerializationException {

    private static final long serialVersionUID = 1L;

    public static final String NOT_WIRE_FORMAT = "not-wire-format";
    public static final String UNKNOWN_SCHEMA = "unknown-schema";
    public static final String WRONG_SCHEMA = "wrong-schema";
    public static final String MALFORMED = "malformed";
    public static final String TOO_LARGE = "too-large";
    public static final String TOO_MANY_ITEMS = "too-many-items";
    public static final String INVALID_UTF8 = "invalid-utf8";

    private final String code;

    public InvalidRecordException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
