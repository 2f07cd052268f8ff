package com.deliverychannels.http;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.deliverychannels.testing.RouteTables;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * {@code openapi/openapi.yaml} describes the routes the routers serve, as they serve them: every route and
 * method in both, the template's path parameters, the routes without a caller, the body, query parameters
 * and headers each route reads, and the statuses each can answer. The routers are the truth; a route added,
 * removed or changed fails this test until the document says the same.
 *
 * <p>What a route reads is seen by running its handler on a blank request with no services behind it: the
 * handler reads its input, then stops at the first service it calls. A handler that calls a service before
 * reading its input would hide that read here (the test then reports the document's parameter or body as one
 * the code does not read).
 */
class OpenApiMatchesRoutersTest {
    private static final String DOCUMENT = "openapi/openapi.yaml";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options",
            "trace");
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");

    /**
     * What each route answers beyond what every route of its kind answers ({@link #expectedStatuses}): its
     * success, and what the services it calls throw, read from them.
     * <ul>
     * <li>409: a {@code ConflictException}, including {@code OptimisticRetry} giving up when the user's settings
     * were written from elsewhere meanwhile (every settings and identity write);</li>
     * <li>503: an {@code UnavailableException}: the route reads the table, a sealed credential, Google or SNS;</li>
     * <li>400 and 422 on a route without a JSON body, 404 on one without a path parameter: its own reasons.</li>
     * </ul>
     */
    private static final Map<String, Set<Integer>> ROUTE_STATUSES = Map.ofEntries(
            entry("GET /v1/channels", Set.of(200)), // texts only: no table, so no 503
            entry("GET /v1/channel", Set.of(200, 503)),
            entry("PUT /v1/channel", Set.of(200, 409, 503)), // Gmail not connected, SMTP not configured
            entry("PUT /v1/channel/smtp", Set.of(200, 409, 503)),
            entry("POST /v1/channel/smtp/verify", Set.of(200, 409, 503)), // no settings saved
            entry("DELETE /v1/channel/smtp", Set.of(204, 409, 503)),
            entry("POST /v1/channel/gmail", Set.of(200, 409, 503)), // 503: Google unreachable or refusing us
            entry("DELETE /v1/channel/gmail", Set.of(204, 409, 503)),
            entry("GET /v1/identities", Set.of(200, 503)),
            entry("POST /v1/identities", Set.of(201, 409, 503)), // limit, duplicate address
            entry("PUT /v1/identities/{id}", Set.of(200, 409, 503)), // duplicate address, default required
            entry("DELETE /v1/identities/{id}", Set.of(204, 409, 503)),
            // 400: limit not a whole number; 422: limit out of range, a cursor this list did not give
            entry("GET /v1/failed-deliveries", Set.of(200, 400, 422, 503)),
            entry("DELETE /v1/failed-deliveries/{id}", Set.of(204, 503)),
            // 404: an Idempotency-Key whose delivery is gone; 409: no identity, channel unusable, a raced attempt
            entry("POST /v1/messages", Set.of(201, 404, 409, 503)),
            entry("GET /v1/messages/{deliveryId}", Set.of(200, 503)),
            entry("POST /v1/messages/{deliveryId}/retry", Set.of(200, 409, 503)), // not FAILED, content gone
            // 400 malformed envelope, 403 foreign topic or bad signature, 409 a delivery raced, 503 certificate
            entry("POST /v1/webhooks/ses", Set.of(200, 400, 403, 409, 503)));

    /** Routes that read their body as it is, not as JSON of ours (SNS posts its envelope as text/plain). */
    private static final Set<String> RAW_BODY = Set.of("POST /v1/webhooks/ses");

    /** The answer schemas and the records the routes write for them. */
    private static final Map<String, Class<?>> ANSWER_SCHEMAS = Map.ofEntries(
            entry("ChannelOptions", ChannelsJson.ChannelOptions.class),
            entry("ChannelOption", ChannelsJson.ChannelOption.class),
            entry("ChannelView", ChannelsJson.ChannelView.class),
            entry("GmailConnection", ChannelsJson.Gmail.class),
            entry("SmtpSettings", ChannelsJson.Smtp.class),
            entry("Preview", ChannelsJson.Preview.class),
            entry("SmtpVerification", ChannelsJson.SmtpVerification.class),
            entry("Identity", ChannelsJson.Identity.class),
            entry("Identities", ChannelsJson.Identities.class),
            entry("FailedDeliveries", ChannelsJson.FailedDeliveries.class),
            entry("FailedDelivery", ChannelsJson.FailedDelivery.class),
            entry("RetryState", ChannelsJson.Retry.class),
            entry("Delivery", SendJson.Delivery.class),
            entry("DeliveryEvent", SendJson.Event.class),
            entry("Acknowledged", WebhookRoutes.Acknowledged.class),
            entry("Problem", ProblemBody.class),
            entry("FieldMessage", ProblemBody.FieldMessage.class));

    /** Components no one operation lists: a 405 answers a method a path does not have. */
    private static final Set<String> ANSWERED_OUTSIDE_OPERATIONS = Set.of("#/components/responses/MethodNotAllowed");

    private static JsonNode document;
    /** Each route, by "METHOD template". */
    private static Map<String, Router.Route> routes;
    /** What each route's handler reads, by "METHOD template". */
    private static Map<String, Reads> reads;
    /** Each documented operation, by "METHOD path". */
    private static Map<String, Operation> operations;

    /** An operation with the parameters of its path item. */
    private record Operation(JsonNode pathItem, JsonNode node) {
    }

    /** What a handler read from its request: the JSON body's type (null if none), query parameters, headers. */
    private record Reads(Class<?> jsonBody, Set<String> query, Set<String> headers) {
    }

    @BeforeAll
    static void readDocumentAndRoutes() throws Exception {
        try (InputStream in = OpenApiMatchesRoutersTest.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            assertNotNull(in, DOCUMENT + " is on the classpath (dev mode serves it from there)");
            document = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        operations = new TreeMap<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(field -> {
            if (METHODS.contains(field.getKey())) {
                operations.put(field.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(),
                        new Operation(path.getValue(), field.getValue()));
            }
        }));

        RecordingJsonBodies json = new RecordingJsonBodies();
        routes = new TreeMap<>();
        reads = new TreeMap<>();
        for (Class<?> function : RouteTables.funqyFunctions().values()) {
            for (Router.Route route : RouteTables.routesOf(function, Map.of(JsonBodies.class, json))) {
                String key = route.method() + " " + route.template();
                assertEquals(null, routes.put(key, route), "one router per route: " + key);
                reads.put(key, json.readsOf(route));
            }
        }
        assertTrue(routes.containsKey("POST /v1/messages"), "found the routers: " + routes.keySet());
    }

    @Test
    void documentIsOpenApi31ForTheDeployedApiAndDevMode() {
        assertEquals("3.1.0", document.path("openapi").asText());
        assertFalse(document.path("info").path("title").asText().isBlank());
        assertFalse(document.path("info").path("version").asText().isBlank());
        List<String> servers = new ArrayList<>();
        document.path("servers").forEach(server -> servers.add(server.path("url").asText()));
        assertTrue(servers.contains("http://localhost:8080"), "dev mode's front: " + servers);
        assertTrue(servers.stream().anyMatch(url -> url.matches("https://.*\\.execute-api\\..*")),
                "the API Gateway URL: " + servers);
    }

    @Test
    void everyRouteTheRoutersServeIsDocumentedAndNoOther() {
        Set<String> undocumented = new TreeSet<>(routes.keySet());
        undocumented.removeAll(operations.keySet());
        assertEquals(Set.of(), undocumented, "routes the routers serve and the document does not describe");
        Set<String> unserved = new TreeSet<>(operations.keySet());
        unserved.removeAll(routes.keySet());
        assertEquals(Set.of(), unserved, "operations the document describes and no router serves");
    }

    @Test
    void everyOperationHasItsOwnOperationId() {
        Map<String, String> ids = new TreeMap<>();
        operations.forEach((route, operation) -> {
            String id = operation.node().path("operationId").asText("");
            assertFalse(id.isBlank(), route + " has an operationId");
            assertEquals(null, ids.put(id, route), "operationId " + id + " is used once");
        });
    }

    @Test
    void pathParametersAreTheTemplatesNames() {
        routes.forEach((key, route) -> {
            Map<String, JsonNode> documented = parameters(operation(key), "path");
            List<String> names = new ArrayList<>();
            Matcher matcher = PATH_PARAMETER.matcher(route.template());
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
            assertEquals(new TreeSet<>(names), documented.keySet(), key + ": path parameters");
            documented.forEach((name, parameter) -> assertTrue(parameter.path("required").asBoolean(),
                    key + ": path parameter " + name + " is required"));
        });
    }

    @Test
    void queryParametersAndHeadersAreTheOnesTheRoutesRead() {
        routes.keySet().forEach(key -> {
            Operation operation = operation(key);
            assertEquals(reads.get(key).query(), parameters(operation, "query").keySet(), key + ": query parameters");
            Set<String> headers = new TreeSet<>(parameters(operation, "header").keySet());
            // HttpApi reads Accept-Language for every route: the texts of every answer follow it.
            assertTrue(headers.remove("accept-language"), key + " documents Accept-Language");
            assertEquals(reads.get(key).headers(), headers, key + ": headers the route reads");
        });
    }

    @Test
    void anonymousOperationsAreExactlyTheAnonymousRoutes() {
        JsonNode jwt = document.path("components").path("securitySchemes").path("jwt");
        assertEquals("http", jwt.path("type").asText());
        assertEquals("bearer", jwt.path("scheme").asText());
        assertEquals("JWT", jwt.path("bearerFormat").asText());
        assertEquals(json("[{\"jwt\": []}]"), document.path("security"), "the JWT applies to every operation");

        Set<String> anonymousRoutes = new TreeSet<>();
        Set<String> anonymousOperations = new TreeSet<>();
        routes.forEach((key, route) -> {
            if (route.anonymous()) {
                anonymousRoutes.add(key);
            }
            JsonNode security = operation(key).node().get("security");
            if (security != null) {
                assertEquals(json("[]"), security, key + " either keeps the JWT or needs nothing");
                anonymousOperations.add(key);
            }
        });
        assertFalse(anonymousRoutes.isEmpty(), "the webhook is anonymous");
        assertEquals(anonymousRoutes, anonymousOperations, "operations without the JWT (security: [])");
    }

    @Test
    void eachOperationDocumentsTheStatusesItsRouteCanAnswer() {
        assertEquals(routes.keySet(), new TreeSet<>(ROUTE_STATUSES.keySet()),
                "ROUTE_STATUSES names every route and no other");
        routes.forEach((key, route) -> {
            Set<Integer> documented = new TreeSet<>();
            operation(key).node().path("responses").fieldNames().forEachRemaining(code -> {
                assertTrue(code.matches("[1-5]\\d\\d"), key + ": a status, not " + code);
                documented.add(Integer.parseInt(code));
            });
            assertEquals(expectedStatuses(key, route), documented, key + ": statuses");
        });
    }

    @Test
    void successAnswersCarryTheirBodyAndProblemsAreProblemJson() {
        operations.forEach((key, operation) -> operation.node().path("responses").properties().forEach(answer -> {
            int status = Integer.parseInt(answer.getKey());
            JsonNode response = resolve(answer.getValue());
            if (status == 204) {
                assertTrue(response.path("content").isMissingNode(), key + ": 204 has no body");
            } else if (status < 300) {
                assertTrue(response.path("content").path("application/json").has("schema"), key + ": " + status
                        + " has a JSON body");
            } else {
                assertProblem(key + " " + status, response, status);
            }
        }));
        document.path("components").path("responses").properties().forEach(component -> {
            JsonNode example = component.getValue().path("content").path("application/problem+json").path("example");
            if (!example.isMissingNode()) {
                assertProblem(component.getKey(), component.getValue(), example.path("status").asInt());
            }
        });
        JsonNode methodNotAllowed = document.at("/components/responses/MethodNotAllowed");
        assertEquals(405, methodNotAllowed.at("/content/application~1problem+json/example/status").asInt());
        assertTrue(methodNotAllowed.path("headers").has("Allow"), "a 405 names the methods the path answers");
    }

    @Test
    void requestBodiesAreTheOnesTheRoutesRead() {
        routes.keySet().forEach(key -> {
            JsonNode body = operation(key).node().get("requestBody");
            Class<?> read = reads.get(key).jsonBody();
            if (RAW_BODY.contains(key)) {
                assertNotNull(body, key + " documents the body it reads");
                assertTrue(resolve(body).path("content").path("application/json").isMissingNode(),
                        key + " reads its body as it is, not as JSON of ours");
                return;
            }
            if (read == null) {
                assertEquals(null, body, key + " reads no body");
                return;
            }
            assertNotNull(body, key + " documents its " + read.getSimpleName() + " body");
            assertTrue(resolve(body).path("required").asBoolean(), key + ": the body is required");
            JsonNode schema = resolve(resolve(body).path("content").path("application/json").path("schema"));
            assertEquals(json("false"), schema.path("additionalProperties"),
                    key + ": unknown fields are refused, so the schema allows none");
            assertEquals(jsonNames(read), fieldNames(schema.path("properties")), key + ": the fields of "
                    + read.getSimpleName());
        });
    }

    @Test
    void answerSchemasHaveTheFieldsOfTheRecordsWritten() {
        ANSWER_SCHEMAS.forEach((schema, record) -> {
            JsonNode properties = document.path("components").path("schemas").path(schema).path("properties");
            assertEquals(jsonNames(record), fieldNames(properties), schema + " is " + record.getName());
        });
        // A new JSON record of the HTTP API is either read (a request body) or written (an answer schema).
        Set<Class<?>> records = new TreeSet<>(Comparator.comparing(Class::getName));
        for (Class<?> holder : List.of(ChannelsJson.class, SendJson.class, ProblemBody.class, WebhookRoutes.class)) {
            Stream.of(holder.getDeclaredClasses()).filter(Class::isRecord).forEach(records::add);
        }
        records.add(ProblemBody.class);
        reads.values().stream().map(Reads::jsonBody).filter(Objects::nonNull).forEach(records::remove);
        ANSWER_SCHEMAS.values().forEach(records::remove);
        assertEquals(Set.of(), records, "JSON records the document does not describe");
    }

    @Test
    void everyReferenceResolvesAndEveryComponentIsUsed() {
        Set<String> references = new TreeSet<>();
        collectReferences(document, references);
        for (String reference : references) {
            assertTrue(reference.startsWith("#/"), "only references within the document: " + reference);
            assertFalse(document.at(reference.substring(1)).isMissingNode(), reference + " resolves");
        }
        Set<String> unused = new TreeSet<>();
        document.path("components").properties().forEach(kind -> {
            if (!kind.getKey().equals("securitySchemes")) {
                kind.getValue().fieldNames().forEachRemaining(name -> unused.add("#/components/" + kind.getKey() + "/"
                        + name.replace("~", "~0").replace("/", "~1")));
            }
        });
        unused.removeAll(references);
        unused.removeAll(ANSWERED_OUTSIDE_OPERATIONS);
        assertEquals(Set.of(), unused, "components nothing refers to");
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * The statuses a route answers: 500 (anything unexpected, HttpApi), 413 (HttpApi checks the body size on
     * every route), 401 unless it is anonymous (no caller), 400, 415 and 422 when it reads a JSON body
     * (malformed or mistyped, not declared as JSON, invalid fields), 404 when its template has a path
     * parameter (another user's resource, or none), and its own ({@link #ROUTE_STATUSES}).
     */
    private static Set<Integer> expectedStatuses(String key, Router.Route route) {
        Set<Integer> statuses = new TreeSet<>(ROUTE_STATUSES.get(key));
        statuses.add(500);
        statuses.add(413);
        if (!route.anonymous()) {
            statuses.add(401);
        }
        if (reads.get(key).jsonBody() != null) {
            statuses.addAll(Set.of(400, 415, 422));
        }
        if (route.template().contains("{")) {
            statuses.add(404);
        }
        return statuses;
    }

    private static void assertProblem(String where, JsonNode response, int status) {
        JsonNode problem = response.path("content").path("application/problem+json");
        assertEquals("#/components/schemas/Problem", problem.path("schema").path("$ref").asText(),
                where + " is problem+json");
        Problem kind = Stream.of(Problem.values()).filter(p -> p.status() == status).findFirst()
                .orElseThrow(() -> new AssertionError(where + ": HttpApi answers no " + status));
        assertEquals(status, problem.path("example").path("status").asInt(), where + ": the example's status");
        assertEquals(kind.type(), problem.path("example").path("type").asText(), where + ": the example's type");
        assertTrue(response.path("headers").has("Content-Language"), where + " says the language of its texts");
        // SendRoutes answers a repeated Idempotency-Key whose first request still runs with 409 and Retry-After.
        boolean retryAfter = status == Problem.UNAVAILABLE.status()
                || where.startsWith("POST /v1/messages ") && status == Problem.CONFLICT.status()
                || where.equals("SendConflict");
        assertEquals(retryAfter, response.path("headers").has("Retry-After"),
                where + ": Retry-After on a 503 and on a send's 409, and only there");
    }

    private static Operation operation(String key) {
        Operation operation = operations.get(key);
        assertNotNull(operation, key + " is documented");
        return operation;
    }

    /** An operation's parameters of one kind ({@code in}) by name (header names in lower case), path item's included. */
    private static Map<String, JsonNode> parameters(Operation operation, String in) {
        Map<String, JsonNode> parameters = new TreeMap<>();
        for (JsonNode list : List.of(operation.pathItem().path("parameters"), operation.node().path("parameters"))) {
            for (JsonNode parameter : list) {
                JsonNode resolved = resolve(parameter);
                if (in.equals(resolved.path("in").asText())) {
                    String name = resolved.path("name").asText();
                    parameters.put(in.equals("header") ? name.toLowerCase(Locale.ROOT) : name, resolved);
                }
            }
        }
        return parameters;
    }

    /** {@code node}, or what its {@code $ref} points at. */
    private static JsonNode resolve(JsonNode node) {
        JsonNode resolved = node;
        for (int depth = 0; resolved.has("$ref"); depth++) {
            assertTrue(depth < 10, "a $ref chain ends: " + node);
            resolved = document.at(resolved.path("$ref").asText().substring(1));
        }
        return resolved;
    }

    private static void collectReferences(JsonNode node, Set<String> references) {
        if (node.isObject()) {
            node.properties().forEach(field -> {
                if (field.getKey().equals("$ref")) {
                    references.add(field.getValue().asText());
                } else {
                    collectReferences(field.getValue(), references);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> collectReferences(element, references));
        }
    }

    /** The names a record has in JSON ({@code @JsonProperty} on a component renames it). */
    private static Set<String> jsonNames(Class<?> record) {
        return Stream.of(record.getRecordComponents())
                .map(component -> Optional.ofNullable(component.getAccessor().getAnnotation(JsonProperty.class))
                        .map(JsonProperty::value).orElse(component.getName()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The JSON reader the route tables are built with: it notes the type a handler reads and hands back a
     * blank one, so that the handler goes on to read its headers and query until it calls a service.
     */
    private static final class RecordingJsonBodies extends JsonBodies {
        private Class<?> read;

        /** Runs {@code route}'s handler on a blank request by a caller and answers what it read. */
        Reads readsOf(Router.Route route) {
            read = null;
            RecordingMap query = new RecordingMap();
            RecordingMap headers = new RecordingMap();
            Map<String, String> pathParams = new HashMap<>();
            Matcher matcher = PATH_PARAMETER.matcher(route.template());
            while (matcher.find()) {
                pathParams.put(matcher.group(1), "01HZX3K6Q8V5N2R7T9W4Y0B1C3");
            }
            ApiRequest request = new ApiRequest(route.method(), route.template(), pathParams, query, headers, "{}",
                    Optional.of("user-probe"), Locale.ENGLISH);
            try {
                route.handler().handle(request);
            } catch (RuntimeException stoppedAtAService) {
                // Expected: the services are null, or a blank body breaks a rule.
            }
            return new Reads(read, query.asked, headers.asked);
        }

        @Override
        public <T> T read(ApiRequest request, Class<T> type) {
            read = type;
            return blank(type);
        }

        private static <T> T blank(Class<T> type) {
            Class<?>[] types = Stream.of(type.getRecordComponents()).map(RecordComponent::getType)
                    .toArray(Class<?>[]::new);
            // Nulls, and zero or false for primitives (an array's first element is its type's default).
            Object[] values = Stream.of(types).map(t -> t.isPrimitive() ? Array.get(Array.newInstance(t, 1), 0) : null)
                    .toArray();
            try {
                return type.getDeclaredConstructor(types).newInstance(values);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot build a blank " + type.getName(), e);
            }
        }
    }

    /** A map that answers nothing and notes every key asked of it (ApiRequest asks headers in lower case). */
    private static final class RecordingMap extends LinkedHashMap<String, String> {
        private final Set<String> asked = new TreeSet<>();

        @Override
        public String get(Object key) {
            asked.add(String.valueOf(key));
            return null;
        }
    }
}
