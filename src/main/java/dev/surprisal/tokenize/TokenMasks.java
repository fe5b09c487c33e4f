package dev.surprisal.tokenize;


/**
 * What a token of a log line is: a variable ({@code <*>}) or a word, decided by its look alone, the same
 * on any system. The template miner masks each token with it before it routes and compares lines.
 */
final class TokenMasks {

    private TokenMasks() {
    }

    /**
     * A whitespace token with its variables as {@code <*>}, decided by what the token is and the same on
     * any system, without a regular expression (an alternation of patterns cost four times as much).
     * Punctuation that wraps a value stays: {@code (uid=0)} is {@code (uid=<*>)}, {@code [sweep.c:1455]:}
     * is {@code [sweep.c:<*>]:}. A variable is a path ({@code /...}) or URL ({@code ...://...}); a run
     * of digits, hex letters and separators (numbers, dates, times, IPs, hex, UUIDs); a host or IP with
     * a port ({@code proxy.example.org:5070}); a number with a unit ({@code 12KB}, {@code 5ms},
     * {@code 80%}); a {@code key=value}'s value when it holds a digit; and, in any other token, each
     * number ({@code blk_-123} is {@code blk_<*>}), so a name keeps its words when its value varies.
     */
    static String mask(String token) {
        return mask(token, TemplateSettings.SECOND_RULES);
    }

