package dev.surprisal.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A message split on whitespace, each token with its variables masked ({@link TokenMasks}), position for
 * position with the raw token it stands for. Since the second rules a list of values of one kind (ids,
 * addresses: the same masked token again and again) is one variable, so that a line with three blocks and
 * one with thirty are one template; its raw token is the list. The third rules keep a value's optional
 * parts with it: {@code 4096 bytes (4 KB)} is {@code <*> bytes} as {@code 512 bytes} is, and
 * {@code <1 sec} is one value as {@code 00:02} is.
 */
record MaskedLine(String[] raw, String[] masked) {

    private static final Set<String> TIME_UNITS = Set.of("s", "sec", "secs", "second", "seconds", "ms", "msec", "msecs",
            "millis", "milliseconds", "us", "µs", "microseconds", "ns", "nanoseconds", "min", "mins", "minute",
            "minutes", "h", "hr", "hrs", "hour", "hours");
    private static final String CLOSERS = ")]}>\"'`,;:.!?";

    static MaskedLine of(String content, int rules) {
        List<String> tokens = whitespaceTokens(content);
        List<String> raw = new ArrayList<>();
        List<String> masked = new ArrayList<>();
        boolean third = rules >= TemplateSettings.RULES;
        for (int t = 0; t < tokens.size(); t++) {
            String token = tokens.get(t);
            int last = masked.size() - 1;
            if (third && last >= 0) {
                int group = valueGroupEnd(tokens, t);
                if (group > t) {
                    String closing = tokens.get(group - 1);
                    char close = token.charAt(0) == '(' ? ')' : ']';
                    raw.set(last, raw.get(last) + " " + String.join(" ", tokens.subList(t, group)));
                    masked.set(last, masked.get(last) + closing.substring(closing.lastIndexOf(close) + 1));
                    t = group - 1;
                    continue;
                }
                if (masked.get(last).equals(TemplateMiner.WILDCARD) && TIME_UNITS.contains(stripClosers(token))) {
                    raw.set(last, raw.get(last) + " " + token);
                    masked.set(last, TemplateMiner.WILDCARD + token.substring(stripClosers(token).length()));
                    continue;
                }
            }
            String mask = rules == TemplateSettings.FIRST_RULES ? FirstMasking.mask(token) : TokenMasks.mask(token, rules);
            if (rules != TemplateSettings.FIRST_RULES && last >= 0 && mask.contains(TemplateMiner.WILDCARD)
                    && mask.equals(masked.get(last))) {
                raw.set(last, raw.get(last) + " " + token);
            } else {
                raw.add(token);
                masked.add(mask);
            }
        }
        return new MaskedLine(raw.toArray(new String[0]), masked.toArray(new String[0]));
    }

    private static List<String> whitespaceTokens(String content) {
        List<String> out = new ArrayList<>();
        int n = content.length();
        int i = 0;
        while (i < n) {
            while (i < n && Character.isWhitespace(content.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(content.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(content.substring(start, i));
            }
        }
        return out;
    }

    /**
     * The end of a bracketed restatement of the value before it, starting at token {@code t}: {@code (4 KB)},
     * {@code [1.16 MB],}, {@code (4KB)}: a number, maybe a unit; or {@code t} when none starts there.
     */
    private static int valueGroupEnd(List<String> tokens, int t) {
        String first = tokens.get(t);
        if (first.length() < 2 || (first.charAt(0) != '(' && first.charAt(0) != '[')) {
            return t;
        }
        char close = first.charAt(0) == '(' ? ')' : ']';
        for (int end = t; end < Math.min(tokens.size(), t + 2); end++) {
            String token = tokens.get(end);
            int closeAt = token.indexOf(close);
            if (closeAt >= 0) {
                if (token.length() - closeAt - 1 != trailingClosers(token, closeAt + 1)) {
                    return t;
                }
                String inside = String.join(" ", tokens.subList(t, end + 1));
                inside = inside.substring(1, inside.length() - (token.length() - closeAt));
                return numberWithUnit(inside) ? end + 1 : t;
            }
        }
        return t;
    }

    /** {@code 4}, {@code 1.16 KB}, {@code 4KB}, {@code 80 %}: a value, then maybe a short unit. */
    private static boolean numberWithUnit(String inside) {
        String[] parts = inside.split(" ");
        if (parts.length > 2 || !TokenMasks.mask(parts[0], TemplateSettings.RULES).equals(TemplateMiner.WILDCARD)) {
            return false;
        }
        return parts.length == 1 || (parts[1].length() <= 5 && parts[1].chars().allMatch(c -> Character.isLetter(c) || c == '%'));
    }

    /** How many of {@code token}'s characters from {@code from} on are closing punctuation, counted from the end. */
    private static int trailingClosers(String token, int from) {
        int n = 0;
        while (token.length() - n > from && CLOSERS.indexOf(token.charAt(token.length() - n - 1)) >= 0) {
            n++;
        }
        return n;
    }

    private static String stripClosers(String token) {
        return token.substring(0, token.length() - trailingClosers(token, 0));
    }
}
