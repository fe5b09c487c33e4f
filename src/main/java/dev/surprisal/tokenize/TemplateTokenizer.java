package dev.surprisal.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * Raw log lines as tokens: each line (one event) is one token, the id of the log template it fits,
 * mined by {@link TemplateMiner} from the training lines. Id 0 is the session start, id 1 the
 * unknown template: a line that fits none of them. Templates are fixed once trained: a scorer never
 * learns a template on its own, retraining does.
 */
public final class TemplateTokenizer implements Tokenizer {

    public static final String TYPE = "template";
    public static final int UNKNOWN_TEMPLATE = VocabularyTokenizer.UNK_ID;
    /** How a line of no known template is rendered in scores. */
    public static final String NEW_TEMPLATE = "<new template>";
    private static final int FIRST = 2;

    private final TemplateSettings settings;
    private final List<String> vocabulary;
    private final TemplateMiner miner;

    private TemplateTokenizer(TemplateSettings settings, List<String> templates) {
        this.settings = settings;
        List<String> v = new ArrayList<>(List.of(VocabularyTokenizer.BOS, VocabularyTokenizer.UNK));
        v.addAll(templates);
        this.vocabulary = List.copyOf(v);
        this.miner = TemplateMiner.of(settings, templates);
    }

    /** Mines the training lines. */
    public static TemplateTokenizer train(Iterable<String> lines, TemplateSettings settings) {
        TemplateMiner miner = TemplateMiner.of(settings);
        LogFormat layout = settings.logFormat() == null ? null : LogFormat.parse(settings.logFormat());
        if (layout != null) {
            layout.requireFitsAny(lines);
        }
        for (String line : lines) {
            miner.mine(line);
        }
        miner.settle();
        return new TemplateTokenizer(settings, miner.templates().stream().map(TemplateMiner.Template::text).toList());
    }

    /** Templates as a person gave them ({@link TemplateFile}): nothing is mined, a template's id is its place. */
    public static TemplateTokenizer given(TemplateFile file) {
        return new TemplateTokenizer(file.settings(), file.templates());
    }

    /**
     * This tokenizer with the templates of {@code lines} that none of its own fits added after its
     * own, so that its ids keep their meaning (a fine-tune learning what was new to its parent).
     */
    public TemplateTokenizer extendedWith(Iterable<String> lines) {
        TemplateMiner fresh = TemplateMiner.of(settings);
        for (String line : lines) {
            if (!line.isBlank() && miner.match(line) == null) {
                fresh.mine(line);
            }
        }
        fresh.settle();
        if (fresh.templates().isEmpty()) {
            return this;
        }
        List<String> all = new ArrayList<>(vocabulary.subList(FIRST, vocabulary.size()));
        fresh.templates().forEach(t -> all.add(t.text()));
        return new TemplateTokenizer(settings, all);
    }

    static TemplateTokenizer fromSpec(TokenizerSpec spec) {
        List<String> v = spec.vocabulary();
        if (v.size() < FIRST || !VocabularyTokenizer.BOS.equals(v.get(0)) || !VocabularyTokenizer.UNK.equals(v.get(1))) {
            throw new IllegalArgumentException("a template vocabulary must start with <bos>, <unk>");
        }
        // a manifest without template settings predates them, and so its templates follow the first rules
        return new TemplateTokenizer(spec.template() == null
                ? new TemplateSettings(null, List.of(), TemplateMiner.DEFAULT_SIMILARITY, TemplateSettings.FIRST_RULES)
                : spec.template(),
                v.subList(FIRST, v.size()));
    }

    @Override
    public int bosId() {
        return 0;
    }

    @Override
    public int endOfEventId() {
        return -1;
    }

    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public int[] encode(String line) {
        if (line.isBlank()) {
            return new int[0];
        }
        TemplateMiner.Template t = miner.match(line);
        return new int[] {t == null ? UNKNOWN_TEMPLATE : FIRST + t.id()};
    }

    /** A line as the model sees it: its template (null when it fits none) and the values the template masks. */
    public record Explained(String template, List<String> values) {
    }

    public Explained explain(String line) {
        TemplateMiner.Template t = miner.match(line);
        return t == null ? new Explained(null, List.of()) : new Explained(t.text(), t.values(miner.rawTokens(line)));
    }

    @Override
    public String render(int tokenId) {
        return tokenId == UNKNOWN_TEMPLATE ? NEW_TEMPLATE : vocabulary.get(tokenId);
    }

    @Override
    public TokenizerSpec spec() {
        return new TokenizerSpec(TYPE, vocabulary, false, settings);
    }
}
