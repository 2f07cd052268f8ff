package com.deliverychannels.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * What a function's JVM does while it starts, by component: the classes it loads ({@code -Xlog:class+load}),
 * where its CPU samples and allocations fall (a JFR recording), and the Quarkus start-up steps it runs
 * ({@code quarkus.debug.print-startup-times}). The options go into {@code JAVA_TOOL_OPTIONS}, which the
 * function's JVM reads as Lambda's would; the recording is split at the moments the benchmark saw the runtime
 * get ready and answer its first event.
 */
final class ColdStartProfile {
    /** Components in the order the report lists them; the first prefix that matches a class name wins. */
    static final List<String> COMPONENTS = List.of(
            "product (com.deliverychannels)",
            "Quarkus core, ArC, config, logging",
            "Funqy + Lambda handler",
            "Lambda runtime client (RIC)",
            "Vert.x + Netty",
            "mailer (Quarkus + Vert.x mail)",
            "Qute (templates, brought by the mailer)",
            "OIDC client",
            "AWS SDK + DynamoDB client",
            "Jackson (+ Joda-Time, for Funqy's Joda module)",
            "Mutiny + SmallRye (other)",
            "JDK: TLS, crypto, certificates",
            "JDK: other",
            "other libraries");

    private static final Map<String, String> PREFIXES = new LinkedHashMap<>();

    static {
        PREFIXES.put("com.deliverychannels.", COMPONENTS.get(0));
        PREFIXES.put("io.quarkus.funqy.", COMPONENTS.get(2));
        PREFIXES.put("io.quarkus.amazon.lambda.", COMPONENTS.get(2));
        PREFIXES.put("com.amazonaws.services.lambda.runtime.", COMPONENTS.get(3));
        PREFIXES.put("com.amazonaws.services.lambda.", COMPONENTS.get(2));
        PREFIXES.put("io.quarkus.mailer.", COMPONENTS.get(5));
        PREFIXES.put("io.vertx.ext.mail.", COMPONENTS.get(5));
        PREFIXES.put("io.vertx.mutiny.ext.mail.", COMPONENTS.get(5));
        PREFIXES.put("io.quarkus.qute.", COMPONENTS.get(6));
        PREFIXES.put("io.quarkus.oidc.", COMPONENTS.get(7));
        PREFIXES.put("io.quarkus.vertx.", COMPONENTS.get(4));
        PREFIXES.put("io.quarkus.netty.", COMPONENTS.get(4));
        PREFIXES.put("io.quarkus.tls.", COMPONENTS.get(4));
        PREFIXES.put("io.vertx.", COMPONENTS.get(4));
        PREFIXES.put("io.netty.", COMPONENTS.get(4));
        PREFIXES.put("io.smallrye.mutiny.vertx.", COMPONENTS.get(4));
        PREFIXES.put("io.quarkus.amazon.", COMPONENTS.get(8));
        PREFIXES.put("io.quarkiverse.amazon.", COMPONENTS.get(8));
        PREFIXES.put("software.amazon.", COMPONENTS.get(8));
        PREFIXES.put("io.quarkus.", COMPONENTS.get(1));
        PREFIXES.put("io.smallrye.config.", COMPONENTS.get(1));
        PREFIXES.put("org.jboss.", COMPONENTS.get(1));
        PREFIXES.put("org.eclipse.microprofile.config.", COMPONENTS.get(1));
        PREFIXES.put("org.wildfly.", COMPONENTS.get(1));
        PREFIXES.put("com.fasterxml.jackson.", COMPONENTS.get(9));
        PREFIXES.put("org.joda.time.", COMPONENTS.get(9));
        PREFIXES.put("io.smallrye.", COMPONENTS.get(10));
        PREFIXES.put("org.jctools.", COMPONENTS.get(10));
        PREFIXES.put("sun.security.", COMPONENTS.get(11));
        PREFIXES.put("javax.net.ssl.", COMPONENTS.get(11));
        PREFIXES.put("javax.crypto.", COMPONENTS.get(11));
        PREFIXES.put("java.security.", COMPONENTS.get(11));
        PREFIXES.put("com.sun.crypto.", COMPONENTS.get(11));
        PREFIXES.put("java.", COMPONENTS.get(12));
        PREFIXES.put("javax.", COMPONENTS.get(12));
        PREFIXES.put("jdk.", COMPONENTS.get(12));
        PREFIXES.put("sun.", COMPONENTS.get(12));
        PREFIXES.put("com.sun.", COMPONENTS.get(12));
    }

    /** {@code [0.123s] java.lang.Object source: ...} (decorated with the uptime only). */
    private static final Pattern CLASS_LOAD = Pattern.compile("^\\[[^\\]]*\\] (\\S+) source:");
    /** Quarkus's step timing: {@code Build step <class>#<method> completed in: <n>ms} (wording per version). */
    private static final Pattern STEP = Pattern.compile("Build step (\\S+) completed in:? ?(\\d+) ?ms");

    private ColdStartProfile() {
    }