    /**
     * Under {@link TemplateSettings#RULES} three more: a run of hex digits with letters in it is one value
     * ({@code @0x7fe3a9c0d2b0} is {@code @<*>}, not six), an approximate number ({@code <1},
     * {@code >100}, {@code ~5}) is a value like the number it stands for, and a key's value is a value
     * whatever it holds ({@code database=app} is {@code database=<*>}, {@code d="4 ms"} is {@code d=<*>}),
     * unless the key holds the message ({@code msg=}) or the quoted value goes on past the token.
     */
    static String mask(String token, int rules) {
        boolean third = rules >= TemplateSettings.RULES;
        if (third && approximate(token)) {
            return TemplateMiner.WILDCARD;
        }
        int from = 0;
        int to = token.length();
        while (from < to && OPENERS.indexOf(token.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && CLOSERS.indexOf(token.charAt(to - 1)) >= 0 && !(third && closesInside(token, from, to))) {
            to--;
        }
        String core = token.substring(from, to);
        if (path(core)) {
            return token.substring(0, from) + TemplateMiner.WILDCARD + token.substring(to);
        }
        int equals = core.indexOf('=');
        if (third && equals > 0 && equals < core.length() - 1 && key(core, equals) && !messageKey(core, equals)) {
            char quote = core.charAt(equals + 1);
            boolean quoted = quote == '"' || quote == '\'';
            int close = quoted ? token.indexOf(quote, from + equals + 2) : -1;
            // a key's value is a value whatever it holds (database=app as database=5), quotes and all
            // (d="414µs" as d=5ms); a quote that closes in a later token (err="no such host") starts text
            if (!quoted || close >= 0) {
                return token.substring(0, from + equals + 1) + TemplateMiner.WILDCARD
                        + token.substring(quoted ? close + 1 : to);
            }
        }
        if (!hasDigit(core, 0)) {
            return token;
        }
        if (hexLike(core) || hostWithPort(core) || numberWithUnit(core)) {
            return token.substring(0, from) + TemplateMiner.WILDCARD + token.substring(to);
        }
        StringBuilder out = new StringBuilder(token.length()).append(token, 0, from);
        if (equals > 0 && hasDigit(core, equals + 1)) {
            return numbersMasked(token, from, from + equals + 1, out, third).append(TemplateMiner.WILDCARD)
                    .append(token, to, token.length()).toString();
        }
        return numbersMasked(token, from, to, out, third).append(token, to, token.length()).toString();
    }

    /** Whether {@code core[0, equals)} is a key: letters, digits, {@code _ . -}, starting with a letter. */
    private static boolean key(String core, int equals) {
        if (!Character.isLetter(core.charAt(0))) {
            return false;
        }
        for (int i = 1; i < equals; i++) {
            char c = core.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '_' && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /**
     * Where the text of a quoted value that goes on past the token starts: 5 in {@code msg="Calling} and
     * {@code err="no}, whose first word routes a line and may be a constant as the first word of any
     * message is; 0 in any other token.
     */
    static int textStart(String token) {
        int equals = token.indexOf('=');
        if (equals <= 0 || equals + 2 > token.length() || !key(token, equals)) {
            return 0;
        }
        char quote = token.charAt(equals + 1);
        return (quote == '"' || quote == '\'') && token.indexOf(quote, equals + 2) < 0 ? equals + 2 : 0;
    }

    /** Whether the bracket at {@code to - 1} closes one opened after {@code from}: {@code /a/{name}} keeps its brace. */
    private static boolean closesInside(String token, int from, int to) {
        int opener = "([{<".charAt(Math.max(0, ")]}>".indexOf(token.charAt(to - 1))));
        return ")]}>".indexOf(token.charAt(to - 1)) >= 0 && token.lastIndexOf(opener, to - 2) >= from;
    }

    /** {@code msg=} and {@code message=} (logfmt's, logrus's, zap's) hold the line's message, not a value. */
    private static boolean messageKey(String core, int equals) {
        return core.regionMatches(true, 0, "msg", 0, equals) && equals == 3
                || core.regionMatches(true, 0, "message", 0, equals) && equals == 7;
    }

    /** {@code <1}, {@code >=100}, {@code ~5}: a comparison or a tilde, then a number and nothing else. */
    static boolean approximate(String token) {
        int i = 0;
        while (i < token.length() && i < 2 && "<>~=".indexOf(token.charAt(i)) >= 0) {
            i++;
        }
        return i > 0 && i < token.length() && numberEnd(token, i, token.length()) == token.length();
    }

    /** {@code s[from, to)} onto {@code out} with each number (and, with {@code hexRuns}, each hex value) as {@code <*>}. */
    private static StringBuilder numbersMasked(String s, int from, int to, StringBuilder out, boolean hexRuns) {
        int i = from;
        while (i < to) {
            int end = hexRuns ? hexRunEnd(s, i, to) : i;
            if (end == i) {
                end = numberEnd(s, i, to);
            }
            if (end > i) {
                out.append(TemplateMiner.WILDCARD);
                i = end;
            } else {
                out.append(s.charAt(i++));
            }
        }
        return out;
    }

    /**
     * Where a hex value starting at {@code i} ends ({@code i} if none starts there): a run of letters and
     * digits that begins the token or follows a non-alphanumeric, is all hex digits, holds a digit and
     * is {@code 0x}-prefixed or at least eight long with a letter, so that {@code 7fe3a9c0} is a value and {@code dead1}
     * a word with a number.
     */
    private static int hexRunEnd(String s, int i, int to) {
        if (i > 0 && Character.isLetterOrDigit(s.charAt(i - 1))) {
            return i;
        }
        int j = i;
        boolean digit = false;
        boolean letter = false;
        boolean hex = true;
        while (j < to && Character.isLetterOrDigit(s.charAt(j))) {
            char c = s.charAt(j);
            digit |= Character.isDigit(c);
            letter |= Character.isLetter(c);
            hex &= Character.digit(c, 16) >= 0 || (j == i + 1 && (c == 'x' || c == 'X') && s.charAt(i) == '0');
            j++;
        }
        boolean prefixed = j - i > 2 && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X');
        return hex && digit && (prefixed || (letter && j - i >= 8)) ? j : i;
    }

    /** A Unix path, a Windows one ({@code C:\\...}, {@code \\\\server\\...}) or a URL. */
    private static boolean path(String core) {
        return core.startsWith("/") || core.contains("://") || core.startsWith("\\\\")
                || (core.length() > 2 && Character.isLetter(core.charAt(0)) && core.charAt(1) == ':'
                && core.charAt(2) == '\\');
    }

    /** Digits, hex letters and separators only: numbers, dates, times, IPs, hex, UUIDs. */
    static boolean hexLike(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == 'x' || c == 'X' || c == '.' || c == ':' || c == '-' || c == '_' || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static boolean hasDigit(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static final String OPENERS = "([{<\"'`";
    private static final String CLOSERS = ")]}>\"'`,;:.!?";

    /** Where a number starting at {@code i} ends ({@code i} if none starts there): a sign, digits, and digits after . , : */
    private static int numberEnd(String s, int i, int to) {
        int j = i;
        if (j < to && (s.charAt(j) == '-' || s.charAt(j) == '+') && (j == 0 || !Character.isLetterOrDigit(s.charAt(j - 1)))) {
            j++;
        }
        if (j >= to || !Character.isDigit(s.charAt(j))) {
            return i;
        }
        while (j < to) {
            char c = s.charAt(j);
            if (Character.isDigit(c)) {
                j++;
            } else if ((c == '.' || c == ',' || c == ':') && j + 1 < to && Character.isDigit(s.charAt(j + 1))) {
                j += 2;
            } else {
                break;
            }
        }
        return j;
    }

    /**
     * {@code name.example.org:5070}, {@code 10.0.0.1:22}: dot-separated labels of letters, digits and
     * dashes, then a port. A source file and line ({@code sweep.c:1455}, {@code Main.java:42}) is not
     * a host: its last label is a language's extension.
     */
    private static boolean hostWithPort(String core) {
        int colon = core.lastIndexOf(':');
        int dot = core.lastIndexOf('.', colon);
        if (colon <= 0 || colon == core.length() - 1 || dot <= 0 || dot == colon - 1) {
            return false;
        }
        for (int i = colon + 1; i < core.length(); i++) {
            if (!Character.isDigit(core.charAt(i))) {
                return false;
            }
        }
        for (int i = 0; i < colon; i++) {
            char c = core.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '.' && c != '-') {
                return false;
            }
        }
        return !SOURCE_EXTENSIONS.contains(core.substring(dot + 1, colon).toLowerCase(java.util.Locale.ROOT));
    }

    private static final java.util.Set<String> SOURCE_EXTENSIONS = java.util.Set.of("c", "h", "cc", "cpp", "hpp",
            "java", "kt", "scala", "py", "go", "rs", "js", "ts", "rb", "cs", "m", "swift", "php", "pl", "sh");

    /** {@code 12KB}, {@code 3.5s}, {@code -4dB}, {@code 80%}: a number followed by at most three unit letters. */
    private static boolean numberWithUnit(String core) {
        int end = numberEnd(core, 0, core.length());
        if (end == 0 || end == core.length() || core.length() - end > 3) {
            return false;
        }
        for (int i = end; i < core.length(); i++) {
            char c = core.charAt(i);
            if (!Character.isLetter(c) && c != '%') {
                return false;
            }
        }
        return true;
    }
}
