package com.deliverychannels.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import com.deliverychannels.packaged.PackagedFunction;
import com.deliverychannels.packaged.PackagedProduct;
import com.deliverychannels.testing.ApiEvents;

/**
 * Issue 7, memory: each function of the packaged {@code function.zip} given {@code bench.memoryRuns} (1,000)
 * realistic invocations after {@code bench.memoryWarmUp} (200), one at a time, with Lambda's heap (85 % of
 * 512 MB); then its peak and current RSS, and the JVM's own view (jstat: heap, metaspace, collections). Then,
 * per function, the same run with the heap limited to each size of {@code bench.heaps} in turn, down to the
 * first whose p99 is more than twice the unconstrained p99 (or that fails): the smallest heap that keeps p99
 * within 2× is a guide to Lambda's memory setting.
 * <p>
 * A runner, not a test: it asserts nothing, and its name keeps it out of {@code ./mvnw verify}. Start it with
 * {@code BENCH=MemoryBenchmark bench/run.sh}; the report goes to {@code target/bench/memory.md}.
 */
class MemoryBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int RUNS = Integer.getInteger("bench.memoryRuns", 1_000);
    private static final int WARM_UP = Integer.getInteger("bench.memoryWarmUp", 200);
    /** The -Xmx search may use shorter runs (its p99 then rests on fewer samples): a full search is long. */
    private static final int SEARCH_RUNS = Integer.getInteger("bench.searchRuns", RUNS);
    private static final int SEARCH_WARM_UP = Integer.getInteger("bench.searchWarmUp", WARM_UP);
    private static final List<String> FUNCTIONS =
            List.of(System.getProperty("bench.memoryFunctions", "channels,send,bounces,retry").split(","));
    /** Blank: no search (a native function.zip has no heap to limit). */
    private static final List<String> HEAPS = Arrays.stream(
            System.getProperty("bench.heaps", "48m,24m,16m,12m,10m").split(",")).filter(h -> !h.isBlank()).toList();
    private static final String JSTAT = Path.of(System.getProperty("java.home"), "bin", "jstat").toString();


    @Test
    void run() throws Exception {
        Path basedir = Path.of(System.getProperty("basedir", "."));
        Path zip = Path.of(System.getProperty(PackagedFunction.FUNCTION_ZIP_PROPERTY,
                basedir.resolve("target/function.zip").toString()));
        BenchReport report = new BenchReport("memory");
        report.line("Machine: " + BenchReport.machine() + ".").line("");
        Map<String, Run> unconstrained = new LinkedHashMap<>();
        Map<String, List<Run>> search = new LinkedHashMap<>();

        try (PackagedProduct product = PackagedProduct.open("delivery-channels-bench-memory")) {
            Map<String, String> environment = product.environment();
            Workloads.User user;
            try (PackagedFunction channels = PackagedFunction.start(zip, "channels", environment, TIMEOUT)) {
                user = Workloads.newUser(channels);
            }
            Map<String, IntFunction<String>> workloads = new LinkedHashMap<>();
            String caller = user.id();
            String prefix = "user-mem-" + UUID.randomUUID() + "-";
            // channels: the three routes of a settings page, in turn; the POST creates the first identity of a
            // new caller each time.
            workloads.put("channels", i -> switch (i % 3) {
                case 0 -> ApiEvents.get("/v1/channels").as(caller).json();
                case 1 -> ApiEvents.get("/v1/channel").as(caller).json();
                default -> ApiEvents.post("/v1/identities", "{\"name\":\"Bench\",\"address\":\"bench" + i
                        + "@example.com\",\"default\":true}").as(prefix + i).json();
            });
            workloads.put("send", i -> Workloads.send(user));
            workloads.put("bounces", i -> Workloads.bounceEvent(product, Workloads.sentDelivery(product)));
            workloads.put("retry", i -> {
                Workloads.dueDeliveries(product, user, 1);
                return Workloads.scheduledEvent();
            });

            for (String function : FUNCTIONS) {
                Run base = measure(zip, function, environment, workloads.get(function), null, WARM_UP, RUNS);
                unconstrained.put(function, base);
                List<Run> steps = new ArrayList<>();
                search.put(function, steps);
                if (base.failure() != null) {
                    continue;
                }
                for (String heap : HEAPS) {
                    Run step = measure(zip, function, environment, workloads.get(function), heap, SEARCH_WARM_UP,
                            SEARCH_RUNS);
                    steps.add(step);
                    if (step.failure() != null || step.p99() > 2 * base.p99()) {
                        break;
                    }
                }
            }
        }

        String kind = isNative(zip) ? "native " + zip : "JVM, Lambda's heap: 85 % of 512 MB";
        report.line("## Memory after " + RUNS + " invocations (" + kind + ")").line("");
        report.line("One fresh process per function; " + WARM_UP + " warm-up invocations, then " + RUNS
                + " measured, one at a time (event queued in the Runtime API stub → answer). Workloads: channels"
                + " cycles GET /v1/channels, GET /v1/channel and POST /v1/identities (a new caller's first identity);"
                + " send: POST /v1/messages through MSC to the loopback relay (a real send: DynamoDB writes + SMTP);"
                + " bounces: a signed SNS permanent bounce of a stored two-recipient delivery (a new one each time);"
                + " retry: a sweep finding one due delivery (stored just before) and sending it. *VmHWM*: peak RSS"
                + " of the function process over its life; *VmRSS*: RSS at the end; heap / metaspace: jstat at the"
                + " end (used MiB); GCs: young / full collections over the whole life.").line("");
        report.row("function", "answers", "p50 ms", "p99 ms", "max ms", "VmHWM MiB", "VmRSS MiB", "heap used MiB",
                "metaspace + class space MiB", "GCs young / full");
        report.row("---", "---", "---", "---", "---", "---", "---", "---", "---", "---");
        unconstrained.forEach((function, run) -> report.row(function, run.answers(), ms(run.p50()), ms(run.p99()),
                ms(run.max()), run.hwmMib(), run.rssMib(), mib(run.jvm().heapUsedKib()),
                mib(run.jvm().metaspaceUsedKib()),
                run.jvm().gcs() + (run.failure() == null ? "" : " — " + run.failure())));
        report.line("");

        if (HEAPS.isEmpty()) {
            report.write();
            return;
        }
        report.line("## Smallest heap that keeps p99 within 2× (the -Xmx search)").line("");
        report.line("Each row a fresh process with -XX:MaxHeapSize as given (the rest of Lambda's command line"
                + " unchanged: serial GC, C1 only), the same workload, " + SEARCH_WARM_UP + " warm-up + " + SEARCH_RUNS
                + " measured invocations (the baseline row: the unconstrained run above). The search"
                + " stops at the first heap whose p99 exceeds 2× the unconstrained p99 or that fails.").line("");
        report.row("function", "-Xmx", "p50 ms", "p99 ms", "p99 / unconstrained", "VmHWM MiB", "heap used MiB",
                "GCs young / full", "verdict");
        report.row("---", "---", "---", "---", "---", "---", "---", "---", "---");
        Map<String, String> smallest = new LinkedHashMap<>();
        search.forEach((function, steps) -> {
            Run base = unconstrained.get(function);
            report.row(function, "435m (Lambda default)", ms(base.p50()), ms(base.p99()), "1.00", base.hwmMib(),
                    mib(base.jvm().heapUsedKib()), base.jvm().gcs(),
                    base.failure() == null ? "baseline" : base.failure());
            String best = "435m (Lambda default)";
            long bestHwm = base.hwmMib();
            for (Run step : steps) {
                boolean within = step.failure() == null && step.p99() <= 2 * base.p99();
                String verdict = step.failure() != null ? "failed: " + step.failure()
                        : within ? "within 2×" : "over 2×";
                report.row(function, step.heap(), ms(step.p50()), ms(step.p99()),
                        step.failure() != null ? "–"
                                : String.format(Locale.ROOT, "%.2f", (double) step.p99() / base.p99()),
                        step.hwmMib() < 0 ? "–" : step.hwmMib(), mib(step.jvm().heapUsedKib()), step.jvm().gcs(),
                        verdict);
                if (within) {
                    best = step.heap();
                    bestHwm = step.hwmMib();
                }
            }
            smallest.put(function, best + " (VmHWM " + bestHwm + " MiB)");
        });
        report.line("");
        report.line("Smallest heap within 2× per function: " + smallest + ".");
        report.write();
    }

    /** One fresh process: warm-up, then {@link #RUNS} timed invocations; its memory at the end. */
    private static Run measure(Path zip, String function, Map<String, String> environment,
                               IntFunction<String> workload, String heap, int warmUp, int runs) {
        Set<Long> before = ProcessStats.children();
        PackagedFunction started;
        try {
            started = heap == null ? PackagedFunction.start(zip, function, environment, TIMEOUT)
                    : PackagedFunction.start(zip, function, environment, TIMEOUT, heap);
        } catch (RuntimeException e) {
            return Run.failed(heap, "did not start: " + firstLine(e.getMessage()));
        }
        try (PackagedFunction f = started) {
            if (!f.isReady()) {
                return Run.failed(heap, "init failed: " + firstLine(f.initError().orElse("exited")));
            }
            long pid = ProcessStats.newChild(before);
            Map<String, Integer> answers = new LinkedHashMap<>();
            long[] nanos = new long[runs];
            for (int i = 0; i < warmUp + runs; i++) {
                String event = workload.apply(i);
                long t0 = System.nanoTime();
                String answer;
                try {
                    answer = f.invoke(event, TIMEOUT);
                } catch (RuntimeException e) {
                    return Run.failed(heap, "invocation " + i + ": " + firstLine(e.getMessage()));
                }
                long took = System.nanoTime() - t0;
                if (i >= warmUp) {
                    nanos[i - warmUp] = took;
                    answers.merge(BenchReport.statusOf(answer).replaceFirst("^non-HTTP: .*", "non-HTTP"), 1,
                            Integer::sum);
                }
            }
            long[] sorted = BenchReport.sorted(nanos);
            return new Run(heap, answers.toString(), BenchReport.percentile(sorted, 50),
                    BenchReport.percentile(sorted, 99), sorted[sorted.length - 1],
                    ProcessStats.statusKib(pid, "VmHWM") / 1024, ProcessStats.statusKib(pid, "VmRSS") / 1024,
                    jstat(pid), null);
        }
    }

    /** A native function.zip carries its runtime as {@code bootstrap}. */
    private static boolean isNative(Path zip) throws IOException {
        try (java.util.zip.ZipFile file = new java.util.zip.ZipFile(zip.toFile())) {
            return file.getEntry("bootstrap") != null;
        }
    }

    /** {@code jstat -gc pid}: the JVM's heap, metaspace and collection counts. */
    private static JvmView jstat(long pid) {
        try {
            Process jstat = new ProcessBuilder(JSTAT, "-gc", Long.toString(pid)).redirectErrorStream(true).start();
            String[] lines = new String(jstat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim()
                    .split("\n");
            jstat.waitFor();
            if (lines.length < 2) {
                return JvmView.UNKNOWN;
            }
            List<String> names = Arrays.asList(lines[0].trim().split("\\s+"));
            String[] values = lines[1].trim().split("\\s+");
            java.util.function.ToDoubleFunction<String> value =
                    name -> Double.parseDouble(values[names.indexOf(name)]);
            long heapUsed = Math.round(value.applyAsDouble("S0U") + value.applyAsDouble("S1U")
                    + value.applyAsDouble("EU") + value.applyAsDouble("OU"));
            long metaspaceUsed = Math.round(value.applyAsDouble("MU") + value.applyAsDouble("CCSU"));
            return new JvmView(heapUsed, metaspaceUsed, Math.round(value.applyAsDouble("YGC")) + " / "
                    + Math.round(value.applyAsDouble("FGC")));
        } catch (IOException | RuntimeException e) {
            return JvmView.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JvmView.UNKNOWN;
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.lines().findFirst().orElse("").replace('|', '/');
        return line.length() > 120 ? line.substring(0, 120) + "…" : line;
    }

    private static String ms(long nanos) {
        return nanos < 0 ? "–" : BenchReport.ms(nanos);
    }

    private static String mib(long kib) {
        return kib < 0 ? "–" : Long.toString(Math.round(kib / 1024.0));
    }

    /** What jstat said: KiB used, and collections. */
    private record JvmView(long heapUsedKib, long metaspaceUsedKib, String gcs) {
        static final JvmView UNKNOWN = new JvmView(-1, -1, "–");
    }

    /** One measured process: {@code heap} null for Lambda's default; {@code failure} null if all went well. */
    private record Run(String heap, String answers, long p50, long p99, long max, long hwmMib, long rssMib,
                       JvmView jvm, String failure) {
        static Run failed(String heap, String why) {
            return new Run(heap, "–", -1, -1, -1, -1, -1, JvmView.UNKNOWN, why);
        }
    }
}
