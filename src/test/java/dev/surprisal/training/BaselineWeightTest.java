package dev.surprisal.training;

import dev.surprisal.model.KneserNey;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.testing.TestModels;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BaselineWeightTest {

    @Test
    void theWeightIsTheOneThatMinimisesTheHeldOutLoss() {
        double[] network = {Math.log(0.5), Math.log(0.01), Math.log(0.9)};
        double[] baseline = {0.2, 0.6, 0.3};
        double best = Double.POSITIVE_INFINITY;
        double argmin = -1;
        for (int step = 0; step < 1000; step++) {
            double w = step / 1000.0;
            double l = BaselineWeight.loss(network, baseline, 3, w);
            if (l < best) {
                best = l;
                argmin = w;
            }
        }
        assertEquals(0, BaselineWeight.loss(new double[] {0}, new double[] {1}, 1, 0), 1e-12);
        assertTrue(argmin > 0 && argmin < 1, "neither model alone is best here: " + argmin);
    }

    @Test
    void anUntrainedNetworkLeavesMostOfTheMixtureToTheCounts() {
        List<List<String>> sessions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sessions.add(List.of("GET /a 200", "GET /b 200"));
        }
        try (LanguageModel network = TestModels.tinyByteModel()) {
            List<int[]> ids = new ArrayList<>();
            for (List<String> s : sessions) {
                for (String e : s) {
                    ids.add(network.tokenizer().encode(e));
                }
            }
            KneserNey kn = KneserNey.train(3, network.spec().vocabularySize(), network.tokenizer().bosId(), ids);
            double w = BaselineWeight.fit(network, kn, sessions);
            assertTrue(w >= 0.8, "the counts know this text and the untrained network does not: " + w);
        }
    }
}
