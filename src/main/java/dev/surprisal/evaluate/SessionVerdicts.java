package dev.surprisal.evaluate;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Every replayed session's verdict, one tab-separated line each, in input order: what a user joins
 * with labels of their own, or sweeps for an operating point the report does not show.
 */
public final class SessionVerdicts {

    static final String HEADER = "session\tlabel\tevents\ttokens\tbits\tmaxEventPerplexity\tworstRank\tanomalyScore\tflagged";

    private SessionVerdicts() {
    }

    public static void write(Path file, List<Replayer.SessionResult> results) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(HEADER);
            out.write('\n');
            for (Replayer.SessionResult r : results) {
                out.write(line(r));
                out.write('\n');
            }
        }
    }

    static String line(Replayer.SessionResult r) {
        Boolean label = r.session().label();
        // a tab or line break in a session id would shift the columns
        String id = r.session().id().replaceAll("[\\t\\r\\n]", " ");
        return String.format(Locale.ROOT, "%s\t%s\t%d\t%d\t%.4f\t%.6g\t%d\t%.6g\t%d", id,
                label == null ? "" : label ? "1" : "0", r.events().size(),
                r.events().stream().mapToInt(Replayer.EventResult::tokens).sum(),
                r.events().stream().mapToDouble(Replayer.EventResult::totalBits).sum(), r.maxPerplexity(),
                r.worstRank(), r.anomalyScore(), r.flagged() ? 1 : 0);
    }
}
