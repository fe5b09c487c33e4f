package dev.surprisal.cli;

import dev.surprisal.demo.DemoModel;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo-model", mixinStandardHelpOptions = true,
        footer = {"%nExample:", "  java -jar surprisal.jar demo-model --out models/demo"},

        description = "Trains the demo's model on generated web-shop logs into a directory (skipped if one is there), "
                + "so that `score` can run without a corpus of your own, e.g. in docker-compose.")
final class DemoModelCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Directory the model is saved to.")
    Path out;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the generated logs and the training.")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out.resolve(ModelArtifact.MANIFEST))) {
            System.out.println("a model is already in " + out + "; leaving it");
            return 0;
        }
        try (LanguageModel model = DemoModel.train(seed, System.out)) {
            ModelArtifact.save(model, out);
            System.out.println("saved the demo model " + model.version() + " to " + out);
        }
        return 0;
    }
}
