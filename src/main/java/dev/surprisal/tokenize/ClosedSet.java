package dev.surprisal.tokenize;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which words may be a template's constants though its lines differ there, and whether a position's
 * words are such a closed set: a few words that each keep recurring ({@code started} / {@code stopped},
 * {@code GET} / {@code PUT}, {@code LOOKING} / {@code LEADING}) rather than words that keep coming.
 */
final class ClosedSet {

    /** At most this many distinct words; a state, a method or a protocol has a handful. */
    static final int MAX_WORDS = 8;
    /** Words seen once may make up at most this share of the lines: more, and new words keep coming. */
    static final double MAX_ONCE = 0.1;

    /** Words that name what follows them: the word after is a name, a variable however few. */
    private static final Set<String> NAMING = Set.of("user", "for", "username", "login");
    /** Parts of a date, and units, whose word changes with the value beside it; and a program's literals. */
    private static final Set<String> VALUE_WORDS = Set.of("true", "false", "null", "nil", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb",
            "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "am", "pm", "b", "kb", "mb", "gb", "tb",
            "kib", "mib", "gib", "tib", "k", "m", "g", "ms", "s", "us", "ns");

    private ClosedSet() {
    }

    /**
     * Whether {@code token}, after {@code previous} (null at the start), is a word that may be a constant: a
     * plain word, or a name with a version ({@code SOCKS5}, {@code ssh2}: one number, after its letters).
     * A key's value ({@code database=app}) and a quoted string ({@code "bench.public.accounts"}) are values
     * whatever they hold.
     */
    static boolean candidate(String previous, String token) {
        token = token.substring(TokenMasks.textStart(token));
        if (quoted(token)) {
            return false;
        }
        int variable = token.indexOf(TemplateMiner.WILDCARD);
        if (variable >= 0 && (variable == 0 || !Character.isLetter(token.charAt(variable - 1))
                || token.indexOf(TemplateMiner.WILDCARD, variable + 1) >= 0)) {
            return false;
        }
        String core = core(token.replace(TemplateMiner.WILDCARD, ""));
        if (core.isEmpty() || VALUE_WORDS.contains(core.toLowerCase(Locale.ROOT))) {
            return false;
        }
        for (int i = 0; i < core.length(); i++) {
            char c = core.charAt(i);
            if (!Character.isLetter(c) && !(i > 0 && "-_'.".indexOf(c) >= 0)) {
                return false;
            }
        }
        return previous == null || !NAMING.contains(core(previous).toLowerCase(Locale.ROOT));
    }

    /** {@code "name"}, {@code 'name':}, {@code `name`,}: the whole token within one kind of quote. */
    private static boolean quoted(String token) {
        int to = token.length();
        while (to > 1 && ",;:.!?)]}".indexOf(token.charAt(to - 1)) >= 0) {
            to--;
        }
        int from = 0;
        while (from < to && "([{".indexOf(token.charAt(from)) >= 0) {
            from++;
        }
        return to - from >= 2 && "\"'`".indexOf(token.charAt(from)) >= 0 && token.charAt(to - 1) == token.charAt(from);
    }

    static boolean closed(Map<String, Long> words) {
        long lines = 0;
        long once = 0;
        for (long n : words.values()) {
            lines += n;
            once += n == 1 ? 1 : 0;
        }
        return words.size() <= MAX_WORDS && once <= MAX_ONCE * lines;
    }

    /** The token without the punctuation that wraps it. */
    private static String core(String token) {
        int from = 0;
        int to = token.length();
        while (from < to && "([{<\"'`".indexOf(token.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && ")]}>\"'`,;:.!?=".indexOf(token.charAt(to - 1)) >= 0) {
            to--;
        }
        return token.substring(from, to);
    }
}
