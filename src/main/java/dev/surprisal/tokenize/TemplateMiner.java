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

    public static final double DEFAULT_SIMILARITY = 0.7;

    private final LogFormat format;
    /** The user's own variable patterns, or null. */
    private final Pattern masks;
    private final double similarity;
    /** Which masking and routing rules ({@link TemplateSettings#rules()}). */
    private final int rules;
    private final Node root = new Node();
    private final List<Template> templates = new ArrayList<>();

    /** A template: its tokens ({@code <*>} for variables) and how many lines it has taken. */
    public static final class Template {
        private final int id;
        private final String[] tokens;
        private final Node leaf;
        private long lines;
        /** The words its lines held where they differ, while mining under the third rules. */
        private PositionValues values;

        Template(int id, String[] tokens, Node leaf) {
            this.id = id;
            this.tokens = tokens;
            this.leaf = leaf;
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
        this(format, extraMasks, similarity, TemplateSettings.RULES);
    }

    TemplateMiner(LogFormat format, List<String> extraMasks, double similarity, int rules) {
        if (!(similarity > 0 && similarity <= 1)) {
            throw new IllegalArgumentException("similarity must be in (0, 1], was " + similarity);
        }
        this.format = format;
        this.masks = extraMasks.isEmpty() ? null
                : Pattern.compile(String.join("|", extraMasks.stream().map(m -> "(?:" + m + ")").toList()));
        this.similarity = similarity;
        this.rules = rules;
    }

    /**
     * A miner that knows these templates, as a saved tokenizer is rebuilt: each is routed by its own
     * tokens, so a line that fits one finds it.
     */
    public static TemplateMiner of(TemplateSettings settings, List<String> templateTexts) {
        TemplateMiner miner = new TemplateMiner(settings.logFormat() == null ? null : LogFormat.parse(settings.logFormat()),
                settings.masks(), settings.similarity(), settings.rules());
        templateTexts.forEach(miner::add);
        return miner;
    }

    /** Adds a template mined elsewhere (a saved model, another scorer), routed by its own tokens. */
    public Template add(String text) {
        String[] tokens = text.isEmpty() ? new String[0] : text.split(" ");
        return newTemplate(tokens, templates.size(), leaf(tokens, true));
    }

    /** A template of these tokens under this id in this leaf, a new one or one that replaces the template of that id. */
    private Template newTemplate(String[] tokens, int id, Node leaf) {
        Template t = new Template(id, tokens, leaf);
        if (id == templates.size()) {
            templates.add(t);
        } else {
            templates.set(id, t);
        }
        leaf.templates.add(t);
        return t;
    }

    /** Makes {@code t} variable wherever {@code text}, the same template mined elsewhere, is. */
    public static void widen(Template t, String text) {
        String[] other = text.isEmpty() ? new String[0] : text.split(" ");
        if (other.length == t.tokens.length) {
            for (int i = 0; i < other.length; i++) {
                if (other[i].equals(WILDCARD)) {
                    t.tokens[i] = WILDCARD;
                }
            }
        }
    }

    public static TemplateMiner of(TemplateSettings settings) {
        return of(settings, List.of());
    }

    public static TemplateMiner withDefaults(LogFormat format) {
        return new TemplateMiner(format, List.of(), DEFAULT_SIMILARITY);
    }

    /** The template the line joins, created or generalised as needed. */
    public Template mine(String line) {
        MaskedLine split = split(line);
        String[] tokens = split.masked();
        Node leaf = leaf(tokens, true);
        Template best = closest(leaf, tokens, false);
        if (best == null) {
            best = newTemplate(tokens, templates.size(), leaf);
        } else {
            boolean third = rules >= TemplateSettings.RULES;
            for (int i = 0; i < tokens.length; i++) {
                if (!best.tokens[i].equals(tokens[i]) && !best.tokens[i].equals(WILDCARD)) {
                    String previous = i == 0 ? null : tokens[i - 1];
                    if (third && ClosedSet.candidate(previous, best.tokens[i]) && ClosedSet.candidate(previous, tokens[i])) {
                        if (best.values == null) {
                            best.values = new PositionValues();
                        }
                        best.values.start(i, best.tokens[i], best.lines);
                    }
                    best.tokens[i] = WILDCARD;
                }
            }
            if (best.values != null) {
                best.values.count(tokens, split.raw());
            }
        }
        best.lines++;
        return best;
    }

    /**
     * Ends mining under the third rules: a position whose lines held a few words that kept recurring is
     * a constant, and its template becomes one template per word (per combination, for several such
     * positions); the commonest keeps the template's id. A position whose words kept coming stays a
     * variable. Lines mined after this count afresh.
     */
    public void settle() {
        int mined = templates.size();
        for (int id = 0; id < mined; id++) {
            Template t = templates.get(id);
            PositionValues values = t.values;
            t.values = null;
            if (values == null) {
                continue;
            }
            List<Integer> closed = new ArrayList<>();
            for (int i = 0; i < values.positions().size(); i++) {
                if (ClosedSet.closed(values.words(i))) {
                    closed.add(i);
                }
            }
            if (closed.isEmpty()) {
                continue;
            }
            List<Map.Entry<List<String>, Long>> words = new ArrayList<>(values.combinationsOver(closed).entrySet());
            words.sort(Map.Entry.<List<String>, Long>comparingByValue().reversed()
                    .thenComparing(e -> String.join(" ", e.getKey())));
            t.leaf.templates.remove(t);
            for (int w = 0; w < words.size(); w++) {
                String[] tokens = t.tokens.clone();
                for (int c = 0; c < closed.size(); c++) {
                    tokens[values.positions().get(closed.get(c))] = words.get(w).getKey().get(c);
                }
                newTemplate(tokens, w == 0 ? t.id : templates.size(), t.leaf).lines = words.get(w).getValue();
            }
        }
    }

    /**
     * The known template the line fits, or null: nothing is learnt. Under the third rules a line whose
     * word differs from a template's constant word is not that template: the word was the same on every
     * line it was mined from.
     */
    public Template match(String line) {
        String[] tokens = tokens(line);
        Node leaf = leaf(tokens, false);
        return leaf == null ? null : closest(leaf, tokens, rules >= TemplateSettings.RULES);
    }

    public List<Template> templates() {
        return List.copyOf(templates);
    }

    /** The line's message split on whitespace, as the template masks it: its values, one per variable. */
    String[] rawTokens(String line) {
        return split(line).raw();
    }

    /** The line's message, split on whitespace, variables as {@code <*>}: position for position its raw tokens. */
    String[] tokens(String line) {
        return split(line).masked();
    }

    private MaskedLine split(String line) {
        String content = format == null ? LogHeader.content(line) : format.content(line);
        if (masks != null) {
            content = masks.matcher(content).replaceAll(WILDCARD);
        }
        return MaskedLine.of(content, rules);
    }

    /** Length, then the first tokens; a crowded node sends newcomers down its wildcard branch. */
    private Node leaf(String[] tokens, boolean create) {
        Node node = child(root, Integer.toString(tokens.length), create);
        for (int depth = 0; node != null && depth < Math.min(ROUTING_TOKENS, tokens.length); depth++) {
            String word = rules >= TemplateSettings.RULES ? tokens[depth].substring(TokenMasks.textStart(tokens[depth]))
                    : tokens[depth];
            String key = rules == TemplateSettings.FIRST_RULES || routable(word) ? tokens[depth] : WILDCARD;
            if (!node.children.containsKey(key) && (!create || node.children.size() >= MAX_CHILDREN)) {
                key = WILDCARD;
            }
            node = child(node, key, create);
        }
        return node;
    }

    /**
     * Whether a token may route a line: a plain word (letters, with {@code - _ '} inside, maybe a
     * trailing {@code :} or {@code ,}) or a function's name ({@code save()}). Anything else may be a value that varies (a program, host or
     * file name, a name with a number): routed on, each value would be a branch of its own that no
     * later line of the same template could reach.
     */
    static boolean routable(String token) {
        int n = token.length();
        if (n > 1 && (token.charAt(n - 1) == ':' || token.charAt(n - 1) == ',')) {
            n--;
        }
        if (n > 2 && token.startsWith("()", n - 2)) {
            n -= 2; // a function's name
        }
        for (int i = 0; i < n; i++) {
            char c = token.charAt(i);
            if (!Character.isLetter(c) && !(i > 0 && (c == '-' || c == '_' || c == '\''))) {
                return false;
            }
        }
        return n > 0;
    }

    private static Node child(Node node, String key, boolean create) {
        return create ? node.children.computeIfAbsent(key, k -> new Node()) : node.children.get(key);
    }

    /** The most similar template, the one with more constants of two as similar; {@code wordsExact}: no word may differ. */
    private Template closest(Node leaf, String[] tokens, boolean wordsExact) {
        Template best = null;
        double bestScore = -1;
        int bestConstants = -1;
        candidates:
        for (Template t : leaf.templates) {
            int constants = 0;
            int same = 0;
            for (int i = 0; i < tokens.length; i++) {
                if (!t.tokens[i].equals(WILDCARD)) {
                    constants++;
                    if (t.tokens[i].equals(tokens[i])) {
                        same++;
                    } else if (wordsExact && ClosedSet.candidate(i == 0 ? null : t.tokens[i - 1], t.tokens[i])) {
                        continue candidates;
                    }
                }
            }
            double score = constants == 0 ? 1 : (double) same / constants;
            if (score > bestScore || (score == bestScore && constants > bestConstants && rules >= TemplateSettings.RULES)) {
                bestScore = score;
                bestConstants = constants;
                best = t;
            }
        }
        return bestScore >= similarity ? best : null;
    }
}
