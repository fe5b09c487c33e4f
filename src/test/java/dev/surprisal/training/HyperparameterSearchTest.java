package dev.surprisal.training;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelSpec;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HyperparameterSearchTest {

    private static final Pattern ROW = Pattern.compile("^\\s+(\\d+)\\s.*\\s(\\d\\.\\d{4})(  <- kept)?$", Pattern.MULTILINE);

    private static Corpus corpus() {
        Random random = new Random(5);
        List<List<String>> sessions = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            List<String> events = new ArrayList<>();
            for (int e = 0; e < 3 + random.nextInt(4); e++) {
                events.add(random.nextBoolean() ? "open " + random.nextInt(9) : "close");
            }
            sessions.add(events);
        }
        return new Corpus(sessions);
    }

    @Test
    void triesEveryVariationAndKeepsTheBestOnValidation() throws Exception {
        TrainingOptions options = TrainingOptions.defaults().withTokenizer("word")
                .withModel(ModelSpec.Cell.GRU, 8, 16, 1).withSchedule(4, 8, 1e-2f, 3).withBaselineOrder(0);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
             LanguageModel best = new HyperparameterSearch(options, Duration.ofMinutes(5), out).run(corpus())) {
            Matcher m = ROW.matcher(printed.toString(StandardCharsets.UTF_8));
            List<Double> bits = new ArrayList<>();
            double kept = Double.NaN;
            while (m.find()) {
                bits.add(Double.parseDouble(m.group(2)));
                if (m.group(3) != null) {
                    kept = Double.parseDouble(m.group(2));
                }
            }
            assertEquals(6, bits.size(), printed.toString(StandardCharsets.UTF_8));
            assertEquals(bits.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), kept, 1e-4);
            assertEquals(kept, best.manifest().metrics().validationBitsPerToken(), 1e-4);
            assertTrue(best.spec().hiddenSize() == 8 || best.spec().hiddenSize() == 16 || best.spec().hiddenSize() == 32);
        }
    }
}
