package com.deliverychannels.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What Linux's {@code /proc} says about a function's process: when it started, and its resident memory. The
 * process is found as the one new child of this JVM since {@link #children()} was taken.
 */
public final class ProcessStats {
    /** Linux reports process start times in clock ticks of 1/100 s (USER_HZ) on every common platform. */
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    private ProcessStats() {
    }

    /** The pids of this JVM's child processes now. */
    public static Set<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** The one child process started since {@code before} was taken. */
    public static long newChild(Set<Long> before) {
        List<Long> fresh = ProcessHandle.current().children().map(ProcessHandle::pid)
                .filter(pid -> !before.contains(pid)).toList();
        if (fresh.size() != 1) {
            throw new IllegalStateException("expected one new child process (the function), found " + fresh);
        }
        return fresh.get(0);
    }

    /** Seconds since boot ({@code /proc/uptime}). */
    public static double uptimeSeconds() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** When {@code pid} started, in seconds since boot: field 22 of /proc/pid/stat, read past the name. */
    public static double startUptimeSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[19]) / CLOCK_TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A field of /proc/pid/status in KiB ({@code VmHWM}: peak RSS, {@code VmRSS}: RSS now); -1 if absent. */
    public static long statusKib(long pid, String field) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(line -> line.startsWith(field + ":"))
                    .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                    .findFirst().orElse(-1L);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
