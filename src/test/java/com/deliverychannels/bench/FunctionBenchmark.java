package com.deliverychannels.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.deliverychannels.local.EmbeddedDynamoDb;
import com.deliverychannels.packaged.PackagedFunction;
import com.deliverychannels.store.TableLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * The benchmark of issue 7, first cut: cold start per function, warm latency of three {@code channels}
 * routes next to bare DynamoDB Local round trips, and the peak RSS of the function process. It runs the
 * packaged {@code target/function.zip} exactly as {@code PackagedChannelsFunctionIT} does (AWS's runtime
 * interface client, a Runtime API stub on loopback, DynamoDB Local in this JVM).
 * <p>
 * A runner, not a test: it asserts nothing and its name matches neither surefire's nor failsafe's default
 * includes, so {@code ./mvnw verify} never runs it. Start it with {@code bench/run.sh}. The results go to
 * standard output and {@code target/bench/results.md}.
 */
class FunctionBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String TABLE = "delivery-channels-bench";
    private static final int COLD_RUNS = Integer.getInteger("bench.coldRuns", 5);
    private static final int WARM_RUNS = Integer.getInteger("bench.warmRuns", 1_000);
    private static final int WARM_UP = Integer.getInteger("bench.warmUp", 200);
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The JDK HttpServer behind LambdaRuntimeApiStub leaves Nagle's algorithm on unless told otherwise;
        // with the client's delayed ACKs that adds ~40 ms per exchange to every invocation round trip (seen
        // in the first run: ~88 ms p50 for a static route). Read once, when the server classes initialise.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final StringBuilder report = new StringBuilder();

    @Test
    void run() throws Exception {
        Path basedir = Path.of(System.getProperty("basedir", "."));
        Path zip = Path.of(System.getProperty(PackagedFunction.FUNCTION_ZIP_PROPERTY,
                basedir.resolve("target/function.zip").toString()));
        try (EmbeddedDynamoDb dynamoDbLocal = EmbeddedDynamoDb.start(freeLoopbackPort());
             DynamoDbClient dynamo = DynamoDbClient.builder()
                     .endpointOverride(URI.create(dynamoDbLocal.endpoint()))
                     .region(Region.EU_WEST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                     .httpClient(UrlConnectionHttpClient.create())
                     .build()) {
            TableLayout.createIfAbsent(dynamo, TABLE);
            Map<String, String> environment = productEnvironment(dynamoDbLocal.endpoint());

            line("## Cold start (JVM, function.zip under the AWS runtime interface client)");
            line("");
            line(COLD_RUNS + " starts per function, one at a time. *process → ready*: process start (from"
                    + " /proc, 10 ms ticks) to the first poll of /runtime/invocation/next; *process → first answer*:"
                    + " process start to the answer of the first event; *harness*: including unzipping function.zip."
                    + " Median [min – max], ms.");
            line("");
            line("| function | first event → answer | process → ready | process → first answer | harness total"
                    + " | VmHWM after first answer (MiB) |");
            line("|---|---|---|---|---|---|");
            coldStart(zip, environment, "channels", fixture("/events/http/get-channels.json"));
            coldStart(zip, environment, "send", httpEvent("POST", "/v1/messages", "user-nobody",
                    "{\"to\":[\"bob@example.com\"],\"subject\":\"Hello\",\"text\":\"Hello Bob\"}"));
            coldStart(zip, environment, "bounces", webhookWithEmptyBody());
            coldStart(zip, environment, "retry", fixture("/events/eventbridge/scheduled.json"));
            line("");

            warm(zip, environment, dynamo);
        }
        Path results = basedir.resolve("target/bench/results.md");
        Files.createDirectories(results.getParent());
        Files.writeString(results, report.toString());
        System.out.println("\n===== benchmark results (also in " + results + ") =====\n" + report);
    }

    private void coldStart(Path zip, Map<String, String> environment, String function, String event)
            throws Exception {
        List<Long> ready = new ArrayList<>();
        List<Long> answered = new ArrayList<>();
        List<Long> harness = new ArrayList<>();
        List<Long> hwm = new ArrayList<>();
        String firstAnswer = "";
        for (int run = 0; run < COLD_RUNS; run++) {
            Set<Long> before = ProcessStats.children();
            long t0 = System.nanoTime();
            try (PackagedFunction f = PackagedFunction.start(zip, function, environment, TIMEOUT)) {
                double readyUptime = ProcessStats.uptimeSeconds();
                if (!f.isReady()) {
                    throw new IllegalStateException(function + " did not get ready" + f.describeProcess());
                }
                String answer = f.invoke(event, TIMEOUT);
                double answerUptime = ProcessStats.uptimeSeconds();
                long t1 = System.nanoTime();
                long pid = ProcessStats.newChild(before);
                double started = ProcessStats.startUptimeSeconds(pid);
                ready.add(Math.round((readyUptime - started) * 1000));
                answered.add(Math.round((answerUptime - started) * 1000));
                harness.add((t1 - t0) / 1_000_000);
                hwm.add(ProcessStats.statusKib(pid, "VmHWM") / 1024);
                firstAnswer = BenchReport.statusOf(answer);
            }
        }
        line("| " + function + " | " + firstAnswer + " | " + BenchReport.medianAndRange(ready) + " | " + BenchReport.medianAndRange(answered) + " | "
                + BenchReport.medianAndRange(harness) + " | " + BenchReport.medianAndRange(hwm) + " |");
    }

    private void warm(Path zip, Map<String, String> environment, DynamoDbClient dynamo) throws Exception {
        Set<Long> before = ProcessStats.children();
        try (PackagedFunction channels = PackagedFunction.start(zip, "channels", environment, TIMEOUT)) {
            long pid = ProcessStats.newChild(before);
            // Something for GET /v1/channel and the bare reads to find.
            String seeded = channels.invoke(httpEvent("POST", "/v1/identities", "user-alice",
                    "{\"name\":\"Alice\",\"address\":\"alice@example.com\",\"default\":true}"), TIMEOUT);

            Map<String, IntFunction<String>> routes = new LinkedHashMap<>();
            String getChannels = fixture("/events/http/get-channels.json");
            String getChannel = httpEvent("GET", "/v1/channel", "user-alice", null);
            routes.put("GET /v1/channels", i -> getChannels);
            routes.put("GET /v1/channel", i -> getChannel);
            // A new caller each time: a user may hold 50 identities, and the route reads the existing ones.
            routes.put("POST /v1/identities (first identity of a new user)", i -> httpEvent("POST", "/v1/identities",
                    "user-bench-" + i, "{\"name\":\"Bench\",\"address\":\"bench" + i + "@example.com\",\"default\":true}"));

            line("## Warm latency (channels function, one instance, sequential invocations)");
            line("");
            line("Invocation round trip through the Runtime API stub (queue event → runtime GET /next → function → "
                    + "POST /response), " + WARM_UP + " warm-up invocations per route not counted, then " + WARM_RUNS
                    + " measured. Bare DynamoDB Local round trips are made from the benchmark JVM with the AWS SDK "
                    + "(URL-connection client), " + WARM_RUNS + " after " + WARM_UP + " warm-up. ms.");
            line("");
            line("| what | answer | n | p50 | p99 | max |");
            line("|---|---|---|---|---|---|");
            int user = 0;
            for (var route : routes.entrySet()) {
                String status = "";
                for (int i = 0; i < WARM_UP; i++) {
                    status = BenchReport.statusOf(channels.invoke(route.getValue().apply(user++), TIMEOUT));
                }
                long[] nanos = new long[WARM_RUNS];
                for (int i = 0; i < WARM_RUNS; i++) {
                    String event = route.getValue().apply(user++);
                    long t0 = System.nanoTime();
                    String answer = channels.invoke(event, TIMEOUT);
                    nanos[i] = System.nanoTime() - t0;
                    status = BenchReport.statusOf(answer);
                }
                line("| " + route.getKey() + " | " + status + " | " + BenchReport.percentileCells(nanos) + " |");
            }

            var key = Map.of(TableLayout.PK, AttributeValue.fromS("USER#user-alice"),
                    TableLayout.SK, AttributeValue.fromS(firstSortKey(dynamo)));
            GetItemRequest get = GetItemRequest.builder().tableName(TABLE).key(key).build();
            QueryRequest query = QueryRequest.builder().tableName(TABLE)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", TableLayout.PK))
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("USER#user-alice")))
                    .build();
            line("| bare DynamoDB Local GetItem (one item of user-alice) | - | "
                    + BenchReport.percentileCells(time(() -> dynamo.getItem(get))) + " |");
            line("| bare DynamoDB Local Query (partition USER#user-alice) | - | "
                    + BenchReport.percentileCells(time(() -> dynamo.query(query))) + " |");
            line("");
            line("Seeding identity for user-alice answered " + BenchReport.statusOf(seeded) + ".");
            line("");
            line("## Memory (channels function process after the warm runs)");
            line("");
            long total = (long) routes.size() * (WARM_UP + WARM_RUNS) + 1;
            line("| what | MiB |");
            line("|---|---|");
            line("| VmHWM (peak RSS) after " + total + " invocations | " + ProcessStats.statusKib(pid, "VmHWM") / 1024 + " |");
            line("| VmRSS at the end | " + ProcessStats.statusKib(pid, "VmRSS") / 1024 + " |");
            line("");
            line("Heap limit as in PackagedFunction: -XX:MaxHeapSize = 85 % of 512 MB, serial GC, C1 only.");
        }
    }

    private static String firstSortKey(DynamoDbClient dynamo) {
        return dynamo.query(QueryRequest.builder().tableName(TABLE)
                        .keyConditionExpression("#pk = :pk")
                        .expressionAttributeNames(Map.of("#pk", TableLayout.PK))
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("USER#user-alice")))
                        .limit(1).build())
                .items().stream().findFirst()
                .map(item -> item.get(TableLayout.SK).s())
                .orElse("NONE");
    }

    private static long[] time(Runnable call) {
        for (int i = 0; i < WARM_UP; i++) {
            call.run();
        }
        long[] nanos = new long[WARM_RUNS];
        for (int i = 0; i < WARM_RUNS; i++) {
            long t0 = System.nanoTime();
            call.run();
            nanos[i] = System.nanoTime() - t0;
        }
        return nanos;
    }

    /** The same product configuration as PackagedChannelsFunctionIT. */
    private static Map<String, String> productEnvironment(String dynamoEndpoint) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("DELIVERY_TABLE", TABLE);
        environment.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", dynamoEndpoint);
        environment.put("QUARKUS_DYNAMODB_AWS_REGION", "eu-west-1");
        environment.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_TYPE", "static");
        environment.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID", "test");
        environment.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY", "test");
        environment.put("CREDENTIALS_KEYS", "bench-1:" + Base64.getEncoder().encodeToString(key));
        environment.put("SMTP_ALLOW_PRIVATE_HOSTS", "true");
        return environment;
    }

    private static String fixture(String resource) {
        try (InputStream in = FunctionBenchmark.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the test resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The GET /v1/channels fixture turned into another route and caller. */
    private static String httpEvent(String method, String path, String caller, String jsonBody) {
        try {
            ObjectNode event = (ObjectNode) JSON.readTree(fixture("/events/http/get-channels.json"));
            String routeKey = method + " " + path;
            event.put("routeKey", routeKey);
            event.put("rawPath", path);
            ObjectNode requestContext = (ObjectNode) event.get("requestContext");
            requestContext.put("routeKey", routeKey);
            ((ObjectNode) requestContext.get("http")).put("method", method).put("path", path);
            ((ObjectNode) requestContext.path("authorizer").path("jwt").path("claims")).put("sub", caller);
            ObjectNode headers = (ObjectNode) event.get("headers");
            if (jsonBody == null) {
                event.remove("body");
                headers.put("content-length", "0");
            } else {
                event.put("body", jsonBody);
                headers.put("content-type", "application/json");
                headers.put("content-length", Integer.toString(jsonBody.getBytes(StandardCharsets.UTF_8).length));
            }
            return JSON.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SNS's webhook route without the JWT authorizer and with an empty body: answered 400. */
    private static String webhookWithEmptyBody() {
        try {
            ObjectNode event = (ObjectNode) JSON.readTree(httpEvent("POST", "/v1/webhooks/ses", "none", null));
            ((ObjectNode) event.get("requestContext")).remove("authorizer");
            ((ObjectNode) event.get("headers")).remove("authorization");
            ((ObjectNode) event.get("headers")).put("content-type", "text/plain; charset=UTF-8");
            return JSON.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void line(String text) {
        report.append(text).append('\n');
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
