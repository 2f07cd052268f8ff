package com.deliverychannels.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextsTest {
    private final Texts texts = new Texts();

    @Test
    void everyLanguageHasEveryText() {
        Set<String> english = new TreeSet<>(texts.bundles().get("en").stringPropertyNames());
        for (String language : Texts.LANGUAGES) {
            assertEquals(english, new TreeSet<>(texts.bundles().get(language).stringPropertyNames()),
                    "texts of " + language);
        }
    }

    /** A key written in the code but missing from the bundles would reach users as the bare key. */
    @Test
    void everyTextKeyInTheCodeExists() throws IOException {
        // "sns.amazonaws.com" and its kin are host names, not text keys.
        Pattern key = Pattern.compile(
                "\"((?:problem|field|json|smtp|preview|verify)\\.[a-z0-9.-]+|sns\\.(?!amazonaws)[a-z-]+)\"");
        Set<String> missing = new TreeSet<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            // config/ holds default values such as host names, not text keys
            for (Path source : sources.filter(p -> p.toString().endsWith(".java") && !p.toString().contains("/config/"))
                    .toList()) {
                Matcher m = key.matcher(Files.readString(source));
                while (m.find()) {
                    if (!texts.has(m.group(1)) && !m.group(1).endsWith(".")) {
                        missing.add(m.group(1) + " (" + source.getFileName() + ")");
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), "texts missing: " + missing);
    }

    @ParameterizedTest
    @CsvSource({
        "'', en",
        "it, it",
        "fr-CA, fr",
        "'de-DE,de;q=0.9', en",
        "'de;q=0.9,it;q=0.8,en;q=0.5', it",
        "'en;q=0.1,fr', fr",
        "'*', en",
        "'fr;q=0, it', it",
        "';;;garbage', en"
    })
    void negotiatesTheServedLanguage(String header, String expected) {
        assertEquals(expected, Texts.negotiate(header).getLanguage());
    }

    @Test
    void fillsPlaceholdersWithoutMessageFormatQuoting() {
        assertEquals("Hai già un'identità con l'indirizzo a@b.it.",
                texts.text(Locale.ITALIAN, "problem.identity.duplicate-address", "a@b.it"));
    }
}
