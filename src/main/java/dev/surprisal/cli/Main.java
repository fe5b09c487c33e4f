package dev.surprisal.cli;

import dev.surprisal.model.DjlRuntime;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code surprisal.jar}. */
@Command(name = "surprisal", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = "Scores Kafka text streams with a recurrent language model.",
        subcommands = {DemoCommand.class, TrainCommand.class, ScoreCommand.class, ProduceCommand.class,
            ConsumeCommand.class, DemoModelCommand.class, TrainerCommand.class, EvaluateCommand.class, TemplatesCommand.class,
            ModelsCommand.class, FeedbackCommand.class, BenchCommand.class})
public final class Main {

    public static void main(String[] args) {
        DjlRuntime.configure();
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
