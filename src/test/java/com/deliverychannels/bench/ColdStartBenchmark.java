package com.deliverychannels.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;

import com.deliverychannels.packaged.PackagedFunction;
import com.deliverychannels.packaged.PackagedProduct;
import com.deliverychannels.testing.ApiEvents;

/**
 * Issue 7, cold start: each function of the packaged {@code function.zip} started fresh (new process, new
 * unzip) and given one realistic first event, next to an empty Funqy function built with the same Quarkus
 * ({@code bench/empty-function}) in the same run; the runs of all five alternate, so drift on a shared machine
 * hits them alike. Then, one start each under JFR and class-load logging: what the init phase spends its time
 * and memory on, by component. A native {@code function.zip}, where one is found, is timed the same way.
 * <p>
 * A runner, not a test: it asserts nothing, and its name keeps it out of {@code ./mvnw verify}. Start it with
 * {@code BENCH=ColdStartBenchmark bench/run.sh}; the report goes to {@code target/bench/cold-start.md}.
 */
class ColdStartBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int RUNS = Integer.getInteger("bench.coldRuns", 5);
    private static final boolean EXPERIMENTS =
            Boolean.parseBoolean(System.getProperty("bench.coldExperiments", "true"));
    private static final String NO_PRELOAD = " (no preload)";
    private static final String NO_BANNER = " (no banner)";
    private static final String PRELOAD_LIST = "META-INF/quarkus-generated-preload-classes.txt";
    private static final Pattern QUARKUS_STARTED = Pattern.compile("started in (\\d+\\.\\d+)s");


    @Test
    void run() throws Exception {
        Path basedir = Path.of(System.getProperty("basedir", "."));
        Path zip = Path.of(System.getProperty(PackagedFunction.FUNCTION_ZIP_PROPERTY,
                basedir.resolve("target/function.zip").toString()));
        Path emptyZip = Path.of(System.getProperty("bench.emptyZip",
                basedir.resolve("bench/empty-function/target/function.zip").toString()));
        Path nativeZip = Path.of(System.getProperty("bench.nativeZip", "/tmp/native-zip/function.zip"));
        BenchReport report = new BenchReport("cold-start");
        report.line("Machine: " + BenchReport.machine() + ".").line("");

        try (PackagedProduct product = PackagedProduct.open("delivery-channels-bench-cold")) {
            Map<String, String> environment = product.environment();
            Workloads.User user;
            try (PackagedFunction channels = PackagedFunction.start(zip, "channels", environment, TIMEOUT)) {
                user = Workloads.newUser(channels);
            }
            // The empty function gets the same JVM options (the trust store) and nothing else of the product.
            Map<String, String> emptyEnvironment = Map.of("JAVA_TOOL_OPTIONS", environment.get("JAVA_TOOL_OPTIONS"));
            List<Subject> subjects = List.of(
                    new Subject("empty", emptyZip, emptyEnvironment, () -> "{}"),
                    new Subject("channels", zip, environment, () -> ApiEvents.get("/v1/channels").as(user.id()).json()),
                    new Subject("send", zip, environment, () -> Workloads.send(user)),
                    new Subject("bounces", zip, environment,
                            () -> Workloads.bounceEvent(product, Workloads.sentDelivery(product))),
                    new Subject("retry", zip, environment, () -> {
                        Workloads.dueDeliveries(product, user, 1);
                        return Workloads.scheduledEvent();
                    }));

            // Experiments, timed in the same rounds: (1) the same artifact without the class list Quarkus
            // preloads at static init (its SnapStart support writes it; without the file the preload step does
            // nothing); (2) the same artifact with the start-up banner off (a run-time property).
            List<Subject> timed = new ArrayList<>(subjects);
            Path withoutPreload = withoutPreloadList(zip);
            if (EXPERIMENTS) {
                for (Subject s : subjects.subList(1, subjects.size())) {
                    timed.add(new Subject(s.name() + NO_PRELOAD, s.name(), withoutPreload, s.environment(),
                            s.firstEvent()));
                }
                for (Subject s : subjects.subList(1, subjects.size())) {
                    Map<String, String> noBanner = new LinkedHashMap<>(s.environment());
                    noBanner.put("QUARKUS_BANNER_ENABLED", "false");
                    timed.add(new Subject(s.name() + NO_BANNER, s.name(), zip, noBanner, s.firstEvent()));
                }
            }
            Map<String, List<Start>> all = timeStarts(timed);
            Map<String, List<Start>> jvm = new LinkedHashMap<>();
            Map<String, List<Start>> experiments = new LinkedHashMap<>();
            all.forEach((name, starts) -> (name.endsWith(")") ? experiments : jvm).put(name, starts));
            reportStarts(report, "JVM", jvm, jvm.get("empty"));
            if (EXPERIMENTS) {
                report.line("### Experiments: lighter start-up, same rounds, same empty baseline").line("");
                report.line("*" + NO_PRELOAD.trim() + "*: the same function.zip without"
                        + " META-INF/quarkus-generated-preload-classes.txt. Quarkus's SnapStart support (on by default"
                        + " with the Lambda extension) lists the application's classes there and loads and initialises"
                        + " all of them (Class.forName) at static init, in every function; without the file that step"
                        + " does nothing (the build-time switch: quarkus.snapstart.preload-classes or"
                        + " quarkus.snapstart.enabled=false). *" + NO_BANNER.trim() + "*: QUARKUS_BANNER_ENABLED=false"
                        + " in the function's environment (a run-time property).").line("");
                reportStarts(report, "JVM, experiments", experiments, jvm.get("empty"));
            }
            Files.deleteIfExists(withoutPreload);

            if (Files.isRegularFile(nativeZip)) {
                List<Subject> natives = subjects.stream().filter(s -> !s.name().equals("empty"))
                        .map(s -> new Subject(s.name(), nativeZip, s.environment(), s.firstEvent())).toList();
                try {
                    Map<String, List<Start>> nativeStarts = timeStarts(natives);
                    reportStarts(report, "native (" + nativeZip + "; ratios against the JVM empty function)",
                            nativeStarts, jvm.get("empty"));
                } catch (RuntimeException e) {
                    report.line("Native " + nativeZip + " could not be measured: " + e.getMessage()).line("");
                }
            } else {
                report.line("No native function.zip at " + nativeZip + ": native not measured.").line("");
            }

            profileInit(report, subjects);
        }
        report.write();
    }

    /** {@link #RUNS} rounds; each round starts every subject once, in turn. */
    private static Map<String, List<Start>> timeStarts(List<Subject> subjects) {
        Map<String, List<Start>> starts = new LinkedHashMap<>();
        subjects.forEach(subject -> starts.put(subject.name(), new ArrayList<>()));
        for (int run = 0; run < RUNS; run++) {
            for (Subject subject : subjects) {
                starts.get(subject.name()).add(start(subject));
            }
        }
        return starts;
    }

    /** One fresh start: process start (from /proc) to ready (first poll) and to the first answer. */
    private static Start start(Subject subject) {
        String event = subject.firstEvent().get();
        Set<Long> before = ProcessStats.children();
        long t0 = System.nanoTime();
        try (PackagedFunction function = PackagedFunction.start(subject.zip(), subject.export(), subject.environment(),
                TIMEOUT)) {
            double readyUptime = ProcessStats.uptimeSeconds();
            if (!function.isReady()) {
                throw new IllegalStateException(subject.name() + " did not get ready" + function.describeProcess());
            }
            long invoked = System.nanoTime();
            String answer = function.invoke(event, TIMEOUT);
            long answered = System.nanoTime();
            double answerUptime = ProcessStats.uptimeSeconds();
            long pid = ProcessStats.newChild(before);
            double started = ProcessStats.startUptimeSeconds(pid);
            Matcher quarkus = QUARKUS_STARTED.matcher(function.output());
            return new Start(Math.round((readyUptime - started) * 1000), Math.round((answerUptime - started) * 1000),
                    (answered - invoked) / 1_000_000, (answered - t0) / 1_000_000,
                    ProcessStats.statusKib(pid, "VmHWM") / 1024,
                    quarkus.find() ? Math.round(Double.parseDouble(quarkus.group(1)) * 1000) : -1,
                    BenchReport.statusOf(answer));
        }
    }

    private static void reportStarts(BenchReport report, String kind, Map<String, List<Start>> starts,
                                     List<Start> empty) {
        report.line("## Cold start, " + kind).line("");
        report.line(RUNS + " fresh starts per function (new process, fresh unzip), the functions taking turns."
                + " *ready*: process start (/proc, 10 ms ticks) to the runtime's first poll of"
                + " /runtime/invocation/next; *first answer*: process start to the answer of the first event;"
                + " *first invocation*: event queued → answer; *Quarkus*: its own \"started in\"; *ratio*: median"
                + " over the empty function's median (JVM). Median [min – max], ms.").line("");
        report.row("function", "first event → answer", "ready", "first answer", "ratio first answer",
                "ratio ready", "first invocation", "Quarkus started in", "harness total", "VmHWM (MiB)");
        report.row("---", "---", "---", "---", "---", "---", "---", "---", "---", "---");
        long emptyAnswer = BenchReport.median(column(empty, Start::answerMs));
        long emptyReady = BenchReport.median(column(empty, Start::readyMs));
        starts.forEach((name, list) -> report.row(name, list.get(list.size() - 1).answer(),
                BenchReport.medianAndRange(column(list, Start::readyMs)),
                BenchReport.medianAndRange(column(list, Start::answerMs)),
                ratio(BenchReport.median(column(list, Start::answerMs)), emptyAnswer),
                ratio(BenchReport.median(column(list, Start::readyMs)), emptyReady),
                BenchReport.medianAndRange(column(list, Start::firstInvocationMs)),
                BenchReport.medianAndRange(column(list, Start::quarkusMs)),
                BenchReport.medianAndRange(column(list, Start::harnessMs)),
                BenchReport.medianAndRange(column(list, Start::hwmMib))));
        report.line("");
    }

    /**
     * One start of each subject with {@link ColdStartProfile#jvmOptions}: classes loaded, CPU samples and
     * allocation by component, for the init phase (to the first poll) and the first invocation, and the
     * slowest Quarkus start-up steps. These starts are slower than the timed ones (JFR and logging cost
     * time); the shares are what they are for.
     */
    private static void profileInit(BenchReport report, List<Subject> subjects) throws Exception {
        Map<String, Map<String, Integer>> initClasses = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> invocationClasses = new LinkedHashMap<>();
        Map<String, ColdStartProfile.Samples> initSamples = new LinkedHashMap<>();
        Map<String, ColdStartProfile.Samples> invocationSamples = new LinkedHashMap<>();
        Map<String, List<Map.Entry<String, Long>>> steps = new LinkedHashMap<>();
        Map<String, Long> profiledReady = new LinkedHashMap<>();
        for (Subject subject : subjects) {
            Path folder = Files.createTempDirectory("cold-profile-" + subject.name() + "-");
            Map<String, String> environment = new LinkedHashMap<>(subject.environment());
            environment.put("JAVA_TOOL_OPTIONS", environment.getOrDefault("JAVA_TOOL_OPTIONS", "")
                    + ColdStartProfile.jvmOptions(folder));
            String event = subject.firstEvent().get();
            Set<Long> before = ProcessStats.children();
            Instant began = Instant.now();
            Instant ready;
            Instant answered;
            int readyMark;
            int answerMark;
            String output;
            try (PackagedFunction function = PackagedFunction.start(subject.zip(), subject.export(), environment,
                    TIMEOUT)) {
                ready = Instant.now();
                double readyUptime = ProcessStats.uptimeSeconds();
                long pid = ProcessStats.newChild(before);
                profiledReady.put(subject.name(),
                        Math.round((readyUptime - ProcessStats.startUptimeSeconds(pid)) * 1000));
                readyMark = ColdStartProfile.classLogLines(folder);
                function.invoke(event, TIMEOUT);
                answered = Instant.now();
                answerMark = ColdStartProfile.classLogLines(folder);
                output = function.output();
            }
            // close() ends the JVM with SIGTERM; dumponexit writes the recording on the way out.
            initClasses.put(subject.name(), ColdStartProfile.classesLoaded(folder, 0, readyMark));
            invocationClasses.put(subject.name(), ColdStartProfile.classesLoaded(folder, readyMark, answerMark));
            initSamples.put(subject.name(), ColdStartProfile.samples(folder, began.minusSeconds(5), ready));
            invocationSamples.put(subject.name(), ColdStartProfile.samples(folder, ready, answered));
            steps.put(subject.name(), ColdStartProfile.startupSteps(output));
            ColdStartProfile.delete(folder);
        }

        report.line("## Init phase by component (JVM, one profiled start per function)").line("");
        report.line("Classes loaded (-Xlog:class+load) during init (process start → first poll) and during the"
                + " first invocation, per component; a class counts for the component of its package.").line("");
        List<String> header = new ArrayList<>(List.of("component"));
        subjects.forEach(s -> header.add(s.name() + " init"));
        subjects.forEach(s -> header.add(s.name() + " 1st inv."));
        report.row(header.toArray());
        report.row(header.stream().map(h -> "---").toArray());
        for (String component : ColdStartProfile.COMPONENTS) {
            List<Object> row = new ArrayList<>(List.of(component));
            subjects.forEach(s -> row.add(initClasses.get(s.name()).get(component)));
            subjects.forEach(s -> row.add(invocationClasses.get(s.name()).get(component)));
            report.row(row.toArray());
        }
        List<Object> total = new ArrayList<>(List.of("**total**"));
        subjects.forEach(s -> total.add(sum(initClasses.get(s.name()))));
        subjects.forEach(s -> total.add(sum(invocationClasses.get(s.name()))));
        report.row(total.toArray());
        report.line("");

        report.line("CPU samples (JFR jdk.ExecutionSample, 10 ms, Java code only: class loading and JIT in the VM"
                + " are not sampled) and allocation (JFR jdk.ObjectAllocationSample weights: an estimate of bytes"
                + " allocated), charged to the innermost frame outside the JDK and the class loaders. Cells:"
                + " share of samples % / allocated MB. The profiled starts run slower than the timed ones (JFR's"
                + " own start-up); process → ready under profiling: " + profiledReady + " ms.").line("");
        List<String> header2 = new ArrayList<>(List.of("component"));
        subjects.forEach(s -> header2.add(s.name() + " init"));
        subjects.forEach(s -> header2.add(s.name() + " 1st inv."));
        report.row(header2.toArray());
        report.row(header2.stream().map(h -> "---").toArray());
        for (String component : ColdStartProfile.COMPONENTS) {
            List<Object> row = new ArrayList<>(List.of(component));
            subjects.forEach(s -> row.add(cell(initSamples.get(s.name()), component)));
            subjects.forEach(s -> row.add(cell(invocationSamples.get(s.name()), component)));
            report.row(row.toArray());
        }
        List<Object> totals = new ArrayList<>(List.of("**total** (samples / MB)"));
        subjects.forEach(s -> totals.add(totalCell(initSamples.get(s.name()))));
        subjects.forEach(s -> totals.add(totalCell(invocationSamples.get(s.name()))));
        report.row(totals.toArray());
        report.line("");

        report.line("Quarkus start-up steps (quarkus.debug.print-startup-times: wall clock of each recorded step"
                + " in static init and runtime init), the slowest ten per function, ms; and the sum of all.")
                .line("");
        for (Subject subject : subjects) {
            List<Map.Entry<String, Long>> list = steps.get(subject.name());
            long sum = list.stream().mapToLong(Map.Entry::getValue).sum();
            report.line("- **" + subject.name() + "**: " + list.size() + " steps, " + sum + " ms in all; "
                    + String.join(", ", list.stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(10).map(e -> "`" + shortStep(e.getKey()) + "` " + e.getValue()).toList()));
        }
        report.line("");
    }

    /** A copy of {@code zip} without {@link #PRELOAD_LIST}. */
    private static Path withoutPreloadList(Path zip) throws java.io.IOException {
        Path copy = Files.createTempFile("function-no-preload-", ".zip");
        try (ZipFile in = new ZipFile(zip.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
            // Quarkus writes some folder entries twice; a ZipOutputStream refuses the second.
            Set<String> written = new java.util.HashSet<>();
            for (ZipEntry entry : java.util.Collections.list(in.entries())) {
                if (entry.getName().equals(PRELOAD_LIST) || !written.add(entry.getName())) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (var data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return copy;
    }

    private static String shortStep(String step) {
        return step.replaceFirst("^io\\.quarkus\\.", "").replaceFirst("^io\\.quarkiverse\\.", "");
    }

    private static String cell(ColdStartProfile.Samples samples, String component) {
        int cpu = samples.cpuSamples().get(component);
        long bytes = samples.allocatedBytes().get(component);
        if (cpu == 0 && bytes == 0) {
            return "–";
        }
        int total = Math.max(1, samples.totalCpu());
        return String.format(Locale.ROOT, "%d %% / %.1f", Math.round(100.0 * cpu / total), bytes / 1048576.0);
    }

    private static String totalCell(ColdStartProfile.Samples samples) {
        return String.format(Locale.ROOT, "%d / %.1f", samples.totalCpu(), samples.totalAllocated() / 1048576.0);
    }

    private static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String ratio(long value, long base) {
        return String.format(Locale.ROOT, "%.2f×", (double) value / base);
    }

    private static List<Long> column(List<Start> starts, java.util.function.ToLongFunction<Start> field) {
        return starts.stream().map(start -> field.applyAsLong(start)).toList();
    }

    /** A function to start: its zip, export name, environment and how to make its first event. */
    private record Subject(String name, String export, Path zip, Map<String, String> environment,
                           Supplier<String> firstEvent) {
        Subject(String name, Path zip, Map<String, String> environment, Supplier<String> firstEvent) {
            this(name, name, zip, environment, firstEvent);
        }
    }

    /** One start's figures, ms and MiB. */
    private record Start(long readyMs, long answerMs, long firstInvocationMs, long harnessMs, long hwmMib,
                         long quarkusMs, String answer) {
    }
}