    /** The component a class belongs to. */
    static String componentOf(String className) {
        for (var prefix : PREFIXES.entrySet()) {
            if (className.startsWith(prefix.getKey())) {
                return prefix.getValue();
            }
        }
        return COMPONENTS.get(COMPONENTS.size() - 1);
    }

    /** The JVM options that make a function's JVM record what this class reads, into {@code folder}. */
    static String jvmOptions(Path folder) {
        return " -Dquarkus.debug.print-startup-times=true"
                + " -Xlog:class+load=info:file=" + classLog(folder) + ":uptime"
                + " -XX:StartFlightRecording=filename=" + recording(folder) + ",settings=profile,dumponexit=true";
    }

    static Path classLog(Path folder) {
        return folder.resolve("classes.log");
    }

    static Path recording(Path folder) {
        return folder.resolve("boot.jfr");
    }

    /** Lines of the class-load log written so far: a mark to split it at. */
    static int classLogLines(Path folder) {
        try {
            return Files.exists(classLog(folder)) ? Files.readAllLines(classLog(folder)).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Classes loaded per component between two marks of the class-load log. */
    static Map<String, Integer> classesLoaded(Path folder, int fromLine, int toLine) {
        Map<String, Integer> counts = zeroes();
        try {
            List<String> lines = Files.readAllLines(classLog(folder));
            for (String line : lines.subList(Math.min(fromLine, lines.size()), Math.min(toLine, lines.size()))) {
                Matcher m = CLASS_LOAD.matcher(line);
                // JFR's own classes are the profiler's cost, not the function's.
                if (m.find() && !m.group(1).startsWith("jdk.jfr.")) {
                    counts.merge(componentOf(m.group(1)), 1, Integer::sum);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counts;
    }

    /** Quarkus's start-up steps and their wall-clock milliseconds, in the order they ran. */
    static List<Map.Entry<String, Long>> startupSteps(String output) {
        List<Map.Entry<String, Long>> steps = new ArrayList<>();
        Matcher m = STEP.matcher(output);
        while (m.find()) {
            steps.add(Map.entry(m.group(1), Long.parseLong(m.group(2))));
        }
        return steps;
    }

    /** JFR samples of one phase, by component. */
    record Samples(Map<String, Integer> cpuSamples, Map<String, Long> allocatedBytes) {
        int totalCpu() {
            return cpuSamples.values().stream().mapToInt(Integer::intValue).sum();
        }

        long totalAllocated() {
            return allocatedBytes.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The recording's execution samples and allocation samples (their weights: JFR's estimate of the bytes
     * allocated) in [{@code from}, {@code to}), each charged to the component of its innermost frame that is
     * not the JDK's and not a class loader: the code that asked for the work. Samples with JDK frames only
     * (JVM and RIC bootstrap) go to the component of their innermost frame; JFR's own samples are left out.
     */
    static Samples samples(Path folder, Instant from, Instant to) {
        Map<String, Integer> cpu = zeroes();
        Map<String, Long> allocated = new LinkedHashMap<>();
        COMPONENTS.forEach(component -> allocated.put(component, 0L));
        try {
            for (RecordedEvent event : RecordingFile.readAllEvents(recording(folder))) {
                Instant at = event.getStartTime();
                if (at.isBefore(from) || !at.isBefore(to)) {
                    continue;
                }
                String type = event.getEventType().getName();
                String component = chargedComponent(event);
                if (component == null) {
                    continue;
                }
                if (type.equals("jdk.ExecutionSample")) {
                    cpu.merge(component, 1, Integer::sum);
                } else if (type.equals("jdk.ObjectAllocationSample")) {
                    allocated.merge(component, event.getLong("weight"), Long::sum);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Samples(cpu, allocated);
    }

    /** Deletes what {@link #jvmOptions} made the JVM write. */
    static void delete(Path folder) {
        try {
            Files.deleteIfExists(classLog(folder));
            Files.deleteIfExists(recording(folder));
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            // A temp folder left behind is not worth failing a benchmark for.
        }
    }

    private static String chargedComponent(RecordedEvent event) {
        if (event.getStackTrace() == null || event.getStackTrace().getFrames().isEmpty()) {
            return COMPONENTS.get(12);
        }
        List<RecordedFrame> frames = event.getStackTrace().getFrames();
        if (frames.stream().anyMatch(frame -> frame.getMethod().getType().getName().startsWith("jdk.jfr."))) {
            return null; // the profiler's own work
        }
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            String component = componentOf(type);
            boolean jdk = component.startsWith("JDK");
            boolean classLoading = type.startsWith("io.quarkus.bootstrap.")
                    || type.startsWith("com.amazonaws.services.lambda.runtime.api.client.CustomerClassLoader");
            if (!jdk && !classLoading) {
                return component;
            }
        }
        return componentOf(frames.get(0).getMethod().getType().getName());
    }

    private static Map<String, Integer> zeroes() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        COMPONENTS.forEach(component -> counts.put(component, 0));
        return counts;
    }
}
