package com.deliverychannels.bench;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.deliverychannels.bounce.SnsTestSigner;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.delivery.IdempotencyMarker;
import com.deliverychannels.packaged.PackagedFunction;
import com.deliverychannels.packaged.PackagedProduct;
import com.deliverychannels.store.DynamoChannelStore;
import com.deliverychannels.store.DynamoDeliveryStore;
import com.deliverychannels.store.DynamoFailedDeliveryStore;
import com.deliverychannels.store.DynamoSnsMessageLedger;
import com.deliverychannels.store.DynamoSuppressionList;
import com.deliverychannels.store.TableLayout;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.DeliveryFixtures;
import com.deliverychannels.testing.SesFeedback;

import io.vertx.core.Vertx;
import io.vertx.core.net.PfxOptions;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Issue 7, warm latency and cost: every route of the four functions of the packaged {@code function.zip}, warm,
 * one instance, sequential, next to the bare DynamoDB Local round trips that route makes; and what each
 * operation costs: DynamoDB calls and capacity units (counted by {@link DynamoDbMeter}) and Lambda GB-seconds,
 * in dollars per million operations.
 * <p>
 * Each function runs twice: one instance talks to DynamoDB Local directly (timed), another through the meter
 * (counted; the proxy adds a hop, so its times are not reported). Everything else is {@link PackagedProduct}'s
 * world: our relay with STARTTLS and AUTH, SNS's certificate host, signed SNS events.
 * <p>
 * A runner, not a test: it asserts nothing about time (STYLE.md), and its name matches no surefire or failsafe
 * include. Run it with {@code ./mvnw -B test -Dtest=WarmLatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * after {@code ./mvnw package}; results in {@code target/bench/warm-latency-and-cost.md}.
 */
class WarmLatencyBenchmark {
    private static final Duration TIMEOUT = PackagedProduct.TIMEOUT;
    private static final int WARM_RUNS = Integer.getInteger("bench.warmRuns", 1_000);
    private static final int WARM_UP = Integer.getInteger("bench.warmUp", 200);
    private static final int METER_RUNS = Integer.getInteger("bench.meterRuns", 50);
    private static final int METER_WARM_UP = 5;
    /** Due deliveries per sweep for the per-delivery share of a sweep's calls. */
    private static final int SWEEP_BATCH = 10;
    /** infra/template.yaml, parameter MemorySize (default); also what PackagedFunction gives the process. */
    private static final int MEMORY_MB = 512;

    // Published on-demand prices, us-east-1, read 2026-11-23 (see bench/README.md for the sources).
    private static final double LAMBDA_PER_REQUEST = 0.20 / 1_000_000;
    private static final double LAMBDA_PER_GB_SECOND = 0.0000166667;
    private static final double DYNAMODB_PER_WRU = 0.625 / 1_000_000;
    private static final double DYNAMODB_PER_RRU = 0.125 / 1_000_000;
    private static final double SES_PER_MESSAGE = 0.10 / 1_000;

    private static final String BOUNCE = "event-bounce-permanent-two-recipients.json";
    private static final String DELIVERY_NOTICE = "event-delivery.json";
    private static final String ENDPOINT = "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE";


    private final BenchReport report = new BenchReport("warm-latency-and-cost");

    /** One kind of invocation: which function, and how to make its next event (outside the timed part). */
    private record Scenario(String function, String label, IntFunction<String> event, boolean timed, int sends) {
    }

    /** What the meter counted over a scenario's invocations, per invocation. */
    private record Metered(int invocations, Map<String, Double> callsByOperation, double reads, double queries,
                           double writes, double readUnits, double writeUnits, Map<String, Double> unitsByTarget,
                           double conditionalFailures, double consistentReads, String answers, double billedReadUnits,
                           long dynamoDbLocalP50, List<DynamoDbMeter.Call> lastInvocation, double billedWriteUnits) {
        double calls() {
            return reads + queries + writes;
        }
    }

    @Test
    void run() throws Exception {
        if (System.getProperty(PackagedFunction.FUNCTION_ZIP_PROPERTY) == null) {
            System.setProperty(PackagedFunction.FUNCTION_ZIP_PROPERTY,
                    Path.of(System.getProperty("basedir", "."), "target", "function.zip").toAbsolutePath().toString());
        }
        try (PackagedProduct product = PackagedProduct.open("delivery-channels-bench");
             DynamoDbMeter meter = DynamoDbMeter.start(product.environment().get(ENDPOINT))) {
            Map<String, String> direct = product.environment();
            Map<String, String> metered = product.environment();
            metered.put(ENDPOINT, meter.endpoint());
            Map<String, PackagedFunction> timed = new LinkedHashMap<>();
            Map<String, PackagedFunction> counted = new LinkedHashMap<>();
            try {
                Path zip = Path.of(System.getProperty(PackagedFunction.FUNCTION_ZIP_PROPERTY));
                for (String function : List.of("channels", "send", "bounces", "retry")) {
                    timed.put(function, PackagedFunction.start(zip, function, direct, TIMEOUT));
                    counted.put(function, PackagedFunction.start(zip, function, metered, TIMEOUT));
                }

                // The data the scenarios read: a user with a default identity, one delivery, one used Idempotency-Key.
                Workloads.User alice = Workloads.newUser(timed.get("channels"));
                String firstSend = timed.get("send").invoke(Workloads.send(alice), TIMEOUT);
                String deliveryId = ApiEvents.answer(firstSend).body().path("deliveryId").asText();
                String repeatedKeyEvent = sendWithKey(alice, "bench-repeat-" + UUID.randomUUID());
                timed.get("send").invoke(repeatedKeyEvent, TIMEOUT);
                Workloads.User sweeper = Workloads.newUser(timed.get("channels"));

                List<Scenario> scenarios = scenarios(product, alice, deliveryId, repeatedKeyEvent, sweeper);

                // Counting first: it also warms the code paths of the metered instances.
                Map<String, Metered> counts = new LinkedHashMap<>();
                for (Scenario scenario : scenarios) {
                    counts.put(scenario.label(), meter(counted.get(scenario.function()), meter, scenario));
                }
                Metered batch = meter(counted.get("retry"), meter, new Scenario("retry",
                        "sweep, " + SWEEP_BATCH + " due", i -> due(product, sweeper, SWEEP_BATCH), false, SWEEP_BATCH));
                stop(counted);

                Map<String, long[]> latency = new LinkedHashMap<>();
                Map<String, String> answers = new LinkedHashMap<>();
                for (Scenario scenario : scenarios) {
                    if (scenario.timed()) {
                        PackagedFunction function = timed.get(scenario.function());
                        StringBuilder seen = new StringBuilder();
                        latency.put(scenario.label(), time(function, scenario, seen));
                        answers.put(scenario.label(), seen.toString());
                    }
                }
                stop(timed);

                Map<String, long[]> bare = bareDynamoDb(product.dynamo(), product.table(), alice.id(),
                        alice.identityId(), deliveryId);
                Map<String, long[]> bareC1 = bareDynamoDbInLambdaJvm(product, alice.id(), alice.identityId(), deliveryId);
                long[] smtp = bareSmtp(product);

                writeCalls(scenarios, counts, batch);
                writeLatency(scenarios, counts, latency, answers, bare, bareC1, smtp);
                writeCost(scenarios, counts, batch, latency);
                writeMachine();
            } finally {
                stop(counted);
                stop(timed);
            }
        }
        report.write();
    }

    /** Stops the functions still running (each once: a second close would stop their stubs twice). */
    private static void stop(Map<String, PackagedFunction> functions) {
        functions.values().forEach(PackagedFunction::close);
        functions.clear();
    }

    private List<Scenario> scenarios(PackagedProduct product, Workloads.User alice, String deliveryId,
                                     String repeatedKeyEvent, Workloads.User sweeper) {
        String id = alice.id();
        String getChannels = ApiEvents.get("/v1/channels").as(id).json();
        String getChannel = ApiEvents.get("/v1/channel").as(id).json();
        String putChannel = ApiEvents.put("/v1/channel", "{\"active\":\"MSC\"}").as(id).json();
        String getIdentities = ApiEvents.get("/v1/identities").as(id).json();
        String getFailed = ApiEvents.get("/v1/failed-deliveries").as(id).json();
        String send = Workloads.send(alice);
        String getMessage = ApiEvents.get("/v1/messages/" + deliveryId).as(id).json();
        String scheduled = Workloads.scheduledEvent();
        return List.of(
                new Scenario("channels", "GET /v1/channels (no table)", i -> getChannels, true, 0),
                new Scenario("channels", "GET /v1/channel", i -> getChannel, true, 0),
                new Scenario("channels", "PUT /v1/channel (MSC)", i -> putChannel, true, 0),
                new Scenario("channels", "GET /v1/identities (1 identity)", i -> getIdentities, true, 0),
                new Scenario("channels", "POST /v1/identities (first of a new user)", i -> ApiEvents.post(
                        "/v1/identities", "{\"name\":\"Bench\",\"address\":\"bench@example.com\",\"default\":true}")
                        .as("user-" + UUID.randomUUID()).json(), true, 0),
                new Scenario("channels", "GET /v1/failed-deliveries (empty)", i -> getFailed, true, 0),
                new Scenario("send", "POST /v1/messages (MSC, 1 recipient)", i -> send, true, 1),
                new Scenario("send", "POST /v1/messages + new Idempotency-Key",
                        i -> sendWithKey(alice, "bench-" + UUID.randomUUID()), true, 1),
                new Scenario("send", "POST /v1/messages, key used before (replay)", i -> repeatedKeyEvent, true, 0),
                new Scenario("send", "GET /v1/messages/{id}", i -> getMessage, true, 0),
                new Scenario("bounces", "SNS: SES permanent bounce, 2 recipients",
                        i -> notice(product, BOUNCE, Workloads.sentDelivery(product)), true, 0),
                new Scenario("bounces", "SNS: SES delivery notification",
                        i -> notice(product, DELIVERY_NOTICE, Workloads.sentDelivery(product)), true, 0),
                new Scenario("retry", "sweep, nothing due", i -> scheduled, true, 0),
                new Scenario("retry", "sweep, 1 due (MSC, sent)", i -> due(product, sweeper, 1), true, 1));
    }

    private static String sendWithKey(Workloads.User user, String key) {
        return ApiEvents.post("/v1/messages", "{\"to\":[\"bob@example.org\"],\"subject\":\"Benchmark\","
                + "\"text\":\"Hi Bob,\\nshall we talk?\",\"html\":\"<p>Hi Bob,</p>\"}")
                .header("Idempotency-Key", key).as(user.id()).json();
    }

    private static String notice(PackagedProduct product, String fixture, Delivery delivery) {
        return SnsTestSigner.lambdaEvent(SnsTestSigner.notification(PackagedProduct.TOPIC,
                SesFeedback.about(fixture, delivery), product.certificates().certUrl(), Instant.now()));
    }

    private static String due(PackagedProduct product, Workloads.User user, int count) {
        Workloads.dueDeliveries(product, user, count);
        return Workloads.scheduledEvent();
    }

    private static Metered meter(PackagedFunction function, DynamoDbMeter meter, Scenario scenario) {
        for (int i = 0; i < METER_WARM_UP; i++) {
            function.invoke(scenario.event().apply(i), TIMEOUT);
        }
        Map<String, Double> byOperation = new TreeMap<>();
        Map<String, Double> byTarget = new TreeMap<>();
        double reads = 0, queries = 0, writes = 0, rcu = 0, wcu = 0, failures = 0, consistent = 0, billedRcu = 0;
        double billedWcu = 0;
        TreeSet<String> answers = new TreeSet<>();
        long[] dynamoDbLocal = new long[METER_RUNS];
        List<DynamoDbMeter.Call> last = List.of();
        for (int i = 0; i < METER_RUNS; i++) {
            String event = scenario.event().apply(i);
            meter.reset();
            answers.add(BenchReport.statusOf(function.invoke(event, TIMEOUT)));
            last = meter.calls();
            for (DynamoDbMeter.Call call : last) {
                dynamoDbLocal[i] += call.upstreamNanos();
                billedRcu += call.billedReadUnits();
                billedWcu += call.billedWriteUnits();
                String name = call.operation() + (call.transactItems() > 0 ? "(" + call.transactItems() + ")" : "");
                byOperation.merge(name, 1.0, Double::sum);
                switch (call.operation()) {
                    case "Query", "Scan" -> queries++;
                    case "GetItem", "BatchGetItem", "TransactGetItems" -> reads++;
                    default -> writes++;
                }
                rcu += call.readUnits();
                wcu += call.writeUnits();
                call.unitsByTableOrIndex().forEach((target, units) -> byTarget.merge(target, units, Double::sum));
                failures += call.conditionalFailure() ? 1 : 0;
                consistent += call.consistentRead() ? 1 : 0;
            }
        }
        double n = METER_RUNS;
        byOperation.replaceAll((k, v) -> v / n);
        byTarget.replaceAll((k, v) -> v / n);
        return new Metered(METER_RUNS, byOperation, reads / n, queries / n, writes / n, rcu / n, wcu / n, byTarget,
                failures / n, consistent / n, String.join(", ", answers), billedRcu / n,
                BenchReport.percentile(BenchReport.sorted(dynamoDbLocal), 50), last, billedWcu / n);
    }

    private static long[] time(PackagedFunction function, Scenario scenario, StringBuilder answers) {
        TreeSet<String> seen = new TreeSet<>();
        for (int i = 0; i < WARM_UP; i++) {
            seen.add(BenchReport.statusOf(function.invoke(scenario.event().apply(i), TIMEOUT)));
        }
        long[] nanos = new long[WARM_RUNS];
        for (int i = 0; i < WARM_RUNS; i++) {
            String event = scenario.event().apply(i);
            long t0 = System.nanoTime();
            String answer = function.invoke(event, TIMEOUT);
            nanos[i] = System.nanoTime() - t0;
            seen.add(BenchReport.statusOf(answer));
        }
        answers.append(String.join(", ", seen));
        return nanos;
    }

    /**
     * The DynamoDB calls the routes make, made from a JVM with the product's own store classes where they exist
     * (same requests, same item shapes) on the same kind of SDK client (URL connection): {@code WARM_RUNS} of each
     * after {@code WARM_UP}. Keyed by the operation name the meter reports.
     */
    static Map<String, long[]> bareDynamoDb(DynamoDbClient dynamo, String table, String userId, String identityId,
                                            String deliveryId) {
        DeliveryStore deliveries = new DynamoDeliveryStore(dynamo, () -> table, Clock.systemUTC(),
                new DynamoFailedDeliveryStore(dynamo, () -> table));
        DynamoChannelStore channels = new DynamoChannelStore(dynamo, () -> table);
        DynamoSuppressionList suppressions = new DynamoSuppressionList(dynamo, () -> table);
        DynamoSnsMessageLedger ledger = new DynamoSnsMessageLedger(dynamo, () -> table, Clock.systemUTC());
        QueryRequest dueShard = QueryRequest.builder().tableName(table).indexName(TableLayout.GSI1)
                .keyConditionExpression("#pk = :pk AND #sk <= :now")
                .expressionAttributeNames(Map.of("#pk", TableLayout.GSI1_PK, "#sk", TableLayout.GSI1_SK))
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("RETRY#0"),
                        ":now", AttributeValue.fromS(String.format("%015d", System.currentTimeMillis()) + "#~")))
                .limit(100).build();
        Map<String, long[]> bare = new LinkedHashMap<>();
        bare.put("GetItem", timeCall(i -> deliveries.find(deliveryId)));
        bare.put("GetItem (eventually consistent, identity)", timeCall(i -> channels.identity(userId, identityId)));
        bare.put("BatchGetItem", timeCall(i -> suppressions.suppressed(userId, List.of("bob@example.org"))));
        bare.put("Query", timeCall(i -> channels.identities(userId)));
        bare.put("Query (GSI, due retries, one shard)", timeCall(i -> dynamo.query(dueShard)));
        bare.put("PutItem", timeCall(i -> deliveries.create(DeliveryFixtures.sent("bob@example.org"), Optional.empty())));
        bare.put("UpdateItem", timeCall(i -> {
            ledger.done(UUID.randomUUID().toString());
            return null;
        }));
        bare.put("TransactWriteItems", timeCall(i -> {
            Delivery delivery = DeliveryFixtures.sent("bob@example.org");
            return deliveries.create(delivery, Optional.of(IdempotencyMarker.inFlight(delivery.userId(), "k-" + i, "h",
                    delivery.deliveryId(), Instant.now(), java.time.Duration.ofHours(1),
                    java.time.Duration.ofSeconds(30))));
        }));
        return bare;
    }

    /**
     * The same bare calls from a separate JVM started with the function's JVM options (PackagedFunction: C1
     * only, serial GC, the heap of 512 MB): the round trips as a client compiled like the function makes them.
     */
    private static Map<String, long[]> bareDynamoDbInLambdaJvm(PackagedProduct product, String userId,
                                                               String identityId, String deliveryId) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:MaxHeapSize=" + MEMORY_MB * 1024 * 85 / 100 + "k", "-XX:+UseSerialGC", "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1", "-Dbench.warmRuns=" + WARM_RUNS, "-Dbench.warmUp=" + WARM_UP,
                "-cp", classPath, BareCalls.class.getName(), product.environment().get(ENDPOINT), product.table(),
                userId, identityId, deliveryId);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("the bare-call JVM failed: " + output);
        }
        Map<String, long[]> bare = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            String[] parts = line.split("\t");
            if (parts.length == 2 && parts[0].startsWith("bare:")) {
                bare.put(parts[0].substring(5), java.util.Arrays.stream(parts[1].split(","))
                        .mapToLong(Long::parseLong).toArray());
            }
        }
        return bare;
    }

    /** The bare calls in a JVM of their own: args endpoint, table, user, identity, delivery; timings on stdout. */
    static final class BareCalls {
        public static void main(String[] args) {
            try (DynamoDbClient dynamo = DynamoDbClient.builder()
                    .endpointOverride(java.net.URI.create(args[0]))
                    .region(software.amazon.awssdk.regions.Region.EU_WEST_1)
                    .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test")))
                    .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                    .build()) {
                bareDynamoDb(dynamo, args[1], args[2], args[3], args[4]).forEach((operation, nanos) ->
                        System.out.println("bare:" + operation + "\t" + java.util.Arrays.stream(nanos)
                                .mapToObj(Long::toString).collect(Collectors.joining(","))));
            }
        }
    }

    private static long[] timeCall(IntFunction<Object> call) {
        for (int i = 0; i < WARM_UP; i++) {
            call.apply(i);
        }
        long[] nanos = new long[WARM_RUNS];
        for (int i = 0; i < WARM_RUNS; i++) {
            long t0 = System.nanoTime();
            call.apply(WARM_UP + i);
            nanos[i] = System.nanoTime() - t0;
        }
        return nanos;
    }

    /**
     * One message through our relay from this JVM with the Vert.x mail client the function's MSC transport
     * uses (STARTTLS, AUTH, connection kept alive between messages as the function's pool keeps it).
     */
    private static long[] bareSmtp(PackagedProduct product) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            MailConfig config = new MailConfig()
                    .setHostname(product.relay().host()).setPort(product.relay().port())
                    .setStarttls(StartTLSOptions.REQUIRED).setLogin(LoginOption.REQUIRED)
                    .setUsername(PackagedProduct.RELAY_USERNAME).setPassword(PackagedProduct.RELAY_PASSWORD)
                    .setKeepAlive(true).setOwnHostname(PackagedProduct.SENDER_DOMAIN)
                    .setPfxTrustOptions(new PfxOptions().setPath(Path.of("src/test/resources/tls/truststore.p12")
                            .toAbsolutePath().toString()).setPassword("changeit"));
            MailClient client = MailClient.create(vertx, config);
            MailMessage message = new MailMessage().setFrom("alice@example.com").setTo("bob@example.org")
                    .setSubject("Benchmark").setText("Hi Bob,\nshall we talk?").setHtml("<p>Hi Bob,</p>");
            long[] nanos = timeCall(i -> {
                try {
                    return client.sendMail(message).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("bare SMTP send failed", e);
                }
            });
            client.close();
            return nanos;
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private void writeCalls(List<Scenario> scenarios, Map<String, Metered> counts, Metered batch) {
        report.line("## DynamoDB calls and capacity per operation");
        report.line("");
        report.line("Counted by DynamoDbMeter (a proxy between the function and DynamoDB Local that adds"
                + " `ReturnConsumedCapacity: INDEXES` and reads `ConsumedCapacity`), mean per invocation over "
                + METER_RUNS + " invocations after " + METER_WARM_UP + " warm-up. *reads*: GetItem, BatchGetItem;"
                + " *queries*: Query; *writes*: PutItem, UpdateItem, DeleteItem, TransactWriteItems (one call,"
                + " however many items; `(n)` = items in the transaction). RCU/WCU as DynamoDB Local reports them"
                + " (on demand: RRU/WRU), GSI share included.");
        report.line("");
        report.row("function", "operation", "answers", "calls by type", "reads", "queries", "writes",
                "consistent reads", "RCU reported", "RCU billed", "WCU reported", "WCU billed",
                "GSI units reported", "conditional failures", "DynamoDB Local time p50 (ms)");
        report.line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Scenario scenario : scenarios) {
            callsRow(scenario.function(), scenario.label(), counts.get(scenario.label()));
        }
        callsRow("retry", "sweep, " + SWEEP_BATCH + " due (MSC, sent)", batch);
        Metered empty = counts.get("sweep, nothing due");
        report.line("");
        report.line(String.format(Locale.ROOT, "Retry, per delivery within a sweep (from the %d-due sweep minus the"
                        + " empty one, ÷ %d): %.2f reads, %.2f queries, %.2f writes, %.2f RCU, %.2f WCU (billed). The sweep's fixed"
                        + " cost (nothing due): %.2f queries, %.2f RCU.", SWEEP_BATCH, SWEEP_BATCH,
                (batch.reads() - empty.reads()) / SWEEP_BATCH, (batch.queries() - empty.queries()) / SWEEP_BATCH,
                (batch.writes() - empty.writes()) / SWEEP_BATCH, (batch.billedReadUnits() - empty.billedReadUnits()) / SWEEP_BATCH,
                (batch.billedWriteUnits() - empty.billedWriteUnits()) / SWEEP_BATCH, empty.queries(), empty.billedReadUnits()));
        report.line("");
        report.line("*RCU billed (floor)*: DynamoDB Local reports 0 read units for a read that finds nothing (an"
                + " empty Query, a BatchGetItem key with no item); DynamoDB bills such a read one 4 KB unit (1 strongly,"
                + " 0.5 eventually consistent) per key or request. *RCU billed* applies that floor. DynamoDB Local's"
                + " write units for TransactWriteItems do not follow the rules (2 units reported for 3 items of under"
                + " 1 KB); *WCU billed* replaces them by the rules: 2 per KB of each item, 2 more per index entry"
                + " written (item sizes computed from the request). The costs below use the billed columns."
                + " *DynamoDB Local time*: the sum of the round trips the proxy timed upstream, per invocation.");
        report.line("");
        report.line("### Call by call (the last metered invocation of each operation)");
        report.line("");
        report.row("operation", "#", "call", "consistent", "RCU reported", "RCU billed", "WCU reported", "WCU billed",
                "units by table/index (reported)", "request bytes", "DynamoDB Local ms", "status");
        report.line("|---|---|---|---|---|---|---|---|---|---|---|---|");
        List<Map.Entry<String, Metered>> all = new ArrayList<>(counts.entrySet());
        all.add(Map.entry("sweep, " + SWEEP_BATCH + " due", batch));
        for (Map.Entry<String, Metered> entry : all) {
            int number = 0;
            for (DynamoDbMeter.Call call : entry.getValue().lastInvocation()) {
                report.row(entry.getKey(), ++number,
                        call.operation() + (call.transactItems() > 0 ? "(" + call.transactItems() + ")" : "")
                                + (call.keys() > 0 ? " [" + call.keys() + " keys]" : ""),
                        call.consistentRead() ? "yes" : "no", num(call.readUnits()), num(call.billedReadUnits()),
                        num(call.writeUnits()), num(call.billedWriteUnits()), call.unitsByTableOrIndex(),
                        call.requestBytes(), BenchReport.ms(call.upstreamNanos()),
                        call.status() + (call.errorType() == null ? "" : " " + call.errorType()));
            }
        }
        report.line("");
    }

    private void callsRow(String function, String label, Metered m) {
        String byOperation = m.callsByOperation().entrySet().stream()
                .map(e -> e.getKey() + " ×" + num(e.getValue())).collect(Collectors.joining(", "));
        String byTarget = m.unitsByTarget().entrySet().stream().filter(e -> !e.getKey().equals("table"))
                .map(e -> e.getKey() + " " + num(e.getValue())).collect(Collectors.joining(", "));
        report.row(function, label, m.answers(), byOperation.isEmpty() ? "none" : byOperation, num(m.reads()),
                num(m.queries()), num(m.writes()), num(m.consistentReads()), num(m.readUnits()),
                num(m.billedReadUnits()), num(m.writeUnits()), num(m.billedWriteUnits()), byTarget.isEmpty() ? "-" : byTarget,
                num(m.conditionalFailures()), BenchReport.ms(m.dynamoDbLocalP50()));
    }

    private void writeLatency(List<Scenario> scenarios, Map<String, Metered> counts, Map<String, long[]> latency,
                              Map<String, String> answers, Map<String, long[]> bare, Map<String, long[]> bareC1,
                              long[] smtp) {
        long smtpP50 = BenchReport.percentile(BenchReport.sorted(smtp), 50);
        long floor = BenchReport.percentile(BenchReport.sorted(latency.get(scenarios.get(0).label())), 50);

        report.line("## Warm latency per route");
        report.line("");
        report.line("One instance per function, sequential: " + WARM_UP + " warm-up invocations per route, then "
                + WARM_RUNS + " timed, each from queueing the event in the Runtime API stub to the function's answer"
                + " (the runtime client's GET /next and POST /response over loopback included). *bare DynamoDB*: the"
                + " route's calls (counts above) × the p50 of the same operation made from the benchmark JVM (table"
                + " below); *SMTP*: p50 of one message through the same relay from the benchmark JVM (× messages the"
                + " route sends). *C1 JVM*: the same bare calls from a separate JVM with the function's options (C1 only,"
                + " serial GC), as the function's own SDK client is compiled. *overhead* = route p50 − bare DynamoDB −"
                + " SMTP: the function's own time plus the"
                + " runtime/stub floor (the first row, a route that touches no table). *DynamoDB Local time (metered)*:"
                + " the p50 over the metered invocations of the time DynamoDB Local took to answer exactly the calls the"
                + " route made (timed by the proxy, from the benchmark JVM): a second baseline, with the route's own"
                + " requests. ms.");
        report.line("");
        report.row("function", "route", "answers", "n", "p50", "p99", "max", "DynamoDB calls", "bare DynamoDB p50 sum",
                "SMTP p50", "overhead p50", "overhead − floor", "bare sum, C1 JVM", "overhead vs C1 bare − floor",
                "DynamoDB Local time (metered) p50", "p50 − metered − SMTP");
        report.line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Scenario scenario : scenarios) {
            long[] nanos = latency.get(scenario.label());
            if (nanos == null) {
                continue;
            }
            Metered m = counts.get(scenario.label());
            long bareSum = bareSum(scenario, m, bare);
            long bareC1Sum = bareSum(scenario, m, bareC1);
            long mail = (long) scenario.sends() * smtpP50;
            long p50 = BenchReport.percentile(BenchReport.sorted(nanos), 50);
            report.row(scenario.function(), scenario.label(), answers.get(scenario.label()),
                    BenchReport.percentileCells(nanos), num(m.calls()), BenchReport.ms(bareSum), BenchReport.ms(mail),
                    BenchReport.ms(p50 - bareSum - mail), BenchReport.ms(p50 - bareSum - mail - floor),
                    BenchReport.ms(bareC1Sum), BenchReport.ms(p50 - bareC1Sum - mail - floor),
                    BenchReport.ms(m.dynamoDbLocalP50()), BenchReport.ms(p50 - m.dynamoDbLocalP50() - mail));
        }
        report.line("");
        report.line("Bare round trips from the benchmark JVM (" + WARM_RUNS + " after " + WARM_UP + " warm-up), ms:");
        report.line("");
        report.row("operation", "n", "p50", "p99", "max", "C1 JVM: n", "p50", "p99", "max");
        report.line("|---|---|---|---|---|---|---|---|---|");
        bare.forEach((operation, nanos) -> report.row(bareLabel(operation), BenchReport.percentileCells(nanos),
                bareC1.containsKey(operation) ? BenchReport.percentileCells(bareC1.get(operation)) : "- | - | - | -"));
        report.row("SMTP: one message through the relay (STARTTLS+AUTH, kept-alive connection, Vert.x mail client)",
                BenchReport.percentileCells(smtp), "- | - | - | -");
        report.line("");
    }

    /** The route's calls (mean counts) × the bare p50 of each operation; Query of the retry sweep on the GSI. */
    private static long bareSum(Scenario scenario, Metered m, Map<String, long[]> bare) {
        long sum = 0;
        for (var call : m.callsByOperation().entrySet()) {
            String operation = call.getKey().replaceAll("\\(.*", "");
            String key = scenario.function().equals("retry") && operation.equals("Query")
                    ? "Query (GSI, due retries, one shard)" : operation;
            long[] nanos = bare.getOrDefault(key, bare.get("GetItem"));
            sum += Math.round(call.getValue() * BenchReport.percentile(BenchReport.sorted(nanos), 50));
        }
        return sum;
    }

    private static String bareLabel(String operation) {
        return switch (operation) {
            case "GetItem" -> "GetItem (strongly consistent, a delivery; DynamoDeliveryStore.find)";
            case "BatchGetItem" -> "BatchGetItem (1 key, consistent; DynamoSuppressionList.suppressed)";
            case "Query" -> "Query (base table, consistent; DynamoChannelStore.identities)";
            case "PutItem" -> "PutItem (new delivery, conditional; DynamoDeliveryStore.create)";
            case "UpdateItem" -> "UpdateItem (SNS ledger; DynamoSnsMessageLedger.done)";
            case "TransactWriteItems" -> "TransactWriteItems (delivery + Idempotency marker; DynamoDeliveryStore.create)";
            default -> operation;
        };
    }

    private void writeCost(List<Scenario> scenarios, Map<String, Metered> counts, Metered batch,
                           Map<String, long[]> latency) {
        double gb = MEMORY_MB / 1024.0;
        report.line("## Cost per operation");
        report.line("");
        report.line(String.format(Locale.ROOT, "Lambda: billed duration ≈ the warm round trip p50 above rounded up to"
                        + " 1 ms (an upper bound: it includes the runtime client's loopback exchanges) × %d MB; $%.2f per"
                        + " million requests, $%.10f per GB-s (x86, us-east-1). DynamoDB on demand (us-east-1, after the"
                        + " November 2024 cut): $%.3f per million WRU, $%.3f per million RRU; units as metered above."
                        + " Dollars per million operations.", MEMORY_MB, LAMBDA_PER_REQUEST * 1e6, LAMBDA_PER_GB_SECOND,
                DYNAMODB_PER_WRU * 1e6, DYNAMODB_PER_RRU * 1e6));
        report.line("");
        report.row("function", "operation", "billed ms (p50)", "GB-s", "Lambda $/M", "RRU", "WRU", "DynamoDB $/M",
                "total $/M");
        report.line("|---|---|---|---|---|---|---|---|---|");
        Map<String, Double> totals = new LinkedHashMap<>();
        for (Scenario scenario : scenarios) {
            long[] nanos = latency.get(scenario.label());
            Metered m = counts.get(scenario.label());
            long billedMs = (long) Math.ceil(BenchReport.percentile(BenchReport.sorted(nanos), 50) / 1_000_000.0);
            double gbSeconds = gb * billedMs / 1000.0;
            double lambda = (LAMBDA_PER_REQUEST + gbSeconds * LAMBDA_PER_GB_SECOND) * 1e6;
            double dynamo = (m.billedReadUnits() * DYNAMODB_PER_RRU + m.billedWriteUnits() * DYNAMODB_PER_WRU) * 1e6;
            totals.put(scenario.label(), lambda + dynamo);
            report.row(scenario.function(), scenario.label(), billedMs, String.format(Locale.ROOT, "%.4f", gbSeconds),
                    money(lambda), num(m.billedReadUnits()), num(m.billedWriteUnits()), money(dynamo), money(lambda + dynamo));
        }
        Metered empty = counts.get("sweep, nothing due");
        double perDeliveryRru = (batch.billedReadUnits() - empty.billedReadUnits()) / SWEEP_BATCH;
        double perDeliveryWru = (batch.billedWriteUnits() - empty.billedWriteUnits()) / SWEEP_BATCH;
        report.row("retry", "per delivery within a sweep (DynamoDB only)", "-", "-", "-", num(perDeliveryRru),
                num(perDeliveryWru), money((perDeliveryRru * DYNAMODB_PER_RRU + perDeliveryWru * DYNAMODB_PER_WRU) * 1e6),
                "-");
        report.line("");
        double send = totals.get("POST /v1/messages (MSC, 1 recipient)");
        double notice = totals.get("SNS: SES delivery notification");
        double sweepsPerMonth = 60 * 24 * 30;
        report.line(String.format(Locale.ROOT, "A million MSC sends: the send itself $%.2f, plus the SES delivery"
                        + " notification each one brings back through SNS to `bounces` (the configuration set publishes"
                        + " `delivery` events) $%.2f: **$%.2f per million sends** in Lambda and DynamoDB. For scale: SES"
                        + " itself charges $%.2f per million messages. The retry schedule (rate(1 minute)) adds %.0f empty"
                        + " sweeps a month whatever the volume: $%.4f a month.", send, notice, send + notice,
                SES_PER_MESSAGE * 1e6, sweepsPerMonth, sweepsPerMonth * totals.get("sweep, nothing due") / 1e6));
        report.line("");
    }

    private void writeMachine() {
        report.line("## Machine");
        report.line("");
        report.line("- at the end of the run: " + BenchReport.machine());
        report.line("");
    }

    private static String num(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String money(double dollars) {
        return String.format(Locale.ROOT, "%.2f", dollars);
    }
}
