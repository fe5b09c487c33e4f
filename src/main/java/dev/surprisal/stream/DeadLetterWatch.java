package dev.surprisal.stream;

import dev.surprisal.input.InputSettings;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * How much of the recent input went to the dead-letter topic, and why: the answer an operator needs when
 * a scorer is running, ready and silent because every record is refused (unkeyed raw lines and no
 * session rule, JSON on an Avro topic). Counts input records and dead letters over the last minute in
 * five-second buckets; shared by every stream thread.
 */
public final class DeadLetterWatch {

    /** The stretch of input a summary covers. */
    public static final long WINDOW_MS = 60_000;
    /** A share of dead letters at or above this is a problem worth showing, not everyday bad input. */
    static final double PROBLEM_SHARE = 0.1;
    private static final long BUCKET_MS = 5_000;

    /** What the last minute held: {@code dead} of {@code records}, the commonest reason, one example of it. */
    public record Summary(long records, long dead, String code, long codeCount, String example, String hint) {

        /** One line for people: readiness's problem, the log, the live page (the hint unless the reason gives it). */
        public String describe(String dlqTopic) {
            return dead + " of the last " + Math.max(records, dead) + " input records were dead-lettered to "
                    + dlqTopic + ": " + code + (codeCount < dead ? " (" + codeCount + ")" : "") + ", e.g. " + example
                    + (hint == null || example.contains(InputSettings.SESSION_REGEX) ? "" : "; " + hint);
        }

        public boolean problem() {
            return dead > 0 && dead >= PROBLEM_SHARE * Math.max(records, dead);
        }
    }

    private static final class Bucket {
        final long start;
        long records;
        long dead;
        final Map<String, Long> codes = new LinkedHashMap<>();
        final Map<String, String> examples = new LinkedHashMap<>();

        Bucket(long start) {
            this.start = start;
        }
    }

    private final LongSupplier clockMs;
    private final Deque<Bucket> buckets = new ArrayDeque<>();

    public DeadLetterWatch() {
        this(System::currentTimeMillis);
    }

    DeadLetterWatch(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    /** An input record arrived (counted once, by the first processor that reads it). */
    synchronized void record() {
        current().records++;
    }

    synchronized void deadLetter(String code, String example) {
        Bucket b = current();
        b.dead++;
        b.codes.merge(code, 1L, Long::sum);
        b.examples.put(code, example);
    }

    /** The last minute, or empty when it held no dead letter. */
    public synchronized Optional<Summary> recent() {
        drop(clockMs.getAsLong());
        long records = 0;
        long dead = 0;
        Map<String, Long> codes = new LinkedHashMap<>();
        Map<String, String> examples = new LinkedHashMap<>();
        for (Bucket b : buckets) {
            records += b.records;
            dead += b.dead;
            b.codes.forEach((c, n) -> codes.merge(c, n, Long::sum));
            examples.putAll(b.examples); // the newest example of each code
        }
        if (dead == 0) {
            return Optional.empty();
        }
        Map.Entry<String, Long> top = codes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        return Optional.of(new Summary(records, dead, top.getKey(), top.getValue(), examples.get(top.getKey()),
                hint(top.getKey())));
    }

    private Bucket current() {
        long now = clockMs.getAsLong();
        drop(now);
        Bucket last = buckets.peekLast();
        if (last == null || now - last.start >= BUCKET_MS) {
            last = new Bucket(now - Math.floorMod(now, BUCKET_MS));
            buckets.addLast(last);
        }
        return last;
    }

    private void drop(long now) {
        while (!buckets.isEmpty() && buckets.peekFirst().start + BUCKET_MS <= now - WINDOW_MS) {
            buckets.removeFirst();
        }
    }

    /** The setting that most often fixes a reason, or null where the records themselves are at fault. */
    static String hint(String code) {
        return switch (code) {
            case "missing-session" -> "say where the session is: input.session.field (JSON), input.session.regex, or "
                    + "input.window.ms with input.log.format for raw lines; or key the records by session";
            case "missing-key" -> "key each record by its session id; for raw lines or JSON, set input.format and find "
                    + "the session in the record with input.session.regex, input.session.field or input.window.ms";
            case "not-wire-format" -> "the topic does not hold Avro TextEvents: set input.format to what it holds "
                    + "(text, json, otlp-proto, otlp-json)";
            case "unknown-schema", "wrong-schema" -> "publish TextEvents through the registry this scorer reads "
                    + "(schema.registry.url), or set input.format to what the topic holds";
            case "invalid-json", "not-json-object", "missing-text" -> "the records are not the JSON input.format=json "
                    + "reads (input.text.field names the text): input.format=text scores the lines as they are";
            case "invalid-utf8" -> "the records are not UTF-8 text: set input.format to what the topic holds (avro for "
                    + "TextEvents, otlp-proto for OpenTelemetry logs)";
            case "too-large" -> "raise input.max.record.bytes or text.max.bytes if such records are expected";
            default -> null;
        };
    }
}
