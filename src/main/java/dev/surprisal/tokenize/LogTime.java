package dev.surprisal.tokenize;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A log line's own time, read from the date and time fields of its layout ({@code <Date>},
 * {@code <Time>}, {@code <Month>}, {@code <Day>}, {@code <Timestamp>} ...), for windows over logs
 * that have no session ids. Epoch seconds or milliseconds in a {@code Timestamp} field are taken as
 * they are; otherwise the fields are joined in layout order and read with the common layouts (ISO
 * 8601 with a space or a {@code T}, syslog, Apache, logcat, log4j's, compact ones). A layout with no
 * year is read as the year 2000: windows only need order and distance within a log. Times are UTC.
 */
public final class LogTime {

    private static final Set<String> TIME_FIELDS = Set.of("date", "time", "timestamp", "datetime", "month", "day",
            "year");
    private static final List<DateTimeFormatter> LAYOUTS = List.of(
            layout("yyyy-MM-dd HH:mm:ss[,SSS][.SSSSSS][.SSS]"),
            layout("yyyy-MM-dd'T'HH:mm:ss[.SSSSSS][.SSS][XXX]"),
            layout("yyyy-MM-dd-HH.mm.ss[.SSSSSS]"),
            layout("MMM d HH:mm:ss"),
            layout("EEE MMM d HH:mm:ss yyyy"),
            layout("yyMMdd HHmmss"),
            layout("yy/MM/dd HH:mm:ss"),
            layout("yyyyMMdd-HH:mm:ss:SSS"),
            layout("MM-dd HH:mm:ss.SSS"),
            layout("yyyy.MM.dd HH:mm:ss"));

    private LogTime() {
    }

    private static DateTimeFormatter layout(String pattern) {
        return new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern(pattern)
                .parseDefaulting(ChronoField.YEAR_OF_ERA, 2000).toFormatter(Locale.ENGLISH);
    }

    /** Whether the layout has a field that holds a time. */
    public static boolean hasTime(LogFormat format) {
        return format.fields().stream().anyMatch(f -> TIME_FIELDS.contains(f.toLowerCase(Locale.ROOT)));
    }

    /** The time of a line's fields, or null when they hold none this can read. */
    public static Instant of(Map<String, String> fields) {
        StringBuilder joined = new StringBuilder();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            String name = f.getKey().toLowerCase(Locale.ROOT);
            String value = f.getValue().strip();
            if (name.equals("timestamp") && value.matches("\\d{10}|\\d{13}")) {
                long n = Long.parseLong(value);
                return value.length() == 10 ? Instant.ofEpochSecond(n) : Instant.ofEpochMilli(n);
            }
            if (TIME_FIELDS.contains(name) && !value.isEmpty()) {
                joined.append(joined.length() == 0 ? "" : " ").append(value);
            }
        }
        String text = joined.toString().replaceAll("\\s+", " ");
        for (DateTimeFormatter layout : LAYOUTS) {
            try {
                return LocalDateTime.parse(text, layout).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException next) {
                // not this layout
            }
        }
        return null;
    }
}
