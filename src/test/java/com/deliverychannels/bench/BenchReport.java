package com.deliverychannels.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A benchmark's results as Markdown, and the statistics every benchmark reports the same way: percentiles by
 * nearest rank, medians with their range, milliseconds with two decimals. {@link #write()} prints the report and
 * saves it as {@code target/bench/<name>.md}, which {@code bench/run.sh} shows at the end.
 */
public final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final StringBuilder text = new StringBuilder();

    public BenchReport(String name) {
        this.name = name;
    }

    public BenchReport line(String line) {
        text.append(line).append('\n');
        return this;
    }

    /** A table row: the cells joined by {@code |}. */
    public BenchReport row(Object... cells) {
        StringBuilder row = new StringBuilder("|");
        for (Object cell : cells) {
            row.append(' ').append(cell).append(" |");
        }
        return line(row.toString());
    }

    /** Prints the report and writes it to {@code target/bench/<name>.md}; answers the file. */
    public Path write() {
        Path file = Path.of(System.getProperty("basedir", "."), "target", "bench", name + ".md");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("\n===== " + name + " (also in " + file + ") =====\n" + text);
        return file;
    }

    /** The {@code p}-th percentile of {@code sorted} by nearest rank. */
    public static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /** Sorted copy. */
    public static long[] sorted(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted;
    }

    /** Cells {@code n | p50 | p99 | max} in milliseconds, for durations in nanoseconds. */
    public static String percentileCells(long[] nanos) {
        long[] sorted = sorted(nanos);
        return sorted.length + " | " + ms(percentile(sorted, 50)) + " | " + ms(percentile(sorted, 99)) + " | "
                + ms(sorted[sorted.length - 1]);
    }

    /** Nanoseconds as milliseconds with two decimals. */
    public static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1_000_000.0);
    }

    /** {@code median [min – max]}. */
    public static String medianAndRange(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return median(values) + " [" + sorted.get(0) + " – " + sorted.get(sorted.size() - 1) + "]";
    }

    public static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    }

    /** An answer in a table cell: the HTTP status of an API Gateway answer, else the answer shortened. */
    public static String statusOf(String rawAnswer) {
        try {
            JsonNode answer = JSON.readTree(rawAnswer);
            return answer.has("statusCode") ? Integer.toString(answer.path("statusCode").asInt())
                    : "non-HTTP: " + abbreviate(rawAnswer);
        } catch (IOException e) {
            return "unparsed: " + abbreviate(rawAnswer);
        }
    }

    private static String abbreviate(String text) {
        String flat = text.replace('|', '/').replace('\n', ' ');
        return flat.length() > 60 ? flat.substring(0, 60) + "…" : flat;
    }

    /** The machine and the moment, for a report's first line: UTC time, CPUs, RAM, Java, load average. */
    public static String machine() {
        String memory = "?";
        String load = "?";
        try {
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(line -> line.startsWith("MemTotal:"))
                    .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024 / 1024 + " GiB")
                    .findFirst().orElse("?");
            String[] loadavg = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            load = String.join(" ", List.of(loadavg).subList(0, 3));
        } catch (IOException | RuntimeException e) {
            // Not Linux: leave the question marks.
        }
        return java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, " + memory + " RAM, Java "
                + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name")
                + "), load average " + load;
    }
}
