package dev.surprisal.tokenize;

import java.util.Locale;
import java.util.Set;

/**
 * Finds where a log line's message starts when no layout is given: past a leading run of header
 * tokens (wholly numeric tokens such as dates, times and pids; month and day names; levels;
 * punctuation), then past a host and a {@code component:} token when one of the next two ends with
 * a colon. Common layouts (syslog, log4j, Apache, HDFS, Spark) come out right; a line with no such
 * header is its own message.
 */
final class LogHeader {

    private static final int MAX_HEADER_TOKENS = 12;
    private static final Set<String> WORDS = Set.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
            "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "trace", "debug", "info", "notice",
            "warn", "warning", "error", "err", "severe", "fatal", "crit", "critical", "alert", "emerg");

    private LogHeader() {
    }

    /** The message part of a line. */
    static String content(String line) {
        int at = 0;
        int tokens = 0;
        int n = line.length();
        while (tokens < MAX_HEADER_TOKENS) {
            int start = skipSpace(line, at);
            int end = tokenEnd(line, start);
            if (start == end || !isHeader(line.substring(start, end))) {
                break;
            }
            at = end;
            tokens++;
        }
        if (tokens == 0) {
            return line;
        }
        // a host and a component, as in "combo sshd(pam_unix)[19939]:" or "dfs.DataNode$PacketResponder:"
        int probe = at;
        for (int i = 0; i < 2; i++) {
            int start = skipSpace(line, probe);
            int end = tokenEnd(line, start);
            if (start == end) {
                break;
            }
            if (line.charAt(end - 1) == ':') {
                at = end;
                break;
            }
            probe = end;
        }
        String content = line.substring(skipSpace(line, at), n);
        return content.isEmpty() ? line : content;
    }

    private static boolean isHeader(String token) {
        int from = 0;
        int to = token.length();
        while (from < to && "[(<".indexOf(token.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && "])>,:".indexOf(token.charAt(to - 1)) >= 0) {
            to--;
        }
        String bare = token.substring(from, to);
        if (bare.isEmpty()) {
            return true;
        }
        if (WORDS.contains(bare.toLowerCase(Locale.ROOT))) {
            return true;
        }
        return TemplateMiner.WILDCARD.equals(FirstMasking.mask(token)); // the rules it was written with, for every model
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int tokenEnd(String s, int i) {
        while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
