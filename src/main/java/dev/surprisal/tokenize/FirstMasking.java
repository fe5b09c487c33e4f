package dev.surprisal.tokenize;

/**
 * The masking rules of template models trained before 0.1 (settings {@code rules} 1), kept so that
 * their saved templates still match the lines they were mined from: a path or URL is a variable, so
 * is a token of digits, hex letters and separators, and in any other token each run of non-letters
 * that holds a digit ({@code blk_-123} is {@code blk<*>}). Those models also route on any token.
 */
final class FirstMasking {

    private FirstMasking() {
    }

    static String mask(String token) {
        if (token.startsWith("/") || token.contains("://")) {
            return TemplateMiner.WILDCARD;
        }
        if (!TokenMasks.hasDigit(token, 0)) {
            return token;
        }
        if (TokenMasks.hexLike(token)) {
            return TemplateMiner.WILDCARD;
        }
        StringBuilder out = new StringBuilder(token.length());
        int i = 0;
        while (i < token.length()) {
            if (Character.isLetter(token.charAt(i))) {
                out.append(token.charAt(i++));
                continue;
            }
            int start = i;
            boolean runDigit = false;
            while (i < token.length() && !Character.isLetter(token.charAt(i))) {
                runDigit |= Character.isDigit(token.charAt(i));
                i++;
            }
            out.append(runDigit ? TemplateMiner.WILDCARD : token.substring(start, i));
        }
        return out.toString();
    }
}
