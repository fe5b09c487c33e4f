package dev.surprisal.tokenize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Mines log templates from raw lines, online, in the spirit of Drain (He et al., ICWS 2017): a line's
 * message is masked (variables become {@code <*>}) and split on whitespace; a fixed-depth tree routes
 * it by its length and first tokens to a few candidate templates; the most similar one takes it if
 * similar enough (its differing tokens become {@code <*>}), else it starts a template of its own.
 *
 * <p>Similarity is the share of the template's constant tokens that the line repeats in place.
 * Drain's own measure also counts the template's {@code <*>} positions in the denominator, so that a
 * line of mostly variables never matches even its own template; Drain3 counts them as matches,
 * which merges any two lines that differ in their few constants. Leaving them out of both avoids
 * either.
 *
 * <p>{@link #mine} learns; {@link #match} only looks: a scorer's templates do not change under it.
 */
public final class TemplateMiner {

    public static final String WILDCARD = "<*>";
    /** Tokens after the length layer that route a line; depth 4 in Drain's terms. */
    private static final int ROUTING_TOKENS = 2;
    private static final int MAX_CHILDREN = 100;

    /**
     * A whitespace token with its variables as {@code <*>}, decided without a regular expression (an
     * alternation of patterns cost four times as much) and the same on any system: a path
     * ({@code /...}) or URL ({@code ...://...}) is a variable; so is a token of digits, hex letters and
     * separators (numbers, dates, times, IPs and ports, hex, UUIDs); in any other token each run of
     * non-letters that holds a digit is one ({@code blk_-123} → {@code blk<*>},
     * {@code size=12KB} → {@code size<*>KB}), so a key keeps its name when its value varies.
     */
    static String mask(String token) {
        if (token.startsWith("/") || token.contains("://")) {
            return WILDCARD;
        }
        boolean digit = false;
        boolean hexLike = true;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            digit |= c >= '0' && c <= '9';
            hexLike &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == 'x' || c == 'X' || c == '.' || c == ':' || c == '-' || c == '_' || c == '/';
        }
        if (!digit) {
            return token;
        }
        if (hexLike) {
            return WILDCARD;
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
            out.append(runDigit ? WILDCARD : token.substring(start, i));
        }
        return out.toString();
    }

    public static final double DEFAULT_SIMILARITY = 0.7;

    private final LogFormat format;
    /** The user's own variable patterns, or null. */
    private final Pattern masks;
    private final double similarity;
    private final Node root = new Node();
    private final List<Template> templates = new ArrayList<>();

    /** A template: its tokens ({@code <*>} for variables) and how many lines it has taken. */
    public static final class Template {
        private final int id;
        private final String[] tokens;
        private long lines;

        Template(int id, String[] tokens) {
            this.id = id;
            this.tokens = tokens;
        }

        public int id() {
            return id;
        }

        public long lines() {
            return lines;
        }

        public String text() {
            return String.join(" ", tokens);
        }

        /** The line's own tokens where this template has a variable. */
        public List<String> values(String[] raw) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < Math.min(raw.length, tokens.length); i++) {
                if (!tokens[i].equals(raw[i])) {
                    out.add(raw[i]);
                }
            }
            return out;
        }
    }

    private static final class Node {
        final Map<String, Node> children = new HashMap<>();
        final List<Template> templates = new ArrayList<>();
    }

    /**
     * @param format     splits off the header; null finds it (see {@link LogHeader})
     * @param extraMasks the user's own variable patterns (regular expressions), masked before the
     *                   built-in per-token rules
     * @param similarity share of a template's constant tokens a line must repeat to join it
     */
    public TemplateMiner(LogFormat format, List<String> extraMasks, double similarity) {
        if (!(similarity > 0 && similarity <= 1)) {
            throw new IllegalArgumentException("similarity must be in (0, 1], was " + similarity);
        }
        this.format = format;
        this.masks = extraMasks.isEmpty() ? null
                : Pattern.compile(String.join("|", extraMasks.stream().map(m -> "(?:" + m + ")").toList()));
        this.similarity = similarity;
    }

    /**
     * A miner that knows these templates, as a saved tokenizer is rebuilt: each is routed by its own
     * tokens, so a line that fits one finds it.
     */
    public static TemplateMiner of(TemplateSettings settings, List<String> templateTexts) {
        TemplateMiner miner = new TemplateMiner(settings.logFormat() == null ? null : LogFormat.parse(settings.logFormat()),
                settings.masks(), settings.similarity());
        for (String text : templateTexts) {
            String[] tokens = text.isEmpty() ? new String[0] : text.split(" ");
            Template t = new Template(miner.templates.size(), tokens);
            miner.templates.add(t);
            miner.leaf(tokens, true).templates.add(t);
        }
        return miner;
    }

    public static TemplateMiner of(TemplateSettings settings) {
        return of(settings, List.of());
    }

    public static TemplateMiner withDefaults(LogFormat format) {
        return new TemplateMiner(format, List.of(), DEFAULT_SIMILARITY);
    }

    /** The template the line joins, created or generalised as needed. */
    public Template mine(String line) {
        String[] tokens = tokens(line);
        Node leaf = leaf(tokens, true);
        Template best = closest(leaf, tokens);
        if (best == null) {
            best = new Template(templates.size(), tokens);
            templates.add(best);
            leaf.templates.add(best);
        } else {
            for (int i = 0; i < tokens.length; i++) {
                if (!best.tokens[i].equals(tokens[i])) {
                    best.tokens[i] = WILDCARD;
                }
            }
        }
        best.lines++;
        return best;
    }

    /** The known template the line fits, or null: nothing is learnt. */
    public Template match(String line) {
        String[] tokens = tokens(line);
        Node leaf = leaf(tokens, false);
        return leaf == null ? null : closest(leaf, tokens);
    }

    public List<Template> templates() {
        return List.copyOf(templates);
    }

    /** The line's message split on whitespace, before the built-in rules: the values the template masks. */
    String[] rawTokens(String line) {
        String content = format == null ? LogHeader.content(line) : format.content(line);
        if (masks != null) {
            content = masks.matcher(content).replaceAll(WILDCARD);
        }
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
        return out.toArray(new String[0]);
    }

    /** The line's message, split on whitespace, variables as {@code <*>}: position for position its raw tokens. */
    String[] tokens(String line) {
        String[] tokens = rawTokens(line);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = mask(tokens[i]);
        }
        return tokens;
    }

    /** Length, then the first tokens; a crowded node sends newcomers down its wildcard branch. */
    private Node leaf(String[] tokens, boolean create) {
        Node node = child(root, Integer.toString(tokens.length), create);
        for (int depth = 0; node != null && depth < Math.min(ROUTING_TOKENS, tokens.length); depth++) {
            String key = tokens[depth];
            if (!node.children.containsKey(key) && (!create || node.children.size() >= MAX_CHILDREN)) {
                key = WILDCARD;
            }
            node = child(node, key, create);
        }
        return node;
    }

    private static Node child(Node node, String key, boolean create) {
        return create ? node.children.computeIfAbsent(key, k -> new Node()) : node.children.get(key);
    }

    private Template closest(Node leaf, String[] tokens) {
        Template best = null;
        double bestScore = -1;
        for (Template t : leaf.templates) {
            int constants = 0;
            int same = 0;
            for (int i = 0; i < tokens.length; i++) {
                if (!t.tokens[i].equals(WILDCARD)) {
                    constants++;
                    same += t.tokens[i].equals(tokens[i]) ? 1 : 0;
                }
            }
            double score = constants == 0 ? 1 : (double) same / constants;
            if (score > bestScore) {
                bestScore = score;
                best = t;
            }
        }
        return bestScore >= similarity ? best : null;
    }
}
