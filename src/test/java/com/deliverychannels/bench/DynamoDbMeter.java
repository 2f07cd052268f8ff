package com.deliverychannels.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A metering proxy on loopback between a packaged function and DynamoDB Local: point the function's
 * {@code QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE} at {@link #endpoint()} and every DynamoDB call it makes is
 * counted by operation ({@code X-Amz-Target}), with the capacity DynamoDB Local reports for it.
 * <p>
 * To get that capacity the proxy adds {@code "ReturnConsumedCapacity":"INDEXES"} to the body of every
 * operation that takes it (the SDK never asks by itself). That changes the signed payload: DynamoDB Local
 * does not check SigV4 signatures (checked: every rewritten request is answered 200, see the report), so the
 * function's calls go through unchanged otherwise. The answer is passed back byte for byte, so the SDK's CRC32
 * check of the response still holds; the extra {@code ConsumedCapacity} field is one the SDK knows.
 * <p>
 * Calls are recorded until {@link #reset()}; a benchmark resets before each invocation and reads {@link #calls()}
 * after it, one invocation at a time.
 */
final class DynamoDbMeter implements AutoCloseable {
    /** Operations whose request takes {@code ReturnConsumedCapacity}. */
    private static final Set<String> METERED = Set.of("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query",
            "Scan", "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems");
    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "keep-alive");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService handlers;
    private final HttpClient upstream;
    private final URI upstreamEndpoint;
    private final List<Call> calls = new ArrayList<>();

    /** One DynamoDB call as the proxy saw it. */
    record Call(String operation, int status, String errorType, double readUnits, double writeUnits,
                Map<String, Double> unitsByTableOrIndex, int transactItems, int keys, boolean consistentRead,
                int requestBytes, int responseBytes, long upstreamNanos, double transactionWriteUnits) {
        /**
         * The write units DynamoDB bills. DynamoDB Local's figure is kept for single-item writes (it matches the
         * rules there: 1 per KB, plus the index writes, a changed index key counting twice). For a transaction it
         * is not trustworthy (seen: 2 units for a transaction of 3 items), so the rules apply instead: 2 units per
         * KB of each item, and 2 more for each new index entry (see {@link #transactionWriteUnits}).
         */
        double billedWriteUnits() {
            return operation.equals("TransactWriteItems") ? transactionWriteUnits : writeUnits;
        }

        /**
         * The read units DynamoDB bills at the least: a read that finds nothing still costs one 4 KB unit per key
         * (GetItem, BatchGetItem) or per request (Query), 1 strongly consistent or 0.5 eventually consistent.
         * DynamoDB Local reports 0 for such reads; this is the floor to hold its figure against.
         */
        double billedReadUnits() {
            double unit = consistentRead ? 1.0 : 0.5;
            return switch (operation) {
                case "GetItem", "Query", "Scan" -> Math.max(readUnits, unit);
                case "BatchGetItem" -> Math.max(readUnits, unit * keys);
                default -> readUnits;
            };
        }

        boolean isWrite() {
            return operation.equals("PutItem") || operation.equals("UpdateItem") || operation.equals("DeleteItem")
                    || operation.equals("BatchWriteItem") || operation.equals("TransactWriteItems");
        }

        boolean conditionalFailure() {
            return errorType != null && (errorType.contains("ConditionalCheckFailed")
                    || errorType.contains("TransactionCanceled"));
        }
    }

    private DynamoDbMeter(HttpServer server, ExecutorService handlers, HttpClient upstream, URI upstreamEndpoint) {
        this.server = server;
        this.handlers = handlers;
        this.upstream = upstream;
        this.upstreamEndpoint = upstreamEndpoint;
    }

    /** Starts the proxy on a free loopback port, forwarding to {@code upstreamEndpoint} (DynamoDB Local). */
    static DynamoDbMeter start(String upstreamEndpoint) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            // Several threads: the retry sweep sends deliveries on a pool and its calls may overlap.
            ExecutorService handlers = Executors.newFixedThreadPool(8, runnable -> {
                Thread thread = new Thread(runnable, "dynamodb-meter");
                thread.setDaemon(true);
                return thread;
            });
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            DynamoDbMeter meter = new DynamoDbMeter(server, handlers, client, URI.create(upstreamEndpoint));
            server.createContext("/", meter::forward);
            server.setExecutor(handlers);
            server.start();
            return meter;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The endpoint to give the function instead of DynamoDB Local's. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    synchronized void reset() {
        calls.clear();
    }

    /** The calls since the last {@link #reset()}, in the order their answers came. */
    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    private synchronized void record(Call call) {
        calls.add(call);
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = target == null ? "?" : target.substring(target.indexOf('.') + 1);
            JsonNode request = null;
            if (METERED.contains(operation)) {
                request = JSON.readTree(body);
                if (request instanceof ObjectNode object && !object.has("ReturnConsumedCapacity")) {
                    object.put("ReturnConsumedCapacity", "INDEXES");
                    body = JSON.writeValueAsBytes(object);
                }
            }
            HttpRequest.Builder forwarded = HttpRequest.newBuilder(upstreamEndpoint.resolve(exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(30))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> forwarded.header(name, value));
                }
            });
            long t0 = System.nanoTime();
            HttpResponse<byte[]> response;
            try {
                response = upstream.send(forwarded.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            long upstreamNanos = System.nanoTime() - t0;
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            byte[] answer = response.body();
            // Recorded before the function has its answer: once it has, the invocation may end and be read.
            record(describe(operation, request, body.length, response, answer, upstreamNanos));
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    /** The attributes that put an item into a global secondary index of the table (TableLayout). */
    private static final Set<String> INDEX_KEYS = Set.of("gsi1pk", "sesMessageId");

    /**
     * A transaction's write units by DynamoDB's rules: each Put costs 2 × its size rounded up to 1 KB, and 2 more
     * per index it enters (an upper bound when the item replaces one already indexed under the same key, which
     * the flows measured here never do); an Update, Delete or ConditionCheck 2 (items under 1 KB).
     */
    static double transactionWriteUnits(JsonNode request) {
        double units = 0;
        for (JsonNode action : request.path("TransactItems")) {
            JsonNode item = action.path("Put").path("Item");
            if (item.isObject()) {
                units += 2 * Math.ceil(itemBytes(item) / 1024.0);
                for (String key : INDEX_KEYS) {
                    units += item.has(key) ? 2 : 0;
                }
            } else {
                units += 2;
            }
        }
        return units;
    }

    /** An item's size as DynamoDB counts it: attribute names plus values (UTF-8), collections with their overhead. */
    static long itemBytes(JsonNode item) {
        long bytes = 0;
        var fields = item.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            bytes += utf8(field.getKey()) + valueBytes(field.getValue());
        }
        return bytes;
    }

    private static long valueBytes(JsonNode value) {
        var entry = value.fields().next();
        JsonNode v = entry.getValue();
        return switch (entry.getKey()) {
            case "S" -> utf8(v.asText());
            case "N" -> (v.asText().replaceAll("[^0-9]", "").length() + 1) / 2 + 1;
            case "B" -> java.util.Base64.getDecoder().decode(v.asText()).length;
            case "BOOL", "NULL" -> 1;
            case "SS", "NS" -> {
                long sum = 0;
                for (JsonNode element : v) {
                    sum += utf8(element.asText());
                }
                yield sum;
            }
            case "L" -> {
                long sum = 3;
                for (JsonNode element : v) {
                    sum += 1 + valueBytes(element);
                }
                yield sum;
            }
            case "M" -> 3 + itemBytes(v) + v.size();
            default -> 0;
        };
    }

    private static long utf8(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static Call describe(String operation, JsonNode request, int requestBytes, HttpResponse<byte[]> response,
                                 byte[] answer, long upstreamNanos) {
        JsonNode parsed;
        try {
            boolean gzip = response.headers().firstValue("Content-Encoding").map("gzip"::equalsIgnoreCase).orElse(false);
            InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(answer)) : new ByteArrayInputStream(answer);
            parsed = answer.length == 0 ? JSON.createObjectNode() : JSON.readTree(in);
        } catch (IOException e) {
            parsed = JSON.createObjectNode();
        }
        String errorType = response.statusCode() == 200 ? null : parsed.path("__type").asText("HTTP " + response.statusCode());
        double read = 0;
        double write = 0;
        Map<String, Double> byTarget = new TreeMap<>();
        JsonNode consumed = parsed.path("ConsumedCapacity");
        List<JsonNode> entries = new ArrayList<>();
        if (consumed.isArray()) {
            consumed.forEach(entries::add);
        } else if (consumed.isObject()) {
            entries.add(consumed);
        }
        boolean isWrite = Set.of("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
                .contains(operation);
        for (JsonNode entry : entries) {
            double units = entry.path("CapacityUnits").asDouble(0);
            // Newer DynamoDB versions split CapacityUnits; without the split the operation says which it is.
            double r = entry.has("ReadCapacityUnits") ? entry.path("ReadCapacityUnits").asDouble() : isWrite ? 0 : units;
            double w = entry.has("WriteCapacityUnits") ? entry.path("WriteCapacityUnits").asDouble() : isWrite ? units : 0;
            read += r;
            write += w;
            if (entry.has("Table")) {
                byTarget.merge("table", entry.path("Table").path("CapacityUnits").asDouble(), Double::sum);
            }
            entry.path("GlobalSecondaryIndexes").fields().forEachRemaining(index ->
                    byTarget.merge(index.getKey(), index.getValue().path("CapacityUnits").asDouble(), Double::sum));
        }
        int transactItems = request == null ? 0 : request.path("TransactItems").size();
        int keys = 0;
        if (request != null) {
            for (JsonNode table : request.path("RequestItems")) {
                keys += table.path("Keys").size();
            }
        }
        boolean consistent = request != null && (request.path("ConsistentRead").asBoolean(false)
                || request.path("RequestItems").findValues("ConsistentRead").stream().anyMatch(JsonNode::asBoolean));
        return new Call(operation, response.statusCode(), errorType, read, write, byTarget, transactItems, keys, consistent,
                requestBytes, answer.length, upstreamNanos, request == null ? 0 : transactionWriteUnits(request));
    }
}
