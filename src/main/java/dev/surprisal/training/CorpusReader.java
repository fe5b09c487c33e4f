package dev.surprisal.training;

import dev.surprisal.session.AnomalyLabel;
import dev.surprisal.session.FileFormat;
import dev.surprisal.session.LineSessions;
import dev.surprisal.session.SessionIds;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads training text from a file.
 * <ul>
 *   <li>{@code lines}: one event per line; a session is the lines sharing the session regex's first
 *       capture group (or whole match), in file order, and a line naming several sessions belongs to
 *       each ({@link SessionIds}); without a regex the file is one stream.</li>
 *   <li>{@code sessions}: one session per line, each whitespace-separated token one event (a log key).</li>
 *   <li>{@code sessions-tsv}: {@code id<TAB>label<TAB>tokens}, the label read by {@link AnomalyLabel} (0 normal, 1 anomalous).</li>
 * </ul>
 * Events are split exactly as {@code evaluate} splits them, so the anomaly threshold calibrated at
 * training is one for the events the scorer will see.
 * <ul>
 * </ul>
 */
public final class CorpusReader {

    private CorpusReader() {
    }

    /**
     * @param sessionRegex for {@code lines}: groups lines into sessions; may be null
     * @param normalOnly   keep only sessions labelled normal (sessions-tsv)
     */
    public static Corpus read(Path file, FileFormat format, Pattern sessionRegex, boolean normalOnly) throws IOException {
        return read(file, format, LineSessions.byRegex(sessionRegex), normalOnly);
    }

    /**
     * @param lines      for {@code lines}: the sessions (regex or windows) and labels of raw lines
     * @param normalOnly keep only sessions labelled normal (sessions-tsv; lines with labels: sessions with no
     *                   anomalous line)
     */
    public static Corpus read(Path file, FileFormat format, LineSessions lines, boolean normalOnly) throws IOException {
        List<List<String>> sessions = switch (format) {
            case LINES -> lines(file, lines, normalOnly);
            case SESSIONS -> sessions(file);
            case SESSIONS_TSV -> labelledSessions(file, normalOnly);
        };
        if (sessions.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no " + format.id());
        }
        return new Corpus(sessions);
    }

    private static List<List<String>> lines(Path file, LineSessions reading, boolean normalOnly) throws IOException {
        Map<String, List<String>> bySession = new LinkedHashMap<>();
        Set<String> anomalous = new HashSet<>();
        LineSessions.Line previous = null;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                LineSessions.Line read = reading.read(line, "", previous);
                previous = read.time() != null ? read : previous;
                for (String session : read.sessions()) {
                    bySession.computeIfAbsent(session, s -> new ArrayList<>()).add(line);
                    if (Boolean.TRUE.equals(read.anomalous())) {
                        anomalous.add(session);
                    }
                }
            }
        }
        if (normalOnly) {
            anomalous.forEach(bySession::remove);
        }
        return new ArrayList<>(bySession.values());
    }

    private static List<List<String>> sessions(Path file) throws IOException {
        List<List<String>> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(keys(line));
            }
        }
        return out;
    }

    private static List<String> keys(String tokens) {
        return List.of(tokens.strip().split("\\s+"));
    }

    private static List<List<String>> labelledSessions(Path file, boolean normalOnly) throws IOException {
        List<List<String>> out = new ArrayList<>();
        int number = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            String[] cols = line.split("\t", 3);
            if (cols.length < 3) {
                throw new IllegalArgumentException(file + ":" + number + ": expected id<TAB>label<TAB>tokens");
            }
            if (normalOnly && AnomalyLabel.parse(cols[1])) {
                continue;
            }
            out.add(keys(cols[2]));
        }
        return out;
    }
}
