package com.deliverychannels.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.deliverychannels.bounce.SnsTestSigner;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.packaged.PackagedFunction;
import com.deliverychannels.packaged.PackagedProduct;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.SesFeedback;
import com.deliverychannels.testing.TestSmtpServer.ReceivedMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The throughput half of issue 7: bounce notifications one {@code bounces} instance applies per second, and a
 * retry sweep over many due deliveries (10,000 by default) with its time, messages per second and a check that
 * nothing left twice. Like the other benchmarks of this package it runs the packaged {@code target/function.zip} under
 * AWS's runtime interface client with a Runtime API stub on loopback, in the world of {@link PackagedProduct}
 * (DynamoDB Local in this JVM, our STARTTLS + AUTH relay, SNS's certificate host), and seeds through
 * {@link Workloads}. Seeding is never on the clock.
 * <p>
 * A runner, not a test: it checks outcomes (every delivery BOUNCED / SENT, one copy of each message) and
 * reports them, but asserts nothing about time (STYLE.md). Run it with
 * {@code ./mvnw -B test -Dtest=ThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false} after
 * {@code package}; results go to standard output and {@code target/bench/throughput.md}. Knobs (system
 * properties): {@code bench.only} ({@code bounces} or {@code sweep}), {@code bench.bounces} (1000),
 * {@code bench.bounceWarmUp} (100), {@code bench.webhookBounces} (1000, 0 skips the webhook road),
 * {@code bench.sweepDeliveries} (10000), {@code bench.sweeps} (comma list of rows
 * {@code concurrency[:poolN][:mock][:budgetISO]}, default {@code 8}: {@code RETRY_SWEEP_CONCURRENCY}, optionally
 * {@code QUARKUS_MAILER_MAX_POOL_SIZE=N}, optionally {@code QUARKUS_MAILER_MOCK=true}, which sends nothing and
 * so shows the sweep's cost without the relay, optionally {@code RETRY_SWEEP_TIME_BUDGET=ISO}, e.g.
 * {@code 8:budgetPT20S}), {@code bench.sweepWarmUp} (1000, an unreported sweep first),
 * {@code bench.sweepTimeBudget} (ISO-8601, empty: the product default), {@code bench.seedThreads} (4).
 */
class ThroughputBenchmark {
    private static final String TABLE = "delivery-channels-bench-throughput";
    private static final String ONLY = System.getProperty("bench.only", "");
    private static final int BOUNCES = Integer.getInteger("bench.bounces", 1_000);
    private static final int BOUNCE_WARM_UP = Integer.getInteger("bench.bounceWarmUp", 100);
    private static final int WEBHOOK_BOUNCES = Integer.getInteger("bench.webhookBounces", 1_000);
    private static final int SWEEP_DELIVERIES = Integer.getInteger("bench.sweepDeliveries", 10_000);
    /** One sweep row each: {@code concurrency[:poolN][:mock][:budgetISO]}. */
    private static final List<String> SWEEP_RUNS = Arrays.stream(System.getProperty("bench.sweeps", "8").split(","))
            .map(String::trim).filter(run -> !run.isEmpty()).toList();
    private static final int SWEEP_WARM_UP = Integer.getInteger("bench.sweepWarmUp", 1_000);
    private static final String SWEEP_TIME_BUDGET = System.getProperty("bench.sweepTimeBudget", "");
    private static final int SEED_THREADS = Integer.getInteger("bench.seedThreads", 4);
    /** More sweeps than this and something is wrong (a sweep that claims without sending); stop and report. */
    private static final int MAX_SWEEPS = 20;
    private static final String BOUNCE_FIXTURE = "event-bounce-permanent-two-recipients.json";
    private static final ObjectMapper JSON = new ObjectMapper();


    private final BenchReport report = new BenchReport("throughput");
    private final List<Object[]> sweepRows = new ArrayList<>();
    private final List<String> sweepDetails = new ArrayList<>();

    @Test
    void run() throws Exception {
        report.line("# Throughput (issue 7)").line("");
        report.line("Run " + BenchReport.machine() + ".").line("");
        try (PackagedProduct product = PackagedProduct.open(TABLE)) {
            measureAll(product);
        } finally {
            // Written also when a later part fails, so that what was measured is not lost.
            report.line("").line(loadAtTheEnd());
            report.write();
        }
    }

    private void measureAll(PackagedProduct product) throws Exception {
        if (!ONLY.equals("sweep")) {
            bounces(product);
        }
        if (ONLY.equals("bounces")) {
            return;
        }
        PackagedFunction channels = product.start("channels");
        if (SWEEP_WARM_UP > 0) {
            // Not reported: warms DynamoDB Local, the relay and this JVM, so that the first row is not slower
            // only for being first.
            sweep(product, channels, "8", SWEEP_WARM_UP);
            sweepRows.clear();
            sweepDetails.clear();
        }
        try {
            for (String run : SWEEP_RUNS) {
                try {
                    sweep(product, channels, run, SWEEP_DELIVERIES);
                } catch (RuntimeException e) {
                    // One row that breaks (a time-out) is reported as such; the other rows still run.
                    String message = String.valueOf(e.getMessage());
                    sweepDetails.add("- " + run + ": FAILED, " + message.substring(0, Math.min(300, message.length()))
                            .replace('\n', ' '));
                    e.printStackTrace();
                }
            }
        } finally {
            sweepReport();
        }
    }

    // ---------------------------------------------------------------- bounces

    private void bounces(PackagedProduct product) throws Exception {
        Set<Long> before = ProcessStats.children();
        PackagedFunction bounces = product.start("bounces");
        long pid = ProcessStats.newChild(before);

        // Warm-up (not counted): the first invocations load classes, connect to DynamoDB and compile.
        for (Delivery delivery : seedSent(product, BOUNCE_WARM_UP)) {
            PackagedProduct.invoke(bounces, Workloads.bounceEvent(product, delivery));
        }

        List<Delivery> deliveries = seedSent(product, BOUNCES);
        List<String> events = deliveries.stream().map(delivery -> Workloads.bounceEvent(product, delivery)).toList();
        Measured sns = measure(pid, events, event -> {
            JsonNode answer = PackagedProduct.invoke(bounces, event);
            return answer.path("processed").asInt() == 1;
        });
        long snsBounced = countStatus(product, deliveries, DeliveryStatus.BOUNCED);

        report.line("## Bounce notifications, one `bounces` instance").line("");
        report.line("One notification per invocation, invocations one after the other as SNS → Lambda delivers them"
                + " to one instance; each notification is a signed SES permanent bounce (two recipients, both"
                + " suppressed) about its own stored SENT delivery (seeded first, off the clock). " + BOUNCE_WARM_UP
                + " warm-up notifications not counted. Per invocation: queue the event in the Runtime API stub →"
                + " answer. CPU: seconds of CPU used during the measured phase by the function process, and by the"
                + " benchmark JVM (DynamoDB Local, the relay, the stub, the harness).").line("");
        report.row("road", "n", "wall s", "notifications/s", "p50 ms", "p99 ms", "max ms", "answered OK",
                "BOUNCED in the table", "function CPU s", "bench JVM CPU s");
        report.row("---", "---", "---", "---", "---", "---", "---", "---", "---", "---", "---");
        report.row(sns.rowCells("SNS → Lambda event", snsBounced));
        List<String> threadNotes = new ArrayList<>();
        threadNotes.add("- SNS → Lambda event: " + sns.benchThreads());

        if (WEBHOOK_BOUNCES > 0) {
            List<Delivery> webhookDeliveries = seedSent(product, WEBHOOK_BOUNCES);
            List<String> webhookEvents = webhookDeliveries.stream()
                    .map(delivery -> ApiEvents.post("/v1/webhooks/ses", SnsTestSigner.notification(
                                    PackagedProduct.TOPIC, SesFeedback.about(BOUNCE_FIXTURE, delivery),
                                    product.certificates().certUrl(), Instant.now()))
                            .anonymous()
                            .header("content-type", "text/plain; charset=UTF-8")
                            .header("x-amz-sns-message-type", "Notification")
                            .json())
                    .toList();
            Measured webhook = measure(pid, webhookEvents,
                    event -> ApiEvents.answer(bounces.invoke(event, PackagedProduct.TIMEOUT)).status() == 200);
            long webhookBounced = countStatus(product, webhookDeliveries, DeliveryStatus.BOUNCED);
            report.row(webhook.rowCells("HTTPS webhook (signature verified, certificate cached)", webhookBounced));
            threadNotes.add("- HTTPS webhook: " + webhook.benchThreads());
        }
        report.line("").line("Benchmark JVM CPU by thread group during the measured phase:").line("");
        threadNotes.forEach(report::line);
        report.line("");
    }

    private static List<Delivery> seedSent(PackagedProduct product, int count) throws Exception {
        return inParallel(count, n -> IntStream.range(0, n).mapToObj(i -> Workloads.sentDelivery(product)).toList());
    }

    // ---------------------------------------------------------------- retry sweep

    private void sweep(PackagedProduct product, PackagedFunction channels, String run, int deliveries)
            throws Exception {
        List<String> settings = List.of(run.split(":"));
        int concurrency = Integer.parseInt(settings.get(0));
        int mailerPoolSize = settings.stream().filter(setting -> setting.startsWith("pool"))
                .mapToInt(setting -> Integer.parseInt(setting.substring("pool".length()))).findFirst().orElse(-1);
        boolean mockRelay = settings.contains("mock");
        String timeBudget = settings.stream().filter(setting -> setting.startsWith("budget"))
                .map(setting -> setting.substring("budget".length())).findFirst().orElse(SWEEP_TIME_BUDGET);
        Map<String, String> environment = product.environment();
        environment.put("RETRY_SWEEP_CONCURRENCY", Integer.toString(concurrency));
        if (mailerPoolSize > 0) {
            environment.put("QUARKUS_MAILER_MAX_POOL_SIZE", Integer.toString(mailerPoolSize));
        }
        if (mockRelay) {
            environment.put("QUARKUS_MAILER_MOCK", "true");
        }
        if (!timeBudget.isBlank()) {
            environment.put("RETRY_SWEEP_TIME_BUDGET", timeBudget);
        }
        Duration budget = timeBudget.isBlank() ? Duration.ofMinutes(4) : Duration.parse(timeBudget);
        Duration invokeTimeout = budget.plusMinutes(3);
        String scheduled = Workloads.scheduledEvent();

        Set<Long> before = ProcessStats.children();
        PackagedFunction retry = product.start("retry", environment);
        long pid = ProcessStats.newChild(before);
        // One sweep over nothing due first: the function's init and first table access are not the sweep's.
        JsonNode empty = PackagedProduct.invoke(retry, scheduled);
        if (empty.path("claimed").asInt() != 0) {
            throw new IllegalStateException("deliveries were due before seeding: " + empty);
        }

        Workloads.User user = Workloads.newUser(channels);
        long seedStart = System.nanoTime();
        List<Delivery> due = inParallel(deliveries, n -> Workloads.dueDeliveries(product, user, n));
        long seedNanos = System.nanoTime() - seedStart;
        int messagesBefore = product.relay().messages().size();
        int connectionsBefore = product.relay().authAttempts().size();

        List<String> perSweep = new ArrayList<>();
        int claimed = 0;
        int sent = 0;
        int rescheduled = 0;
        int failed = 0;
        int sweeps = 0;
        long functionCpuBefore = cpuTicks(pid);
        long benchCpuBefore = benchCpuNanos();
        Map<Long, Map.Entry<String, Long>> threadsBefore = threadCpu();
        long start = System.nanoTime();
        long lastClaimingEnd = start;
        while (sweeps < MAX_SWEEPS) {
            long invoked = System.nanoTime();
            JsonNode answer = JSON.readTree(retry.invoke(scheduled, invokeTimeout));
            long took = System.nanoTime() - invoked;
            sweeps++;
            int claimedNow = answer.path("claimed").asInt();
            perSweep.add(String.format(Locale.ROOT, "%.1f s: %s", took / 1e9, answer));
            if (claimedNow == 0) {
                break;
            }
            lastClaimingEnd = System.nanoTime();
            claimed += claimedNow;
            sent += answer.path("sent").asInt();
            rescheduled += answer.path("rescheduled").asInt();
            failed += answer.path("failed").asInt();
        }
        long totalNanos = lastClaimingEnd - start;
        double functionCpu = (cpuTicks(pid) - functionCpuBefore) / 100.0;
        double benchCpu = (benchCpuNanos() - benchCpuBefore) / 1e9;
        String benchThreads = cpuByThreadGroup(threadsBefore, threadCpu());

        // No double sends: every seeded delivery arrived exactly once, nothing else arrived.
        List<ReceivedMessage> received = product.relay().messages();
        List<ReceivedMessage> mine = received.subList(messagesBefore, received.size());
        Map<String, Long> copies = mine.stream()
                .collect(Collectors.groupingBy(message -> String.valueOf(message.header("X-Delivery-Id")),
                        Collectors.counting()));
        Set<String> seeded = due.stream().map(Delivery::deliveryId).collect(Collectors.toSet());
        long twice = copies.values().stream().filter(count -> count > 1).count();
        long missing = seeded.stream().filter(id -> !copies.containsKey(id)).count();
        long foreign = copies.keySet().stream().filter(id -> !seeded.contains(id)).count();
        long sentInTable = countStatus(product, due, DeliveryStatus.SENT);
        int connections = product.relay().authAttempts().size() - connectionsBefore;

        String configuration = "concurrency " + concurrency
                + (mailerPoolSize > 0 ? ", mailer pool " + mailerPoolSize : "")
                + (mockRelay ? ", QUARKUS_MAILER_MOCK=true (nothing sent)" : "")
                + (timeBudget.isBlank() ? "" : ", RETRY_SWEEP_TIME_BUDGET=" + timeBudget);
        double seconds = totalNanos / 1e9;
        Object[] row = {configuration, due.size(), sweeps - (sweeps < MAX_SWEEPS ? 1 : 0),
                String.format(Locale.ROOT, "%.1f", seconds), String.format(Locale.ROOT, "%.0f", sent / seconds),
                claimed + " / " + sent + " / " + rescheduled + " / " + failed,
                mockRelay ? "- (mock)" : mine.size() + " / " + copies.size(),
                mockRelay ? "-" : twice + " / " + missing + " / " + foreign, sentInTable,
                mockRelay ? "-" : connections, String.format(Locale.ROOT, "%.0f", functionCpu),
                String.format(Locale.ROOT, "%.0f", benchCpu), String.format(Locale.ROOT, "%.0f", seedNanos / 1e9)};
        sweepRows.add(row);
        sweepDetails.add("- " + configuration + ": " + String.join("; ", perSweep) + ". Benchmark JVM CPU by thread"
                + " group: " + benchThreads);
        System.out.println("sweep " + Arrays.toString(row) + "\n  " + String.join("\n  ", perSweep));
    }

    private void sweepReport() {
        report.line("## Retry sweep over " + SWEEP_DELIVERIES + " due deliveries").line("");
        report.line("Seeded (off the clock, " + SEED_THREADS + " threads) as the send function leaves a delivery after"
                + " a passing failure: MSC, RETRY_SCHEDULED, due a second ago, content kept, one user. A fresh `retry`"
                + " process per row, given one sweep over an empty index before seeding (init not timed). Then the"
                + " scheduled event is invoked again and again until a sweep claims 0. *Sweeps*: invocations that"
                + " claimed something; *time*: from the first invocation to the answer of the last one that"
                + " claimed; *messages/s*: sent ÷ time. Relay: messages received / distinct X-Delivery-Id;"
                + " *twice / missing / foreign*: ids received more than once / seeded but never received /"
                + " received but not seeded. *Relay connections*: AUTH exchanges the relay saw (one per pooled"
                + " connection opened). CPU over the sweep(s): function process, and the benchmark JVM"
                + " (DynamoDB Local, relay, stub).").line("");
        report.row("configuration", "due", "sweeps", "time s", "messages/s", "claimed / sent / rescheduled / failed",
                "relay messages / distinct ids", "twice / missing / foreign", "SENT in the table",
                "relay connections", "function CPU s", "bench JVM CPU s", "seeding s");
        report.row("---", "---", "---", "---", "---", "---", "---", "---", "---", "---", "---", "---", "---");
        sweepRows.forEach(report::row);
        report.line("").line("Each invocation (time: answer), and where the benchmark JVM's CPU went:").line("");
        sweepDetails.forEach(report::line);
        report.line("");
    }

    // ---------------------------------------------------------------- helpers

    /** Times each event's invocation, one after the other; counts answers {@code ok} accepts. */
    private static Measured measure(long pid, List<String> events, Function<String, Boolean> ok) {
        long[] nanos = new long[events.size()];
        int answeredOk = 0;
        long functionCpuBefore = cpuTicks(pid);
        long benchCpuBefore = benchCpuNanos();
        Map<Long, Map.Entry<String, Long>> threadsBefore = threadCpu();
        long start = System.nanoTime();
        for (int i = 0; i < events.size(); i++) {
            long invoked = System.nanoTime();
            if (ok.apply(events.get(i))) {
                answeredOk++;
            }
            nanos[i] = System.nanoTime() - invoked;
        }
        long wall = System.nanoTime() - start;
        return new Measured(nanos, wall, answeredOk, (cpuTicks(pid) - functionCpuBefore) / 100.0,
                (benchCpuNanos() - benchCpuBefore) / 1e9, cpuByThreadGroup(threadsBefore, threadCpu()));
    }

    private record Measured(long[] nanos, long wallNanos, int answeredOk, double functionCpuSeconds,
                            double benchCpuSeconds, String benchThreads) {
        Object[] rowCells(String road, long inTable) {
            long[] sorted = BenchReport.sorted(nanos);
            return new Object[] {road, nanos.length, String.format(Locale.ROOT, "%.1f", wallNanos / 1e9),
                    String.format(Locale.ROOT, "%.0f", nanos.length / (wallNanos / 1e9)),
                    BenchReport.ms(BenchReport.percentile(sorted, 50)), BenchReport.ms(BenchReport.percentile(sorted, 99)),
                    BenchReport.ms(sorted[sorted.length - 1]), answeredOk, inTable,
                    String.format(Locale.ROOT, "%.1f", functionCpuSeconds),
                    String.format(Locale.ROOT, "%.1f", benchCpuSeconds)};
        }
    }

    /** {@code count} items made by {@code make(n)} in {@link #SEED_THREADS} threads, in one list. */
    private static <T> List<T> inParallel(int count, Function<Integer, List<T>> make) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(SEED_THREADS);
        try {
            List<Future<List<T>>> parts = new ArrayList<>();
            for (int t = 0; t < SEED_THREADS; t++) {
                int n = count / SEED_THREADS + (t < count % SEED_THREADS ? 1 : 0);
                parts.add(threads.submit(() -> make.apply(n)));
            }
            List<T> all = new ArrayList<>(count);
            for (Future<List<T>> part : parts) {
                all.addAll(part.get());
            }
            return all;
        } finally {
            threads.shutdownNow();
        }
    }

    /** How many of {@code deliveries} the table holds in {@code status} now (read in parallel). */
    private static long countStatus(PackagedProduct product, Collection<Delivery> deliveries, DeliveryStatus status)
            throws Exception {
        List<Delivery> list = List.copyOf(deliveries);
        ExecutorService threads = Executors.newFixedThreadPool(SEED_THREADS);
        try {
            List<Future<Long>> parts = new ArrayList<>();
            for (int t = 0; t < SEED_THREADS; t++) {
                int from = t;
                parts.add(threads.submit(() -> IntStream.iterate(from, i -> i < list.size(), i -> i + SEED_THREADS)
                        .mapToObj(i -> product.deliveries().find(list.get(i).deliveryId()))
                        .filter(found -> found.isPresent() && found.get().status() == status)
                        .count()));
            }
            long count = 0;
            for (Future<Long> part : parts) {
                count += part.get();
            }
            return count;
        } finally {
            threads.shutdownNow();
        }
    }

    /** CPU nanoseconds of each live thread of this JVM, with its name. */
    private static Map<Long, Map.Entry<String, Long>> threadCpu() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Map.Entry<String, Long>> cpu = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long nanos = threads.getThreadCpuTime(info.getThreadId());
                if (nanos >= 0) {
                    cpu.put(info.getThreadId(), Map.entry(info.getThreadName(), nanos));
                }
            }
        }
        return cpu;
    }

    /**
     * Where this JVM's CPU went between two {@link #threadCpu()} snapshots: seconds per thread-name pattern
     * (digits folded), the largest first. Threads that ended in between are missing.
     */
    private static String cpuByThreadGroup(Map<Long, Map.Entry<String, Long>> before,
                                           Map<Long, Map.Entry<String, Long>> after) {
        Map<String, Long> groups = new java.util.HashMap<>();
        after.forEach((id, now) -> {
            long earlier = before.containsKey(id) ? before.get(id).getValue() : 0;
            groups.merge(now.getKey().replaceAll("\\d+", "N"), now.getValue() - earlier, Long::sum);
        });
        return groups.entrySet().stream()
                .filter(group -> group.getValue() >= 100_000_000L)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(group -> String.format(Locale.ROOT, "`%s` %.1f s", group.getKey(), group.getValue() / 1e9))
                .collect(Collectors.joining(", "));
    }

    /** utime + stime of {@code pid} in clock ticks (1/100 s): fields 14 and 15 of /proc/pid/stat. */
    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state), so field n is fields[n - 3].
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long benchCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String loadAtTheEnd() {
        return "Load average at the end: " + read("/proc/loadavg").trim() + ".";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "?";
        }
    }

}
