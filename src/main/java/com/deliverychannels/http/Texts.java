package com.deliverychannels.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The texts meant for people (problem titles and details, field messages, channel names and
 * descriptions, preview notes) in English, Italian and French, from {@code i18n/messages*.properties}
 * (UTF-8). A text missing in a language falls back to English. Placeholders are {@code {0}}, {@code {1}}…
 * (not {@link java.text.MessageFormat}, whose quoting rules break on French and Italian apostrophes).
 */
@ApplicationScoped
public class Texts {
    /** Languages served, the first being the default. */
    public static final List<String> LANGUAGES = List.of("en", "it", "fr");

    private final Map<String, Properties> bundles;

    public Texts() {
        this.bundles = Map.of("en", load("i18n/messages.properties"), "it", load("i18n/messages_it.properties"),
                "fr", load("i18n/messages_fr.properties"));
    }

    /** The text for {@code key} in {@code language}, its placeholders filled with {@code args}. */
    public String text(Locale language, String key, List<Object> args) {
        String template = bundles.getOrDefault(language.getLanguage(), bundles.get("en")).getProperty(key);
        if (template == null) {
            template = bundles.get("en").getProperty(key, key);
        }
        String result = template;
        for (int i = 0; i < args.size(); i++) {
            result = result.replace("{" + i + "}", String.valueOf(args.get(i)));
        }
        return result;
    }

    public String text(Locale language, String key, Object... args) {
        return text(language, key, List.of(args));
    }

    /** Whether {@code key} has an English text (the template check and tests use it). */
    public boolean has(String key) {
        return bundles.get("en").containsKey(key);
    }

    /** The keys each language defines, for tests that keep translations complete. */
    public Map<String, Properties> bundles() {
        return bundles;
    }

    /**
     * The served language for an {@code Accept-Language} header (RFC 9110 §12.5.4): the highest-weighted
     * range whose primary language we serve; English when none matches or the header is malformed.
     */
    public static Locale negotiate(String acceptLanguage) {
        if (acceptLanguage == null || acceptLanguage.isBlank()) {
            return Locale.ENGLISH;
        }
        try {
            for (Locale.LanguageRange range : Locale.LanguageRange.parse(acceptLanguage)) {
                if (range.getWeight() <= 0) {
                    continue;
                }
                String primary = range.getRange().split("-")[0];
                if (primary.equals("*")) {
                    return Locale.ENGLISH;
                }
                if (LANGUAGES.contains(primary)) {
                    return Locale.forLanguageTag(primary);
                }
            }
        } catch (IllegalArgumentException malformed) {
            return Locale.ENGLISH;
        }
        return Locale.ENGLISH;
    }

    private static Properties load(String resource) {
        Properties properties = new Properties();
        try (InputStream in = Texts.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
