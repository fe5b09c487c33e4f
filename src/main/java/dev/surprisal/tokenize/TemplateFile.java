package dev.surprisal.tokenize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of templates a person can read and correct: {@code templates --write FILE} writes one template per
 * line, in id order, under the settings that mined them; {@code train --templates FILE} takes them as given
 * (no mining), so a template's id is its place in the file through training, scoring and learning.
 */
public record TemplateFile(TemplateSettings settings, List<String> templates) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SETTINGS = "# settings: ";

    public TemplateFile {
        templates = List.copyOf(templates);
        Set<String> seen = new HashSet<>();
        for (String t : templates) {
            if (!seen.add(t)) {
                throw new IllegalArgumentException("the template \"" + t + "\" is in the file twice: keep one line of it");
            }
        }
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("a template file needs at least one template");
        }
    }

    public static TemplateFile read(Path file) throws IOException {
        TemplateSettings settings = null;
        List<String> templates = new ArrayList<>();
        int number = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            if (line.startsWith(SETTINGS)) {
                try {
                    settings = JSON.readValue(line.substring(SETTINGS.length()), TemplateSettings.class);
                } catch (JsonProcessingException | IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + " line " + number + ": not the settings line templates --write "
                            + "writes: " + e.getMessage(), e);
                }
            } else if (!line.startsWith("#") && !line.isBlank()) {
                templates.add(String.join(" ", line.trim().split("\\s+")));
            }
        }
        if (settings == null) {
            throw new IllegalArgumentException(file + " has no \"" + SETTINGS.trim() + "\" line: write the file with "
                    + "templates --write, then edit its templates");
        }
        return new TemplateFile(settings, templates);
    }

    public void write(Path file) throws IOException {
        List<String> out = new ArrayList<>(List.of(
                "# surprisal log templates: one per line, in id order; lines that fit none are a new template.",
                "# Edit, then: java -jar surprisal.jar train --templates " + file.getFileName() + " ...",
                "#   merge two: keep one, write <*> where they differ, delete the other;",
                "#   split one by a word: copy its line, and write each word where its <*> was;",
                "#   the set is frozen: training mines nothing more. Keep a template's first two words as mined:",
                "#   they route a line to it.",
                SETTINGS + JSON.writeValueAsString(settings)));
        out.addAll(templates);
        Files.write(file, out, StandardCharsets.UTF_8);
    }
}
